//! Vacancies: job postings, the skills they ask for, and their pay.

mod mutation;
pub mod posting;
mod query;
pub(crate) mod store;
mod subscription;
mod types;

pub use mutation::VacancyMutation;
pub use query::VacancyQuery;
pub use subscription::VacancySubscription;
pub(crate) use types::skill_links;
pub use types::{
    EmploymentType, SalaryPeriod, SalaryRange, SalaryRangeFilter, Vacancy, VacancyFilter,
    VacancyOrder, VacancyOrderField, VacancySkill, VacancyStatus,
};
