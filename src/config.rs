//! The server's configuration, in sections: the database, [`Http`] (listening, connections,
//! timeouts, the environment) and [`Limits`] (what one request may ask). Each section is a clap
//! argument group that `serve` flattens ([`crate::cli::ServeArgs`]): a field's flag, environment
//! variable and default are written once, on the field, and `Default` reads them from there.

use std::{fmt, net::SocketAddr, str::FromStr, time::Duration};

use clap::{Args, FromArgMatches};

use crate::cli::{Cli, ServeArgs};

/// A section's defaults as its flags declare them, environment variables left out.
fn declared_defaults<T: Args + FromArgMatches>() -> T {
    let command = T::augment_args(clap::Command::new("defaults").no_binary_name(true))
        .mut_args(|arg| arg.env(None::<&'static str>));
    let matches = command.get_matches_from(std::iter::empty::<String>());
    T::from_arg_matches(&matches).unwrap_or_else(|err| panic!("the declared defaults parse: {err}"))
}

/// Everything the server needs to start.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The `[database]` section.
    pub database: Database,
    /// The `[http]` section.
    pub http: Http,
    /// The `[limits]` section.
    pub limits: Limits,
    /// The `[replication]` section: read replicas.
    pub replication: Replication,
    /// Test builds only: mount `/__test/panic` and `/__test/sleep` to exercise panics and shutdown.
    #[cfg(debug_assertions)]
    pub test_routes: bool,
}

impl ServerConfig {
    /// The server configuration from the parsed command line.
    pub fn new(cli: &Cli, serve: &ServeArgs) -> Self {
        Self {
            database: Database {
                url: cli.database_url.clone(),
                max_connections: cli.db_max_connections(),
                // The demo's made-up people never appear in a production directory by accident:
                // there, only `talent-api seed` loads them.
                load_demo: !serve.no_demo && serve.http.environment != Environment::Production,
            },
            http: serve.http.clone(),
            limits: serve.limits.clone(),
            replication: serve.replication.clone(),
            #[cfg(debug_assertions)]
            test_routes: false,
        }
    }
}

/// The `[database]` section: where the data lives, how many connections the server pools, and
/// whether an empty database gets the demo dataset. Its flags are global (`--database-url` serves
/// every command) and on `serve` (`--no-demo`).
#[derive(Clone, Debug)]
pub struct Database {
    /// Where the data lives.
    pub url: DatabaseUrl,
    /// Most pooled database connections.
    pub max_connections: u32,
    /// Load the demo dataset into an empty database.
    pub load_demo: bool,
}

/// The `[replication]` section: PostgreSQL hot standbys that serve queries (see
/// [`crate::replicas`]), how far behind the primary one may be, and how long a query carrying a
/// consistency token waits for one to replay it.
#[derive(Clone, Debug, Args)]
pub struct Replication {
    /// A read replica (a hot standby of the primary) for queries; repeat the flag for several,
    /// or list them comma-separated in the environment variable. PostgreSQL only.
    #[arg(
        long = "database-read-url",
        env = "TALENT_DATABASE_READ_URLS",
        value_delimiter = ',',
        value_name = "URL"
    )]
    pub read_urls: Vec<DatabaseUrl>,
    /// A replica further behind the primary than this (milliseconds) serves nothing until it
    /// catches up.
    #[arg(long, env = "TALENT_REPLICA_MAX_LAG_MS", default_value_t = 2000,
          value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub replica_max_lag_ms: u64,
    /// How long (milliseconds) a query carrying a consistency token waits for a replica to replay
    /// it before the primary answers it.
    #[arg(long, env = "TALENT_REPLICA_WAIT_MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub replica_wait_ms: u64,
}

impl Default for Replication {
    fn default() -> Self {
        declared_defaults()
    }
}

/// Where rate-limit buckets are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RateLimitStore {
    /// In a PostgreSQL table every instance shares.
    Database,
    /// In each instance's memory.
    Memory,
}

/// Where the server runs: development shows the playground and suggests field names in errors;
/// production does neither unless told.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Environment {
    /// A developer's machine.
    #[default]
    Development,
    /// Exposed to the world.
    Production,
}

