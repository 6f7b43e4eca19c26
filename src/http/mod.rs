//! The HTTP surface: GraphQL over GET and POST, the playground, health, readiness and metrics.
//!
//! Every GraphQL request is read within limits, authenticated and rate limited here, before the
//! schema runs (see [`graphql`]). Every request gets an id, one log line and its metrics
//! ([`observe`]); a panic anywhere becomes a 500 with a generic body, and the server keeps serving.

mod graphql;
mod jobs;
mod negotiate;
pub mod observe;
mod playground;
pub mod rate_limit;
mod response_cache;
pub mod serve;
mod ws;

use std::{any::Any, net::SocketAddr, sync::Arc, time::Duration};

use async_graphql_axum::GraphQLProtocol;
use axum::{
    Json, Router,
    extract::{ConnectInfo, FromRequestParts, Query, Request, State, ws::WebSocketUpgrade},
    http::{HeaderValue, Method, StatusCode, header},
    middleware,
    response::{IntoResponse, Response},
    routing::get,
};
use sea_orm::{DatabaseBackend, DatabaseConnection};
use serde_json::json;
use tokio::sync::Semaphore;
use tower_http::{
    catch_panic::CatchPanicLayer,
    cors::{AllowOrigin, CorsLayer},
};

use crate::{
    config::{Http, Limits, ServerConfig},
    error::ErrorCode,
    schema::Api,
};

/// The path of the GraphQL endpoint.
pub const GRAPHQL_PATH: &str = "/graphql";

/// Whether the server is stopping: set on SIGTERM/SIGINT, before the drain time (`--drain-ms`).
/// `/ready` then answers 503, and WebSockets are closed with 1012 (service restart) so that their
/// clients reconnect, through the balancer, to an instance that stays. It also counts the open
/// WebSockets, so the server closes its database pool only once they are gone: a subscription
/// still starting must not fail on a closed pool and send its client an error instead of 1012.
#[derive(Clone, Debug)]
pub struct Draining {
    on: Arc<tokio::sync::watch::Sender<bool>>,
    sockets: Arc<tokio::sync::watch::Sender<usize>>,
}

impl Default for Draining {
    fn default() -> Self {
        Self {
            on: Arc::new(tokio::sync::watch::channel(false).0),
            sockets: Arc::new(tokio::sync::watch::channel(0).0),
        }
    }
}

/// Held by an open WebSocket: counted by [`Draining::sockets_closed`].
pub(crate) struct OpenSocket(Arc<tokio::sync::watch::Sender<usize>>);

impl Drop for OpenSocket {
    fn drop(&mut self) {
        self.0.send_modify(|open| *open = open.saturating_sub(1));
    }
}

impl Draining {
    /// From now on the server is stopping.
    pub fn start(&self) {
        self.on.send_replace(true);
    }

    fn is_on(&self) -> bool {
        *self.on.borrow()
    }

    /// Completes once the server is stopping.
    async fn started(&self) {
        let mut stopping = self.on.subscribe();
        if stopping.wait_for(|on| *on).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Counts a WebSocket as open until the guard is dropped.
    pub(crate) fn socket_opened(&self) -> OpenSocket {
        self.sockets.send_modify(|open| *open += 1);
        OpenSocket(Arc::clone(&self.sockets))
    }

    /// Completes once no WebSocket is open.
    pub async fn sockets_closed(&self) {
        let mut open = self.sockets.subscribe();
        // The sender lives in `self`: the channel cannot close while this waits.
        open.wait_for(|open| *open == 0).await.ok();
    }
}

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    schema: Api,
    db: DatabaseConnection,
    /// The read replicas queries run on, when any are configured.
    reads: Option<Arc<crate::replicas::Reads>>,
    draining: Draining,
    limits: Arc<Limits>,
    http: Arc<Http>,
    rate_limiter: Option<Arc<rate_limit::RateLimiter>>,
    responses: Option<Arc<response_cache::ResponseCache>>,
    slots: RequestSlots,
    sockets: crate::auth::live::LiveSockets,
    metrics: Arc<observe::Metrics>,
}

