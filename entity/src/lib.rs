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

impl dbkit::columns::Absent for StringList {
    fn absent() -> Self {
        Self::default()
    }
}

impl From<Vec<String>> for StringList {
    fn from(items: Vec<String>) -> Self {
        Self(items)
    }
}

#[cfg(test)]
mod tests {
    use dbkit::{
        batch::LinkRow,
        columns::{PartialRow, Unread},
    };
    use sea_orm::{
        ColumnTrait, DatabaseBackend, EntityTrait, IdenStatic, Iterable, QueryFilter, QueryTrait,
    };

    use crate::{skill, vacancy, vacancy_skill};

    /// The columns of `E`, in the entity's order (the order `E::find()` lists them in).
    fn columns<E: EntityTrait>() -> Vec<&'static str> {
        E::Column::iter().map(|column| column.as_str()).collect()
    }

    #[test]
    fn model_rows_list_every_column_in_the_entity_order() {
        use crate::{api_token, developer, employer, skill, vacancy};
        fn check<E: EntityTrait>()
        where
            E::Model: PartialRow<E>,
        {
            assert_eq!(<E::Model as PartialRow<E>>::COLUMNS, columns::<E>());
        }
        check::<api_token::Entity>();
        check::<developer::Entity>();
        check::<employer::Entity>();
        check::<skill::Entity>();
        check::<vacancy::Entity>();
    }

    #[test]
    fn link_rows_read_their_columns_in_the_entity_order() {
        use crate::{developer_skill, vacancy_skill};
        fn check<E: EntityTrait>()
        where
            E::Model: LinkRow,
        {
            let read = <E::Model as LinkRow>::COLUMNS;
            let in_order: Vec<&str> = columns::<E>()
                .into_iter()
                .filter(|column| read.contains(column))
                .collect();
            assert_eq!(read, in_order);
        }
        check::<developer_skill::Entity>();
        check::<vacancy_skill::Entity>();
    }

    /// The vacancy columns a selection of `fields` leaves out.
    fn unread_by(fields: &[&str]) -> Unread<vacancy::Entity> {
        Unread::unless_read(|field| fields.contains(&field))
    }

    #[test]
    fn a_column_is_left_out_when_none_of_its_fields_is_read() {
        let unread = unread_by(&["title", "salary"]);
        let debug = format!("{unread:?}");
        assert!(debug.contains(r#""description""#), "{debug}");
        assert!(debug.contains(r#""created_at""#), "{debug}");
        assert!(!debug.contains(r#""title""#), "{debug}");
        assert!(!debug.contains(r#""salary_min""#), "{debug}");
    }

    #[test]
    fn a_column_read_by_several_fields_is_kept_for_any_of_them() {
        for field in ["salary", "matchingDevelopers"] {
            assert!(!format!("{:?}", unread_by(&[field])).contains("salary_currency"));
        }
        assert!(format!("{:?}", unread_by(&["title"])).contains("salary_currency"));
    }

    #[test]
    fn columns_no_field_names_are_always_selected() {
        let mut select = vacancy::Entity::find().into_query();
        unread_by(&[]).apply(&mut select);
        let sql = DatabaseBackend::Postgres.build(&select).to_string();
        for kept in ["id", "employer_id", "status"] {
            assert!(
                sql.contains(&format!(r#""vacancies"."{kept}""#)),
                "{kept}: {sql}"
            );
        }
        assert!(!sql.contains(r#""title""#), "{sql}");
        assert!(!sql.contains(r#""description""#), "{sql}");
    }

    #[test]
    fn unread_columns_are_left_out_of_the_statement() {
        let mut select = vacancy::Entity::find().into_query();
        unread_by(&["title"]).apply(&mut select);
        let sql = DatabaseBackend::Postgres.build(&select).to_string();
        assert!(sql.contains(r#""vacancies"."title" AS "title""#), "{sql}");
        assert!(!sql.contains("description"), "{sql}");
        assert!(!sql.contains("responsibilities"), "{sql}");
        // Enum columns keep the cast `E::find()` gives them.
        let full = DatabaseBackend::Postgres
            .build(&vacancy::Entity::find().into_query())
            .to_string();
        let status = full
            .split(", ")
            .find(|part| part.contains(r#""vacancies"."status""#))
            .expect("E::find() lists the status");
        assert!(
            sql.contains(&format!(r#"{status} AS "status""#)),
            "{status} in {sql}"
        );
    }

    #[test]
    fn a_joined_statement_lists_the_link_columns_then_the_read_columns_of_the_child() {
        for backend in [DatabaseBackend::Sqlite, DatabaseBackend::Postgres] {
            let mut select = vacancy_skill::Entity::find()
                .filter(vacancy_skill::Column::VacancyId.is_in([1, 2]))
                .find_also_related(skill::Entity)
                .into_query();
            Unread::<skill::Entity>::unless_read(|field| field == "slug")
                .apply_joined::<vacancy_skill::Entity>(&mut select);
            let sql = backend.build(&select).to_string();
            assert!(
                sql.starts_with(
                    r#"SELECT "vacancy_skills"."vacancy_id" AS "A_vacancy_id", "vacancy_skills"."skill_id" AS "A_skill_id", "vacancy_skills"."required" AS "A_required", "vacancy_skills"."min_level" AS "A_min_level", "skills"."id" AS "B_id", "skills"."slug" AS "B_slug", "skills"."name" AS "B_name" FROM"#
                ),
                "{sql}"
            );
            assert!(
                sql.contains(r#""vacancy_skills"."vacancy_id" IN (1, 2)"#),
                "{sql}"
            );
        }
    }

    #[test]
    fn nothing_unread_leaves_the_statement_as_it_was() {
        let mut select = vacancy::Entity::find().into_query();
        let before = DatabaseBackend::Sqlite.build(&select).to_string();
        Unread::<vacancy::Entity>::none().apply(&mut select);
        assert_eq!(DatabaseBackend::Sqlite.build(&select).to_string(), before);
    }
}
