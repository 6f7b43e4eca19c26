//! `employers`: the organisations that post vacancies.

use sea_orm::entity::prelude::*;

use crate::{CompanySize, Industry};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "employers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub industry: Industry,
    pub size: CompanySize,
    pub website: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub city: String,
    pub country_code: String,
    /// The city's coordinates (degrees; see `geo`).
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    #[sea_orm(has_many)]
    pub vacancies: HasMany<super::vacancy::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}

impl dbkit::batch::Keyed for Model {
    fn key(&self) -> i64 {
        self.id
    }
}

dbkit::model_row! {
    id,
    slug by ["slug"],
    name by ["name"],
    industry by ["industry"],
    size by ["size"],
    website by ["website"],
    description by ["description"],
    city by ["city"],
    country_code by ["countryCode"],
    latitude by [],
    longitude by [],
    created_at by ["createdAt"],
    updated_at by ["updatedAt"],
    version by ["version"],
}

impl dbkit::write::Versioned for Entity {
    const ID: Column = Column::Id;
    const VERSION: Column = Column::Version;
    const UPDATED_AT: Column = Column::UpdatedAt;
}
