//! The demo dataset: a deterministic, realistic directory built from the market facts in
//! `shared/DOMAIN.md`, loaded in one transaction.

mod catalog;
mod generate;
mod rng;
mod taxonomy;

use std::fmt;

pub use generate::{CHUNK, Chunks, Dataset, Plan, anchor, demo};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, Statement,
};

/// Rows per multi-row `INSERT`: well below the bind-parameter limits of SQLite and PostgreSQL.
const BATCH: usize = 500;

/// How many rows were loaded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub skills: usize,
    pub employers: usize,
    pub developers: usize,
    pub developer_skills: usize,
    pub vacancies: usize,
    pub vacancy_skills: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} skills, {} employers, {} developers ({} skill levels), {} vacancies ({} required skills)",
            self.skills,
            self.employers,
            self.developers,
            self.developer_skills,
            self.vacancies,
            self.vacancy_skills
        )
    }
}

impl Summary {
    fn add(&mut self, data: &Dataset) {
        self.skills += data.skills.len();
        self.employers += data.employers.len();
        self.developers += data.developers.len();
        self.developer_skills += data.developer_skills.len();
        self.vacancies += data.vacancies.len();
        self.vacancy_skills += data.vacancy_skills.len();
    }
}

/// The tables a seed fills.
const TABLES: [&str; 6] = [
    "skills",
    "employers",
    "developers",
    "developer_skills",
    "vacancies",
    "vacancy_skills",
];

/// Loads the demo dataset (scale 1) in one transaction: all of it or nothing.
pub async fn seed(db: &DatabaseConnection) -> Result<Summary, DbErr> {
    seed_scale(db, 1, |_, _| {}).await
}

/// Loads the directory of scale `scale` (see [`Plan::scale`]) in one transaction, a chunk at a
/// time; `progress(done, total)` hears after each chunk how many developers and vacancies are in.
/// Search indexes are built once at the end, and the id sequences moved past the ids used.
pub async fn seed_scale(
    db: &DatabaseConnection,
    scale: usize,
    mut progress: impl FnMut(usize, usize),
) -> Result<Summary, DbErr> {
    let plan = Plan::scale(scale);
    let total = plan.developers + plan.vacancies;
    let mut summary = Summary::default();
    let txn = crate::db::begin_write(db).await?;
    let backend = txn.get_database_backend();
    // Row triggers would rebuild a developer's search document once per skill link: suspend them
    // and build every index once at the end, in the same transaction.
    txn.execute_unprepared("INSERT INTO search_suspended (id) VALUES (1)")
        .await?;
    if backend == DatabaseBackend::Postgres {
        // Even suspended, a row trigger costs a PL/pgSQL call per row (two million of them at
        // scale 334): switch them off for the load. The tables are ours (the migrations made
        // them), so no superuser is needed, and the transaction holds them alone meanwhile.
        for table in TABLES {
            txn.execute_unprepared(&format!("ALTER TABLE {table} DISABLE TRIGGER USER"))
                .await?;
        }
    }
    for chunk in Chunks::new(plan) {
        summary.add(&chunk);
        insert_all::<entity::skill::Entity, _>(&txn, chunk.skills).await?;
        insert_all::<entity::employer::Entity, _>(&txn, chunk.employers).await?;
        insert_all::<entity::developer::Entity, _>(&txn, chunk.developers).await?;
        insert_all::<entity::developer_skill::Entity, _>(&txn, chunk.developer_skills).await?;
        insert_all::<entity::vacancy::Entity, _>(&txn, chunk.vacancies).await?;
        insert_all::<entity::vacancy_skill::Entity, _>(&txn, chunk.vacancy_skills).await?;
        progress(summary.developers + summary.vacancies, total);
    }
    txn.execute_unprepared("DELETE FROM search_suspended")
        .await?;
    if backend == DatabaseBackend::Postgres {
        for table in TABLES {
            txn.execute_unprepared(&format!("ALTER TABLE {table} ENABLE TRIGGER USER"))
                .await?;
        }
    }
    for statement in migration::rebuild_search_statements(backend) {
        txn.execute_unprepared(&statement).await?;
    }
    crate::vacancy::store::number_unnumbered_publications(&txn).await?;
    if backend == DatabaseBackend::Postgres {
        // Rows came with their ids: move each identity sequence past them so the next insert
        // does not collide. (SQLite's AUTOINCREMENT follows explicit ids by itself.)
        for table in ["skills", "employers", "developers", "vacancies"] {
            txn.execute_raw(Statement::from_string(
                DatabaseBackend::Postgres,
                format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                ),
            ))
            .await?;
        }
    }
    // Fresh statistics: without them PostgreSQL plans the first queries over millions of rows
    // it has never looked at (a parallel sequential scan of vacancy_skills for 50 ids), and
    // SQLite has no sqlite_stat1 to choose between indexes. (PostgreSQL gathers them in the
    // VACUUM below.)
    if backend == DatabaseBackend::Sqlite {
        txn.execute_unprepared("ANALYZE").await?;
    }
    txn.commit().await?;
    // The load is in; what follows only speeds up reading it, so a failure is reported, not
    // returned.
    let tidy = match backend {
        // Move the load from the write-ahead log into the database file now (hundreds of MB at
        // large scales) rather than leave it to the first writer of the server.
        DatabaseBackend::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)",
        // VACUUM (outside the transaction: it cannot run in one) marks the freshly written pages
        // all-visible, so index-only scans need not visit the heap (matching reads a vacancy's
        // candidates from the covering skill index); ANALYZE gathers the statistics.
        _ => "VACUUM (ANALYZE)",
    };
    if let Err(err) = db.execute_unprepared(tidy).await {
        tracing::warn!(%err, statement = tidy, "the directory is loaded, but tidying up after it failed");
    }
    Ok(summary)
}

async fn insert_all<E, M>(db: &impl ConnectionTrait, rows: Vec<M>) -> Result<(), DbErr>
where
    E: EntityTrait<Model = M>,
    M: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let mut rows = rows
        .into_iter()
        .map(IntoActiveModel::into_active_model)
        .peekable();
    while rows.peek().is_some() {
        let batch: Vec<E::ActiveModel> = rows.by_ref().take(BATCH).collect();
        E::insert_many(batch).exec_without_returning(db).await?;
    }
    Ok(())
}
