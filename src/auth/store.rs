//! Data access for API tokens.

use chrono::{DateTime, Utc};
use entity::api_token;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, QueryFilter,
    QueryOrder, Set, sea_query::Expr,
};

use super::Secret;

/// Longest token name.
pub const MAX_NAME: usize = 100;

/// A token to create, validated.
#[derive(Clone, Debug)]
pub struct NewToken {
    pub name: String,
    pub role: entity::TokenRole,
    pub employer_id: Option<i64>,
    pub developer_id: Option<i64>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Stores token `secret` (its hash and hint, never the secret itself) as `new` describes it.
pub async fn create(
    db: &impl ConnectionTrait,
    new: NewToken,
    secret: &Secret,
    now: DateTime<Utc>,
) -> Result<api_token::Model, DbErr> {
    api_token::ActiveModel {
        id: NotSet,
        name: Set(new.name),
        role: Set(new.role),
        employer_id: Set(new.employer_id),
        developer_id: Set(new.developer_id),
        token_hash: Set(secret.hash()),
        hint: Set(secret.hint()),
        created_at: Set(now),
        expires_at: Set(new.expires_at),
        revoked_at: Set(None),
        last_used_at: Set(None),
    }
    .insert(db)
    .await
}

/// The token stored for `secret`, if any.
pub async fn find_by_secret(
    db: &impl ConnectionTrait,
    secret: &Secret,
) -> Result<Option<api_token::Model>, DbErr> {
    api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(secret.hash()))
        .one(db)
        .await
}

/// The token with this id, if any.
pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<api_token::Model>, DbErr> {
    api_token::Entity::find_by_id(id).one(db).await
}

/// Records that token `id` was used at `now`, unless a use within the last minute is recorded
/// already (another request got there first).
pub async fn touch(db: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<(), DbErr> {
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, Expr::val(now))
        .filter(api_token::Column::Id.eq(id))
        .filter(
            sea_orm::Condition::any()
                .add(api_token::Column::LastUsedAt.is_null())
                .add(api_token::Column::LastUsedAt.lt(now - super::LAST_USED_PRECISION)),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes token `id` at `now` (a token revoked before keeps its first revocation time) and
/// returns it; None when there is no such token.
pub async fn revoke(
    db: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Option<api_token::Model>, DbErr> {
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::val(now))
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    find(db, id).await
}

/// Every token, newest first; revoked ones only when `include_revoked`.
pub async fn list(
    db: &impl ConnectionTrait,
    include_revoked: bool,
) -> Result<Vec<api_token::Model>, DbErr> {
    let mut select = api_token::Entity::find().order_by_desc(api_token::Column::Id);
    if !include_revoked {
        select = select.filter(api_token::Column::RevokedAt.is_null());
    }
    select.all(db).await
}

/// Whether the token is accepted at `now`: neither revoked nor expired.
pub fn is_active(token: &api_token::Model, now: DateTime<Utc>) -> bool {
    token.revoked_at.is_none() && token.expires_at.is_none_or(|at| at > now)
}
