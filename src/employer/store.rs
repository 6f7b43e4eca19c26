//! Data access for employers.

use entity::{employer, vacancy};
use sea_orm::{ConnectionTrait, FromQueryResult, Order, QueryTrait, prelude::*, sea_query::Expr};

use crate::{
    error::ApiResult,
    graphql::connection::{ChildPages, KeyKind, Page, Sort, SortKey, child_pages},
    vacancy::store::recency_sort,
};

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

/// Which employers a list holds: every condition given must hold.
#[derive(Clone, Debug, Default)]
pub struct Criteria {
    /// Works in one of these industries.
    pub industry: Vec<entity::Industry>,
    /// Is of one of these sizes.
    pub size: Vec<entity::CompanySize>,
    /// Is based in one of these countries.
    pub countries: Vec<String>,
}

impl Criteria {
    /// The SQL condition.
    pub fn condition(&self) -> sea_orm::Condition {
        let mut condition = sea_orm::Condition::all();
        if !self.industry.is_empty() {
            condition =
                condition.add(employer::Column::Industry.is_in(self.industry.iter().copied()));
        }
        if !self.size.is_empty() {
            condition = condition.add(employer::Column::Size.is_in(self.size.iter().copied()));
        }
        if !self.countries.is_empty() {
            condition =
                condition.add(employer::Column::CountryCode.is_in(self.countries.iter().cloned()));
        }
        condition
    }
}

/// The order of an employer's vacancies.
pub fn vacancies_sort() -> Sort {
    recency_sort("employer.vacancies")
}

/// The same page of vacancies for each of `employers`, in one statement.
pub async fn vacancy_pages(
    db: &impl ConnectionTrait,
    employers: &[i64],
    page: &Page,
) -> ApiResult<ChildPages<vacancy::Model>> {
    let parent = Expr::col((vacancy::Entity, vacancy::Column::EmployerId));
    child_pages(
        db,
        vacancy::Entity::find().into_query(),
        parent,
        employers,
        page,
        |row| vacancy::Model::from_query_result(row, ""),
    )
    .await
}
