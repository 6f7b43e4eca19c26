//! Full-text search indexes for developers, vacancies and employers, kept in sync by triggers on
//! every write: SQLite FTS5 (`unicode61 remove_diacritics 2`) and PostgreSQL `tsvector` + GIN
//! (`simple` configuration over `unaccent`), so matching is case- and accent-insensitive on both.
//!
//! Each index has a source view that assembles a row's document (a developer's document includes the
//! names and aliases of their skills), and triggers that refresh the affected rows of the index
//! when a row, a link or a referenced name changes. While `search_suspended` holds a row (bulk
//! loads), triggers do nothing; the loader then rebuilds the indexes in one statement each.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One searchable type.
struct Index {
    /// The searchable table, e.g. `developers`.
    table: &'static str,
    /// The index table, e.g. `developer_search`.
    search: &'static str,
    /// Its key column on PostgreSQL (SQLite uses the FTS5 rowid).
    key: &'static str,
    /// Document columns: name and SQL over the source row `t` (aliases as in `joins`), with the
    /// PostgreSQL weight (A is the most important).
    columns: &'static [(&'static str, &'static str, char)],
    /// Joins of the source view after `FROM table t`.
    joins: &'static str,
    /// Changes that refresh rows: (table, SQL selecting the ids to refresh, where `ROW` is the
    /// changed row: NEW or OLD).
    refreshes: &'static [(&'static str, &'static str)],
}

const SKILLS_OF_DEVELOPER: &str = "coalesce((SELECT group_concat_skills FROM developer_skills l JOIN skills s ON s.id = l.skill_id WHERE l.developer_id = t.id), '')";
const SKILLS_OF_VACANCY: &str = "coalesce((SELECT group_concat_skills FROM vacancy_skills l JOIN skills s ON s.id = l.skill_id WHERE l.vacancy_id = t.id), '')";

const INDEXES: &[Index] = &[
    Index {
        table: "developers",
        search: "developer_search",
        key: "developer_id",
        columns: &[
            ("name", "t.name", 'A'),
            ("handle", "t.handle", 'A'),
            ("headline", "t.headline", 'B'),
            ("skills", SKILLS_OF_DEVELOPER, 'B'),
            ("bio", "t.bio", 'C'),
        ],
        joins: "",
        refreshes: &[
            ("developers", "ROW.id"),
            ("developer_skills", "ROW.developer_id"),
            (
                "skills",
                "SELECT developer_id FROM developer_skills WHERE skill_id = ROW.id",
            ),
        ],
    },
    Index {
        table: "vacancies",
        search: "vacancy_search",
        key: "vacancy_id",
        columns: &[
            ("title", "t.title", 'A'),
            ("employer", "e.name", 'B'),
            ("skills", SKILLS_OF_VACANCY, 'B'),
            ("description", "t.description", 'C'),
        ],
        joins: "JOIN employers e ON e.id = t.employer_id",
        refreshes: &[
            ("vacancies", "ROW.id"),
            ("vacancy_skills", "ROW.vacancy_id"),
            (
                "skills",
                "SELECT vacancy_id FROM vacancy_skills WHERE skill_id = ROW.id",
            ),
            (
                "employers",
                "SELECT id FROM vacancies WHERE employer_id = ROW.id",
            ),
        ],
    },
    Index {
        table: "employers",
        search: "employer_search",
        key: "employer_id",
        columns: &[
            ("name", "t.name", 'A'),
            ("city", "t.city", 'B'),
            ("description", "t.description", 'C'),
        ],
        joins: "",
        refreshes: &[("employers", "ROW.id")],
    },
];

impl Index {
    fn source(&self) -> String {
        format!("{}_source", self.search)
    }

    /// `group_concat_skills` stands for each engine's string aggregation of skill names and aliases.
    fn column_sql(sql: &str, backend: DatabaseBackend) -> String {
        let aggregate = match backend {
            DatabaseBackend::Postgres => "string_agg(s.name || ' ' || s.aliases::text, ' ')",
            _ => "group_concat(s.name || ' ' || s.aliases, ' ')",
        };
        sql.replace("group_concat_skills", aggregate)
    }

    fn statements(&self, backend: DatabaseBackend) -> Vec<String> {
        match backend {
            DatabaseBackend::Postgres => self.postgres(),
            _ => self.sqlite(),
        }
    }

    fn sqlite(&self) -> Vec<String> {
        let backend = DatabaseBackend::Sqlite;
        let names: Vec<&str> = self.columns.iter().map(|(name, ..)| *name).collect();
        let names = names.join(", ");
        let selects: Vec<String> = self
            .columns
            .iter()
            .map(|(name, sql, _)| format!("{} AS {name}", Self::column_sql(sql, backend)))
            .collect();
        let (search, source) = (self.search, self.source());
        let mut statements = vec![
            format!(
                "CREATE VIRTUAL TABLE {search} USING fts5({names}, tokenize = 'unicode61 remove_diacritics 2')"
            ),
            format!(
                "CREATE VIEW {source} AS SELECT t.id AS id, {} FROM {} t {}",
                selects.join(", "),
                self.table,
                self.joins
            ),
        ];
        let refresh = |ids: &str| {
            format!(
                "DELETE FROM {search} WHERE rowid IN ({ids}); \
                 INSERT INTO {search}(rowid, {names}) SELECT id, {names} FROM {source} WHERE id IN ({ids});"
            )
        };
        for (table, ids) in self.refreshes {
            for (event, row) in [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")] {
                let ids = ids.replace("ROW", row);
                let mut body = refresh(&ids);
                if event == "UPDATE" {
                    // A link moved to another parent: refresh the old parent too.
                    body = format!("{}{body}", refresh(&self.refreshes_old(table)));
                }
                statements.push(format!(
                    "CREATE TRIGGER {search}_{table}_{event} AFTER {event} ON {table} \
                     WHEN NOT EXISTS (SELECT 1 FROM search_suspended) BEGIN {body} END",
                    event = event.to_lowercase(),
                ));
            }
        }
        statements.push(self.sqlite_rebuild());
        statements
    }

