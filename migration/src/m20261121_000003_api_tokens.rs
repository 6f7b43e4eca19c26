//! API tokens: opaque bearer credentials, each with a role and, for EMPLOYER and DEVELOPER tokens,
//! the employer or developer it acts for.
//!
//! Only a SHA-256 hash of a token is stored (`token_hash`, unique); `hint` keeps its first
//! characters so people can tell tokens apart in listings. A token dies with its owner (ON DELETE
//! CASCADE). A CHECK ties the owner columns to the role.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(api_tokens()).await?;
        for column in ["employer_id", "developer_id"] {
            manager
                .create_index(
                    Index::create()
                        .name(format!("ix_api_tokens_{column}"))
                        .table("api_tokens")
                        .col(column)
                        .take(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("api_tokens").if_exists().to_owned())
            .await
    }
}

fn api_tokens() -> TableCreateStatement {
    Table::create()
        .table("api_tokens")
        .col(big_pk_auto("id"))
        .col(string_len("name", 100))
        .col(
            string_len("role", 16)
                .check(Check::named(
                    "ck_role_value",
                    Expr::col("role").is_in(["ADMIN", "EMPLOYER", "DEVELOPER"]),
                ))
                .take(),
        )
        .col(big_integer_null("employer_id"))
        .col(big_integer_null("developer_id"))
        .col(char_len("token_hash", 64).unique_key().take())
        .col(string_len("hint", 16))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone_null("expires_at"))
        .col(timestamp_with_time_zone_null("revoked_at"))
        .col(timestamp_with_time_zone_null("last_used_at"))
        .check(Check::named(
            "ck_api_tokens_owner",
            Expr::cust(
                "(role = 'ADMIN' AND employer_id IS NULL AND developer_id IS NULL) \
                 OR (role = 'EMPLOYER' AND employer_id IS NOT NULL AND developer_id IS NULL) \
                 OR (role = 'DEVELOPER' AND developer_id IS NOT NULL AND employer_id IS NULL)",
            ),
        ))
        .foreign_key(
            ForeignKey::create()
                .name("fk_api_tokens_employer")
                .from("api_tokens", "employer_id")
                .to("employers", "id")
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_api_tokens_developer")
                .from("api_tokens", "developer_id")
                .to("developers", "id")
                .on_delete(ForeignKeyAction::Cascade),
        )
        .take()
}
