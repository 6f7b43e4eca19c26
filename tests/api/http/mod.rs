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
mod response_cache;
mod resume;
pub(crate) mod subscriptions;
