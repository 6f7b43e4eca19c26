//! Data access for employers.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{employer, vacancy};
use sea_orm::{ConnectionTrait, FromQueryResult, Order, QueryTrait, prelude::*, sea_query::Expr};

use crate::{
    error::{ApiError, ApiResult},
    graphql::{
        DbLoader, by_id_loader,
        connection::{
            KeyKind, Page, PageArgs, Paged, Sort, SortKey, Totals, fetch_page, load_pages,
        },
    },
    vacancy::store::recency_sort,
};

by_id_loader!(
    /// Key: the employer with id `.0`.
    EmployerById,
    employer
);

/// The employer with `slug`, if any.
pub async fn find_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> ApiResult<Option<employer::Model>> {
    Ok(employer::Entity::find()
        .filter(employer::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// Employers by name in `order`, ties by id.
pub fn sort(order: Order) -> Sort {
    let direction = if matches!(order, Order::Desc) {
        "DESC"
    } else {
        "ASC"
    };
    Sort::with_id(
        format!("employers:Name:{direction}"),
        SortKey::new(
            Expr::col((employer::Entity, employer::Column::Name)),
            KeyKind::Text,
            order,
        ),
        Expr::col((employer::Entity, employer::Column::Id)),
    )
}

/// One page of employers, and what `totalCount` counts.
pub async fn page(
    db: &impl ConnectionTrait,
    page: &Page,
) -> ApiResult<(Paged<employer::Model>, Totals)> {
    let select = employer::Entity::find().into_query();
    let totals = Totals::of(db, &select);
    let paged = fetch_page(db, select, page, |row| {
        employer::Model::from_query_result(row, "")
    })
    .await?;
    Ok((paged, totals))
}

/// The order of an employer's vacancies.
pub fn vacancies_sort() -> Sort {
    recency_sort("employer.vacancies")
}

/// Key: a page of the vacancies of employer `employer`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VacanciesOfEmployer {
    pub employer: i64,
    pub page: PageArgs,
}

impl Loader<VacanciesOfEmployer> for DbLoader {
    type Value = Paged<vacancy::Model>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[VacanciesOfEmployer],
    ) -> ApiResult<HashMap<VacanciesOfEmployer, Self::Value>> {
        let pages = load_pages(
            self.db(),
            keys.iter().map(|key| (key.page.clone(), key.employer)),
            vacancies_sort,
            || vacancy::Entity::find().into_query(),
            Expr::col((vacancy::Entity, vacancy::Column::EmployerId)),
            |row| vacancy::Model::from_query_result(row, ""),
        )
        .await?;
        Ok(pages
            .into_iter()
            .map(|((page, employer), paged)| (VacanciesOfEmployer { employer, page }, paged))
            .collect())
    }
}