/// The `[http]` section: where the server listens, how many connections and requests it serves
/// at once and for how long, and whether it runs in development or production.
#[derive(Clone, Debug, Args)]
pub struct Http {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "TALENT_ADDR", default_value = "127.0.0.1:8000")]
    pub addr: SocketAddr,
    /// Development or production.
    #[arg(long = "env", env = "TALENT_ENV", value_enum, default_value_t = Environment::Development)]
    pub environment: Environment,
    /// Serve the GraphiQL playground at `/`; on in development, off in production unless given.
    #[arg(long, env = "TALENT_PLAYGROUND", value_name = "BOOL")]
    pub playground: Option<bool>,
    /// The address clients reach the server at, e.g. `https://jobs.example.com`: the start of the
    /// absolute URLs of job pages, in their JSON-LD and in the sitemap. Without it a page names
    /// the `Host` it was asked for.
    #[arg(long, env = "TALENT_PUBLIC_URL", value_parser = public_url)]
    pub public_url: Option<String>,
    /// Origins allowed to call the API from a browser (CORS), comma-separated, e.g.
    /// `https://app.example.com`; none by default.
    #[arg(
        long = "cors-origin",
        env = "TALENT_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
    /// Request headers a browser may send cross-origin besides `Content-Type`, `Authorization`
    /// and `x-request-id`, comma-separated; Apollo's client name and version by default.
    #[arg(
        long = "cors-allow-header",
        env = "TALENT_CORS_ALLOW_HEADERS",
        value_delimiter = ',',
        default_value = "apollographql-client-name,apollographql-client-version"
    )]
    pub cors_allow_headers: Vec<String>,
    /// Longest time to read, run and answer one GraphQL request, in milliseconds.
    #[arg(long, env = "TALENT_REQUEST_TIMEOUT_MS", default_value_t = 10_000)]
    pub request_timeout_ms: u64,
    /// Compress responses of at least this many bytes with gzip or brotli when the client's
    /// `Accept-Encoding` allows; 0 never compresses.
    #[arg(long, env = "TALENT_COMPRESS_MIN_BYTES", default_value_t = 1024)]
    pub compress_min_bytes: u64,
    /// Bytes of whole answers to anonymous queries kept in memory and served again until a write
    /// of what they read or their max-age; 0 keeps none.
    #[arg(long, env = "TALENT_RESPONSE_CACHE_BYTES", default_value_t = 32 * 1024 * 1024)]
    pub response_cache_bytes: u64,
    /// Longest time a client may take to send a request body, in milliseconds; 408 past it.
    /// Bodies are read before the request takes one of the server's request slots.
    #[arg(long, env = "TALENT_BODY_READ_TIMEOUT_MS", default_value_t = 5_000)]
    pub body_read_timeout_ms: u64,
    /// Longest time a client may take to send a request's line and headers, in milliseconds;
    /// the connection is closed past it (slow-header attacks).
    #[arg(long, env = "TALENT_HEADER_READ_TIMEOUT_MS", default_value_t = 5_000)]
    pub header_read_timeout_ms: u64,
    /// How long a connection may stay open with no bytes moving either way, in milliseconds
    /// (kept-alive connections waiting for their next request included).
    #[arg(long, env = "TALENT_IDLE_TIMEOUT_MS", default_value_t = 60_000)]
    pub idle_timeout_ms: u64,
    /// Most connections open at once; past it the server stops accepting until one closes.
    #[arg(long, env = "TALENT_MAX_CONNECTIONS", default_value_t = 4_096)]
    pub max_connections: usize,
    /// Most connections open at once from one client address; more are closed at once.
    #[arg(long, env = "TALENT_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 64)]
    pub max_connections_per_address: usize,
    /// Most GraphQL requests served at once; more are refused with 503 and `Retry-After`.
    #[arg(long, env = "TALENT_MAX_CONCURRENT_REQUESTS", default_value_t = 256)]
    pub max_concurrent_requests: usize,
    /// Most GraphQL requests served at once for one client address: so that one address, or a
    /// few, cannot take every slot of `--max-concurrent-requests`.
    #[arg(
        long,
        env = "TALENT_MAX_CONCURRENT_REQUESTS_PER_ADDRESS",
        default_value_t = 16
    )]
    pub max_concurrent_requests_per_address: usize,
    /// Proxies and load balancers whose `X-Forwarded-For` is believed, comma-separated addresses
    /// or CIDR blocks (e.g. `10.0.0.0/8`): a request from one of them counts, for per-address
    /// limits, under the right-most address of the header that is not itself a trusted proxy.
    /// None by default: the header is ignored and the peer's address counts.
    #[arg(
        long = "trusted-proxy",
        env = "TALENT_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "CIDR"
    )]
    pub trusted_proxies: Vec<Cidr>,
    /// How long in-flight requests may take to finish after SIGTERM/SIGINT, in milliseconds.
    #[arg(long, env = "TALENT_SHUTDOWN_TIMEOUT_MS", default_value_t = 30_000)]
    pub shutdown_timeout_ms: u64,
    /// After SIGTERM/SIGINT, how long to keep serving with `/ready` answering 503 before closing
    /// the listener, in milliseconds: time for a load balancer's health check to take the instance
    /// out of rotation, so that no request is sent to it once it stops accepting. Set it above
    /// the balancer's check interval times its fall count.
    #[arg(long, env = "TALENT_DRAIN_MS", default_value_t = 0)]
    pub drain_ms: u64,
    /// How long `/ready` waits for the database, in milliseconds.
    #[arg(long, env = "TALENT_READY_TIMEOUT_MS", default_value_t = 2_000)]
    pub ready_timeout_ms: u64,
    /// How often a quiet WebSocket hears from the server, in milliseconds: a `ping`
    /// (graphql-transport-ws; closed when the one before got no `pong`, or 4408 when
    /// `connection_init` never came) or a `ka` (legacy graphql-ws).
    #[arg(long, env = "TALENT_WS_KEEPALIVE_MS", default_value_t = 15_000)]
    pub ws_keepalive_ms: u64,
}

