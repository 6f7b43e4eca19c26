//! `api_tokens`: bearer credentials. Only the SHA-256 hash of a token is stored.

use sea_orm::entity::prelude::*;

use crate::TokenRole;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// What the token is for, e.g. `ops` or `acme-ats`.
    pub name: String,
    pub role: TokenRole,
    /// Set for EMPLOYER tokens only.
    pub employer_id: Option<i64>,
    /// Set for DEVELOPER tokens only.
    pub developer_id: Option<i64>,
    /// Lower-case hex SHA-256 of the whole token.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// The token's first characters (`tal_` and a few more), to tell tokens apart.
    pub hint: String,
    pub created_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    /// Updated at most once a minute per token.
    pub last_used_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}

impl dbkit::batch::Keyed for Model {
    fn key(&self) -> i64 {
        self.id
    }
}

dbkit::model_row! {
    id,
    name,
    role,
    employer_id,
    developer_id,
    token_hash,
    hint,
    created_at,
    expires_at,
    revoked_at,
    last_used_at,
}
