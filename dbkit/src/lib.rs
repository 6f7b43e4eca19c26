//! The data-access layer of talent-api: what the stores share, in SQL, below GraphQL. Nothing here
//! knows GraphQL or a domain (the entities implement [`batch::Keyed`], [`batch::LinkRow`] and
//! [`columns::FieldColumns`] for themselves); being a crate of its own lets the compiler hold that
//! line.
//!
//! - [`keyset`]: keyset pagination (sorts, cursors, pages), and one page for many parents.
//! - [`batch`]: rows fetched together, whose relations load once for all of them.
//! - [`columns`]: columns left out of a statement when no selected field reads them.
//! - [`search`]: full-text search over an index a migration keeps (FTS5, `tsvector`).
//! - [`violation`]: which unique key a failed write broke, as the database reports it.
//! - [`write`]: versioned (compare-and-set) updates and deletes, typed by the entity's `ActiveModel`.

pub mod batch;
pub mod columns;
pub mod keyset;
pub mod search;
pub mod violation;
pub mod write;
