//! Typed configuration, parsed once from flags and environment variables.

use std::{fmt, net::SocketAddr, path::PathBuf, str::FromStr};

use clap::{Args, Parser, Subcommand};

/// talent-api: a GraphQL API for a directory of back-end developer talent.
#[derive(Debug, Parser)]
#[command(name = "talent-api", version, about)]
pub struct Cli {
    /// Database: `sqlite://FILE` (created if missing) or `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://talent.db",
        global = true
    )]
    pub database_url: DatabaseUrl,

    /// Most database connections the server keeps open [default: 10 on PostgreSQL; on SQLite
    /// twice the CPU cores, at least 2: SQLite reads on one core per connection and writes one at
    /// a time, and each connection keeps a page cache of its own].
    #[arg(long, env = "TALENT_DB_MAX_CONNECTIONS", global = true,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_max_connections: Option<u32>,

    /// How logs are written to stderr.
    #[arg(long, env = "TALENT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Options of `serve`, also accepted without the subcommand.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations, load the demo dataset into an empty database, and serve the API (default).
    Serve(ServeArgs),
    /// Apply pending migrations and exit.
    Migrate,
    /// Load a generated directory into an empty database (migrating it first); refuses a
    /// non-empty one. Scale 1 is the demo dataset; scale N has 300·N developers, 150·N vacancies
    /// and 30 + 15·(N − 1) employers (334: the benchmark's 100k developers).
    Seed {
        /// How big: 1 (the demo) to 10,000.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        scale: u32,
    },
    /// Create, list and revoke API tokens (migrating the database first).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Print the GraphQL schema (SDL, sorted) to stdout or to a file.
    ExportSchema {
        /// Write the schema to this file instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// `sdl` (sorted, as `schema.graphql` holds it) or `json` (the introspection result).
        #[arg(long, value_enum, default_value_t = SchemaFormat::Sdl)]
        format: SchemaFormat,
    },
}

/// The forms `export-schema` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaFormat {
    /// GraphQL SDL, sorted.
    Sdl,
    /// The introspection result as JSON (`{"__schema": ...}`).
    Json,
}

/// What to do with API tokens.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it to stdout: it is shown only this once.
    Create(CreateTokenArgs),
    /// List tokens, newest first (never the tokens themselves, only their first characters).
    List {
        /// Include revoked tokens.
        #[arg(long)]
        all: bool,
    },
    /// Revoke a token: it stops working at once.
    Revoke {
        /// The token's number, as `token list` shows it, or its GraphQL ID.
        id: String,
    },
}

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TokenRoleArg {
    /// Everything, including tokens and the skill taxonomy.
    Admin,
    /// Act for one employer (`--employer SLUG`).
    Employer,
    /// Act for one developer (`--developer HANDLE`).
    Developer,
}

/// A token to create.
#[derive(Debug, Args)]
pub struct CreateTokenArgs {
    /// What the token is for, e.g. `ops` or `acme-ats` (1 to 100 characters).
    #[arg(long)]
    pub name: String,
    /// What the token may do.
    #[arg(long, value_enum)]
    pub role: TokenRoleArg,
    /// The employer an `employer` token acts for: its slug.
    #[arg(long, value_name = "SLUG", required_if_eq("role", "employer"))]
    pub employer: Option<String>,
    /// The developer a `developer` token acts for: their handle.
    #[arg(long, value_name = "HANDLE", required_if_eq("role", "developer"))]
    pub developer: Option<String>,
    /// Days until the token expires; it never does when not given.
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub expires_in_days: Option<u32>,
}

/// Options of the HTTP server.
#[derive(Clone, Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "TALENT_ADDR", default_value = "127.0.0.1:8000")]
    pub addr: SocketAddr,

    /// Do not load the demo dataset into an empty database (it never is with `--env production`).
    #[arg(long, env = "TALENT_NO_DEMO")]
    pub no_demo: bool,

    /// Limits and production settings.
    #[command(flatten)]
    pub limits: Limits,
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

