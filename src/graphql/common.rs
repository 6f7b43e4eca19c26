//! Enumerations shared by several domains.

use async_graphql::{Enum, SimpleObject};
use chrono::{DateTime, Utc};

/// Career level, from intern to principal (job titles also say "middle+" for a strong MIDDLE and
/// "chief" for PRINCIPAL).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::Seniority")]
pub enum Seniority {
    /// Still studying or just starting; works under close guidance.
    Intern,
    /// Delivers well-defined tasks with review.
    Junior,
    /// Delivers features on their own.
    Middle,
    /// Owns systems end to end and mentors others.
    Senior,
    /// Leads a team's technical direction.
    Lead,
    /// Sets direction across teams (also "chief").
    Principal,
}

/// Where work happens.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::Workplace")]
pub enum Workplace {
    /// At the employer's premises.
    Onsite,
    /// Partly at the premises, partly remote.
    Hybrid,
    /// Fully remote (schema.org `jobLocationType: TELECOMMUTE`).
    Remote,
}

/// A sort direction.
#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrderDirection {
    /// Smallest first (A to Z, oldest first).
    #[default]
    Asc,
    /// Largest first (Z to A, newest first).
    Desc,
}

impl From<OrderDirection> for sea_orm::Order {
    fn from(direction: OrderDirection) -> Self {
        match direction {
            OrderDirection::Asc => Self::Asc,
            OrderDirection::Desc => Self::Desc,
        }
    }
}

/// When a record was created and last changed, and its version: flattened into each type.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct Audit {
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// Incremented on every change; send it back as `expectedVersion` to update safely.
    pub version: i32,
}