/// A `--public-url`: `http://` or `https://`, a host, and nothing after the path (no trailing
/// `/`, query or fragment).
fn public_url(text: &str) -> Result<String, String> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .ok_or("must start with https:// or http://")?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || text.contains(['?', '#', ' ', '"', '<', '>']) {
        return Err("must be an absolute URL such as https://jobs.example.com".into());
    }
    Ok(text.trim_end_matches('/').to_owned())
}

impl Default for Http {
    fn default() -> Self {
        declared_defaults()
    }
}

impl Http {
    /// The address per-address limits count a request under: the peer's, or, when the peer is a
    /// trusted proxy, the right-most `X-Forwarded-For` address that is not itself one (entries to
    /// its left are whatever the client wrote). A header that does not parse is not believed.
    pub fn client_of(
        &self,
        peer: std::net::IpAddr,
        headers: &axum::http::HeaderMap,
    ) -> std::net::IpAddr {
        let trusted = |address: std::net::IpAddr| {
            self.trusted_proxies
                .iter()
                .any(|block| block.contains(address))
        };
        let mut client = peer;
        if trusted(peer) {
            let hops: Vec<&str> = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(','))
                .map(str::trim)
                .collect();
            for hop in hops.iter().rev() {
                let Ok(address) = hop.parse::<std::net::IpAddr>() else {
                    break;
                };
                client = address;
                if !trusted(address) {
                    break;
                }
            }
        }
        crate::http::serve::client_address(client)
    }

    /// Whether the playground is served.
    pub fn playground(&self) -> bool {
        self.playground
            .unwrap_or(self.environment == Environment::Development)
    }

    /// Whether errors suggest field names ("did you mean ...?").
    pub fn suggestions(&self) -> bool {
        self.environment == Environment::Development
    }

    /// The deadline of one GraphQL request.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }
}

