//! The employer part of the query root: `employer`, `employers`.

use async_graphql::{Context, ID, Object, Result};
use dbkit::{
    batch::{Item, find_by_ids},
    columns::Unread,
    keyset::{Page, PageArgs, primary_key},
    search::Search,
};
use entity::employer;
use toolkit::{
    connection::{Conn, PagedExt, entity_page},
    db,
    lookahead::UnreadOf,
    scalars::OrderDirection,
};

use super::{Employer, EmployerFilter, EmployerOrder, store};
use crate::{
    error::ApiError,
    ids::{Lookup, NodeKind, lookup},
};

/// Part of the root `Query` type, documented on its `#[Object]` impl.
#[derive(Default)]
pub struct EmployerQuery;

/// The employer part of the query root.
#[Object]
impl EmployerQuery {
    /// The employer with this slug or global ID (give exactly one), or null if there is none.
    async fn employer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The employer's slug, e.g. `northwind-logistics`.")] slug: Option<String>,
        #[graphql(desc = "The employer's global ID.")] id: Option<ID>,
    ) -> Result<Option<Employer>> {
        let found = match lookup("slug", slug, id, NodeKind::Employer)? {
            Lookup::Key(slug) => store::find_by_slug(db(ctx)?, &slug)
                .await
                .map_err(ApiError::from)?,
            Lookup::Id(key) => find_by_ids::<employer::Entity>(db(ctx)?, [key])
                .await
                .map_err(ApiError::from)?
                .pop(),
        };
        Ok(found.map(|row| Employer(Item::one(row))))
    }

    /// Employers, a page at a time, by name.
    #[graphql(complexity = "toolkit::limits::connection_cost(first, last, child_complexity)")]
    async fn employers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return the first N employers (0 to 100; 20 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return employers after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last N employers (0 to 100).")] last: Option<i32>,
        #[graphql(desc = "Return employers before this cursor.")] before: Option<String>,
        #[graphql(desc = "The order; ties are broken by ID.")] order_by: Option<EmployerOrder>,
        #[graphql(desc = "Only employers that meet every condition given.")] filter: Option<
            EmployerFilter,
        >,
        #[graphql(
            desc = "Words to look for in name, city and description; results come best match first unless `orderBy` is given."
        )]
        search: Option<String>,
    ) -> Result<Conn<Employer>> {
        let db = db(ctx)?;
        let search =
            search.and_then(|text| Search::new(&store::SEARCH, &text, db.get_database_backend()));
        let sort = match (order_by, &search) {
            (Some(order), _) => store::sort(order.direction.into()),
            (None, Some(search)) => search.sort("employers", primary_key::<employer::Entity>()),
            (None, None) => store::sort(OrderDirection::Asc.into()),
        };
        let page =
            Page::new(&PageArgs::new(first, after, last, before), sort).map_err(ApiError::from)?;
        let criteria = filter.unwrap_or_default().criteria()?;
        let (paged, totals) = entity_page::<employer::Entity>(
            db,
            &page,
            criteria.condition(),
            search.as_ref(),
            Unread::of(ctx),
        )
        .await?;
        Ok(paged.into_items().into_connection(totals, Employer))
    }
}
