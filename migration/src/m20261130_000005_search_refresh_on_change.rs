//! Search documents are rebuilt on an update only when a column they are made of changes, and
//! once per row.
//!
//! The triggers of `m20261121_000002_full_text_search` rebuilt the document of the affected rows
//! on every update, twice (once for the old row, once for the new): setting a developer's
//! `openToWork` or a skill link's level deleted and re-inserted the developer's document two
//! times, which on PostgreSQL left two dead rows and two GIN insertions per write, and on SQLite
//! rewrote the FTS5 row twice inside the writer's lock. Now an update whose changed columns are
//! not in the document fires nothing, and one that is refreshes the old and the new rows' ids
//! together (the same id once).

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An update that may change search documents.
struct OnUpdate {
    /// The search index, e.g. `developer_search`.
    search: &'static str,
    /// The table updated.
    table: &'static str,
    /// SQL giving the ids of the documents to refresh, `ROW` standing for OLD or NEW: a single
    /// expression, or a `SELECT`.
    ids: &'static str,
    /// The columns of `table` the documents are built from (and the link's keys).
    columns: &'static [&'static str],
    /// The columns of the SQLite FTS5 table (and of its source view, after `id`).
    document: &'static str,
}

const DEVELOPER: &str = "name, handle, headline, skills, bio";
const VACANCY: &str = "title, employer, skills, description";
const EMPLOYER: &str = "name, city, description";

const ON_UPDATE: &[OnUpdate] = &[
    OnUpdate {
        search: "developer_search",
        table: "developers",
        ids: "ROW.id",
        columns: &["name", "handle", "headline", "bio"],
        document: DEVELOPER,
    },
    OnUpdate {
        search: "developer_search",
        table: "developer_skills",
        ids: "ROW.developer_id",
        columns: &["developer_id", "skill_id"],
        document: DEVELOPER,
    },
    OnUpdate {
        search: "developer_search",
        table: "skills",
        ids: "SELECT developer_id FROM developer_skills WHERE skill_id = ROW.id",
        columns: &["id", "name", "aliases"],
        document: DEVELOPER,
    },
    OnUpdate {
        search: "vacancy_search",
        table: "vacancies",
        ids: "ROW.id",
        columns: &["title", "description", "employer_id"],
        document: VACANCY,
    },
    OnUpdate {
        search: "vacancy_search",
        table: "vacancy_skills",
        ids: "ROW.vacancy_id",
        columns: &["vacancy_id", "skill_id"],
        document: VACANCY,
    },
    OnUpdate {
        search: "vacancy_search",
        table: "skills",
        ids: "SELECT vacancy_id FROM vacancy_skills WHERE skill_id = ROW.id",
        columns: &["id", "name", "aliases"],
        document: VACANCY,
    },
    OnUpdate {
        search: "vacancy_search",
        table: "employers",
        ids: "SELECT id FROM vacancies WHERE employer_id = ROW.id",
        columns: &["id", "name"],
        document: VACANCY,
    },
    OnUpdate {
        search: "employer_search",
        table: "employers",
        ids: "ROW.id",
        columns: &["name", "city", "description"],
        document: EMPLOYER,
    },
];

impl OnUpdate {
    fn ids(&self, row: &str) -> String {
        self.ids.replace("ROW", row)
    }

    /// The ids of `row` as a PostgreSQL array.
    fn array(&self, row: &str) -> String {
        let ids = self.ids(row);
        if ids.starts_with("SELECT") {
            format!("ARRAY({ids})")
        } else {
            format!("ARRAY[{ids}]")
        }
    }

    /// The ids of `row` as a SQLite `SELECT`.
    fn select(&self, row: &str) -> String {
        let ids = self.ids(row);
        if ids.starts_with("SELECT") {
            ids
        } else {
            format!("SELECT {ids}")
        }
    }

