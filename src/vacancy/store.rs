//! Data access for vacancies.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{skill, vacancy, vacancy_skill};
use sea_orm::{
    ConnectionTrait, FromQueryResult, Order, QueryOrder, QueryTrait, prelude::*, sea_query::Expr,
};

use crate::{
    error::{ApiError, ApiResult},
    graphql::{
        DbLoader, by_id_loader,
        connection::{KeyKind, Page, Paged, Sort, SortKey, Totals, fetch_page},
        group_by,
    },
};

by_id_loader!(
    /// Key: the vacancy with id `.0`.
    VacancyById,
    vacancy
);

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

/// Key: the skills vacancy `.0` asks for, with the link rows that say how.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SkillsOfVacancy(pub i64);

impl Loader<SkillsOfVacancy> for DbLoader {
    type Value = Vec<(vacancy_skill::Model, skill::Model)>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[SkillsOfVacancy],
    ) -> ApiResult<HashMap<SkillsOfVacancy, Self::Value>> {
        let rows = vacancy_skill::Entity::find()
            .filter(vacancy_skill::Column::VacancyId.is_in(keys.iter().map(|key| key.0)))
            .find_also_related(skill::Entity)
            .order_by_desc(vacancy_skill::Column::Required)
            .order_by_desc(vacancy_skill::Column::MinLevel)
            .order_by_asc(skill::Column::Name)
            .order_by_asc(skill::Column::Id)
            .all(self.db())
            .await?;
        Ok(group_by(rows.into_iter().filter_map(|(link, skill)| {
            Some((SkillsOfVacancy(link.vacancy_id), (link, skill?)))
        })))
    }
}
