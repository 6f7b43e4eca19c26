//! The developer part of the query root: `developer`, `developers`.

use async_graphql::{Context, ID, Object, Result};
use dbkit::{
    batch::{Item, find_by_ids},
    columns::Unread,
    keyset::{Page, PageArgs, primary_key},
    search::Search,
};
use entity::developer;
use toolkit::{
    connection::{Conn, PagedExt, entity_page},
    db,
    lookahead::UnreadOf,
    scalars::OrderDirection,
};

use super::{Developer, DeveloperFilter, DeveloperOrder, store};
use crate::{
    error::ApiError,
    ids::{Lookup, NodeKind, lookup},
};

/// Part of the root `Query` type, documented on its `#[Object]` impl.
#[derive(Default)]
pub struct DeveloperQuery;

/// The developer part of the query root.
#[Object]
impl DeveloperQuery {
    /// The developer with this handle or global ID (give exactly one), or null if there is none.
    async fn developer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The developer's handle, e.g. `ana-kowalska`.")] handle: Option<String>,
        #[graphql(desc = "The developer's global ID.")] id: Option<ID>,
    ) -> Result<Option<Developer>> {
        let found = match lookup("handle", handle, id, NodeKind::Developer)? {
            Lookup::Key(handle) => store::find_by_handle(db(ctx)?, &handle)
                .await
                .map_err(ApiError::from)?,
            Lookup::Id(key) => find_by_ids::<developer::Entity>(db(ctx)?, [key])
                .await
                .map_err(ApiError::from)?
                .pop(),
        };
        Ok(found.map(|row| Developer(Item::one(row))))
    }

    /// Developers, a page at a time, by name unless `orderBy` says otherwise.
    #[graphql(complexity = "toolkit::limits::connection_cost(first, last, child_complexity)")]
    async fn developers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return the first N developers (0 to 100; 20 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return developers after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last N developers (0 to 100).")] last: Option<i32>,
        #[graphql(desc = "Return developers before this cursor.")] before: Option<String>,
        #[graphql(desc = "The order; ties are broken by ID.")] order_by: Option<DeveloperOrder>,
        #[graphql(desc = "Only developers that meet every condition given.")] filter: Option<
            DeveloperFilter,
        >,
        #[graphql(
            desc = "Words to look for in name, handle, headline, bio and skill names; results come best match first unless `orderBy` is given."
        )]
        search: Option<String>,
    ) -> Result<Conn<Developer>> {
        let db = db(ctx)?;
        let search =
            search.and_then(|text| Search::new(&store::SEARCH, &text, db.get_database_backend()));
        let criteria = filter.unwrap_or_default().criteria(db).await?;
        let sort = match (order_by, &search) {
            (Some(order), _) => match (order.field.column_sort(), &criteria.near) {
                (Some(field), _) => store::sort(field, order.direction.into()),
                (None, Some(circle)) => {
                    circle.sort::<developer::Entity>("developers", order.direction.into())
                }
                (None, None) => return Err(crate::geo::no_centre().into()),
            },
            (None, Some(search)) => search.sort("developers", primary_key::<developer::Entity>()),
            (None, None) => store::sort(store::DeveloperSort::Name, OrderDirection::Asc.into()),
        };
        let page =
            Page::new(&PageArgs::new(first, after, last, before), sort).map_err(ApiError::from)?;
        let (paged, totals) = entity_page::<developer::Entity>(
            db,
            &page,
            criteria.condition(),
            search.as_ref(),
            Unread::of(ctx),
        )
        .await?;
        Ok(paged.into_items().into_connection(totals, Developer))
    }
}
