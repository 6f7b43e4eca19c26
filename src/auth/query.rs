//! The token part of the query root: `viewer`, `apiTokens`.

use async_graphql::{Context, Object, Result};
use dbkit::{
    batch::Item,
    columns::Unread,
    keyset::{KeyKind, Page, PageArgs, Sort, SortKey},
};
use entity::api_token;
use sea_orm::{ColumnTrait, Condition, Order, sea_query::Expr};
use toolkit::{
    connection::{Conn, PagedExt, entity_page},
    db,
};

use super::{ApiToken, SignedIn, policy, store, viewer};
use crate::error::ApiError;

/// Part of the root `Query` type, documented on its `#[Object]` impl.
#[derive(Default)]
pub struct TokenQuery;

/// The token part of the query root.
#[Object]
impl TokenQuery {
    /// Who is calling: the role and owner of the API token sent, or null for anonymous callers.
    #[graphql(cache_control(private))]
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
    #[graphql(
        complexity = "toolkit::limits::connection_cost(first, last, child_complexity)",
        cache_control(private)
    )]
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