/// The GraphQL requests served at once: in all, and per client address.
#[derive(Clone)]
struct RequestSlots {
    all: Arc<Semaphore>,
    per_address: serve::PerAddress,
    address_cap: usize,
}

impl RequestSlots {
    /// A slot for a request from `address`, held until dropped; None when the server or that
    /// address is at its cap.
    fn take(
        &self,
        address: std::net::IpAddr,
    ) -> Option<(tokio::sync::OwnedSemaphorePermit, serve::Counted)> {
        let mine = self.per_address.take(address, self.address_cap)?;
        let any = Arc::clone(&self.all).try_acquire_owned().ok()?;
        Some((any, mine))
    }
}

/// The router of the server: `/graphql` (POST, and GET for queries), `/` (GraphiQL, unless turned
/// off), `/health`, `/ready` and `/metrics`.
pub fn router(
    schema: Api,
    db: DatabaseConnection,
    reads: Option<Arc<crate::replicas::Reads>>,
    statements: &crate::db::StatementCounter,
    draining: Draining,
    config: &ServerConfig,
) -> Router {
    let limits = &config.limits;
    let sockets = crate::auth::live::LiveSockets::default();
    sockets.watch(db.clone());
    let responses = response_cache::ResponseCache::new(
        config.http.response_cache_bytes,
        Arc::clone(schema.events().freshness()),
    )
    .map(Arc::new);
    let rate_limiter = rate_limiter(limits, &db);
    let state = AppState {
        sockets,
        responses,
        schema,
        db,
        reads,
        draining,
        limits: Arc::new(limits.clone()),
        http: Arc::new(config.http.clone()),
        rate_limiter,
        slots: RequestSlots {
            all: Arc::new(Semaphore::new(config.http.max_concurrent_requests.max(1))),
            per_address: serve::PerAddress::default(),
            address_cap: config.http.max_concurrent_requests_per_address.max(1),
        },
        metrics: Arc::new(observe::Metrics::new(statements)),
    };
    let mut router = Router::new()
        .route(GRAPHQL_PATH, get(get_or_upgrade).post(graphql::post))
        .route("/graphql/ws", get(ws::upgrade))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
        .route("/schema.graphql", get(schema_sdl))
        .route("/jobs/sitemap.xml", get(jobs::sitemap))
        .route("/jobs/{key}", get(jobs::page));
    if config.http.playground() {
        router = router
            .route("/", get(playground::page))
            .route("/graphiql", get(playground::page))
            .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
            .route("/playground/{file}", get(playground::asset));
    }
    #[cfg(debug_assertions)]
    if config.test_routes {
        router = router
            .route("/__test/panic", get(test_routes::panic))
            .route("/__test/sleep", get(test_routes::sleep));
    }
    let mut router = router
        .layer(CatchPanicLayer::custom(panicked))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            observe::observe,
        ))
        .with_state(state);
    if let Some(compression) = compression(config.http.compress_min_bytes) {
        router = router
            .layer(compression)
            .layer(middleware::from_fn(negotiate::tag_encoding));
    }
    if let Some(cors) = cors(&config.http.cors_origins, &config.http.cors_allow_headers) {
        router = router.layer(cors);
    }
    router
}

/// The rate limiter `limits` ask for, if any: on PostgreSQL its buckets are in the database,
/// shared with the other instances, unless the limits say `memory`; a task sweeps the buckets
/// that are full again out of the table every minute.
fn rate_limiter(limits: &Limits, db: &DatabaseConnection) -> Option<Arc<rate_limit::RateLimiter>> {
    let limiter =
        rate_limit::RateLimiter::new(limits.rate_limit_per_second, limits.rate_limit_burst)?;
    let shared = db.get_database_backend() == DatabaseBackend::Postgres
        && limits.rate_limit_store != Some(crate::config::RateLimitStore::Memory);
    if !shared {
        return Some(Arc::new(limiter));
    }
    let limiter = Arc::new(limiter.shared(db.clone()));
    let swept = Arc::downgrade(&limiter);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let Some(limiter) = swept.upgrade() else {
                return;
            };
            if let Err(err) = limiter.sweep_shared().await {
                tracing::warn!(error = %err, "cannot sweep the shared rate-limit buckets");
            }
        }
    });
    Some(limiter)
}

