//! The batching loader behind every nested field.
//!
//! One struct holds the database handle; each domain module implements `Loader<K>` on it for its own
//! key types, so a nested list costs one statement per level of the query, whatever its length.

use std::{collections::HashMap, hash::Hash};

use sea_orm::DatabaseConnection;

/// Loads related rows for many parents at once.
pub struct DbLoader {
    db: DatabaseConnection,
}

impl DbLoader {
    /// A loader reading from `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The database the loader reads from.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }
}

/// Groups `(key, value)` pairs by key, keeping their order within a group: how a loader answers
/// many parents from one ordered query.
pub fn group_by<K: Hash + Eq, V>(pairs: impl IntoIterator<Item = (K, V)>) -> HashMap<K, Vec<V>> {
    let mut groups: HashMap<K, Vec<V>> = HashMap::new();
    for (key, value) in pairs {
        groups.entry(key).or_default().push(value);
    }
    groups
}

/// Declares `$key(pub i64)`, a loader key for the rows of `$entity` with those primary keys.
macro_rules! by_id_loader {
    ($(#[$doc:meta])* $key:ident, $entity:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl async_graphql::dataloader::Loader<$key> for $crate::graphql::DbLoader {
            type Value = entity::$entity::Model;
            type Error = $crate::error::ApiError;

            async fn load(
                &self,
                keys: &[$key],
            ) -> $crate::error::ApiResult<std::collections::HashMap<$key, Self::Value>> {
                use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
                let rows = entity::$entity::Entity::find()
                    .filter(entity::$entity::Column::Id.is_in(keys.iter().map(|key| key.0)))
                    .all(self.db())
                    .await?;
                Ok(rows.into_iter().map(|row| ($key(row.id), row)).collect())
            }
        }
    };
}
pub(crate) use by_id_loader;
