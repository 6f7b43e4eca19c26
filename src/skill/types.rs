//! The skill's GraphQL types: `Skill`, its category, a skill requirement, and the filter and order of a list.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use dbkit::{batch::Item, columns::Unread, keyset::PageArgs};
use entity::skill;
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
    developer::Developer,
    ids::NodeKind,
    vacancy::{Vacancy, store::recency_sort},
};

/// Where a skill sits in the taxonomy.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::SkillCategory")]
pub enum SkillCategory {
    /// A programming language: Java, Python, Go, Rust, ...
    Language,
    /// A runtime or framework: Node.js, Spring Boot, Django, .NET, ...
    Framework,
    /// A database engine: PostgreSQL, MySQL, MongoDB, Redis, ...
    Database,
    /// A platform or back-end-as-a-service: AWS, Docker, Kubernetes, Firebase, ...
    Platform,
    /// An API style or protocol: REST, GraphQL, gRPC, WebSockets.
    Api,
    /// Front-end basics a back-end developer reads: HTML5, CSS3, Bootstrap.
    Frontend,
    /// An engineering practice: testing, system design, security, ...
    Practice,
    /// A soft skill: communication, teamwork, problem solving, ...
    Soft,
}

/// The GraphQL `Skill` object, documented on its `#[Object]` impl.
pub struct Skill(pub(crate) Item<skill::Model>);

/// A skill in the curated taxonomy. Developers hold it at a level from 1 to 5; vacancies ask for it
/// as a must-have or a nice-to-have.
#[Object(serial, cache_control(max_age = 300))]
impl Skill {
    /// Opaque global ID.
    pub(crate) async fn id(&self) -> ID {
        encode_id(NodeKind::Skill, self.0.id)
    }

    /// Unique, URL-safe key, e.g. `postgresql`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Preferred label, e.g. "PostgreSQL".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Where the skill sits in the taxonomy.
    async fn category(&self) -> SkillCategory {
        self.0.category.into()
    }

    /// What the skill is, in a sentence or two.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Alternative labels people use, e.g. "Postgres" for PostgreSQL.
    async fn aliases(&self) -> &[String] {
        &self.0.aliases.0
    }

    /// Developers who have this skill, highest level first, then by name.
    #[graphql(complexity = "toolkit::limits::connection_cost(first, last, child_complexity)")]
    async fn developers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return the first N developers (0 to 100; 20 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return developers after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last N developers (0 to 100).")] last: Option<i32>,
        #[graphql(desc = "Return developers before this cursor.")] before: Option<String>,
    ) -> Result<Conn<Developer>> {
        Ok(boxed(child_connection(
            db(ctx)?,
            &self.0,
            "developers",
            PageArgs::new(first, after, last, before),
            store::developers_sort(),
            store::developers(),
            Unread::<entity::developer::Entity>::of(ctx),
            Developer,
        ))
        .await?)
    }

    /// Vacancies that ask for this skill, most recently published first; drafts, which only their
    /// employer and admins see, come last.
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
            recency_sort("skill.vacancies"),
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

/// What skills can be ordered by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkillOrderField {
    /// The preferred label.
    Name,
    /// How many developers have the skill.
    DeveloperCount,
}

impl From<SkillOrderField> for store::SkillSort {
    fn from(field: SkillOrderField) -> Self {
        match field {
            SkillOrderField::Name => Self::Name,
            SkillOrderField::DeveloperCount => Self::DeveloperCount,
        }
    }
}

/// The order of a list of skills.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct SkillOrder {
    /// What to order by.
    pub field: SkillOrderField,
    /// Which way; ascending unless given.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// A skill and the lowest level that counts.
#[derive(InputObject, Clone, Debug)]
pub struct SkillRequirement {
    /// The skill's slug, e.g. `postgresql`.
    pub slug: String,
    /// The lowest level that counts, 1 (basic) to 5 (expert); 1 when not given.
    #[graphql(default = 1)]
    pub min_level: i32,
}

/// Narrows a list of skills.
#[derive(InputObject, Clone, Debug, Default)]
pub struct SkillFilter {
    /// Skills in any of these categories.
    pub category: Option<Vec<SkillCategory>>,
}
