//! The skill part of the query root: `skill`, `skills`, and the lookup of skills by slug other domains use.

use async_graphql::{Context, ID, Object, Result};
use dbkit::{
    batch::{Item, find_by_ids},
    columns::Unread,
    keyset::{Page, PageArgs},
};
use entity::skill;
use toolkit::{
    connection::{Conn, PagedExt, entity_page},
    db,
    lookahead::UnreadOf,
    scalars::OrderDirection,
};

use super::{Skill, SkillFilter, SkillOrder, SkillOrderField, store};
use crate::{
    error::ApiError,
    ids::{Lookup, NodeKind, lookup},
};

/// Part of the root `Query` type, documented on its `#[Object]` impl.
#[derive(Default)]
pub struct SkillQuery;

/// The skill part of the query root.
#[Object]
impl SkillQuery {
    /// The skill with this slug or global ID (give exactly one), or null if there is none.
    async fn skill(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The skill's slug, e.g. `postgresql`.")] slug: Option<String>,
        #[graphql(desc = "The skill's global ID.")] id: Option<ID>,
    ) -> Result<Option<Skill>> {
        let found = match lookup("slug", slug, id, NodeKind::Skill)? {
            Lookup::Key(slug) => store::find_by_slug(db(ctx)?, &slug)
                .await
                .map_err(ApiError::from)?,
            Lookup::Id(key) => find_by_ids::<skill::Entity>(db(ctx)?, [key])
                .await
                .map_err(ApiError::from)?
                .pop(),
        };
        Ok(found.map(|row| Skill(Item::one(row))))
    }

    /// The skills of the taxonomy, a page at a time, by name unless `orderBy` says otherwise.
    #[graphql(complexity = "toolkit::limits::connection_cost(first, last, child_complexity)")]
    async fn skills(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return the first N skills (0 to 100; 20 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return skills after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last N skills (0 to 100).")] last: Option<i32>,
        #[graphql(desc = "Return skills before this cursor.")] before: Option<String>,
        #[graphql(desc = "The order; ties are broken by ID.")] order_by: Option<SkillOrder>,
        #[graphql(desc = "Only skills that meet every condition given.")] filter: Option<
            SkillFilter,
        >,
    ) -> Result<Conn<Skill>> {
        let order = order_by.unwrap_or(SkillOrder {
            field: SkillOrderField::Name,
            direction: OrderDirection::Asc,
        });
        let page = Page::new(
            &PageArgs::new(first, after, last, before),
            store::sort(order.field.into(), order.direction.into()),
        )
        .map_err(ApiError::from)?;
        let categories: Vec<entity::SkillCategory> = filter
            .and_then(|filter| filter.category)
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let condition = sea_orm::Condition::all().add_option(
            (!categories.is_empty())
                .then(|| sea_orm::ColumnTrait::is_in(&skill::Column::Category, categories)),
        );
        let (paged, totals) =
            entity_page::<skill::Entity>(db(ctx)?, &page, condition, None, Unread::of(ctx)).await?;
        Ok(paged.into_items().into_connection(totals, Skill))
    }
}

/// The ids of the skills with these slugs, in order, looked up in one statement; an unknown slug
/// is an error at its path.
pub async fn skill_ids(
    db: &impl sea_orm::ConnectionTrait,
    slugs: &[(&str, Vec<String>)],
) -> crate::error::ApiResult<Vec<i64>> {
    if slugs.is_empty() {
        return Ok(Vec::new());
    }
    let known = store::ids_by_slug(db, slugs.iter().map(|(slug, _)| (*slug).to_owned())).await?;
    slugs
        .iter()
        .map(|(slug, at)| {
            known.get(*slug).copied().ok_or_else(|| {
                crate::error::ApiError::bad_input(at.clone(), format!("there is no skill `{slug}`"))
            })
        })
        .collect()
}
