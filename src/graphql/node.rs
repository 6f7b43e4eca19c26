//! Global object identification (Relay): the `Node` interface, `node(id:)` and `nodes(ids:)`.

use async_graphql::{Context, ID, Interface, Object, Result};

use crate::{
    developer::{Developer, store::DeveloperById},
    employer::{Employer, store::EmployerById},
    error::ApiError,
    graphql::{NodeKind, decode_any_id, loader},
    skill::{Skill, store::SkillById},
    vacancy::{Vacancy, store::VacancyById},
};

/// Most IDs one `nodes` call may ask for.
pub const MAX_NODES: usize = 100;

/// An object with a global ID: any of them can be fetched again with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global ID."))]
pub enum Node {
    /// A developer.
    Developer(Developer),
    /// An employer.
    Employer(Employer),
    /// A skill.
    Skill(Skill),
    /// A vacancy.
    Vacancy(Vacancy),
}

/// The object with global ID `(kind, key)`, if it exists.
async fn load(ctx: &Context<'_>, kind: NodeKind, key: i64) -> Result<Option<Node>> {
    let loader = loader(ctx)?;
    Ok(match kind {
        NodeKind::Developer => loader
            .load_one(DeveloperById(key))
            .await?
            .map(|m| Node::Developer(Developer(m))),
        NodeKind::Employer => loader
            .load_one(EmployerById(key))
            .await?
            .map(|m| Node::Employer(Employer(m))),
        NodeKind::Skill => loader
            .load_one(SkillById(key))
            .await?
            .map(|m| Node::Skill(Skill(m))),
        NodeKind::Vacancy => loader
            .load_one(VacancyById(key))
            .await?
            .map(|m| Node::Vacancy(Vacancy(m))),
    })
}

/// The `node` and `nodes` fields of the query root.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global ID, of any type; null if there is none. A malformed ID is a
    /// `BAD_USER_INPUT` error.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global ID.")] id: ID,
    ) -> Result<Option<Node>> {
        let (kind, key) = decode_any_id(&id, &["id"])?;
        load(ctx, kind, key).await
    }

    /// The objects with these global IDs, in the same order, null where there is none. At most 100
    /// IDs; a malformed one is a `BAD_USER_INPUT` error naming its position.
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
        // Run the loads together so the loader batches them into one statement per type.
        futures_util::future::try_join_all(keys.into_iter().map(|(kind, key)| load(ctx, kind, key)))
            .await
    }
}
