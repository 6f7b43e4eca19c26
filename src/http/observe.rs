//! What the server tells its operators: one log line per request (with a request id), and
//! Prometheus metrics at `/metrics`.

use std::{collections::HashSet, sync::Mutex, time::Instant};

use axum::{
    extract::{Request, State},
    http::{HeaderValue, header::HeaderName},
    middleware::Next,
    response::Response,
};
use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};
use tracing::Instrument;

use super::AppState;

/// The header carrying the request id, honoured when a client or proxy sends one.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Distinct operation names kept as metric labels; later ones are counted as `other`, so clients
/// cannot blow up the number of series.
const MAX_OPERATION_LABELS: usize = 200;

/// What a GraphQL response says about the request, for the request log and metrics; the handler
/// puts it in the response's extensions.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// The operation name, or `anonymous`.
    pub operation: String,
    /// The codes of the GraphQL errors in the response.
    pub error_codes: Vec<String>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReadLabels {
    on: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReplicaLabels {
    replica: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// The server's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram, fn() -> Histogram>,
    errors: Family<CodeLabels, Counter>,
    rate_limited: Counter,
    response_cache: Family<CacheLabels, Counter>,
    pool: Family<PoolLabels, Gauge>,
    reads: Family<ReadLabels, Counter>,
    replicas: Family<ReplicaLabels, Gauge>,
    operations: Mutex<HashSet<String>>,
}

impl Metrics {
    /// The metrics, with `statements` (the SQL statements run) among them.
    pub fn new(statements: &crate::db::StatementCounter) -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RequestLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let errors = Family::<CodeLabels, Counter>::default();
        let rate_limited = Counter::default();
        let response_cache = Family::<CacheLabels, Counter>::default();
        let pool = Family::<PoolLabels, Gauge>::default();
        let reads = Family::<ReadLabels, Counter>::default();
        let replicas = Family::<ReplicaLabels, Gauge>::default();
        let mut registry = Registry::with_prefix("talent");
        registry.register(
            "http_requests",
            "HTTP requests, by GraphQL operation name and outcome (ok, graphql_error, client_error, server_error)",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by GraphQL operation name and outcome",
            latency.clone(),
        );
        registry.register(
            "graphql_errors",
            "GraphQL errors sent to clients, by extensions.code",
            errors.clone(),
        );
        registry.register(
            "rate_limited",
            "Requests refused by the rate limiter",
            rate_limited.clone(),
        );
        registry.register(
            "response_cache_lookups",
            "Anonymous queries looked up in the response cache, by result (hit, miss, stale)",
            response_cache.clone(),
        );
        registry.register("db_statements", "SQL statements run", statements.counter());
        registry.register(
            "db_pool_connections",
            "Database pool connections, by state (in_use, idle)",
            pool.clone(),
        );
        registry.register(
            "db_reads",
            "Queries a read replica could serve (not those the response cache keeps), by where they ran (replica, primary, primary_after_replica_failed)",
            reads.clone(),
        );
        registry.register(
            "db_replica_in_use",
            "Whether each read replica serves queries (1) or is out of use (0): down, or behind by more than the allowed lag",
            replicas.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            errors,
            rate_limited,
            response_cache,
            pool,
            reads,
            replicas,
            operations: Mutex::new(HashSet::new()),
        }
    }

    /// Counts a request refused by the rate limiter.
    pub fn rate_limited(&self) {
        self.rate_limited.inc();
    }

    /// Counts a response cache lookup: `hit`, `miss` or `stale` (kept, but a write it read came
    /// after it).
    pub fn response_cache(&self, result: &'static str) {
        self.response_cache
            .get_or_create(&CacheLabels { result })
            .inc();
    }

    /// The label for `operation`: the name itself while there are few, else `other`.
    fn operation_label(&self, operation: &str) -> String {
        let mut seen = self
            .operations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.contains(operation) || seen.len() < MAX_OPERATION_LABELS {
            seen.insert(operation.to_owned());
            operation.to_owned()
        } else {
            "other".to_owned()
        }
    }

    fn record(&self, outcome: Option<&Outcome>, status: u16, seconds: f64) {
        let label = match outcome {
            _ if status >= 500 => "server_error",
            _ if status >= 400 => "client_error",
            Some(outcome) if !outcome.error_codes.is_empty() => "graphql_error",
            _ => "ok",
        };
        let labels = RequestLabels {
            operation: outcome
                .map_or_else(|| "none".to_owned(), |o| self.operation_label(&o.operation)),
            outcome: label.to_owned(),
        };
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels).observe(seconds);
        for code in outcome
            .map(|o| o.error_codes.as_slice())
            .unwrap_or_default()
        {
            self.errors
                .get_or_create(&CodeLabels { code: code.clone() })
                .inc();
        }
    }

    /// Counts a reading request that ran `on` the replica, the primary, or the primary after a
    /// replica failed it.
    pub fn read_on(&self, on: &'static str) {
        self.reads.get_or_create(&ReadLabels { on }).inc();
    }

    /// The metrics in the Prometheus text format, with the pool and the `replicas` (each one's
    /// label and whether it is in use) read now.
    pub fn render(&self, pool: Option<(u32, usize)>, replicas: &[(String, bool)]) -> String {
        for (replica, in_use) in replicas {
            self.replicas
                .get_or_create(&ReplicaLabels {
                    replica: replica.clone(),
                })
                .set(i64::from(*in_use));
        }
        if let Some((size, idle)) = pool {
            let idle = i64::try_from(idle).unwrap_or(i64::MAX);
            let in_use = i64::from(size).saturating_sub(idle);
            self.pool
                .get_or_create(&PoolLabels {
                    state: "in_use".to_owned(),
                })
                .set(in_use);
            self.pool
                .get_or_create(&PoolLabels {
                    state: "idle".to_owned(),
                })
                .set(idle);
        }
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            tracing::error!("cannot encode the metrics");
        }
        text
    }
}

/// A request id sent by the client, if it is a sane one (1 to 128 of `A-Z a-z 0-9 - _ .`).
fn sent_id(request: &Request) -> Option<HeaderValue> {
    let value = request.headers().get(&REQUEST_ID)?;
    let sane = !value.is_empty()
        && value.len() <= 128
        && value
            .as_bytes()
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    sane.then(|| value.clone())
}

/// A new request id: 16 hex digits, random (a counter if the system has no randomness to give).
fn new_id() -> HeaderValue {
    static FALLBACK: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let id = getrandom::u64()
        .unwrap_or_else(|_| FALLBACK.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    HeaderValue::try_from(format!("{id:016x}")).unwrap_or_else(|_| HeaderValue::from_static("0"))
}

/// Gives every request an id (echoed in `x-request-id`), logs one line when it is answered, and
/// records it in the metrics. Only the method and path are logged: never headers or the query
/// string.
pub async fn observe(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = sent_id(&request).unwrap_or_else(new_id);
    request.headers_mut().insert(REQUEST_ID.clone(), id.clone());
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %id.to_str().unwrap_or_default(),
    );
    let mut response = next.run(request).instrument(span.clone()).await;
    response.headers_mut().insert(REQUEST_ID.clone(), id);
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    let outcome = response.extensions().get::<Outcome>();
    span.in_scope(|| {
        tracing::info!(
            status,
            duration_ms = (seconds * 1000.0).round() as u64,
            operation = outcome.map(|o| o.operation.as_str()),
            errors = outcome
                .map(|o| o.error_codes.join(","))
                .filter(|codes| !codes.is_empty()),
            "request answered"
        );
    });
    state.metrics.record(outcome, status, seconds);
    response
}
