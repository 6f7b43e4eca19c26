//! The employer's GraphQL types: `Employer`, its industry and size, and the filter and order of a list.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use dbkit::{batch::Item, columns::Unread, keyset::PageArgs};
use entity::employer;
use toolkit::{
    boxed,
    connection::{Conn, child_connection},
    db,
    id::encode_id,
    lookahead::UnreadOf,
    scalars::{Audit, OrderDirection},
};

use super::store;
use crate::{
    auth::{policy::Drafts, viewer},
    ids::NodeKind,
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

/// The GraphQL `Employer` object, documented on its `#[Object]` impl.
pub struct Employer(pub(crate) Item<employer::Model>);

/// An organisation that hires back-end developers.
#[Object(serial, cache_control(max_age = 300))]
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

    /// Its vacancies, most recently published first; drafts, which only the employer and admins
    /// see, come last.
    #[graphql(complexity = "toolkit::limits::connection_cost(first, last, child_complexity)")]
    async fn vacancies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return the first N vacancies (0 to 100; 20 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return vacancies after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last N vacancies (0 to 100).")] last: Option<i32>,
        #[graphql(desc = "Return vacancies before this cursor.")] before: Option<String>,
    ) -> Result<Conn<Vacancy>> {
        Ok(boxed(child_connection(
            db(ctx)?,
            &self.0,
            "vacancies",
            PageArgs::new(first, after, last, before),
            store::vacancies_sort(),
            store::vacancies(Drafts::of(viewer(ctx))),
            Unread::<entity::vacancy::Entity>::of(ctx),
            Vacancy,
        ))
        .await?)
    }

    /// Creation and change times, and the version.
    #[graphql(flatten)]
    async fn audit(&self) -> Audit {
        Audit {
            created_at: self.0.created_at.into(),
            updated_at: self.0.updated_at.into(),
            version: self.0.version,
        }
    }
}

/// What employers can be ordered by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmployerOrderField {
    /// The employer's name.
    Name,
}

/// The order of a list of employers.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct EmployerOrder {
    /// What to order by.
    pub field: EmployerOrderField,
    /// Which way; ascending unless given.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Narrows a list of employers: every condition given must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct EmployerFilter {
    /// Employers in any of these industries.
    pub industry: Option<Vec<Industry>>,
    /// Employers of any of these sizes.
    pub size: Option<Vec<CompanySize>>,
    /// Employers based in any of these countries (ISO 3166-1 alpha-2 codes).
    pub country_codes: Option<Vec<String>>,
}

impl EmployerFilter {
    /// Checks the filter.
    pub(super) fn criteria(self) -> crate::error::ApiResult<store::Criteria> {
        Ok(store::Criteria {
            industry: self
                .industry
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            size: self
                .size
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            countries: toolkit::filter::country_codes(
                &self.country_codes.unwrap_or_default(),
                "countryCodes",
            )?,
        })
    }
}
