//! Global object identification (Relay): the `Node` interface, `node(id:)` and `nodes(ids:)`.

use std::collections::HashMap;

use async_graphql::{Context, ID, Interface, Object, Result};
use dbkit::{
    batch::{ByKey, Keyed, find_by_ids},
    columns::PartialRow,
    keyset::group_by,
};
use sea_orm::{DatabaseConnection, EntityTrait};
use toolkit::{db, id::decode_any_id};

use crate::{
    auth::{ApiToken, Viewer, policy::Drafts, viewer},
    developer::Developer,
    employer::Employer,
    error::{ApiError, ApiResult},
    ids::NodeKind,
    skill::Skill,
    vacancy::Vacancy,
};

/// Most IDs one `nodes` call may ask for.
pub const MAX_NODES: usize = 100;

/// An object with a global ID: any of them can be fetched again with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global ID."))]
pub enum Node {
    /// An API token (admins, and the token's own bearer, see it).
    ApiToken(ApiToken),
    /// A developer.
    Developer(Developer),
    /// An employer.
    Employer(Employer),
    /// A skill.
    Skill(Skill),
    /// A vacancy.
    Vacancy(Vacancy),
}

/// The rows of one type among the requested IDs, fetched in one statement, in one batch.
async fn fetch<E>(db: &DatabaseConnection, keys: &[i64]) -> ApiResult<ByKey<E::Model>>
where
    E: EntityTrait,
    E::Model: PartialRow<E> + Keyed + Send + Sync + 'static,
{
    if keys.is_empty() {
        return Ok(ByKey::new(Vec::new()));
    }
    Ok(ByKey::new(
        find_by_ids::<E>(db, keys.iter().copied()).await?,
    ))
}

/// The objects with the global IDs `(kind, key)` that `viewer` may see, in the same order: one
/// statement per type. What the viewer may not see is null, as if it did not exist.
async fn load(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ids: &[(NodeKind, i64)],
) -> ApiResult<Vec<Option<Node>>> {
    let by_kind: HashMap<NodeKind, Vec<i64>> = group_by(ids.iter().copied());
    let keys = |kind| by_kind.get(&kind).map(Vec::as_slice).unwrap_or_default();
    let developers = fetch::<entity::developer::Entity>(db, keys(NodeKind::Developer)).await?;
    let employers = fetch::<entity::employer::Entity>(db, keys(NodeKind::Employer)).await?;
    let skills = fetch::<entity::skill::Entity>(db, keys(NodeKind::Skill)).await?;
    let vacancies = fetch::<entity::vacancy::Entity>(db, keys(NodeKind::Vacancy)).await?;
    let tokens = fetch::<entity::api_token::Entity>(db, keys(NodeKind::ApiToken)).await?;
    let drafts = Drafts::of(viewer);
    Ok(ids
        .iter()
        .map(|&(kind, key)| match kind {
            NodeKind::Developer => developers
                .get(key)
                .map(|item| Node::Developer(Developer(item))),
            NodeKind::Employer => employers
                .get(key)
                .map(|item| Node::Employer(Employer(item))),
            NodeKind::Skill => skills.get(key).map(|item| Node::Skill(Skill(item))),
            NodeKind::Vacancy => vacancies
                .get(key)
                .filter(|item| drafts.shows(item))
                .map(|item| Node::Vacancy(Vacancy(item))),
            NodeKind::ApiToken => tokens
                .get(key)
                .filter(|item| crate::auth::policy::token(viewer, item.id))
                .map(|item| Node::ApiToken(ApiToken(item))),
        })
        .collect())
}

/// Part of the root `Query` type, documented on its `#[Object]` impl.
#[derive(Default)]
pub struct NodeQuery;

/// The `node` and `nodes` fields of the query root.
#[Object]
impl NodeQuery {
    /// The object with this global ID, of any type; null if there is none. A malformed ID is a
    /// `BAD_USER_INPUT` error.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global ID.")] id: ID,
    ) -> Result<Option<Node>> {
        let key = decode_any_id(&id, &["id"])?;
        Ok(load(db(ctx)?, viewer(ctx), &[key]).await?.pop().flatten())
    }

    /// The objects with these global IDs, in the same order, null where there is none. At most 100
    /// IDs; a malformed one is a `BAD_USER_INPUT` error naming its position.
    #[graphql(complexity = "ids.len().max(1) * child_complexity")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global IDs, at most 100.")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(ApiError::bad_input(
                ["ids"],
                format!("at most {MAX_NODES} IDs per request, got {}", ids.len()),
            )
            .into());
        }
        let keys = ids
            .iter()
            .enumerate()
            .map(|(i, id)| decode_any_id(id, &["ids", &i.to_string()]))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(load(db(ctx)?, viewer(ctx), &keys).await?)
    }
}
