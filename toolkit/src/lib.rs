//! The GraphQL toolkit of talent-api: the parts of a GraphQL server that know no domain. The server
//! crate builds its schema and its domains on it; nothing here imports them, and being a crate of
//! its own lets the compiler hold that line.
//!
//! - [`error`]: the one error type and the catalog of stable codes (`extensions.code`).
//! - [`keyset`]: keyset pagination in SQL (sorts, cursors, pages), which the stores use too: no
//!   GraphQL in it.
//! - [`id`]: opaque global IDs, for whatever kinds of node the server names.
//! - [`limits`]: size, token, alias, directive, depth and cost limits, and the subscription cap.
//! - [`operation`]: request errors found before execution (operation name, missing variables).
//! - [`search`]: full-text search over an index a migration keeps (FTS5, `tsvector`), in SQL.
//! - [`text`]: the NUL check on variables and arguments.
//! - [`documents`]: the cache of parsed documents.
//! - [`violation`]: which unique key a failed write broke, as the database reports it.

pub mod documents;
pub mod error;
pub mod id;
pub mod keyset;
pub mod limits;
pub mod operation;
pub mod search;
pub mod text;
pub mod violation;
