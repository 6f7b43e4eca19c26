//! `vacancies.publication_seq`: where a vacancy's publication stands in the order of every
//! publication, so that a subscriber to new vacancies can resume after the last one it received.
//!
//! The numbers come from one row of `sequences`, which a publishing transaction increments in the
//! same transaction as the vacancy: they are contiguous (a rolled-back publication gives its
//! number back) and, since that row stays locked until the commit, they follow the commit order.
//! A subscriber that holds number N has therefore seen every publication up to N, and one that
//! hears N + 2 after N knows it missed N + 1. The publication log is the vacancies themselves,
//! kept as long as they are: nothing expires.
//!
//! Vacancies published before this migration are numbered by `published_at`, then id.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The counter's name in `sequences`.
const COUNTER: &str = "vacancy_publication";

/// Numbers the published vacancies that have no number yet, after the counter's value, in the
/// order of `published_at` then id, and moves the counter past them.
const NUMBER: [&str; 2] = [
    "UPDATE sequences SET last_value = last_value + (SELECT COUNT(*) FROM vacancies \
     WHERE published_at IS NOT NULL AND publication_seq IS NULL) WHERE name = 'vacancy_publication'",
    "UPDATE vacancies SET publication_seq = numbered.seq FROM (SELECT id, \
     (SELECT last_value FROM sequences WHERE name = 'vacancy_publication') - COUNT(*) OVER () \
     + ROW_NUMBER() OVER (ORDER BY published_at, id) AS seq FROM vacancies \
     WHERE published_at IS NOT NULL AND publication_seq IS NULL) AS numbered \
     WHERE vacancies.id = numbered.id",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("sequences")
                    .col(string("name").primary_key())
                    .col(big_integer("last_value").default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table("sequences")
                    .columns(["name", "last_value"])
                    .values_panic([COUNTER.into(), 0.into()])
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("vacancies")
                    .add_column(big_integer_null("publication_seq"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_vacancies_publication_seq")
                    .table("vacancies")
                    .col("publication_seq")
                    .unique()
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for statement in NUMBER {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_vacancies_publication_seq")
                    .table("vacancies")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("vacancies")
                    .drop_column("publication_seq")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("sequences").to_owned())
            .await
    }
}
