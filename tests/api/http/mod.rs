//! The HTTP and WebSocket surface: endpoints, limits, hostile input, connections, subscriptions
//! and running the server.

mod caching;
mod compression;
mod connections;
mod endpoints;
mod hostile;
mod limits;
mod operations;
mod persisted;
pub(crate) mod subscriptions;
