//! The command tree: subcommands, their flags and environment variables (clap). What the server
//! itself is configured with is [`crate::config`]; `serve` flattens its sections.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{DatabaseUrl, Http, Limits, Replication};

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
// Parsed once, at start: `serve`'s many flags make it larger than the other variants, which costs
// nothing here, and clap reads the arguments in place.
#[allow(clippy::large_enum_variant)]
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

/// Options of `serve`: the server configuration's sections, as flags.
#[derive(Clone, Debug, Args)]
pub struct ServeArgs {
    /// Do not load the demo dataset into an empty database (it never is with `--env production`).
    #[arg(long, env = "TALENT_NO_DEMO")]
    pub no_demo: bool,

    /// The `[http]` section: listening, connections, timeouts, the environment.
    #[command(flatten)]
    pub http: Http,

    /// The `[limits]` section: what one request may ask.
    #[command(flatten)]
    pub limits: Limits,

    /// The `[replication]` section: read replicas.
    #[command(flatten)]
    pub replication: Replication,
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

impl Cli {
    /// The pool size: `--db-max-connections`, else the engine's default.
    pub fn db_max_connections(&self) -> u32 {
        self.db_max_connections
            .unwrap_or_else(|| self.database_url.default_max_connections())
    }
}
