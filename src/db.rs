//! Connecting to the database, migrating it, and write transactions.

use std::time::Duration;

use dbkit::write::Outcome;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, PaginatorTrait, TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

use crate::config::DatabaseUrl;

/// How long to wait for a connection before reporting the database unavailable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// PostgreSQL's setting for the workers one plan may add: 0 for the server's sessions unless the
/// URL's `options` set it. The API runs many short requests side by side, and a parallel plan takes
/// cores from the others; worse, with an aggregate on the inner side of a join, every worker
/// computes the whole aggregate again (docs/decisions/0004-no-parallel-workers.md).
const PARALLEL_WORKERS: &str = "max_parallel_workers_per_gather";

/// Opens a pool on `url`. SQLite files are created if missing and run in WAL mode with foreign keys
/// enforced; waits for a lock rather than failing at once. PostgreSQL sessions plan without
/// parallel workers unless the URL says otherwise (see [`PARALLEL_WORKERS`]).
pub async fn connect(url: &DatabaseUrl, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.as_str());
    without_parallel_workers(&mut options, url);
    options
        .max_connections(if url.is_sqlite_memory() {
            1
        } else {
            max_connections
        })
        .min_connections(if url.is_sqlite_memory() { 1 } else { 0 })
        .connect_timeout(CONNECT_TIMEOUT)
        .acquire_timeout(CONNECT_TIMEOUT)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
        });
    let db = Database::connect(options).await?;
    // The pool connects lazily on some engines: make sure the database really answers.
    db.ping().await?;
    Ok(db)
}

/// How long a query waits for a replica's connection: a replica that does not give one in that time
/// is treated as down, and the query runs again on the primary.
const REPLICA_TIMEOUT: Duration = Duration::from_secs(1);

/// Opens a pool on the read replica at `url`, lazily: a replica down at start-up does not stop the
/// server, it stays out of use until it answers ([`crate::replicas`]). Sessions are set up as the
/// primary's ([`PARALLEL_WORKERS`]).
pub async fn connect_replica(
    url: &DatabaseUrl,
    max_connections: u32,
) -> Result<DatabaseConnection, DbErr> {
    if !matches!(url, DatabaseUrl::Postgres(_)) {
        return Err(DbErr::Custom(format!(
            "a read replica must be a PostgreSQL server, not {url}"
        )));
    }
    let mut options = ConnectOptions::new(url.as_str());
    without_parallel_workers(&mut options, url);
    options
        .max_connections(max_connections)
        .min_connections(0)
        .connect_timeout(REPLICA_TIMEOUT)
        .acquire_timeout(REPLICA_TIMEOUT)
        .connect_lazy(true)
        .sqlx_logging(false);
    Database::connect(options).await
}

/// PostgreSQL sessions plan without parallel workers unless `url` sets them (see
/// [`PARALLEL_WORKERS`]).
fn without_parallel_workers(options: &mut ConnectOptions, url: &DatabaseUrl) {
    let set_by_url = url.as_str().contains(PARALLEL_WORKERS);
    options.map_sqlx_postgres_opts(move |opts| {
        if set_by_url {
            opts
        } else {
            opts.options([(PARALLEL_WORKERS, 0)])
        }
    });
}

/// Applies every pending migration, then gives rows without coordinates those of their city.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await?;
    // Rows from before coordinates existed get theirs from the gazetteer.
    let located = crate::geo::store::locate_unlocated(db).await?;
    if located > 0 {
        tracing::info!(rows = located, "gave rows the coordinates of their city");
    }
    Ok(())
}

/// Whether the directory holds no data at all (the demo dataset may then be loaded).
pub async fn is_empty(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(entity::skill::Entity::find().count(db).await? == 0
        && entity::employer::Entity::find().count(db).await? == 0
        && entity::developer::Entity::find().count(db).await? == 0)
}

/// Counts the SQL statements a connection runs (for tests, and `talent_db_statements_total` in
/// `/metrics`): a Prometheus counter, shared by its clones.
#[derive(Clone, Debug, Default)]
pub struct StatementCounter(prometheus_client::metrics::counter::Counter);

impl StatementCounter {
    /// Statements run so far.
    pub fn get(&self) -> u64 {
        self.0.get()
    }

    /// The counter, to register in a metrics registry.
    pub fn counter(&self) -> prometheus_client::metrics::counter::Counter {
        self.0.clone()
    }

    /// Makes `db` count its statements here. Call before cloning `db`: clones share the callback.
    pub fn install(&self, db: &mut DatabaseConnection) {
        let count = self.0.clone();
        db.set_metric_callback(move |_| {
            count.inc();
        });
    }
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`), waiting for it under the busy timeout: a deferred transaction would read from a
/// snapshot first and fail with `SQLITE_BUSY_SNAPSHOT` when another writer commits meanwhile.
/// PostgreSQL ignores the mode.
pub async fn begin_write(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    db.begin_with_options(sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Runs `work` in a write transaction ([`begin_write`]): committed when its outcome is done
/// ([`Outcome`]), rolled back when it is not or on an error. The stores take the transaction as a
/// plain connection, so a mutation composes several of their writes in one.
pub async fn in_write<T: Outcome>(
    db: &DatabaseConnection,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, DbErr>,
) -> Result<T, DbErr> {
    let txn = begin_write(db).await?;
    let outcome = work(&txn).await?;
    dbkit::write::settle(txn, outcome).await
}
