//! API tokens and the viewer in the schema: `viewer`, `apiTokens`, `createApiToken`,
//! `revokeApiToken`.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::Utc;
use dbkit::{
    batch::{ByKey, Item, find_by_ids},
    columns::Unread,
    keyset::{KeyKind, Page, PageArgs, Sort, SortKey},
};
use entity::{api_token, developer, employer};
use sea_orm::{ColumnTrait, Condition, Order, sea_query::Expr};
use toolkit::{
    boxed,
    connection::{Conn, PagedExt, entity_page},
    db,
    id::encode_id,
    payload,
    scalars::Timestamp,
    validation::{UserError, UserErrorCode, Validator},
};

use super::{policy, store, viewer};
use crate::{
    developer::Developer,
    employer::Employer,
    error::{ApiError, ApiResult},
    ids::NodeKind,
};

/// What an API token may do.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "Role", remote = "entity::TokenRole")]
pub enum TokenRole {
    /// Everything: the skill taxonomy, every profile, employer and vacancy, and tokens.
    Admin,
    /// Act for one employer: edit it and manage its vacancies, drafts included.
    Employer,
    /// Act for one developer: edit its profile and skills, see its private fields, delete it.
    Developer,
}

/// The GraphQL `ApiToken` object, documented on its `#[Object]` impl.
pub struct ApiToken(pub(crate) Item<api_token::Model>);

/// An API token: its name, role, owner and use. The token itself is shown only once, by
/// `createApiToken`; what is kept is a hash.
#[Object]
impl ApiToken {
    /// Opaque global ID.
    pub(crate) async fn id(&self) -> ID {
        encode_id(NodeKind::ApiToken, self.0.id)
    }

    /// What the token is for, e.g. `ops` or `acme-ats`.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the token may do.
    async fn role(&self) -> TokenRole {
        self.0.role.into()
    }

    /// The first characters of the token, e.g. `tal_AbC123`, to tell tokens apart.
    async fn hint(&self) -> &str {
        &self.0.hint
    }

    /// The employer an EMPLOYER token acts for; null for other roles.
    async fn employer(&self, ctx: &Context<'_>) -> Result<Option<Employer>> {
        let Some(key) = self.0.employer_id else {
            return Ok(None);
        };
        let db = db(ctx)?;
        let employers = boxed(self.0.batch().relation("employer", |tokens| async move {
            let ids = tokens.iter().filter_map(|token| token.employer_id);
            Ok(ByKey::new(find_by_ids::<employer::Entity>(db, ids).await?))
        }))
        .await
        .map_err(ApiError::from)?;
        Ok(employers.get(key).map(Employer))
    }

    /// The developer a DEVELOPER token acts for; null for other roles.
    async fn developer(&self, ctx: &Context<'_>) -> Result<Option<Developer>> {
        let Some(key) = self.0.developer_id else {
            return Ok(None);
        };
        let db = db(ctx)?;
        let developers = boxed(self.0.batch().relation("developer", |tokens| async move {
            let ids = tokens.iter().filter_map(|token| token.developer_id);
            Ok(ByKey::new(find_by_ids::<developer::Entity>(db, ids).await?))
        }))
        .await
        .map_err(ApiError::from)?;
        Ok(developers.get(key).map(Developer))
    }

    /// When it was created.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at.into()
    }

    /// When it stops working; null if never.
    async fn expires_at(&self) -> Option<Timestamp> {
        self.0.expires_at.map(Timestamp)
    }

    /// When it was revoked; null while it is not.
    async fn revoked_at(&self) -> Option<Timestamp> {
        self.0.revoked_at.map(Timestamp)
    }

    /// When it was last used, to the minute (not every use is written); null if never.
    async fn last_used_at(&self) -> Option<Timestamp> {
        self.0.last_used_at.map(Timestamp)
    }

    /// Whether it is accepted now: neither revoked nor expired.
    async fn active(&self) -> bool {
        store::is_active(&self.0, Utc::now())
    }
}

/// The GraphQL `SignedIn` object, documented on its `#[Object]` impl.
pub struct SignedIn {
    token: ApiToken,
}

/// The caller of the request: the token it signed in with, and whom it acts for.
#[Object(name = "Viewer")]
impl SignedIn {
    /// What the caller may do.
    async fn role(&self) -> TokenRole {
        self.token.0.role.into()
    }

    /// The employer the caller acts for (EMPLOYER role); null otherwise.
    async fn employer(&self, ctx: &Context<'_>) -> Result<Option<Employer>> {
        self.token.employer(ctx).await
    }

    /// The developer the caller acts for (DEVELOPER role); null otherwise.
    async fn developer(&self, ctx: &Context<'_>) -> Result<Option<Developer>> {
        self.token.developer(ctx).await
    }

    /// The token the caller signed in with.
    async fn token(&self) -> ApiToken {
        ApiToken(self.token.0.clone())
    }
}

/// Part of the root `Query` type, documented on its `#[Object]` impl.
#[derive(Default)]
pub struct TokenQuery;

/// The token part of the query root.
#[Object]
impl TokenQuery {
    /// Who is calling: the role and owner of the API token sent, or null for anonymous callers.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Option<SignedIn>> {
        let Some(session) = viewer(ctx).session() else {
            return Ok(None);
        };
        let token = store::find(db(ctx)?, session.token_id)
            .await
            .map_err(crate::error::ApiError::from)?;
        Ok(token.map(|token| SignedIn {
            token: ApiToken(Item::one(token)),
        }))
    }

    /// API tokens, newest first (admins only).
    #[graphql(complexity = "toolkit::limits::connection_cost(first, last, child_complexity)")]
    async fn api_tokens(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return the first N tokens (0 to 100; 20 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return tokens after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last N tokens (0 to 100).")] last: Option<i32>,
        #[graphql(desc = "Return tokens before this cursor.")] before: Option<String>,
        #[graphql(desc = "Include revoked tokens.", default)] include_revoked: bool,
    ) -> Result<Conn<ApiToken>> {
        policy::admin(viewer(ctx), "list API tokens")?;
        let sort = Sort::new(
            "apiTokens:id:DESC",
            vec![SortKey::new(
                Expr::col((api_token::Entity, api_token::Column::Id)),
                KeyKind::Int,
                Order::Desc,
            )],
        );
        let page =
            Page::new(&PageArgs::new(first, after, last, before), sort).map_err(ApiError::from)?;
        let mut condition = Condition::all();
        if !include_revoked {
            condition = condition.add(api_token::Column::RevokedAt.is_null());
        }
        let (paged, totals) = entity_page(
            db(ctx)?,
            &page,
            condition,
            None,
            Unread::<api_token::Entity>::none(),
        )
        .await?;
        Ok(paged.into_items().into_connection(totals, ApiToken))
    }
}

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
        let (row, secret) = store::create(db, new, now).await?;
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