/// How logs are written to stderr.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The defaults of [`Limits`], in one place for the flags and for `Limits::default()`.
mod defaults {
    pub const MAX_DEPTH: usize = 10;
    pub const MAX_ALIASES: usize = 30;
    pub const MAX_DIRECTIVES: usize = 50;
    pub const MAX_QUERY_BYTES: usize = 16 * 1024;
    pub const MAX_QUERY_TOKENS: usize = 1000;
    pub const MAX_COST: usize = 50_000;
    pub const MAX_BATCH: usize = 10;
    pub const MAX_BODY_BYTES: usize = 256 * 1024;
    pub const REQUEST_TIMEOUT_MS: u64 = 10_000;
    pub const MAX_CONCURRENT_REQUESTS: usize = 256;
    pub const RATE_LIMIT_PER_SECOND: f64 = 10.0;
    pub const RATE_LIMIT_BURST: u32 = 100;
    pub const MUTATION_COST: u32 = 5;
    pub const SHUTDOWN_TIMEOUT_MS: u64 = 30_000;
    pub const READY_TIMEOUT_MS: u64 = 2_000;
    pub const MAX_SUBSCRIPTIONS: usize = 20;
    pub const HEADER_READ_TIMEOUT_MS: u64 = 5_000;
    pub const IDLE_TIMEOUT_MS: u64 = 60_000;
    pub const BODY_READ_TIMEOUT_MS: u64 = 5_000;
    pub const MAX_CONNECTIONS: usize = 4_096;
    pub const MAX_CONNECTIONS_PER_ADDRESS: usize = 64;
    pub const MAX_CONCURRENT_REQUESTS_PER_ADDRESS: usize = 16;
    pub const WS_KEEPALIVE_MS: u64 = 15_000;
}

