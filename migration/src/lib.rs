//! Schema migrations of talent-api.
//!
//! Every migration builds its statements with sea-query, so the same code creates the same tables,
//! constraints and indexes on SQLite and on PostgreSQL. Migrations are frozen history: they never
//! import the `entity` crate, whose types move on with the code.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_initial_schema;
mod m20261121_000002_full_text_search;
mod m20261121_000003_api_tokens;
mod m20261122_000004_covering_skill_indexes;
mod m20261130_000005_search_refresh_on_change;
mod m20261206_000006_developer_links;
mod m20261206_000007_rate_limit_buckets;
mod m20261207_000008_vacancy_publications;
mod m20261207_000009_coordinates;
mod m20261208_000010_covering_coordinate_indexes;

pub use m20261121_000002_full_text_search::rebuild_statements as rebuild_search_statements;

/// Runs the migrations of talent-api in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_initial_schema::Migration),
            Box::new(m20261121_000002_full_text_search::Migration),
            Box::new(m20261121_000003_api_tokens::Migration),
            Box::new(m20261122_000004_covering_skill_indexes::Migration),
            Box::new(m20261130_000005_search_refresh_on_change::Migration),
            Box::new(m20261206_000006_developer_links::Migration),
            Box::new(m20261206_000007_rate_limit_buckets::Migration),
            Box::new(m20261207_000008_vacancy_publications::Migration),
            Box::new(m20261207_000009_coordinates::Migration),
            Box::new(m20261208_000010_covering_coordinate_indexes::Migration),
        ]
    }
}
