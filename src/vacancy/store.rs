//! Data access for vacancies.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{skill, vacancy, vacancy_skill};
use sea_orm::{ConnectionTrait, Order, QueryOrder, prelude::*, sea_query::NullOrdering};

use crate::{
    error::{ApiError, ApiResult},
    graphql::{DbLoader, by_id_loader, group_by},
};

by_id_loader!(
    /// Key: the vacancy with id `.0`.
    VacancyById,
    vacancy
);

/// Orders vacancies most recently published first, drafts (never published) last, ties by id.
pub fn order_by_recency<Q: QueryOrder>(query: Q) -> Q {
    query
        .order_by_with_nulls(
            vacancy::Column::PublishedAt,
            Order::Desc,
            NullOrdering::Last,
        )
        .order_by_desc(vacancy::Column::Id)
}

/// The vacancy with primary key `id`, if any.
pub async fn find_by_id(db: &impl ConnectionTrait, id: i64) -> ApiResult<Option<vacancy::Model>> {
    Ok(vacancy::Entity::find_by_id(id).one(db).await?)
}

/// Every vacancy, most recently published first.
pub async fn list(db: &impl ConnectionTrait) -> ApiResult<Vec<vacancy::Model>> {
    Ok(order_by_recency(vacancy::Entity::find()).all(db).await?)
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
