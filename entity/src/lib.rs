//! sea-orm entities of talent-api: one module per table, plus the enumerations stored in them.
//!
//! This crate knows nothing of GraphQL: the API builds its own types from these models, so a
//! private column can only reach a client through a field someone wrote on purpose.

pub mod api_token;
pub mod developer;
pub mod developer_skill;
pub mod employer;
pub mod enums;
pub mod skill;
pub mod vacancy;
pub mod vacancy_skill;

pub use enums::*;

use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};

/// A list of strings stored as one JSON array column (skill aliases, vacancy responsibilities).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct StringList(pub Vec<String>);

impl From<Vec<String>> for StringList {
    fn from(items: Vec<String>) -> Self {
        Self(items)
    }
}
