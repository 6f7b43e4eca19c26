//! Rate-limit buckets every instance shares, on PostgreSQL: one row per client that spent part of
//! its burst lately, holding the bucket as a "theoretical arrival time" (the generic cell rate
//! algorithm: the time at which the client's bucket is full again). One atomic upsert per request
//! takes from it (see the server's `http::rate_limit`).
//!
//! The table is `UNLOGGED`: it writes no WAL, so a request costs no log flush and the replicas do
//! not receive it; after a crash PostgreSQL empties it, which gives every client a full bucket,
//! as a restarted instance with buckets in memory would. SQLite serves one instance, whose
//! buckets stay in memory: nothing is created there.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNLOGGED TABLE rate_limit_buckets (client text PRIMARY KEY, full_at timestamptz NOT NULL)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE rate_limit_buckets")
            .await?;
        Ok(())
    }
}
