//! Data access for vacancies.

use entity::{skill, vacancy, vacancy_skill};
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

/// The orders vacancies can be listed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VacancySort {
    /// By publication time (drafts, never published, last).
    PublishedAt,
    /// By the top of the salary range (vacancies without one last).
    SalaryMax,
    /// By title.
    Title,
}

/// The keyset sort for `field` in `order`, ties by id.
pub fn sort(field: VacancySort, order: Order) -> Sort {
    let column = |column: vacancy::Column| Expr::col((vacancy::Entity, column));
    let key = match field {
        VacancySort::PublishedAt => SortKey::nullable(
            column(vacancy::Column::PublishedAt),
            KeyKind::Time,
            order.clone(),
        ),
        VacancySort::SalaryMax => SortKey::nullable(
            column(vacancy::Column::SalaryMax),
            KeyKind::Int,
            order.clone(),
        ),
        VacancySort::Title => {
            SortKey::new(column(vacancy::Column::Title), KeyKind::Text, order.clone())
        }
    };
    let direction = if matches!(order, Order::Desc) {
        "DESC"
    } else {
        "ASC"
    };
    Sort::with_id(
        format!("vacancies:{field:?}:{direction}"),
        key,
        column(vacancy::Column::Id),
    )
}

/// Most recently published first, drafts last: the default order of every vacancy list. `name`
/// tells the lists apart in cursors.
pub fn recency_sort(name: &str) -> Sort {
    let column = |column: vacancy::Column| Expr::col((vacancy::Entity, column));
    Sort::with_id(
        name,
        SortKey::nullable(
            column(vacancy::Column::PublishedAt),
            KeyKind::Time,
            Order::Desc,
        ),
        column(vacancy::Column::Id),
    )
}

/// One page of vacancies, and what `totalCount` counts.
pub async fn page(
    db: &impl ConnectionTrait,
    page: &Page,
) -> ApiResult<(Paged<vacancy::Model>, Totals)> {
    let select = vacancy::Entity::find().into_query();
    let totals = Totals::of(db, &select);
    let paged = fetch_page(db, select, page, |row| {
        vacancy::Model::from_query_result(row, "")
    })
    .await?;
    Ok((paged, totals))
}

/// The skills each of `vacancies` asks for, must-haves first, with the links that say how.
pub async fn skills_of(
    db: &impl ConnectionTrait,
    vacancies: impl IntoIterator<Item = i64>,
) -> ApiResult<Children<vacancy_skill::Model, skill::Model>> {
    let rows = vacancy_skill::Entity::find()
        .filter(vacancy_skill::Column::VacancyId.is_in(vacancies))
        .find_also_related(skill::Entity)
        .order_by_desc(vacancy_skill::Column::Required)
        .order_by_desc(vacancy_skill::Column::MinLevel)
        .order_by_asc(skill::Column::Name)
        .order_by_asc(skill::Column::Id)
        .all(db)
        .await?;
    Ok(Children::new(rows.into_iter().filter_map(
        |(link, skill)| Some((link.vacancy_id, link, skill?)),
    )))
}