/// What one request may ask of the server, and the production switches. Every limit is checked
/// before any resolver runs.
#[derive(Clone, Debug, Args)]
pub struct Limits {
    /// Development or production.
    #[arg(long = "env", env = "TALENT_ENV", value_enum, default_value_t = Environment::Development)]
    pub environment: Environment,
    /// Refuse introspection queries (`__schema`, `__type`); they are allowed by default because
    /// clients generate code from the schema.
    #[arg(long, env = "TALENT_DISABLE_INTROSPECTION")]
    pub disable_introspection: bool,
    /// Serve the GraphiQL playground at `/`; on in development, off in production unless given.
    #[arg(long, env = "TALENT_PLAYGROUND", value_name = "BOOL")]
    pub playground: Option<bool>,
    /// Deepest field nesting of a query (introspection queries are exempt).
    #[arg(long, env = "TALENT_MAX_DEPTH", default_value_t = defaults::MAX_DEPTH)]
    pub max_depth: usize,
    /// Most aliases in one document.
    #[arg(long, env = "TALENT_MAX_ALIASES", default_value_t = defaults::MAX_ALIASES)]
    pub max_aliases: usize,
    /// Most directives in one document.
    #[arg(long, env = "TALENT_MAX_DIRECTIVES", default_value_t = defaults::MAX_DIRECTIVES)]
    pub max_directives: usize,
    /// Longest query document, in bytes.
    #[arg(long, env = "TALENT_MAX_QUERY_BYTES", default_value_t = defaults::MAX_QUERY_BYTES)]
    pub max_query_bytes: usize,
    /// Most lexical tokens in one query document.
    #[arg(long, env = "TALENT_MAX_QUERY_TOKENS", default_value_t = defaults::MAX_QUERY_TOKENS)]
    pub max_query_tokens: usize,
    /// Highest cost of one operation: every field counts 1, and a list multiplies what is below it
    /// by its `first`/`last` (20 when not given), so the cost bounds the nodes a query can return.
    #[arg(long, env = "TALENT_MAX_COST", default_value_t = defaults::MAX_COST)]
    pub max_cost: usize,
    /// Most operations in one batched request (a JSON array body).
    #[arg(long, env = "TALENT_MAX_BATCH", default_value_t = defaults::MAX_BATCH)]
    pub max_batch: usize,
    /// Largest request body, in bytes.
    #[arg(long, env = "TALENT_MAX_BODY_BYTES", default_value_t = defaults::MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Longest time to read, run and answer one GraphQL request, in milliseconds.
    #[arg(long, env = "TALENT_REQUEST_TIMEOUT_MS", default_value_t = defaults::REQUEST_TIMEOUT_MS)]
    pub request_timeout_ms: u64,
    /// Most GraphQL requests served at once; more are refused with 503 and `Retry-After`.
    #[arg(long, env = "TALENT_MAX_CONCURRENT_REQUESTS", default_value_t = defaults::MAX_CONCURRENT_REQUESTS)]
    pub max_concurrent_requests: usize,
    /// Requests per second each client (token, or IP address when anonymous) earns back; 0 turns
    /// rate limiting off.
    #[arg(long, env = "TALENT_RATE_LIMIT_PER_SECOND", default_value_t = defaults::RATE_LIMIT_PER_SECOND)]
    pub rate_limit_per_second: f64,
    /// Requests a client may make at once before the rate applies.
    #[arg(long, env = "TALENT_RATE_LIMIT_BURST", default_value_t = defaults::RATE_LIMIT_BURST)]
    pub rate_limit_burst: u32,
    /// What a mutation costs against the rate limit (a query costs 1).
    #[arg(long, env = "TALENT_MUTATION_COST", default_value_t = defaults::MUTATION_COST)]
    pub mutation_cost: u32,
    /// Origins allowed to call the API from a browser (CORS), comma-separated, e.g.
    /// `https://app.example.com`; none by default.
    #[arg(
        long = "cors-origin",
        env = "TALENT_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
    /// How long in-flight requests may take to finish after SIGTERM/SIGINT, in milliseconds.
    #[arg(long, env = "TALENT_SHUTDOWN_TIMEOUT_MS", default_value_t = defaults::SHUTDOWN_TIMEOUT_MS)]
    pub shutdown_timeout_ms: u64,
    /// Most subscriptions one WebSocket connection may hold at once.
    #[arg(long, env = "TALENT_MAX_SUBSCRIPTIONS_PER_CONNECTION", default_value_t = defaults::MAX_SUBSCRIPTIONS)]
    pub max_subscriptions_per_connection: usize,
    /// How long `/ready` waits for the database, in milliseconds.
    #[arg(long, env = "TALENT_READY_TIMEOUT_MS", default_value_t = defaults::READY_TIMEOUT_MS)]
    pub ready_timeout_ms: u64,
    /// Longest time a client may take to send a request's line and headers, in milliseconds;
    /// the connection is closed past it (slow-header attacks).
    #[arg(long, env = "TALENT_HEADER_READ_TIMEOUT_MS", default_value_t = defaults::HEADER_READ_TIMEOUT_MS)]
    pub header_read_timeout_ms: u64,
    /// How long a connection may stay open with no bytes moving either way, in milliseconds
    /// (kept-alive connections waiting for their next request included).
    #[arg(long, env = "TALENT_IDLE_TIMEOUT_MS", default_value_t = defaults::IDLE_TIMEOUT_MS)]
    pub idle_timeout_ms: u64,
    /// Longest time a client may take to send a request body, in milliseconds; 408 past it.
    /// Bodies are read before the request takes one of the server's request slots.
    #[arg(long, env = "TALENT_BODY_READ_TIMEOUT_MS", default_value_t = defaults::BODY_READ_TIMEOUT_MS)]
    pub body_read_timeout_ms: u64,
    /// Most connections open at once; past it the server stops accepting until one closes.
    #[arg(long, env = "TALENT_MAX_CONNECTIONS", default_value_t = defaults::MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Most connections open at once from one client address; more are closed at once.
    #[arg(long, env = "TALENT_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = defaults::MAX_CONNECTIONS_PER_ADDRESS)]
    pub max_connections_per_address: usize,
    /// Most GraphQL requests served at once for one client address: so that one address, or a
    /// few, cannot take every slot of `--max-concurrent-requests`.
    #[arg(long, env = "TALENT_MAX_CONCURRENT_REQUESTS_PER_ADDRESS", default_value_t = defaults::MAX_CONCURRENT_REQUESTS_PER_ADDRESS)]
    pub max_concurrent_requests_per_address: usize,
    /// How often a quiet WebSocket hears from the server, in milliseconds: a `ping`
    /// (graphql-transport-ws; closed when the one before got no `pong`, or 4408 when
    /// `connection_init` never came) or a `ka` (legacy graphql-ws).
    #[arg(long, env = "TALENT_WS_KEEPALIVE_MS", default_value_t = defaults::WS_KEEPALIVE_MS)]
    pub ws_keepalive_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            environment: Environment::Development,
            disable_introspection: false,
            playground: None,
            max_depth: defaults::MAX_DEPTH,
            max_aliases: defaults::MAX_ALIASES,
            max_directives: defaults::MAX_DIRECTIVES,
            max_query_bytes: defaults::MAX_QUERY_BYTES,
            max_query_tokens: defaults::MAX_QUERY_TOKENS,
            max_cost: defaults::MAX_COST,
            max_batch: defaults::MAX_BATCH,
            max_body_bytes: defaults::MAX_BODY_BYTES,
            request_timeout_ms: defaults::REQUEST_TIMEOUT_MS,
            max_concurrent_requests: defaults::MAX_CONCURRENT_REQUESTS,
            rate_limit_per_second: defaults::RATE_LIMIT_PER_SECOND,
            rate_limit_burst: defaults::RATE_LIMIT_BURST,
            mutation_cost: defaults::MUTATION_COST,
            cors_origins: Vec::new(),
            shutdown_timeout_ms: defaults::SHUTDOWN_TIMEOUT_MS,
            ready_timeout_ms: defaults::READY_TIMEOUT_MS,
            max_subscriptions_per_connection: defaults::MAX_SUBSCRIPTIONS,
            header_read_timeout_ms: defaults::HEADER_READ_TIMEOUT_MS,
            idle_timeout_ms: defaults::IDLE_TIMEOUT_MS,
            body_read_timeout_ms: defaults::BODY_READ_TIMEOUT_MS,
            max_connections: defaults::MAX_CONNECTIONS,
            max_connections_per_address: defaults::MAX_CONNECTIONS_PER_ADDRESS,
            max_concurrent_requests_per_address: defaults::MAX_CONCURRENT_REQUESTS_PER_ADDRESS,
            ws_keepalive_ms: defaults::WS_KEEPALIVE_MS,
        }
    }
}