    /// True when one of the document's columns changed, in the engine's null-safe comparison.
    fn changed(&self, backend: DatabaseBackend) -> String {
        let differ = match backend {
            DatabaseBackend::Postgres => "IS DISTINCT FROM",
            _ => "IS NOT",
        };
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|column| format!("OLD.{column} {differ} NEW.{column}"))
            .collect();
        columns.join(" OR ")
    }

    /// The PostgreSQL trigger function and trigger names (those of migration 2).
    fn function(&self) -> String {
        format!("{}_on_{}", self.search, self.table)
    }

    fn postgres_up(&self) -> Vec<String> {
        let (search, table, function) = (self.search, self.table, self.function());
        vec![
            format!(
                "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                   IF TG_OP = 'INSERT' THEN PERFORM {search}_refresh({new}); \
                   ELSIF TG_OP = 'DELETE' THEN PERFORM {search}_refresh({old}); \
                   ELSE PERFORM {search}_refresh({old} || {new}); \
                   END IF; \
                   RETURN NULL; \
                 END $$",
                old = self.array("OLD"),
                new = self.array("NEW"),
            ),
            format!("DROP TRIGGER IF EXISTS {function} ON {table}"),
            format!(
                "CREATE TRIGGER {function} AFTER INSERT OR DELETE ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION {function}()"
            ),
            format!(
                "CREATE TRIGGER {function}_update AFTER UPDATE ON {table} \
                 FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {function}()",
                changed = self.changed(DatabaseBackend::Postgres),
            ),
        ]
    }

    /// Migration 2's function and trigger.
    fn postgres_down(&self) -> Vec<String> {
        let (search, table, function) = (self.search, self.table, self.function());
        vec![
            format!("DROP TRIGGER IF EXISTS {function}_update ON {table}"),
            format!("DROP TRIGGER IF EXISTS {function} ON {table}"),
            format!(
                "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                   IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM {search}_refresh({old}); END IF; \
                   IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM {search}_refresh({new}); END IF; \
                   RETURN NULL; \
                 END $$",
                old = self.array("OLD"),
                new = self.array("NEW"),
            ),
            format!(
                "CREATE TRIGGER {function} AFTER INSERT OR UPDATE OR DELETE ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION {function}()"
            ),
        ]
    }

    /// The SQLite update trigger's name (that of migration 2).
    fn sqlite_trigger(&self) -> String {
        format!("{}_{}_update", self.search, self.table)
    }

    /// SQLite's refresh of the documents whose ids `ids` selects, as migration 2 writes it.
    fn sqlite_refresh(&self, ids: &str) -> String {
        let (search, names) = (self.search, self.document);
        format!(
            "DELETE FROM {search} WHERE rowid IN ({ids}); \
             INSERT INTO {search}(rowid, {names}) SELECT id, {names} FROM {search}_source WHERE id IN ({ids});"
        )
    }

    fn sqlite_up(&self) -> Vec<String> {
        let trigger = self.sqlite_trigger();
        let ids = format!("{} UNION {}", self.select("OLD"), self.select("NEW"));
        vec![
            format!("DROP TRIGGER IF EXISTS {trigger}"),
            format!(
                "CREATE TRIGGER {trigger} AFTER UPDATE ON {table} \
                 WHEN NOT EXISTS (SELECT 1 FROM search_suspended) AND ({changed}) \
                 BEGIN {refresh} END",
                table = self.table,
                changed = self.changed(DatabaseBackend::Sqlite),
                refresh = self.sqlite_refresh(&ids),
            ),
        ]
    }

    /// Migration 2's trigger.
    fn sqlite_down(&self) -> Vec<String> {
        let trigger = self.sqlite_trigger();
        vec![
            format!("DROP TRIGGER IF EXISTS {trigger}"),
            format!(
                "CREATE TRIGGER {trigger} AFTER UPDATE ON {table} \
                 WHEN NOT EXISTS (SELECT 1 FROM search_suspended) BEGIN {old}{new} END",
                table = self.table,
                old = self.sqlite_refresh(&self.ids("OLD")),
                new = self.sqlite_refresh(&self.ids("NEW")),
            ),
        ]
    }
}

async fn run(manager: &SchemaManager<'_>, up: bool) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    for trigger in ON_UPDATE {
        let statements = match (backend, up) {
            (DatabaseBackend::Postgres, true) => trigger.postgres_up(),
            (DatabaseBackend::Postgres, false) => trigger.postgres_down(),
            (_, true) => trigger.sqlite_up(),
            (_, false) => trigger.sqlite_down(),
        };
        for statement in statements {
            manager
                .get_connection()
                .execute_unprepared(&statement)
                .await?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, false).await
    }
}
