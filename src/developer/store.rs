//! Data access for developers.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{developer, developer_skill, skill};
use sea_orm::{ConnectionTrait, QueryOrder, prelude::*};

use crate::{
    error::{ApiError, ApiResult},
    graphql::{DbLoader, by_id_loader, group_by},
};

by_id_loader!(
    /// Key: the developer with id `.0`.
    DeveloperById,
    developer
);

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

/// Every developer, by name.
pub async fn list(db: &impl ConnectionTrait) -> ApiResult<Vec<developer::Model>> {
    Ok(developer::Entity::find()
        .order_by_asc(developer::Column::Name)
        .order_by_asc(developer::Column::Id)
        .all(db)
        .await?)
}

/// Key: the skills of developer `.0`, with the link rows that carry level and years.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SkillsOfDeveloper(pub i64);

impl Loader<SkillsOfDeveloper> for DbLoader {
    type Value = Vec<(developer_skill::Model, skill::Model)>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[SkillsOfDeveloper],
    ) -> ApiResult<HashMap<SkillsOfDeveloper, Self::Value>> {
        let rows = developer_skill::Entity::find()
            .filter(developer_skill::Column::DeveloperId.is_in(keys.iter().map(|key| key.0)))
            .find_also_related(skill::Entity)
            .order_by_desc(developer_skill::Column::Level)
            .order_by_asc(skill::Column::Name)
            .order_by_asc(skill::Column::Id)
            .all(self.db())
            .await?;
        Ok(group_by(rows.into_iter().filter_map(|(link, skill)| {
            Some((SkillsOfDeveloper(link.developer_id), (link, skill?)))
        })))
    }
}
