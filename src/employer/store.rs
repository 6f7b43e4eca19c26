//! Data access for employers.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{employer, vacancy};
use sea_orm::{ConnectionTrait, QueryOrder, prelude::*};

use crate::{
    error::{ApiError, ApiResult},
    graphql::{DbLoader, by_id_loader, group_by},
    vacancy::store::order_by_recency,
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

/// Every employer, by name.
pub async fn list(db: &impl ConnectionTrait) -> ApiResult<Vec<employer::Model>> {
    Ok(employer::Entity::find()
        .order_by_asc(employer::Column::Name)
        .order_by_asc(employer::Column::Id)
        .all(db)
        .await?)
}

by_id_loader!(
    /// Key: the employer with id `.0`.
    EmployerById,
    employer
);

/// Key: the vacancies of employer `.0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VacanciesOfEmployer(pub i64);

impl Loader<VacanciesOfEmployer> for DbLoader {
    type Value = Vec<vacancy::Model>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[VacanciesOfEmployer],
    ) -> ApiResult<HashMap<VacanciesOfEmployer, Self::Value>> {
        let query = vacancy::Entity::find()
            .filter(vacancy::Column::EmployerId.is_in(keys.iter().map(|key| key.0)));
        let rows = order_by_recency(query).all(self.db()).await?;
        Ok(group_by(
            rows.into_iter()
                .map(|row| (VacanciesOfEmployer(row.employer_id), row)),
        ))
    }
}
