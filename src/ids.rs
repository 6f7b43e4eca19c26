//! The types of the directory that have global IDs ([`toolkit::id`] encodes and decodes them), and
//! root fields that name one object by natural key or by ID.

use async_graphql::ID;
use toolkit::id::{Kind, decode_id};

use crate::error::{ApiError, ApiResult};

/// The types that have a global ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// An `ApiToken`.
    ApiToken,
    /// A `Developer`.
    Developer,
    /// An `Employer`.
    Employer,
    /// A `Skill`.
    Skill,
    /// A `Vacancy`.
    Vacancy,
}

impl Kind for NodeKind {
    const ALL: &'static [Self] = &[
        Self::ApiToken,
        Self::Developer,
        Self::Employer,
        Self::Skill,
        Self::Vacancy,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::ApiToken => "ApiToken",
            Self::Developer => "Developer",
            Self::Employer => "Employer",
            Self::Skill => "Skill",
            Self::Vacancy => "Vacancy",
        }
    }
}

/// Positions in the server's event logs that clients hold as IDs. They are not nodes: `node(id:)`
/// does not take them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogKind {
    /// A vacancy's publication (`Vacancy.publicationId`).
    VacancyPublication,
}

impl Kind for LogKind {
    const ALL: &'static [Self] = &[Self::VacancyPublication];

    fn name(self) -> &'static str {
        match self {
            Self::VacancyPublication => "VacancyPublication",
        }
    }
}

/// How a root field names one object: by its natural key (handle, slug) or by its global ID.
pub enum Lookup {
    /// The natural key.
    Key(String),
    /// The primary key from a global ID.
    Id(i64),
}

/// Exactly one of `key` (the argument named `key_name`) and `id`, else `BAD_USER_INPUT`.
pub fn lookup(
    key_name: &str,
    key: Option<String>,
    id: Option<ID>,
    kind: NodeKind,
) -> ApiResult<Lookup> {
    match (key, id) {
        (Some(key), None) => Ok(Lookup::Key(key)),
        (None, Some(id)) => Ok(Lookup::Id(decode_id(&id, kind, &["id"])?)),
        _ => Err(ApiError::bad_input(
            [key_name],
            format!("give exactly one of `{key_name}` and `id`"),
        )),
    }
}
