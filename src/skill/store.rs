//! Data access for skills.

use entity::{developer, developer_skill, skill, vacancy, vacancy_skill};
use sea_orm::{
    ConnectionTrait, FromQueryResult, JoinType, Order, QuerySelect, QueryTrait,
    prelude::*,
    sea_query::{Expr, SelectStatement},
};

use crate::{
    error::ApiResult,
    graphql::connection::{ChildPages, KeyKind, Page, Sort, SortKey, child_pages},
};

/// The skill with `slug`, if any.
pub async fn find_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> ApiResult<Option<skill::Model>> {
    Ok(skill::Entity::find()
        .filter(skill::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// The orders skills can be listed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkillSort {
    /// By name.
    Name,
    /// By how many developers have the skill.
    DeveloperCount,
}

/// The keyset sort for `field` in `order`, ties by id.
pub fn sort(field: SkillSort, order: Order) -> Sort {
    let key = match field {
        SkillSort::Name => SortKey::new(
            Expr::col((skill::Entity, skill::Column::Name)),
            KeyKind::Text,
            order.clone(),
        ),
        SkillSort::DeveloperCount => SortKey::new(
            Expr::cust(
                "(SELECT COUNT(*) FROM developer_skills WHERE developer_skills.skill_id = skills.id)",
            ),
            KeyKind::Int,
            order.clone(),
        ),
    };
    let direction = if matches!(order, Order::Desc) {
        "DESC"
    } else {
        "ASC"
    };
    Sort::with_id(
        format!("skills:{field:?}:{direction}"),
        key,
        Expr::col((skill::Entity, skill::Column::Id)),
    )
}

/// The order of a skill's developers: highest level first, then by name.
pub fn developers_sort() -> Sort {
    Sort::new(
        "skill.developers",
        vec![
            SortKey::new(
                Expr::col((developer_skill::Entity, developer_skill::Column::Level)),
                KeyKind::Int,
                Order::Desc,
            ),
            SortKey::new(
                Expr::col((developer::Entity, developer::Column::Name)),
                KeyKind::Text,
                Order::Asc,
            ),
            SortKey::new(
                Expr::col((developer::Entity, developer::Column::Id)),
                KeyKind::Int,
                Order::Asc,
            ),
        ],
    )
}

fn developers_with_skill() -> SelectStatement {
    developer::Entity::find()
        .join(
            JoinType::InnerJoin,
            developer::Entity::belongs_to(developer_skill::Entity)
                .from(developer::Column::Id)
                .to(developer_skill::Column::DeveloperId)
                .into(),
        )
        .into_query()
}

/// The same page of developers for each of `skills`, in one statement.
pub async fn developer_pages(
    db: &impl ConnectionTrait,
    skills: &[i64],
    page: &Page,
) -> ApiResult<ChildPages<developer::Model>> {
    let parent = Expr::col((developer_skill::Entity, developer_skill::Column::SkillId));
    child_pages(db, developers_with_skill(), parent, skills, page, |row| {
        developer::Model::from_query_result(row, "")
    })
    .await
}

fn vacancies_with_skill() -> SelectStatement {
    vacancy::Entity::find()
        .join(
            JoinType::InnerJoin,
            vacancy::Entity::belongs_to(vacancy_skill::Entity)
                .from(vacancy::Column::Id)
                .to(vacancy_skill::Column::VacancyId)
                .into(),
        )
        .into_query()
}

/// The same page of vacancies for each of `skills`, in one statement.
pub async fn vacancy_pages(
    db: &impl ConnectionTrait,
    skills: &[i64],
    page: &Page,
) -> ApiResult<ChildPages<vacancy::Model>> {
    let parent = Expr::col((vacancy_skill::Entity, vacancy_skill::Column::SkillId));
    child_pages(db, vacancies_with_skill(), parent, skills, page, |row| {
        vacancy::Model::from_query_result(row, "")
    })
    .await
}
