//! The demo dataset: a deterministic, realistic directory built from the market facts in
//! `shared/DOMAIN.md`, loaded in one transaction.

mod catalog;
mod generate;
mod rng;

use std::fmt;

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, Statement,
};

pub use generate::{Dataset, anchor, demo, generate};

/// Rows per multi-row `INSERT`: well below the bind-parameter limits of SQLite and PostgreSQL.
const BATCH: usize = 500;

/// How many rows were loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// Loads the demo dataset in one transaction: all of it or nothing.
pub async fn seed(db: &DatabaseConnection) -> Result<Summary, DbErr> {
    load(db, demo()).await
}

/// Loads `data` in one transaction, then moves the id sequences past the ids it used.
pub async fn load(db: &DatabaseConnection, data: Dataset) -> Result<Summary, DbErr> {
    let summary = Summary {
        skills: data.skills.len(),
        employers: data.employers.len(),
        developers: data.developers.len(),
        developer_skills: data.developer_skills.len(),
        vacancies: data.vacancies.len(),
        vacancy_skills: data.vacancy_skills.len(),
    };
    let txn = crate::db::begin_write(db).await?;
    let backend = txn.get_database_backend();
    // Row triggers would rebuild a developer's search document once per skill link: suspend them
    // and build every index once at the end, in the same transaction.
    txn.execute_unprepared("INSERT INTO search_suspended (id) VALUES (1)")
        .await?;
    insert_all::<entity::skill::Entity, _>(&txn, data.skills).await?;
    insert_all::<entity::employer::Entity, _>(&txn, data.employers).await?;
    insert_all::<entity::developer::Entity, _>(&txn, data.developers).await?;
    insert_all::<entity::developer_skill::Entity, _>(&txn, data.developer_skills).await?;
    insert_all::<entity::vacancy::Entity, _>(&txn, data.vacancies).await?;
    insert_all::<entity::vacancy_skill::Entity, _>(&txn, data.vacancy_skills).await?;
    txn.execute_unprepared("DELETE FROM search_suspended")
        .await?;
    for statement in migration::rebuild_search_statements(backend) {
        txn.execute_unprepared(&statement).await?;
    }
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
    txn.commit().await?;
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
