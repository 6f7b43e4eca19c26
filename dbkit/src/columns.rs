//! Long columns (descriptions, bios, JSON lists) are left out of a list's statement when the
//! client's selection reads none of them.
//!
//! A page of 50 vacancies carries about 40 KB of descriptions and responsibilities, which a screen
//! listing titles never shows (docs/decisions/0002-long-columns.md).
//!
//! Each entity names its long columns ([`LongColumns`]); the API reads each through the field of
//! the column's name in camelCase. The GraphQL side looks ahead at a selection and builds an
//! [`Unread`] of the columns nobody asked for ([`Unread::unless_read`]), and the statement selects a
//! cheap placeholder (`''`, `'[]'`) in place of each, so the rows still decode into the entity's
//! model. A placeholder never reaches a client: only the field that reads a column shows it, and
//! that field was not asked for on these rows. Nothing else reads these columns from a fetched row
//! (mutations write them from their input).

use std::fmt;

use sea_orm::{
    ColumnTrait, ColumnType, DatabaseBackend, EntityTrait, IdenStatic, Iterable, SelectA, SelectB,
    sea_query::{Alias, Expr, ExprTrait, SelectStatement},
};

/// An entity's long columns: text and JSON columns a list may leave unread. Each entity implements
/// it next to its model.
pub trait LongColumns: EntityTrait {
    /// The long columns. The field that reads one has the column's name in camelCase.
    const LONG: &'static [Self::Column];
}

/// The long columns of `E` that a selection (a list's rows, or a single object) does not read.
pub struct Unread<E: EntityTrait>(Vec<E::Column>);

impl<E: LongColumns> Unread<E> {
    /// The long columns whose field (the column's name in camelCase) `read` says is not read.
    pub fn unless_read(read: impl Fn(&str) -> bool) -> Self {
        Self(
            E::LONG
                .iter()
                .filter(|column| !read(&camel_case(column.as_str())))
                .copied()
                .collect(),
        )
    }
}

/// `snake_case` as `camelCase`, the way async-graphql names a field after a Rust one.
fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

impl<E: EntityTrait> Unread<E> {
    /// Every column read.
    pub fn none() -> Self {
        Self(Vec::new())
    }

    /// Rewrites the column list of `select`, which must be `E`'s columns as `E::find()` lists
    /// them, with a placeholder for each unread column.
    pub fn apply(&self, select: &mut SelectStatement, backend: DatabaseBackend) {
        if self.0.is_empty() {
            return;
        }
        select.clear_selects();
        self.select(select, "", backend);
    }

    /// Rewrites the column list of `select`, which must be a link entity `L` joined to `E` as
    /// `L::find().find_also_related(E)` lists them (`L`'s columns prefixed `A_`, then `E`'s
    /// prefixed `B_`), with a placeholder for each unread column of `E`.
    pub fn apply_joined<L: EntityTrait>(
        &self,
        select: &mut SelectStatement,
        backend: DatabaseBackend,
    ) {
        if self.0.is_empty() {
            return;
        }
        select.clear_selects();
        Unread::<L>::none().select(select, SelectA.as_str(), backend);
        self.select(select, SelectB.as_str(), backend);
    }

    /// The key of a batch's relation `name` loaded without these columns: relations loaded
    /// without different columns are loaded apart, so that no field reads a placeholder.
    pub fn key(&self, name: &str) -> String {
        format!("{name} {self:?}")
    }

    /// Appends `E`'s columns to `select`, each under its name prefixed with `prefix`, with a
    /// placeholder for each unread one.
    fn select(&self, select: &mut SelectStatement, prefix: &str, backend: DatabaseBackend) {
        for column in E::Column::iter() {
            let unread = self.0.iter().any(|c| c.as_str() == column.as_str());
            let expr = if unread {
                placeholder(column.def().get_column_type(), backend)
            } else {
                None
            };
            // As `E::find()` selects it (enum columns may be cast), under its own name.
            let expr = expr.unwrap_or_else(|| column.select_as(column.into_expr()));
            select.expr_as(expr, Alias::new(format!("{prefix}{}", column.as_str())));
        }
    }
}

impl<E: EntityTrait> fmt::Debug for Unread<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(IdenStatic::as_str))
            .finish()
    }
}

/// The cheapest value that decodes as a column of `kind`; none for other kinds (they are read).
fn placeholder(kind: &ColumnType, backend: DatabaseBackend) -> Option<Expr> {
    let empty_list = |cast: &'static str| match backend {
        DatabaseBackend::Postgres => Expr::cust("'[]'").cast_as(cast),
        _ => Expr::cust("'[]'"),
    };
    match kind {
        ColumnType::String(_) | ColumnType::Text => Some(Expr::cust("''")),
        ColumnType::Json => Some(empty_list("json")),
        ColumnType::JsonBinary => Some(empty_list("jsonb")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use entity::{skill, vacancy};
    use sea_orm::QueryTrait;

    use super::*;

    #[test]
    fn unread_columns_are_selected_as_placeholders_under_their_own_names() {
        let mut select = vacancy::Entity::find().into_query();
        let unread = Unread::<vacancy::Entity>(vec![
            vacancy::Column::Description,
            vacancy::Column::Responsibilities,
        ]);
        unread.apply(&mut select, DatabaseBackend::Postgres);
        let sql = DatabaseBackend::Postgres.build(&select).to_string();
        assert!(sql.contains(r#"'' AS "description""#), "{sql}");
        assert!(
            sql.contains(r#"CAST(('[]') AS jsonb) AS "responsibilities""#),
            "{sql}"
        );
        assert!(sql.contains(r#""vacancies"."title" AS "title""#), "{sql}");
        assert!(!sql.contains(r#""vacancies"."description""#), "{sql}");
    }

    #[test]
    fn a_joined_statement_keeps_every_column_but_the_unread_ones_of_the_child() {
        use entity::vacancy_skill;
        use sea_orm::QueryFilter;
        for backend in [DatabaseBackend::Sqlite, DatabaseBackend::Postgres] {
            let select = vacancy_skill::Entity::find()
                .filter(vacancy_skill::Column::VacancyId.is_in([1, 2]))
                .find_also_related(skill::Entity)
                .into_query();
            let before = backend.build(&select).to_string();
            let mut rewritten = select.clone();
            Unread::<skill::Entity>(vec![skill::Column::Description, skill::Column::Aliases])
                .apply_joined::<vacancy_skill::Entity>(&mut rewritten, backend);
            let aliases = match backend {
                DatabaseBackend::Postgres => r#"CAST(('[]') AS jsonb) AS "B_aliases""#,
                _ => r#"'[]' AS "B_aliases""#,
            };
            let expected = before
                .replace(
                    r#""skills"."description" AS "B_description""#,
                    r#"'' AS "B_description""#,
                )
                .replace(r#""skills"."aliases" AS "B_aliases""#, aliases);
            assert_ne!(expected, before, "{before}");
            assert_eq!(backend.build(&rewritten).to_string(), expected);
        }
    }

    #[test]
    fn long_columns_are_read_through_the_field_of_their_camel_case_name() {
        assert_eq!(camel_case("description"), "description");
        assert_eq!(camel_case("years_of_experience"), "yearsOfExperience");
    }

    #[test]
    fn nothing_unread_leaves_the_statement_as_it_was() {
        let mut select = vacancy::Entity::find().into_query();
        let before = DatabaseBackend::Sqlite.build(&select).to_string();
        Unread::<vacancy::Entity>::none().apply(&mut select, DatabaseBackend::Sqlite);
        assert_eq!(DatabaseBackend::Sqlite.build(&select).to_string(), before);
    }
}
