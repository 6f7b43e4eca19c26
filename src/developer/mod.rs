//! Developers: the people in the directory, and the skills they have.

mod import;
mod mutation;
mod query;
pub mod resume;
pub(crate) mod store;
mod types;

pub use mutation::{DeveloperMutation, EmailChanges};
pub use query::DeveloperQuery;
pub(crate) use types::skill_links;
pub use types::{
    Developer, DeveloperFilter, DeveloperOrder, DeveloperOrderField, DeveloperSkill,
    SalaryExpectation, Seniority, Workplace,
};