/// The `[limits]` section: what one request may ask of the server. Every limit is checked before
/// any resolver runs.
#[derive(Clone, Debug, Args)]
pub struct Limits {
    /// Refuse introspection queries (`__schema`, `__type`); they are allowed by default because
    /// clients generate code from the schema.
    #[arg(long, env = "TALENT_DISABLE_INTROSPECTION")]
    pub disable_introspection: bool,
    /// Run only the documents of this manifest (a JSON object of SHA-256 hash to document, as
    /// GraphQL Code Generator's client preset writes it with `persistedDocuments: true`), sent by
    /// hash or as identical text; any other document is refused with `PERSISTED_QUERY_NOT_ALLOWED`.
    #[arg(long, env = "TALENT_TRUSTED_DOCUMENTS", value_name = "FILE")]
    pub trusted_documents: Option<std::path::PathBuf>,
    /// With `--trusted-documents`, let admin tokens run any document (and register automatic
    /// persisted queries).
    #[arg(long, env = "TALENT_TRUSTED_DOCUMENTS_ADMIN_BYPASS")]
    pub trusted_documents_admin_bypass: bool,
    /// Text of automatic persisted queries kept, in bytes (0 keeps none: a hash sent alone is then
    /// always `PERSISTED_QUERY_NOT_FOUND`).
    #[arg(long, env = "TALENT_PERSISTED_QUERIES_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub persisted_queries_bytes: u64,
    /// Deepest field nesting of a query (introspection queries are exempt).
    #[arg(long, env = "TALENT_MAX_DEPTH", default_value_t = 10)]
    pub max_depth: usize,
    /// Most aliases in one document.
    #[arg(long, env = "TALENT_MAX_ALIASES", default_value_t = 30)]
    pub max_aliases: usize,
    /// Most directives in one document.
    #[arg(long, env = "TALENT_MAX_DIRECTIVES", default_value_t = 50)]
    pub max_directives: usize,
    /// Longest query document, in bytes.
    #[arg(long, env = "TALENT_MAX_QUERY_BYTES", default_value_t = 16 * 1024)]
    pub max_query_bytes: usize,
    /// Most lexical tokens in one query document.
    #[arg(long, env = "TALENT_MAX_QUERY_TOKENS", default_value_t = 1000)]
    pub max_query_tokens: usize,
    /// Highest cost of one operation: every field counts 1, and a list multiplies what is below it
    /// by its `first`/`last` (20 when not given), so the cost bounds the nodes a query can return.
    #[arg(long, env = "TALENT_MAX_COST", default_value_t = 50_000)]
    pub max_cost: usize,
    /// Most operations in one batched request (a JSON array body).
    #[arg(long, env = "TALENT_MAX_BATCH", default_value_t = 10)]
    pub max_batch: usize,
    /// Largest request body, in bytes.
    #[arg(long, env = "TALENT_MAX_BODY_BYTES", default_value_t = 256 * 1024)]
    pub max_body_bytes: usize,
    /// Requests per second each client (token, or IP address when anonymous) earns back; 0 turns
    /// rate limiting off.
    #[arg(long, env = "TALENT_RATE_LIMIT_PER_SECOND", default_value_t = 10.0)]
    pub rate_limit_per_second: f64,
    /// Requests a client may make at once before the rate applies.
    #[arg(long, env = "TALENT_RATE_LIMIT_BURST", default_value_t = 100)]
    pub rate_limit_burst: u32,
    /// Where rate-limit buckets are kept: `database` (PostgreSQL only: one table every instance
    /// shares, so instances behind a balancer allow the rate once) or `memory` (each instance its
    /// own) [default: `database` on PostgreSQL, `memory` on SQLite].
    #[arg(long, env = "TALENT_RATE_LIMIT_STORE", value_enum)]
    pub rate_limit_store: Option<RateLimitStore>,
    /// What a mutation costs against the rate limit (a query costs 1).
    #[arg(long, env = "TALENT_MUTATION_COST", default_value_t = 5)]
    pub mutation_cost: u32,
    /// Most subscriptions one WebSocket connection may hold at once.
    #[arg(
        long,
        env = "TALENT_MAX_SUBSCRIPTIONS_PER_CONNECTION",
        default_value_t = 20
    )]
    pub max_subscriptions_per_connection: usize,
}

impl Default for Limits {
    fn default() -> Self {
        declared_defaults()
    }
}

/// An IP address block: an address and how many of its leading bits the block fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    address: std::net::IpAddr,
    bits: u8,
}

impl Cidr {
    /// Whether `address` is in the block (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, address: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
            IpAddr::V4(_) => address,
        };
        match (self.address, address) {
            (IpAddr::V4(block), IpAddr::V4(address)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.bits)).unwrap_or(0);
                u32::from(block) & mask == u32::from(address) & mask
            }
            (IpAddr::V6(block), IpAddr::V6(address)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.bits))
                    .unwrap_or(0);
                u128::from(block) & mask == u128::from(address) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (address, bits) = text
            .split_once('/')
            .map_or((text, None), |(a, b)| (a, Some(b)));
        let address: std::net::IpAddr = address
            .parse()
            .map_err(|_| format!("`{text}` is not an IP address or CIDR block"))?;
        let most = if address.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            None => most,
            Some(bits) => bits
                .parse::<u8>()
                .ok()
                .filter(|bits| *bits <= most)
                .ok_or_else(|| format!("`{text}`: the prefix length must be 0-{most}"))?,
        };
        Ok(Self { address, bits })
    }
}

