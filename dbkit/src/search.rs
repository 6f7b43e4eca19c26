//! Full-text search over the indexes the migrations keep in sync: SQLite FTS5 and PostgreSQL
//! `tsvector`.
//!
//! Search text is user text, never syntax: it is cut into words of letters and digits, and each
//! word becomes a quoted prefix term (`"postg"*` on SQLite, `postg:*` on PostgreSQL) that every
//! result must match. Quotes, operators and SQL fragments are thereby only ever text. Matching
//! ignores case and accents on both engines ("zoe" finds "Zoë").

use sea_orm::{
    DatabaseBackend, JoinType, Order,
    sea_query::{Alias, Expr, ExprTrait, SelectStatement},
};

use crate::keyset::{KeyKind, Sort, SortKey};

/// Most words a search uses; the rest are ignored.
const MAX_TERMS: usize = 16;
/// Longest word a search uses; longer ones are cut.
const MAX_TERM_CHARS: usize = 64;

/// A full-text index: the table the migrations create and how to weigh its SQLite columns. Each
/// domain declares its own.
pub struct SearchIndex {
    /// The index table (FTS5 table on SQLite, `tsvector` table on PostgreSQL).
    pub table: &'static str,
    /// The column of the PostgreSQL index that holds the row's id.
    pub key: &'static str,
    /// bm25 weights of the FTS5 columns, in their order.
    pub weights: &'static str,
}

/// A search of one index.
pub struct Search {
    index: &'static SearchIndex,
    terms: Vec<String>,
    backend: DatabaseBackend,
}

/// The words of a search text: runs of letters and digits, lower case.
pub fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .take(MAX_TERMS)
        .map(|word| {
            word.chars()
                .take(MAX_TERM_CHARS)
                .collect::<String>()
                .to_lowercase()
        })
        .collect()
}

impl Search {
    /// A search of `index` for `text`; None when the text holds no word (then nothing is searched).
    pub fn new(index: &'static SearchIndex, text: &str, backend: DatabaseBackend) -> Option<Self> {
        let terms = terms(text);
        (!terms.is_empty()).then_some(Self {
            index,
            terms,
            backend,
        })
    }

    /// The match expression in the engine's query language, built only from letters and digits.
    fn query(&self) -> String {
        match self.backend {
            DatabaseBackend::Postgres => self
                .terms
                .iter()
                .map(|term| format!("{term}:*"))
                .collect::<Vec<_>>()
                .join(" & "),
            _ => self
                .terms
                .iter()
                .map(|term| format!("\"{term}\"*"))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// Joins the index to `select`, whose rows have primary key `id`, and keeps the matches.
    pub fn apply(&self, select: &mut SelectStatement, id: Expr) {
        let table = Alias::new(self.index.table);
        match self.backend {
            DatabaseBackend::Postgres => {
                select.join(
                    JoinType::InnerJoin,
                    table.clone(),
                    Expr::col((table, Alias::new(self.index.key))).eq(id),
                );
                select.and_where(Expr::cust_with_values(
                    format!(
                        "{}.document @@ to_tsquery('simple', unaccent($1))",
                        self.index.table
                    ),
                    [self.query()],
                ));
            }
            _ => {
                select.join(
                    JoinType::InnerJoin,
                    table.clone(),
                    Expr::col((table, Alias::new("rowid"))).eq(id),
                );
                select.and_where(Expr::cust_with_values(
                    format!("{} MATCH ?", self.index.table),
                    [self.query()],
                ));
            }
        }
    }

    /// How well a row matches: higher is better.
    pub fn relevance(&self) -> Expr {
        match self.backend {
            DatabaseBackend::Postgres => Expr::cust_with_values(
                format!(
                    "CAST(ts_rank({}.document, to_tsquery('simple', unaccent($1))) AS DOUBLE PRECISION)",
                    self.index.table
                ),
                [self.query()],
            ),
            // bm25 is lower for better matches.
            _ => Expr::cust(format!(
                "(-bm25({}, {}))",
                self.index.table, self.index.weights
            )),
        }
    }

    /// Best matches first, ties by `id`. The order is named after `list` and the words, so a
    /// cursor of another search is refused.
    pub fn sort(&self, list: &str, id: Expr) -> Sort {
        Sort::with_id(
            format!("{list}:Relevance:{}", self.terms.join(" ")),
            SortKey::new(self.relevance(), KeyKind::Float, Order::Desc),
            id,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_quotes_and_sql_become_plain_words() {
        assert_eq!(
            terms("\"postg\" OR 1=1; DROP TABLE developers --"),
            ["postg", "or", "1", "1", "drop", "table", "developers"]
        );
        assert_eq!(terms("C# / .NET"), ["c", "net"]);
        assert!(terms("  !!! ").is_empty());
    }

    #[test]
    fn letters_of_any_script_and_accents_are_kept_for_the_engine_to_fold() {
        assert_eq!(terms("Zoë Müller"), ["zoë", "müller"]);
    }

    #[test]
    fn long_searches_are_cut() {
        let text = "word ".repeat(100);
        assert_eq!(terms(&text).len(), MAX_TERMS);
        assert_eq!(terms(&"x".repeat(1000))[0].len(), MAX_TERM_CHARS);
    }

    const DEVELOPERS: SearchIndex = SearchIndex {
        table: "developer_search",
        key: "developer_id",
        weights: "10.0, 10.0, 4.0, 4.0, 1.0",
    };

    #[test]
    fn match_expressions_hold_only_quoted_prefix_terms() -> Result<(), &'static str> {
        let search = Search::new(&DEVELOPERS, "postg \"AND\" rust*", DatabaseBackend::Sqlite)
            .ok_or("no words")?;
        assert_eq!(search.query(), "\"postg\"* \"and\"* \"rust\"*");
        let search = Search::new(&DEVELOPERS, "postg & rust:*", DatabaseBackend::Postgres)
            .ok_or("no words")?;
        assert_eq!(search.query(), "postg:* & rust:*");
        Ok(())
    }
}
