//! The GraphQL toolkit of talent-api: the parts of a GraphQL server that know no domain. The server
//! crate builds its schema and its domains on it; nothing here imports them, and being a crate of
//! its own lets the compiler hold that line. The SQL underneath (keyset pages, batch loading,
//! search) is in `dbkit`, which knows no GraphQL.
//!
//! - [`error`]: the one error type and the catalog of stable codes (`extensions.code`).
//! - [`connection`]: Relay connections over `dbkit` keyset pages, root and nested.
//! - [`id`]: opaque global IDs, for whatever kinds of node the server names.
//! - [`validation`]: typed user errors, the validator that collects them, mutation payloads.
//! - [`values`]: input values with rules (`Slug`, `Handle`, `Email`, `HttpUrl`), each rule once.
//! - [`filter`]: checks of filter arguments (ISO codes from [`iso`], levels).
//! - [`scalars`]: `DateTime`, `OrderDirection` and the audit fields every record has.
//! - [`lookahead`]: which columns a selection leaves unread.
//! - [`limits`]: size, token, alias, directive, depth and cost limits, and the subscription cap.
//! - [`operation`]: request errors found before execution (operation name, missing variables).
//! - [`text`]: the NUL check on variables and arguments.
//! - [`documents`]: the cache of parsed documents.
//! - [`persisted`]: automatic persisted queries and trusted documents.

pub mod connection;
pub mod documents;
pub mod error;
pub mod filter;
pub mod id;
pub mod iso;
pub mod limits;
pub mod lookahead;
pub mod operation;
pub mod persisted;
pub mod scalars;
pub mod text;
pub mod validation;
pub mod values;

use async_graphql::Context;
use sea_orm::DatabaseConnection;

use crate::error::{ApiError, ApiResult};

/// The database connection a resolver runs its statements on: the read replica the HTTP layer
/// chose for the request ([`ReadFrom`]) when there is one, else the schema's (the primary).
/// Mutations and subscriptions are never given a replica: what a mutation reads and writes, and
/// what an event announces, is on the primary first.
pub fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a DatabaseConnection> {
    if let Some(ReadFrom(replica)) = ctx.data_opt::<ReadFrom>() {
        return Ok(replica);
    }
    ctx.data::<DatabaseConnection>()
        .map_err(|_| ApiError::internal("the schema was built without a database"))
}

/// Request data: the read replica this request's queries run on (see [`db`]).
#[derive(Clone, Debug)]
pub struct ReadFrom(pub DatabaseConnection);

/// `future`, in a box of its own: for the resolvers that run queries on the object types lists
/// return. async-graphql resolves every field of an object through one future type, as large as
/// the largest field's, and moves it into a new box for each field it resolves: with a query's
/// future inline, each `slug` or `name` of a skill moved and allocated 6.5 KB (a list of 50
/// vacancies with their skills resolves about 1,100 such fields). Boxed, the query's future is
/// allocated only when its field is asked for.
pub fn boxed<F: Future>(future: F) -> std::pin::Pin<Box<F>> {
    Box::pin(future)
}