impl Limits {
    /// Whether the playground is served.
    pub fn playground(&self) -> bool {
        self.playground
            .unwrap_or(self.environment == Environment::Development)
    }

    /// Whether errors suggest field names ("did you mean ...?").
    pub fn suggestions(&self) -> bool {
        self.environment == Environment::Development
    }
}

/// Everything the server needs to start.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Where the data lives.
    pub database_url: DatabaseUrl,
    /// Most pooled database connections.
    pub db_max_connections: u32,
    /// Where to listen.
    pub addr: SocketAddr,
    /// Load the demo dataset into an empty database.
    pub load_demo: bool,
    /// Limits and production settings.
    pub limits: Limits,
    /// Test builds only: mount `/__test/panic` and `/__test/sleep` to exercise panics and shutdown.
    #[cfg(debug_assertions)]
    pub test_routes: bool,
}

impl ServerConfig {
    /// The server configuration from the parsed command line.
    pub fn new(cli: &Cli, serve: &ServeArgs) -> Self {
        Self {
            database_url: cli.database_url.clone(),
            db_max_connections: cli.db_max_connections(),
            addr: serve.addr,
            // The demo's made-up people never appear in a production directory by accident:
            // there, only `talent-api seed` loads them.
            load_demo: !serve.no_demo && serve.limits.environment != Environment::Production,
            limits: serve.limits.clone(),
            #[cfg(debug_assertions)]
            test_routes: false,
        }
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

impl Cli {
    /// The pool size: `--db-max-connections`, else the engine's default.
    pub fn db_max_connections(&self) -> u32 {
        self.db_max_connections
            .unwrap_or_else(|| self.database_url.default_max_connections())
    }
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
            ServerConfig::new(&cli, &cli.serve).load_demo
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
