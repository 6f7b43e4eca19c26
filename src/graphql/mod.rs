//! The GraphQL parts the domains share: global IDs and the `Node` interface, batched loading,
//! Relay connections, the long columns lists leave out, filter and search helpers, user errors and
//! input validation, and the common enums and scalars. The schema root is assembled in
//! [`crate::schema`].
//!
//! The object types (`Developer`, `Vacancy`, `Skill`, `Employer`, their links and matches) are
//! declared `serial`: each object resolves its fields one after another rather than through a
//! `FuturesUnordered` of its own (one task allocation and several atomics per field). Lists still
//! resolve their items concurrently, so a relation asked on every item of a page is still loaded
//! once for all of them (see [`batch`]); what `serial` gives up is running two different relations
//! of one object at the same time, which on a pool shared by concurrent requests buys little
//! (docs/decisions/0001-serial-objects.md).

pub mod batch;
pub mod columns;
mod common;
pub mod connection;
pub mod filter;
mod id;
pub mod mutation;
mod node;

use async_graphql::Context;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, Iterable,
    PrimaryKeyToColumn, QueryFilter, QueryTrait,
};

pub use common::{Audit, OrderDirection, Timestamp};
pub use id::{Lookup, NodeKind, lookup};
pub use node::{Node, NodeQuery};
pub use toolkit::id::{decode_any_id, decode_id, encode_id};

use crate::{
    error::{ApiError, ApiResult},
    graphql::columns::Unread,
};

/// The database connection of the schema.
pub(crate) fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
        .map_err(|_| ApiError::internal("the schema was built without a database"))
}

/// `future`, in a box of its own: for the resolvers that run queries on the object types lists
/// return. async-graphql resolves every field of an object through one future type, as large as
/// the largest field's, and moves it into a new box for each field it resolves: with a query's
/// future inline, each `slug` or `name` of a skill moved and allocated 6.5 KB (a list of 50
/// vacancies with their skills resolves about 1,100 such fields). Boxed, the query's future is
/// allocated only when its field is asked for.
pub(crate) fn boxed<F: Future>(future: F) -> std::pin::Pin<Box<F>> {
    Box::pin(future)
}

/// The rows of `E` with these primary keys, in no particular order.
pub async fn find_by_ids<E: EntityTrait>(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> ApiResult<Vec<E::Model>> {
    find_by_ids_without(db, ids, &Unread::<E>::none()).await
}

/// The rows of `E` with these primary keys, in no particular order, with a placeholder for each
/// `unread` column.
pub async fn find_by_ids_without<E: EntityTrait>(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
    unread: &Unread<E>,
) -> ApiResult<Vec<E::Model>> {
    let Some(key) = E::PrimaryKey::iter().next() else {
        return Ok(Vec::new());
    };
    let backend = db.get_database_backend();
    let mut select = E::find().filter(key.into_column().is_in(ids)).into_query();
    unread.apply(&mut select, backend);
    Ok(E::Model::find_by_statement(backend.build(&select))
        .all(db)
        .await?)
}