/// gzip or brotli, as `Accept-Encoding` prefers, for responses of at least `min_bytes` (none when
/// 0), except the types that gain nothing (images) or must stream as they are (event streams).
/// tower-http adds `Vary: Accept-Encoding`; a WebSocket upgrade has no body and passes through.
fn compression(
    min_bytes: u64,
) -> Option<tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate>> {
    use tower_http::compression::{
        CompressionLayer, Predicate,
        predicate::{NotForContentType, SizeAbove},
    };
    (min_bytes > 0).then(|| {
        CompressionLayer::new().gzip(true).br(true).compress_when(
            SizeAbove::new(min_bytes.saturating_sub(1))
                .and(NotForContentType::IMAGES)
                .and(NotForContentType::SSE)
                .and(NotForContentType::GRPC),
        )
    })
}

/// GET `/graphql`: a WebSocket upgrade (subscriptions), or a query.
async fn get_or_upgrade(
    State(state): State<AppState>,
    connect_info: ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let upgrading = request
        .headers()
        .get(header::UPGRADE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.eq_ignore_ascii_case("websocket"));
    let (mut parts, _) = request.into_parts();
    if upgrading {
        let protocol = match GraphQLProtocol::from_request_parts(&mut parts, &state).await {
            Ok(protocol) => protocol,
            Err(rejection) => return rejection.into_response(),
        };
        return match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
            Ok(upgrade) => ws::upgrade(State(state), protocol, upgrade).await,
            Err(rejection) => rejection.into_response(),
        };
    }
    let headers = parts.headers.clone();
    match Query::<graphql::GetParams>::from_request_parts(&mut parts, &state).await {
        Ok(query) => graphql::get(State(state), connect_info, headers, query).await,
        Err(_) => error_body(
            ErrorCode::BadRequest,
            "the query string is not a GraphQL request",
        ),
    }
}

/// CORS for the configured origins; None (no CORS headers, so browsers on other origins are
/// refused) when there are none.
fn cors(origins: &[String], allow_headers: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| {
            let origin = origin.trim().trim_end_matches('/');
            let value = HeaderValue::from_str(origin).ok();
            if value.is_none() {
                tracing::warn!(
                    origin,
                    "ignoring a CORS origin that is not a valid header value"
                );
            }
            value
        })
        .collect();
    (!origins.is_empty()).then(|| {
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers(
                [
                    header::CONTENT_TYPE,
                    header::AUTHORIZATION,
                    observe::REQUEST_ID.clone(),
                    graphql::CONSISTENCY,
                ]
                .into_iter()
                .chain(allow_headers.iter().filter_map(|name| {
                    let parsed = axum::http::HeaderName::from_bytes(name.trim().as_bytes()).ok();
                    if parsed.is_none() {
                        tracing::warn!(
                            name,
                            "ignoring a CORS request header that is not a header name"
                        );
                    }
                    parsed
                }))
                .collect::<Vec<_>>(),
            )
            .expose_headers([
                observe::REQUEST_ID.clone(),
                header::RETRY_AFTER,
                header::WWW_AUTHENTICATE,
                axum::http::HeaderName::from_static("ratelimit"),
                axum::http::HeaderName::from_static("ratelimit-policy"),
                header::ETAG,
                header::AGE,
                axum::http::HeaderName::from_static("cache-status"),
                graphql::CONSISTENCY,
            ])
            .max_age(Duration::from_secs(600))
    })
}

