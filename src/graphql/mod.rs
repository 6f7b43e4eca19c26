//! The GraphQL schema, built in one place from a database handle. The HTTP layer only mounts it.

mod common;
pub mod connection;
mod id;
mod loader;
mod node;

use async_graphql::{
    Context, EmptyMutation, EmptySubscription, MergedObject, SDLExportOptions, Schema,
    SchemaBuilder, dataloader::DataLoader,
};
use sea_orm::DatabaseConnection;

pub use common::{OrderDirection, Seniority, Workplace};
pub use id::{Lookup, NodeKind, decode_any_id, decode_id, encode_id, lookup};
pub(crate) use loader::by_id_loader;
pub use loader::{DbLoader, group_by};
pub use node::{Node, NodeQuery};

use crate::{
    developer::DeveloperQuery,
    employer::EmployerQuery,
    error::{ApiError, ApiResult},
    skill::SkillQuery,
    vacancy::VacancyQuery,
};

/// The query root: each domain contributes its part.
#[derive(MergedObject, Default)]
pub struct Query(
    NodeQuery,
    DeveloperQuery,
    EmployerQuery,
    SkillQuery,
    VacancyQuery,
);

/// The executable schema of talent-api.
pub type AppSchema = Schema<Query, EmptyMutation, EmptySubscription>;

fn builder() -> SchemaBuilder<Query, EmptyMutation, EmptySubscription> {
    Schema::build(Query::default(), EmptyMutation, EmptySubscription)
}

/// The schema, answering from `db`.
pub fn build_schema(db: DatabaseConnection) -> AppSchema {
    builder()
        .data(DataLoader::new(DbLoader::new(db.clone()), tokio::spawn))
        .data(db)
        .finish()
}

/// The schema as SDL, types, fields, arguments and enum values sorted, as `schema.graphql` holds it.
pub fn sdl() -> String {
    builder().finish().sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items(),
    )
}

/// The database connection of the schema.
pub(crate) fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>().map_err(|_| {
        ApiError::Internal(std::sync::Arc::new(anyhow::anyhow!(
            "schema built without a database"
        )))
    })
}

/// The batching loader of the schema.
pub(crate) fn loader<'a>(ctx: &Context<'a>) -> ApiResult<&'a DataLoader<DbLoader>> {
    ctx.data::<DataLoader<DbLoader>>().map_err(|_| {
        ApiError::Internal(std::sync::Arc::new(anyhow::anyhow!(
            "schema built without a loader"
        )))
    })
}
