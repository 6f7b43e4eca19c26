//! Employers: the organisations that post vacancies.

pub(crate) mod store;

use async_graphql::{Context, Enum, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::employer;

use crate::{
    graphql::{Lookup, NodeKind, db, encode_id, loader, lookup},
    vacancy::Vacancy,
};

/// The industry an employer works in. Every industry that runs servers hires back-end developers.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::Industry")]
pub enum Industry {
    /// Software and IT services.
    Software,
    /// Banking, insurance and finance.
    Finance,
    /// Retail and e-commerce.
    Retail,
    /// Logistics, shipping and transport.
    Logistics,
    /// Advertising and media.
    Media,
    /// Printing and publishing.
    Printing,
    /// Mechanical and plant engineering.
    Engineering,
    /// Automotive: vehicle construction and suppliers.
    Automotive,
    /// Healthcare and life sciences.
    Healthcare,
    /// Education.
    Education,
    /// Government and the public sector.
    Government,
}

/// How big an employer is. Start-ups pay less but give broad work; large corporations pay more and
/// specialise.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::CompanySize")]
pub enum CompanySize {
    /// Fewer than 50 people, usually venture-funded.
    Startup,
    /// Up to 250 people.
    Small,
    /// 250 to 1,000 people.
    Medium,
    /// 1,000 to 10,000 people.
    Large,
    /// More than 10,000 people.
    Enterprise,
}

/// An organisation that hires back-end developers.
pub struct Employer(pub(crate) employer::Model);

#[Object]
impl Employer {
    /// Opaque global ID.
    pub(crate) async fn id(&self) -> ID {
        encode_id(NodeKind::Employer, self.0.id)
    }

    /// Unique, URL-safe key, e.g. `northwind-logistics`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The employer's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The industry it works in.
    async fn industry(&self) -> Industry {
        self.0.industry.into()
    }

    /// How big it is.
    async fn size(&self) -> CompanySize {
        self.0.size.into()
    }

    /// Its website, if it has one.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    /// What the employer does and how its engineering works.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// City of its head office.
    async fn city(&self) -> &str {
        &self.0.city
    }

    /// Country of its head office: ISO 3166-1 alpha-2 code, e.g. `GB`.
    async fn country_code(&self) -> &str {
        &self.0.country_code
    }

    /// Its vacancies, most recently published first (drafts last).
    async fn vacancies(&self, ctx: &Context<'_>) -> Result<Vec<Vacancy>> {
        let rows = loader(ctx)?
            .load_one(store::VacanciesOfEmployer(self.0.id))
            .await?;
        Ok(rows.unwrap_or_default().into_iter().map(Vacancy).collect())
    }

    /// When the employer joined the directory.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the employer was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Incremented on every change; send it back as `expectedVersion` to update safely.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// The employer part of the query root.
#[derive(Default)]
pub struct EmployerQuery;

#[Object]
impl EmployerQuery {
    /// The employer with this slug or global ID (give exactly one), or null if there is none.
    async fn employer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The employer's slug, e.g. `northwind-logistics`.")] slug: Option<String>,
        #[graphql(desc = "The employer's global ID.")] id: Option<ID>,
    ) -> Result<Option<Employer>> {
        let found = match lookup("slug", slug, id, NodeKind::Employer)? {
            Lookup::Key(slug) => store::find_by_slug(db(ctx)?, &slug).await?,
            Lookup::Id(key) => loader(ctx)?.load_one(store::EmployerById(key)).await?,
        };
        Ok(found.map(Employer))
    }

    /// Every employer, by name.
    async fn employers(&self, ctx: &Context<'_>) -> Result<Vec<Employer>> {
        Ok(store::list(db(ctx)?)
            .await?
            .into_iter()
            .map(Employer)
            .collect())
    }
}