/// A GraphQL-shaped error body refusing the request with `code`, at the code's refusal status.
fn error_body(code: ErrorCode, message: &str) -> Response {
    let body =
        json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    let status =
        StatusCode::from_u16(code.refusal_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}

/// The answer to a panic in a handler or resolver: logged, and a 500 with a generic body.
fn panicked(cause: Box<dyn Any + Send + 'static>) -> Response {
    let message = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a request handler panicked");
    error_body(ErrorCode::Internal, "internal error")
}

/// The schema as SDL, the same as `talent-api export-schema` prints and `schema.graphql` holds.
/// The schema in SDL, with an `ETag` (the first 128 bits of its SHA-256) so code generators and
/// caches revalidate it cheaply: 304 without a body when `If-None-Match` names it. It changes only
/// with the binary, so it may be reused for a minute without asking.
async fn schema_sdl(headers: axum::http::HeaderMap) -> Response {
    static TAGGED: std::sync::LazyLock<(String, HeaderValue)> = std::sync::LazyLock::new(|| {
        let sdl = crate::schema::sdl();
        let etag = HeaderValue::from_str(&negotiate::etag(sdl.as_bytes()))
            .unwrap_or(HeaderValue::from_static("\"\""));
        (sdl, etag)
    });
    let (sdl, etag) = &*TAGGED;
    let matched = negotiate::names(
        headers.get(header::IF_NONE_MATCH),
        etag.to_str().unwrap_or_default(),
    );
    let caching = |etag: HeaderValue| {
        [
            (header::ETAG, etag),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=60"),
            ),
        ]
    };
    if let Some(matched) = matched.and_then(|matched| HeaderValue::from_str(&matched).ok()) {
        return (StatusCode::NOT_MODIFIED, caching(matched)).into_response();
    }
    (
        caching(etag.clone()),
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        sdl.clone(),
    )
        .into_response()
}

/// 200 while the process serves: liveness, without touching the database.
async fn health() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// 200 when the database answers within the readiness timeout, 503 otherwise.
async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    if state.draining.is_on() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "draining", "database": "not checked" })),
        );
    }
    let timeout = Duration::from_millis(state.http.ready_timeout_ms);
    match tokio::time::timeout(timeout, state.db.ping()).await {
        Ok(Ok(())) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "database": "up" })),
        ),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "down" })),
            )
        }
        Err(_) => {
            tracing::warn!(
                timeout_ms = state.http.ready_timeout_ms,
                "readiness: the database is too slow"
            );
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "timeout" })),
            )
        }
    }
}

/// The metrics, in the Prometheus text format.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let pool = match state.db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            let pool = state.db.get_sqlite_connection_pool();
            Some((pool.size(), pool.num_idle()))
        }
        DatabaseBackend::Postgres => {
            let pool = state.db.get_postgres_connection_pool();
            Some((pool.size(), pool.num_idle()))
        }
        _ => None,
    };
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(
            pool,
            &state
                .reads
                .as_deref()
                .map(crate::replicas::Reads::states)
                .unwrap_or_default(),
        ),
    )
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use super::*;

    fn slots(all: usize, per_address: usize) -> RequestSlots {
        RequestSlots {
            all: Arc::new(Semaphore::new(all)),
            per_address: serve::PerAddress::default(),
            address_cap: per_address,
        }
    }

    const A: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));

    #[test]
    fn one_address_cannot_take_more_than_its_share_of_request_slots() {
        let slots = slots(10, 2);
        let held = [slots.take(A), slots.take(A)];
        assert!(held.iter().all(Option::is_some));
        assert!(slots.take(A).is_none());
        assert!(slots.take(B).is_some());
        drop(held);
        assert!(slots.take(A).is_some());
    }

    #[test]
    fn a_full_server_refuses_every_address_until_a_slot_frees() {
        let slots = slots(1, 5);
        let held = slots.take(A);
        assert!(held.is_some());
        assert!(slots.take(B).is_none());
        assert!(slots.take(A).is_none());
        drop(held);
        assert!(slots.take(B).is_some());
    }
}

/// Routes that exist only in test builds, and only when a test asks for them.
#[cfg(debug_assertions)]
mod test_routes {
    use std::time::Duration;

    use axum::extract::Query;

    /// Panics, to show that a panic becomes a 500 and the server keeps serving.
    pub async fn panic() -> &'static str {
        panic!("the test route panicked on purpose")
    }

    /// Answers after `ms` milliseconds, to have a request in flight during shutdown.
    #[derive(serde::Deserialize)]
    pub struct Sleep {
        ms: u64,
    }

    pub async fn sleep(Query(Sleep { ms }): Query<Sleep>) -> &'static str {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        "slept"
    }
}