    fn refreshes_old(&self, table: &str) -> String {
        self.refreshes
            .iter()
            .find(|(t, _)| *t == table)
            .map(|(_, ids)| ids.replace("ROW", "OLD"))
            .unwrap_or_default()
    }

    fn sqlite_rebuild(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|(name, ..)| *name).collect();
        let names = names.join(", ");
        format!(
            "DELETE FROM {search}; INSERT INTO {search}(rowid, {names}) SELECT id, {names} FROM {source}",
            search = self.search,
            source = self.source()
        )
    }

    fn postgres(&self) -> Vec<String> {
        let backend = DatabaseBackend::Postgres;
        let (search, source, key, table) = (self.search, self.source(), self.key, self.table);
        let document: Vec<String> = self
            .columns
            .iter()
            .map(|(_, sql, weight)| {
                format!(
                    "setweight(to_tsvector('simple', unaccent(coalesce({}, ''))), '{weight}')",
                    Self::column_sql(sql, backend)
                )
            })
            .collect();
        let mut statements = vec![
            format!(
                "CREATE TABLE {search} ({key} bigint PRIMARY KEY REFERENCES {table}(id) ON DELETE CASCADE, \
                 document tsvector NOT NULL)"
            ),
            format!("CREATE INDEX ix_{search}_document ON {search} USING GIN (document)"),
            format!(
                "CREATE VIEW {source} AS SELECT t.id AS id, {} AS document FROM {table} t {}",
                document.join(" || "),
                self.joins
            ),
            format!(
                "CREATE FUNCTION {search}_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$ \
                 BEGIN \
                   IF EXISTS (SELECT 1 FROM search_suspended) THEN RETURN; END IF; \
                   DELETE FROM {search} WHERE {key} = ANY(ids); \
                   INSERT INTO {search}({key}, document) SELECT id, document FROM {source} WHERE id = ANY(ids); \
                 END $$"
            ),
        ];
        for (changed, ids) in self.refreshes {
            let affected = |row: &str| {
                let ids = ids.replace("ROW", row);
                if ids.starts_with("SELECT") {
                    format!("ARRAY({ids})")
                } else {
                    format!("ARRAY[{ids}]")
                }
            };
            let function = format!("{search}_on_{changed}");
            statements.push(format!(
                "CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                   IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM {search}_refresh({old}); END IF; \
                   IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM {search}_refresh({new}); END IF; \
                   RETURN NULL; \
                 END $$",
                old = affected("OLD"),
                new = affected("NEW"),
            ));
            statements.push(format!(
                "CREATE TRIGGER {function} AFTER INSERT OR UPDATE OR DELETE ON {changed} \
                 FOR EACH ROW EXECUTE FUNCTION {function}()"
            ));
        }
        statements.push(self.postgres_rebuild());
        statements
    }

    fn postgres_rebuild(&self) -> String {
        format!(
            "DELETE FROM {search}; INSERT INTO {search}({key}, document) SELECT id, document FROM {source}",
            search = self.search,
            key = self.key,
            source = self.source()
        )
    }
}

/// The statements that rebuild every search index from its source view: for bulk loads, which
/// suspend the triggers.
pub fn rebuild_statements(backend: DatabaseBackend) -> Vec<String> {
    INDEXES
        .iter()
        .map(|index| match backend {
            DatabaseBackend::Postgres => index.postgres_rebuild(),
            _ => index.sqlite_rebuild(),
        })
        .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        if backend == DatabaseBackend::Postgres {
            // A trusted extension (PostgreSQL 13+): the database owner may create it.
            db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS unaccent")
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("search_suspended")
                    .col(ColumnDef::new("id").integer().not_null().primary_key())
                    .to_owned(),
            )
            .await?;
        for index in INDEXES {
            for statement in index.statements(backend) {
                db.execute_unprepared(&statement).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        for index in INDEXES {
            let source = index.source();
            let search = index.search;
            if backend == DatabaseBackend::Postgres {
                for (changed, _) in index.refreshes {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS {search}_on_{changed} ON {changed}"
                    ))
                    .await?;
                    db.execute_unprepared(&format!(
                        "DROP FUNCTION IF EXISTS {search}_on_{changed}()"
                    ))
                    .await?;
                }
                db.execute_unprepared(&format!(
                    "DROP FUNCTION IF EXISTS {search}_refresh(bigint[])"
                ))
                .await?;
            } else {
                for (changed, _) in index.refreshes {
                    for event in ["insert", "update", "delete"] {
                        db.execute_unprepared(&format!(
                            "DROP TRIGGER IF EXISTS {search}_{changed}_{event}"
                        ))
                        .await?;
                    }
                }
            }
            db.execute_unprepared(&format!("DROP VIEW IF EXISTS {source}"))
                .await?;
            db.execute_unprepared(&format!("DROP TABLE IF EXISTS {search}"))
                .await?;
        }
        manager
            .drop_table(
                Table::drop()
                    .table("search_suspended")
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
