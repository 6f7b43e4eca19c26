//! Which unique constraint a failed write broke, from the database's own report: the constraint's
//! name on PostgreSQL, the constrained columns on SQLite (which names none). The domains declare
//! their unique keys once ([`UniqueKey`]) and map a broken one to the input field it concerns,
//! instead of searching error messages for a column's name.

use sea_orm::{DbErr, RuntimeErr, sqlx};

/// A unique constraint of a table, as each engine reports it when a write breaks it.
#[derive(Clone, Copy, Debug)]
pub struct UniqueKey {
    /// The table, e.g. `developers`.
    pub table: &'static str,
    /// Its column, e.g. `email`.
    pub column: &'static str,
}

impl UniqueKey {
    /// The PostgreSQL name of a column-level UNIQUE constraint: `{table}_{column}_key`.
    fn postgres_name(self) -> String {
        format!("{}_{}_key", self.table, self.column)
    }

    /// Whether `err` is a unique violation of this key.
    pub fn broken_by(self, err: &DbErr) -> bool {
        let Some(database) = database_error(err) else {
            return false;
        };
        if !matches!(database.kind(), sqlx::error::ErrorKind::UniqueViolation) {
            return false;
        }
        match database.constraint() {
            Some(constraint) => constraint == self.postgres_name(),
            // SQLite: "UNIQUE constraint failed: developers.email" (columns comma-separated).
            None => database
                .message()
                .strip_prefix("UNIQUE constraint failed: ")
                .is_some_and(|columns| columns == format!("{}.{}", self.table, self.column)),
        }
    }
}

/// The database's own error inside `err`, if the database refused the statement.
fn database_error(err: &DbErr) -> Option<&(dyn sqlx::error::DatabaseError + 'static)> {
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            match &**e {
                sqlx::Error::Database(database) => Some(&**database),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Database, DbErr, TransactionTrait};

    use super::UniqueKey;

    const HANDLE: UniqueKey = UniqueKey {
        table: "people",
        column: "handle",
    };
    const EMAIL: UniqueKey = UniqueKey {
        table: "people",
        column: "email",
    };

    /// The error of inserting a second person with `handle` and `email` after ("a", "a@x").
    async fn second_insert(url: &str, handle: &str, email: &str) -> DbErr {
        let db = Database::connect(url).await.expect("connect");
        let txn = db.begin().await.expect("a transaction");
        txn.execute_unprepared(
            "CREATE TEMPORARY TABLE people (id INTEGER PRIMARY KEY, handle TEXT UNIQUE, email TEXT UNIQUE)",
        )
        .await
        .expect("a table");
        txn.execute_unprepared("INSERT INTO people VALUES (1, 'a', 'a@x')")
            .await
            .expect("the first row");
        txn.execute_unprepared(&format!(
            "INSERT INTO people VALUES (2, '{handle}', '{email}')"
        ))
        .await
        .expect_err("a unique violation")
    }

    async fn tell_the_keys_apart(url: &str) {
        let email = second_insert(url, "b", "a@x").await;
        assert!(
            EMAIL.broken_by(&email) && !HANDLE.broken_by(&email),
            "{email}"
        );
        let handle = second_insert(url, "a", "b@x").await;
        assert!(
            HANDLE.broken_by(&handle) && !EMAIL.broken_by(&handle),
            "{handle}"
        );
        let other = DbErr::Custom("not the database's".to_owned());
        assert!(!EMAIL.broken_by(&other) && !HANDLE.broken_by(&other));
    }

    #[tokio::test]
    async fn the_broken_key_is_told_apart_on_sqlite() {
        tell_the_keys_apart("sqlite::memory:").await;
    }

    #[tokio::test]
    async fn the_broken_key_is_told_apart_on_postgres() {
        if let Ok(url) = std::env::var("TALENT_TEST_POSTGRES_URL") {
            tell_the_keys_apart(&url).await;
        }
    }
}
