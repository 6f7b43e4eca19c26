//! talent-api: a GraphQL API for a directory of back-end developer talent.
//!
//! - [`cli`]: the command tree; [`config`]: the server configuration, in sections;
//! - [`startup`]: builds the [`startup::Application`] that `main` and the tests run;
//! - [`schema`]: the schema root (the roots, the `Node` interface), built from a database handle;
//!   [`http`] mounts it on axum;
//! - [`ids`]: the kinds of node global IDs name;
//! - the workspace crates below: `toolkit` (GraphQL without a domain: connections, IDs, user
//!   errors, limits), `dbkit` (SQL without GraphQL: keyset pages, batch loading, search), `entity`;
//! - one module per domain ([`developer`], [`employer`], [`skill`], [`vacancy`]) with its GraphQL
//!   types, resolvers and data access;
//! - [`demo`]: the deterministic demo dataset.

pub mod auth;
pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod demo;
pub mod developer;
pub mod employer;
pub mod error;
pub mod events;
pub mod geo;
pub mod http;
pub mod ids;
pub mod matching;
pub mod replicas;
pub mod salary;
pub mod schema;
pub mod skill;
pub mod startup;
pub mod vacancy;
