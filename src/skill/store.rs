//! Data access for skills.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{developer, developer_skill, skill, vacancy, vacancy_skill};
use sea_orm::{ConnectionTrait, QueryOrder, prelude::*};

use crate::{
    error::{ApiError, ApiResult},
    graphql::{DbLoader, by_id_loader, group_by},
    vacancy::store::order_by_recency,
};

by_id_loader!(
    /// Key: the skill with id `.0`.
    SkillById,
    skill
);

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

/// Every skill, by name.
pub async fn list(db: &impl ConnectionTrait) -> ApiResult<Vec<skill::Model>> {
    Ok(skill::Entity::find()
        .order_by_asc(skill::Column::Name)
        .order_by_asc(skill::Column::Id)
        .all(db)
        .await?)
}

/// Key: the developers who have skill `.0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DevelopersWithSkill(pub i64);

impl Loader<DevelopersWithSkill> for DbLoader {
    type Value = Vec<developer::Model>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[DevelopersWithSkill],
    ) -> ApiResult<HashMap<DevelopersWithSkill, Self::Value>> {
        let rows = developer_skill::Entity::find()
            .filter(developer_skill::Column::SkillId.is_in(keys.iter().map(|key| key.0)))
            .find_also_related(developer::Entity)
            .order_by_desc(developer_skill::Column::Level)
            .order_by_asc(developer::Column::Name)
            .order_by_asc(developer::Column::Id)
            .all(self.db())
            .await?;
        Ok(group_by(rows.into_iter().filter_map(
            |(link, developer)| Some((DevelopersWithSkill(link.skill_id), developer?)),
        )))
    }
}

/// Key: the vacancies that ask for skill `.0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VacanciesWithSkill(pub i64);

impl Loader<VacanciesWithSkill> for DbLoader {
    type Value = Vec<vacancy::Model>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[VacanciesWithSkill],
    ) -> ApiResult<HashMap<VacanciesWithSkill, Self::Value>> {
        let query = vacancy_skill::Entity::find()
            .filter(vacancy_skill::Column::SkillId.is_in(keys.iter().map(|key| key.0)))
            .find_also_related(vacancy::Entity);
        let rows = order_by_recency(query).all(self.db()).await?;
        Ok(group_by(rows.into_iter().filter_map(|(link, vacancy)| {
            Some((VacanciesWithSkill(link.skill_id), vacancy?))
        })))
    }
}