/// A database URL of a supported engine.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite file (opened read-write, created if missing) or `sqlite::memory:`.
    Sqlite(String),
    /// A PostgreSQL server.
    Postgres(String),
}

impl DatabaseUrl {
    /// The pool size when none is configured: 10 on PostgreSQL; on SQLite twice the CPU cores,
    /// at least 2 (more connections than cores add no throughput there, only page caches).
    pub fn default_max_connections(&self) -> u32 {
        match self {
            Self::Postgres(_) => 10,
            Self::Sqlite(_) => std::thread::available_parallelism()
                .map_or(2, |cores| (cores.get() as u32).saturating_mul(2))
                .clamp(2, 16),
        }
    }

    /// The URL to hand to the driver.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Sqlite(url) | Self::Postgres(url) => url,
        }
    }

    /// Whether this is the in-memory SQLite database, which lives in one connection only.
    pub fn is_sqlite_memory(&self) -> bool {
        matches!(self, Self::Sqlite(url) if url.contains(":memory:") || url.contains("mode=memory"))
    }
}

impl FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        let url = url.trim();
        let scheme = url
            .split_once(':')
            .map(|(scheme, _)| scheme)
            .unwrap_or_default();
        match scheme {
            "sqlite" => {
                let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
                if path.is_empty() || path.starts_with('?') {
                    return Err(
                        "an SQLite URL needs a file name, e.g. sqlite://talent.db".to_owned()
                    );
                }
                let memory = path.starts_with(":memory:");
                let has_mode = url.contains("mode=");
                Ok(Self::Sqlite(
                    match (memory || has_mode, url.contains('?')) {
                        (true, _) => url.to_owned(),
                        (false, true) => format!("{url}&mode=rwc"),
                        (false, false) => format!("{url}?mode=rwc"),
                    },
                ))
            }
            "postgres" | "postgresql" => Ok(Self::Postgres(url.to_owned())),
            "" => Err(format!(
                "`{url}` is not a database URL: use sqlite://FILE or postgres://USER@HOST/DB"
            )),
            other => Err(format!(
                "unsupported database `{other}`: use sqlite://FILE or postgres://USER@HOST/DB"
            )),
        }
    }
}

/// Shows the URL with any password replaced by `***`, so it is safe to log.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = self.as_str();
        let redacted = url.split_once("://").and_then(|(scheme, rest)| {
            let (userinfo, host) = rest.split_once('@')?;
            let (user, _password) = userinfo.split_once(':')?;
            Some(format!("{scheme}://{user}:***@{host}"))
        });
        f.write_str(redacted.as_deref().unwrap_or(url))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn the_pool_defaults_to_ten_on_postgres_and_twice_the_cores_on_sqlite() -> Result<(), String> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
        let sqlite: DatabaseUrl = "sqlite://talent.db".parse()?;
        let postgres: DatabaseUrl = "postgres://localhost/talent".parse()?;
        assert_eq!(sqlite.default_max_connections(), (2 * cores).clamp(2, 16));
        assert_eq!(postgres.default_max_connections(), 10);
        let cli = Cli::parse_from(["talent-api", "--db-max-connections", "3"]);
        assert_eq!(cli.db_max_connections(), 3);
        Ok(())
    }

    #[test]
    fn the_demo_is_loaded_in_development_only() {
        let load_demo = |args: &[&str]| {
            let cli = Cli::parse_from(args);
            ServerConfig::new(&cli, &cli.serve).database.load_demo
        };
        assert!(load_demo(&["talent-api"]));
        assert!(!load_demo(&["talent-api", "--no-demo"]));
        assert!(!load_demo(&["talent-api", "--env", "production"]));
    }

    #[test]
    fn a_bare_sqlite_file_is_opened_read_write_and_created() -> Result<(), String> {
        let url: DatabaseUrl = "sqlite://talent.db".parse()?;
        assert_eq!(
            url,
            DatabaseUrl::Sqlite("sqlite://talent.db?mode=rwc".to_owned())
        );
        Ok(())
    }

    #[test]
    fn an_explicit_sqlite_mode_is_kept() -> Result<(), String> {
        let url: DatabaseUrl = "sqlite://talent.db?mode=ro".parse()?;
        assert_eq!(url.as_str(), "sqlite://talent.db?mode=ro");
        Ok(())
    }

    #[test]
    fn an_unknown_scheme_is_refused_with_the_supported_ones_named() {
        let err = "mysql://root@localhost/test"
            .parse::<DatabaseUrl>()
            .expect_err("unsupported");
        assert!(err.contains("unsupported database `mysql`"), "{err}");
        assert!(err.contains("postgres://"), "{err}");
    }

    #[test]
    fn a_password_never_shows_when_the_url_is_printed() -> Result<(), String> {
        let url: DatabaseUrl = "postgres://app:s3cret@db:5432/talent".parse()?;
        assert_eq!(url.to_string(), "postgres://app:***@db:5432/talent");
        Ok(())
    }
}

