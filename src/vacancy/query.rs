//! The vacancy part of the query root: `vacancy`, `vacancies`.

use async_graphql::{Context, ID, Object, Result};
use dbkit::{
    batch::{Item, find_by_ids},
    columns::Unread,
    keyset::{Page, PageArgs, primary_key},
    search::Search,
};
use entity::vacancy;
use toolkit::{
    connection::{Conn, PagedExt, entity_page},
    db,
    id::decode_id,
    lookahead::UnreadOf,
    scalars::OrderDirection,
};

use super::{Vacancy, VacancyFilter, VacancyOrder, store};
use crate::{
    auth::{policy::Drafts, viewer},
    error::ApiError,
    ids::NodeKind,
};

/// Part of the root `Query` type, documented on its `#[Object]` impl.
#[derive(Default)]
pub struct VacancyQuery;

/// The vacancy part of the query root.
#[Object]
impl VacancyQuery {
    /// The vacancy with this ID, or null if there is none (or it is a draft the caller may not
    /// see). A malformed ID is a `BAD_USER_INPUT` error.
    async fn vacancy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The vacancy's global ID.")] id: ID,
    ) -> Result<Option<Vacancy>> {
        let key = decode_id(&id, NodeKind::Vacancy, &["id"])?;
        let drafts = Drafts::of(viewer(ctx));
        Ok(find_by_ids::<vacancy::Entity>(db(ctx)?, [key])
            .await
            .map_err(ApiError::from)?
            .pop()
            .filter(|row| drafts.shows(row))
            .map(|row| Vacancy(Item::one(row))))
    }

    /// Vacancies, a page at a time, most recently published first unless `orderBy` says otherwise.
    #[graphql(complexity = "toolkit::limits::connection_cost(first, last, child_complexity)")]
    async fn vacancies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return the first N vacancies (0 to 100; 20 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return vacancies after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last N vacancies (0 to 100).")] last: Option<i32>,
        #[graphql(desc = "Return vacancies before this cursor.")] before: Option<String>,
        #[graphql(desc = "The order; ties are broken by ID.")] order_by: Option<VacancyOrder>,
        #[graphql(
            desc = "Only vacancies that meet every condition given; OPEN ones only unless `status` says otherwise. DRAFT ones are listed only to their employer and admins."
        )]
        filter: Option<VacancyFilter>,
        #[graphql(
            desc = "Words to look for in title, description, employer name and skill names; results come best match first unless `orderBy` is given."
        )]
        search: Option<String>,
    ) -> Result<Conn<Vacancy>> {
        let db = db(ctx)?;
        let search =
            search.and_then(|text| Search::new(&store::SEARCH, &text, db.get_database_backend()));
        let criteria = filter.unwrap_or_default().criteria(db).await?;
        let drafts = criteria.status.contains(&entity::VacancyStatus::Draft);
        let sort = match (order_by, &search) {
            (Some(order), _) => match (order.field.column_sort(), &criteria.near) {
                (Some(field), _) => store::sort(field, order.direction.into(), drafts),
                (None, Some(circle)) => {
                    circle.sort::<vacancy::Entity>("vacancies", order.direction.into())
                }
                (None, None) => return Err(crate::geo::no_centre().into()),
            },
            (None, Some(search)) => search.sort("vacancies", primary_key::<vacancy::Entity>()),
            (None, None) => store::sort(
                store::VacancySort::PublishedAt,
                OrderDirection::Desc.into(),
                drafts,
            ),
        };
        let page =
            Page::new(&PageArgs::new(first, after, last, before), sort).map_err(ApiError::from)?;
        let condition = criteria
            .condition()
            .add_option(Drafts::of(viewer(ctx)).condition());
        let (paged, totals) =
            entity_page::<vacancy::Entity>(db, &page, condition, search.as_ref(), Unread::of(ctx))
                .await?;
        Ok(paged.into_items().into_connection(totals, Vacancy))
    }
}
