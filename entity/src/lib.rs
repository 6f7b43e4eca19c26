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

#[cfg(test)]
mod tests {
    use dbkit::batch::LinkRow;
    use sea_orm::{DbBackend, EntityTrait, QueryTrait, Related};

    /// Whether the statement `find_also_related` builds from link entity `E` to `C` lists
    /// `L::COLUMNS` first, in that order, and nothing else of `E`.
    fn lists_link_columns_first<E, C, L>() -> bool
    where
        E: EntityTrait<Model = L> + Related<C>,
        C: EntityTrait,
        L: LinkRow,
    {
        let sql = E::find()
            .find_also_related(C::default())
            .build(DbBackend::Sqlite)
            .to_string();
        let table = E::default().table_name().to_owned();
        let columns = L::COLUMNS
            .iter()
            .map(|column| format!(r#""{table}"."{column}" AS "A_{column}""#))
            .collect::<Vec<_>>()
            .join(", ");
        sql.starts_with(&format!(
            "SELECT {columns}, \"{}\".",
            C::default().table_name()
        ))
    }

    #[test]
    fn link_rows_read_the_columns_find_also_related_lists_first() {
        use crate::{developer_skill, skill, vacancy_skill};
        assert!(lists_link_columns_first::<
            developer_skill::Entity,
            skill::Entity,
            developer_skill::Model,
        >());
        assert!(lists_link_columns_first::<
            vacancy_skill::Entity,
            skill::Entity,
            vacancy_skill::Model,
        >());
    }
}