#[cfg(test)]
mod defaults_tests {
    use super::*;

    #[test]
    fn defaults_are_the_declared_flag_defaults() {
        let limits = Limits::default();
        assert_eq!(limits.max_depth, 10);
        assert_eq!(limits.max_cost, 50_000);
        assert!(!limits.disable_introspection);
        assert_eq!(limits.trusted_documents, None);
        assert_eq!(limits.persisted_queries_bytes, 8 * 1024 * 1024);
        let http = Http::default();
        assert_eq!(http.addr.to_string(), "127.0.0.1:8000");
        assert_eq!(http.ws_keepalive_ms, 15_000);
        assert_eq!(http.response_cache_bytes, 32 * 1024 * 1024);
        assert_eq!(
            http.cors_allow_headers,
            ["apollographql-client-name", "apollographql-client-version"]
        );
        assert_eq!(http.environment, Environment::Development);
        assert!(http.cors_origins.is_empty());
    }

    fn ip(text: &str) -> std::net::IpAddr {
        text.parse().expect("an IP address")
    }

    fn forwarded(chain: &str, trusted: &str) -> std::net::IpAddr {
        let http = Http {
            trusted_proxies: trusted
                .split(',')
                .filter(|block| !block.is_empty())
                .map(|block| block.parse().expect("a block"))
                .collect(),
            ..Http::default()
        };
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("x-forwarded-for", chain.parse().expect("a header value"));
        http.client_of(ip("127.0.0.1"), &headers)
    }

    #[test]
    fn a_trusted_proxy_is_believed_for_the_address_it_saw() {
        assert_eq!(forwarded("203.0.113.5", "127.0.0.1"), ip("203.0.113.5"));
    }

    #[test]
    fn addresses_a_client_wrote_left_of_the_proxy_entry_are_not_believed() {
        assert_eq!(
            forwarded("1.1.1.1, 203.0.113.5", "127.0.0.1"),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn a_chain_of_trusted_proxies_is_walked_to_the_client() {
        assert_eq!(
            forwarded("1.1.1.1, 203.0.113.5, 10.0.0.7", "127.0.0.1,10.0.0.0/8"),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        assert_eq!(forwarded("203.0.113.5", ""), ip("127.0.0.1"));
    }

    #[test]
    fn a_forwarded_header_that_does_not_parse_is_not_believed() {
        assert_eq!(forwarded("nonsense", "127.0.0.1"), ip("127.0.0.1"));
    }

    #[test]
    fn cidr_blocks_hold_their_addresses_and_no_others() {
        let block: Cidr = "10.1.0.0/16".parse().expect("a block");
        assert!(block.contains(ip("10.1.200.3")));
        assert!(!block.contains(ip("10.2.0.1")));
        assert!(block.contains(ip("::ffff:10.1.0.9")));
        let v6: Cidr = "2001:db8::/32".parse().expect("a block");
        assert!(v6.contains(ip("2001:db8:1::1")));
        assert!(!v6.contains(ip("10.1.0.1")));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("example.com".parse::<Cidr>().is_err());
    }
}
