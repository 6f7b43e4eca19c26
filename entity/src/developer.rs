//! `developers`: the people in the directory. `email` and the salary expectation are private.

use sea_orm::entity::prelude::*;

use crate::{Seniority, StringList, Workplace};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "developers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub handle: String,
    pub name: String,
    #[sea_orm(unique)]
    pub email: String,
    pub headline: String,
    #[sea_orm(column_type = "Text")]
    pub bio: String,
    pub seniority: Seniority,
    pub years_of_experience: i32,
    pub city: String,
    pub country_code: String,
    /// The city's coordinates (degrees), and the same point as a unit vector (see `geo`).
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub geo_x: Option<f64>,
    pub geo_y: Option<f64>,
    pub geo_z: Option<f64>,
    pub remote_preference: Workplace,
    pub open_to_work: bool,
    /// Whole currency units per year.
    pub salary_expectation_amount: Option<i64>,
    pub salary_expectation_currency: Option<String>,
    /// Public profile URLs (http or https), at most 10.
    #[sea_orm(column_type = "JsonBinary")]
    pub links: StringList,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    #[sea_orm(has_many)]
    pub skills: HasMany<super::developer_skill::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}

impl dbkit::batch::Keyed for Model {
    fn key(&self) -> i64 {
        self.id
    }
}

dbkit::model_row! {
    id,
    handle,
    name by ["name", "resume"],
    email by ["email", "resume"],
    headline by ["headline", "resume"],
    bio by ["bio", "resume"],
    // A developer's matches score them by level, place, remote preference, availability and
    // salary expectation, whatever their selection.
    seniority,
    years_of_experience by ["yearsOfExperience", "resume"],
    city by ["city", "resume"],
    country_code,
    // Distance filters read them in SQL; `distanceKm` and match scores (the point) in the server.
    latitude by ["distanceKm"],
    longitude by ["distanceKm"],
    geo_x,
    geo_y,
    geo_z,
    remote_preference,
    open_to_work,
    salary_expectation_amount,
    salary_expectation_currency,
    links by ["links", "resume"],
    created_at by ["createdAt"],
    updated_at by ["updatedAt", "resume"],
    version by ["version"],
}

impl dbkit::write::Versioned for Entity {
    const ID: Column = Column::Id;
    const VERSION: Column = Column::Version;
    const UPDATED_AT: Column = Column::UpdatedAt;
}
