//! Enumerations stored as upper-case strings; the migration's CHECK constraints list the same values.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a skill sits in the taxonomy.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum SkillCategory {
    Language,
    Framework,
    Database,
    Platform,
    Api,
    Frontend,
    Practice,
    Soft,
}

/// Career level, from intern to principal.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum Seniority {
    Intern,
    Junior,
    Middle,
    Senior,
    Lead,
    Principal,
}

/// Where work happens: at the office, partly remote, or fully remote.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum Workplace {
    Onsite,
    Hybrid,
    Remote,
}

/// The industry an employer works in.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum Industry {
    Software,
    Finance,
    Retail,
    Logistics,
    Media,
    Printing,
    Engineering,
    Automotive,
    Healthcare,
    Education,
    Government,
}

/// How big an employer is.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum CompanySize {
    Startup,
    Small,
    Medium,
    Large,
    Enterprise,
}

/// The contract a vacancy offers (schema.org `employmentType`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum EmploymentType {
    FullTime,
    PartTime,
    Contractor,
    Temporary,
    Intern,
}

/// Where a vacancy is in its life.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum VacancyStatus {
    Draft,
    Open,
    Closed,
}

/// The period a salary amount is paid for (schema.org `unitText`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum SalaryPeriod {
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// What an API token may do: everything (ADMIN), or act for one employer or one developer.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum TokenRole {
    Admin,
    Employer,
    Developer,
}

// What a row read without these columns holds in their place (see `dbkit::columns`): the first
// value of each, never shown, since only the fields that read the column show it.
macro_rules! absent_as_first {
    ($($ty:ident => $first:ident),* $(,)?) => {
        $(impl dbkit::columns::Absent for $ty {
            fn absent() -> Self {
                Self::$first
            }
        })*
    };
}

absent_as_first! {
    SkillCategory => Language,
    Seniority => Intern,
    Workplace => Onsite,
    Industry => Software,
    CompanySize => Startup,
    EmploymentType => FullTime,
}
