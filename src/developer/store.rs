//! Data access for developers.

use entity::{developer, developer_skill, skill};
use sea_orm::{
    ConnectionTrait, FromQueryResult, Order, QueryOrder, QueryTrait, prelude::*, sea_query::Expr,
};

use crate::{
    error::ApiResult,
    graphql::{
        batch::Children,
        connection::{KeyKind, Page, Paged, Sort, SortKey, Totals, fetch_page},
    },
};

/// The developer with `handle`, if any.
pub async fn find_by_handle(
    db: &impl ConnectionTrait,
    handle: &str,
) -> ApiResult<Option<developer::Model>> {
    Ok(developer::Entity::find()
        .filter(developer::Column::Handle.eq(handle))
        .one(db)
        .await?)
}

/// The orders developers can be listed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeveloperSort {
    /// By name.
    Name,
    /// By years of professional experience.
    YearsOfExperience,
    /// By when they joined the directory.
    CreatedAt,
}

/// The keyset sort for `field` in `order`, ties by id.
pub fn sort(field: DeveloperSort, order: Order) -> Sort {
    let column = |column: developer::Column| Expr::col((developer::Entity, column));
    let key = match field {
        DeveloperSort::Name => SortKey::new(
            column(developer::Column::Name),
            KeyKind::Text,
            order.clone(),
        ),
        DeveloperSort::YearsOfExperience => SortKey::new(
            column(developer::Column::YearsOfExperience),
            KeyKind::Int,
            order.clone(),
        ),
        DeveloperSort::CreatedAt => SortKey::new(
            column(developer::Column::CreatedAt),
            KeyKind::Time,
            order.clone(),
        ),
    };
    let direction = if matches!(order, Order::Desc) {
        "DESC"
    } else {
        "ASC"
    };
    Sort::with_id(
        format!("developers:{field:?}:{direction}"),
        key,
        column(developer::Column::Id),
    )
}

/// One page of developers, and what `totalCount` counts.
pub async fn page(
    db: &impl ConnectionTrait,
    page: &Page,
) -> ApiResult<(Paged<developer::Model>, Totals)> {
    let select = developer::Entity::find().into_query();
    let totals = Totals::of(db, &select);
    let paged = fetch_page(db, select, page, |row| {
        developer::Model::from_query_result(row, "")
    })
    .await?;
    Ok((paged, totals))
}

/// The skills of each of `developers`, strongest first, with the links that carry level and years.
pub async fn skills_of(
    db: &impl ConnectionTrait,
    developers: impl IntoIterator<Item = i64>,
) -> ApiResult<Children<developer_skill::Model, skill::Model>> {
    let rows = developer_skill::Entity::find()
        .filter(developer_skill::Column::DeveloperId.is_in(developers))
        .find_also_related(skill::Entity)
        .order_by_desc(developer_skill::Column::Level)
        .order_by_asc(skill::Column::Name)
        .order_by_asc(skill::Column::Id)
        .all(db)
        .await?;
    Ok(Children::new(rows.into_iter().filter_map(
        |(link, skill)| Some((link.developer_id, link, skill?)),
    )))
}
