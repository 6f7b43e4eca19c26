//! The token part of the mutation root: `createApiToken`, `revokeApiToken`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::Utc;
use dbkit::batch::{Item, find_by_ids};
use entity::{developer, employer};
use toolkit::{
    db, payload,
    scalars::Timestamp,
    validation::{UserError, UserErrorCode, Validator},
};

use super::{ApiToken, Secret, TokenRole, policy, store, viewer};
use crate::{
    error::{ApiError, ApiResult},
    ids::NodeKind,
};

/// A new API token.
#[derive(InputObject, Clone, Debug)]
pub struct CreateApiTokenInput {
    /// What the token is for, e.g. `ci` or `acme-ats`: 1 to 100 characters.
    pub name: String,
    /// What it may do.
    pub role: TokenRole,
    /// The global ID of the employer an EMPLOYER token acts for; only for that role.
    pub employer_id: Option<ID>,
    /// The global ID of the developer a DEVELOPER token acts for; only for that role.
    pub developer_id: Option<ID>,
    /// When it stops working (in the future); never when not given.
    pub expires_at: Option<Timestamp>,
}

/// The result of `createApiToken`.
#[derive(SimpleObject)]
pub struct CreateApiTokenPayload {
    /// The token, for the `Authorization: Bearer` header. Shown this once: store it now.
    pub token: Option<String>,
    /// What was stored about it; null when there are user errors.
    pub api_token: Option<ApiToken>,
    /// What to fix in the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// A token to revoke.
#[derive(InputObject, Clone, Debug)]
pub struct RevokeApiTokenInput {
    /// The token's global ID.
    pub id: ID,
}

payload!(
    /// The result of `revokeApiToken`.
    RevokeApiTokenPayload,
    api_token: ApiToken
);

/// Part of the root `Mutation` type, documented on its `#[Object]` impl.
#[derive(Default)]
pub struct TokenMutation;

/// The token part of the mutation root.
#[Object]
impl TokenMutation {
    /// Creates an API token (admins only). The payload holds the token itself, shown only this
    /// once.
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token's name, role, owner and lifetime.")] input: CreateApiTokenInput,
    ) -> Result<CreateApiTokenPayload> {
        policy::admin(viewer(ctx), "create API tokens")?;
        let failed = |user_errors| CreateApiTokenPayload {
            token: None,
            api_token: None,
            user_errors,
        };
        let db = db(ctx)?;
        let now = Utc::now();
        let mut v = Validator::default();
        let name = v.text(&["name"], &input.name, store::MAX_NAME);
        let owner = |v: &mut Validator, field: &str, id: &Option<ID>, kind, wanted: bool| match (
            id, wanted,
        ) {
            (Some(id), true) => Some(v.id(field, id, kind)),
            (None, true) => {
                v.error(
                    &[field],
                    UserErrorCode::Required,
                    "this role needs an owner",
                );
                None
            }
            (Some(_), false) => {
                v.error(
                    &[field],
                    UserErrorCode::Invalid,
                    "only tokens of the owner's role have one",
                );
                None
            }
            (None, false) => None,
        };
        let role: entity::TokenRole = input.role.into();
        let employer_id = owner(
            &mut v,
            "employerId",
            &input.employer_id,
            NodeKind::Employer,
            role == entity::TokenRole::Employer,
        );
        let developer_id = owner(
            &mut v,
            "developerId",
            &input.developer_id,
            NodeKind::Developer,
            role == entity::TokenRole::Developer,
        );
        if input.expires_at.is_some_and(|at| at.0 <= now) {
            v.error(
                &["expiresAt"],
                UserErrorCode::OutOfRange,
                "must be in the future",
            );
        }
        let new = match v.finish(store::NewToken {
            name,
            role,
            employer_id,
            developer_id,
            expires_at: input.expires_at.map(|at| at.0),
        }) {
            Ok(new) => new,
            Err(errors) => return Ok(failed(errors)),
        };
        if let Some(error) = missing_owner(db, &new).await? {
            return Ok(failed(vec![error]));
        }
        let secret = Secret::generate()
            .map_err(|err| ApiError::internal(format!("no randomness for a new token: {err}")))?;
        let row = store::create(db, new, &secret, now)
            .await
            .map_err(ApiError::from)?;
        tracing::info!(token.id = row.id, token.hint = %row.hint, role = ?row.role, "API token created");
        Ok(CreateApiTokenPayload {
            token: Some(secret.expose().to_owned()),
            api_token: Some(ApiToken(Item::one(row))),
            user_errors: Vec::new(),
        })
    }

    /// Revokes an API token (admins only): it stops working at once. Revoking a revoked token
    /// changes nothing.
    async fn revoke_api_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token to revoke.")] input: RevokeApiTokenInput,
    ) -> Result<RevokeApiTokenPayload> {
        type P = RevokeApiTokenPayload;
        policy::admin(viewer(ctx), "revoke API tokens")?;
        let mut v = Validator::default();
        let id = v.id("id", &input.id, NodeKind::ApiToken);
        if let Err(errors) = v.finish(()) {
            return Ok(P::failed(errors));
        }
        Ok(
            match store::revoke(db(ctx)?, id, Utc::now())
                .await
                .map_err(crate::error::ApiError::from)?
            {
                Some(row) => {
                    if let Ok(cache) = ctx.data::<std::sync::Arc<super::live::TokenCache>>() {
                        cache.forget(row.id);
                    }
                    tracing::info!(token.id = row.id, "API token revoked");
                    P::done(ApiToken(Item::one(row)))
                }
                None => P::failed(vec![UserError::not_found("id", "API token")]),
            },
        )
    }
}

/// A `NOT_FOUND` error when the owner named by `new` does not exist.
async fn missing_owner(
    db: &sea_orm::DatabaseConnection,
    new: &store::NewToken,
) -> ApiResult<Option<UserError>> {
    if let Some(id) = new.employer_id
        && find_by_ids::<employer::Entity>(db, [id]).await?.is_empty()
    {
        return Ok(Some(UserError::not_found("employerId", "employer")));
    }
    if let Some(id) = new.developer_id
        && find_by_ids::<developer::Entity>(db, [id]).await?.is_empty()
    {
        return Ok(Some(UserError::not_found("developerId", "developer")));
    }
    Ok(None)
}
