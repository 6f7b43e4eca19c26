//! A developer's career facts that vacancies ask for too: the seniority and the workplace, as
//! GraphQL enums over the stored ones.

use async_graphql::Enum;

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
