//! Employers: the organisations that post vacancies.

mod mutation;
mod query;
pub(crate) mod store;
mod types;

pub use mutation::EmployerMutation;
pub use query::EmployerQuery;
pub use types::{
    CompanySize, Employer, EmployerFilter, EmployerOrder, EmployerOrderField, Industry,
};
