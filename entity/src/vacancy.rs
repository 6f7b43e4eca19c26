//! `vacancies`: job postings of an employer.

use sea_orm::entity::prelude::*;

use crate::{EmploymentType, SalaryPeriod, Seniority, StringList, VacancyStatus, Workplace};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "vacancies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub employer_id: i64,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    #[sea_orm(column_type = "JsonBinary")]
    pub responsibilities: StringList,
    pub seniority: Seniority,
    pub employment_type: EmploymentType,
    pub workplace: Workplace,
    pub city: Option<String>,
    pub country_code: String,
    /// The city's coordinates (degrees), and the same point as a unit vector (see `geo`).
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub geo_x: Option<f64>,
    pub geo_y: Option<f64>,
    pub geo_z: Option<f64>,
    /// Whole currency units per `salary_period`; all four salary columns are set together or not at all.
    pub salary_min: Option<i64>,
    pub salary_max: Option<i64>,
    pub salary_currency: Option<String>,
    pub salary_period: Option<SalaryPeriod>,
    pub status: VacancyStatus,
    pub published_at: Option<DateTimeUtc>,
    /// Where the publication stands in the order of every publication (see `sequences`).
    pub publication_seq: Option<i64>,
    pub valid_through: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    #[sea_orm(belongs_to, from = "employer_id", to = "id", on_delete = "Cascade")]
    pub employer: HasOne<super::employer::Entity>,
    #[sea_orm(has_many)]
    pub skills: HasMany<super::vacancy_skill::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}

impl dbkit::batch::Keyed for Model {
    fn key(&self) -> i64 {
        self.id
    }
}

dbkit::model_row! {
    id,
    employer_id,
    title by ["title", "jobPosting"],
    description by ["description", "jobPosting"],
    responsibilities by ["responsibilities", "jobPosting"],
    // A vacancy's matches score it by its level, place and salary; `jobPosting` reads most columns.
    seniority by ["seniority", "matchingDevelopers"],
    employment_type by ["employmentType", "jobPosting"],
    workplace by ["workplace", "matchingDevelopers", "jobPosting"],
    city by ["city", "jobPosting"],
    country_code by ["countryCode", "matchingDevelopers", "jobPosting"],
    // Distance filters read them in SQL; `distanceKm` and match scores (the point) in the server.
    latitude by ["distanceKm"],
    longitude by ["distanceKm"],
    geo_x by ["matchingDevelopers"],
    geo_y by ["matchingDevelopers"],
    geo_z by ["matchingDevelopers"],
    salary_min by ["salary", "matchingDevelopers", "jobPosting"],
    salary_max by ["salary", "matchingDevelopers", "jobPosting"],
    salary_currency by ["salary", "matchingDevelopers", "jobPosting"],
    salary_period by ["salary", "matchingDevelopers", "jobPosting"],
    // Access rules read it (`Drafts::shows`).
    status,
    published_at by ["publishedAt", "jobPosting"],
    publication_seq by ["publicationId"],
    valid_through by ["validThrough", "jobPosting"],
    created_at by ["createdAt"],
    updated_at by ["updatedAt"],
    version by ["version"],
}

impl dbkit::write::Versioned for Entity {
    const ID: Column = Column::Id;
    const VERSION: Column = Column::Version;
    const UPDATED_AT: Column = Column::UpdatedAt;
}
