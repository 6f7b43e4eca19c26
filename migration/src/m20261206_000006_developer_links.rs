//! `developers.links`: a developer's public profile URLs (GitHub, LinkedIn, a portfolio), as JSON
//! Resume keeps them under `basics.profiles`. A JSON array of strings, empty by default; the
//! database holds the API's limit of 10 as a CHECK, so no writer can store more.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Most links a developer may have.
const MAX_LINKS: i32 = 10;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let length = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "jsonb_array_length",
            _ => "json_array_length",
        };
        let mut links = json_binary("links");
        links.default(Expr::cust("'[]'")).check(Check::named(
            "ck_links_count",
            Expr::cust(format!("{length}(links) <= {MAX_LINKS}")),
        ));
        manager
            .alter_table(
                Table::alter()
                    .table("developers")
                    .add_column(links)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("developers")
                    .drop_column("links")
                    .to_owned(),
            )
            .await
    }
}
