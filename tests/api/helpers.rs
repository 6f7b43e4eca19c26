//! Starting the real server for a test: on a random port, with a database of its own.

use std::{
    net::SocketAddr,
    sync::{
        Once,
        atomic::{AtomicUsize, Ordering},
    },
    time::{SystemTime, UNIX_EPOCH},
};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait};
use serde_json::{Value, json};
use talent_api::{
    auth::{
        Secret,
        store::{self as tokens, NewToken},
    },
    config::{self, DatabaseUrl, Http, Limits, ServerConfig},
    db::StatementCounter,
    startup::Application,
};
use tempfile::TempDir;
use tokio::task::JoinHandle;

/// The database engine a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// What the test's database holds when the server starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fixture {
    /// The demo dataset.
    Demo,
    /// Nothing (migrated, empty).
    Empty,
}

/// Registers `async fn $name(app: TestApp)` as a test that runs once on SQLite and once on
/// PostgreSQL (when `TALENT_TEST_POSTGRES_URL` is set), each on a database of its own holding
/// `$fixture`. The test is a module named as the function; its two cases are `on_sqlite` and
/// `on_postgres`. The body stays a plain function, so rustfmt formats it.
#[macro_export]
macro_rules! db_test {
    ($fixture:ident, $name:ident) => {
        mod $name {
            use $crate::helpers::{Engine, Fixture, TestApp};

            #[tokio::test]
            async fn on_sqlite() {
                let app = TestApp::spawn(Engine::Sqlite, Fixture::$fixture).await;
                super::$name(app.expect("SQLite is always there")).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                if let Some(app) = TestApp::spawn(Engine::Postgres, Fixture::$fixture).await {
                    super::$name(app).await;
                }
            }
        }
    };
}

static TRACING: Once = Once::new();
static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// Logs only when `TEST_LOG` is set.
fn init_tracing() {
    TRACING.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new("debug,sqlx=warn"))
                .with_test_writer()
                .init();
        }
    });
}

/// The PostgreSQL server to create test databases on, or None when PostgreSQL tests are off.
/// On CI (`CI` set) they are never off.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("TALENT_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!(
                "CI is set but TALENT_TEST_POSTGRES_URL is not: the PostgreSQL half of the suite must run on CI"
            )
        }
        _ => {
            eprintln!("skipped: set TALENT_TEST_POSTGRES_URL to run this test on PostgreSQL too");
            None
        }
    }
}

/// The hot standby of the PostgreSQL server tests run on (`scripts/replica.sh`), or None when
/// replica tests are off. On CI (`CI` set) they are never off.
pub fn replica_admin_url() -> Option<String> {
    match std::env::var("TALENT_TEST_REPLICA_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!(
                "CI is set but TALENT_TEST_REPLICA_URL is not: .ci/run starts a replica with scripts/replica.sh"
            )
        }
        _ => {
            eprintln!(
                "skipped: run scripts/replica.sh and set TALENT_TEST_REPLICA_URL to run the read-replica tests"
            );
            None
        }
    }
}

/// Why a server on a fresh, empty SQLite database refuses to start with `change` made to its
/// configuration (it must refuse).
pub async fn refused_on_sqlite(change: impl FnOnce(&mut ServerConfig)) -> anyhow::Error {
    let (_db, url) = TestDb::create(Engine::Sqlite).await.expect("SQLite");
    let mut config = ServerConfig {
        database: config::Database {
            url,
            max_connections: 1,
            load_demo: false,
        },
        http: Http {
            addr: "127.0.0.1:0".parse().expect("an address"),
            ..Http::default()
        },
        limits: Limits::default(),
        replication: config::Replication::default(),
        test_routes: false,
    };
    change(&mut config);
    Application::build(&config)
        .await
        .err()
        .expect("the server refuses to start")
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let without_query = url.split('?').next().unwrap_or(url);
    let base = without_query
        .rsplit_once('/')
        .map_or(without_query, |(base, _)| base);
    format!("{base}/{name}")
}

/// The demo dataset of each engine, migrated and seeded once per test run: on SQLite a file each
/// `Demo` test copies, on PostgreSQL a database each one is created from (`CREATE DATABASE …
/// TEMPLATE`). Seeding it again for every test took most of the suite's time. Templates of runs
/// that have ended (their process is gone) are removed when a run builds its own.
async fn demo_template(engine: Engine) -> Option<&'static str> {
    static SQLITE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    static POSTGRES: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let pid = std::process::id();
    match engine {
        Engine::Sqlite => Some(
            SQLITE
                .get_or_init(|| async move {
                    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
                    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                        let name = entry.file_name().to_string_lossy().into_owned();
                        if let Some(owner) = template_owner(&name, "demo-")
                            && !process_alive(owner)
                        {
                            std::fs::remove_file(entry.path()).ok();
                        }
                    }
                    let building = dir.join(format!("demo-{pid}-building.db"));
                    let template = dir.join(format!("demo-{pid}.db"));
                    let url = format!("sqlite://{}", building.display());
                    let db = seed_demo(&url.parse().expect("valid SQLite URL")).await;
                    // One self-contained file, without a write-ahead log beside it.
                    db.execute_unprepared(&format!("VACUUM INTO '{}'", template.display()))
                        .await
                        .expect("write the demo template");
                    db.close().await.expect("close the demo database");
                    for suffix in ["", "-wal", "-shm"] {
                        std::fs::remove_file(format!("{}{suffix}", building.display())).ok();
                    }
                    template.display().to_string()
                })
                .await
                .as_str(),
        ),
        Engine::Postgres => {
            let admin_url = postgres_admin_url()?;
            let name = POSTGRES
                .get_or_init(|| async move {
                    let admin = Database::connect(&admin_url)
                        .await
                        .expect("connect to TALENT_TEST_POSTGRES_URL");
                    let stale = admin
                        .query_all_raw(sea_orm::Statement::from_string(
                            admin.get_database_backend(),
                            "SELECT datname FROM pg_database WHERE datname LIKE 'talent_demo_%'",
                        ))
                        .await
                        .expect("list the demo templates");
                    for row in stale {
                        let name: String = row.try_get("", "datname").expect("a name");
                        if template_owner(&name, "talent_demo_")
                            .is_some_and(|owner| !process_alive(owner))
                        {
                            admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await
                                .ok();
                        }
                    }
                    let name = format!("talent_demo_{pid}");
                    admin
                        .execute_unprepared(&format!("CREATE DATABASE {name}"))
                        .await
                        .expect("create the demo template");
                    let url = with_database(&admin_url, &name);
                    let db = seed_demo(&url.parse().expect("valid PostgreSQL URL")).await;
                    db.close().await.expect("close the demo template");
                    admin.close().await.ok();
                    name
                })
                .await;
            Some(name.as_str())
        }
    }
}

/// A database at `url`, migrated and holding the demo dataset, on one connection.
async fn seed_demo(url: &DatabaseUrl) -> DatabaseConnection {
    let db = talent_api::db::connect(url, 1)
        .await
        .expect("connect to the demo template");
    talent_api::db::migrate(&db)
        .await
        .expect("migrate the demo template");
    talent_api::demo::seed(&db)
        .await
        .expect("seed the demo template");
    db
}

/// The process id in the name of a demo template (`{prefix}{pid}…`).
fn template_owner(name: &str, prefix: &str) -> Option<u32> {
    let digits: String = name
        .strip_prefix(prefix)?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Whether process `pid` still runs on this machine.
fn process_alive(pid: u32) -> bool {
    pid == std::process::id() || std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// A database that belongs to one test and disappears with it.
pub enum TestDb {
    /// The temporary directory holding the database file; removed on drop.
    Sqlite {
        _dir: TempDir,
    },
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl TestDb {
    /// A fresh, empty database on `engine`, or None when PostgreSQL tests are off.
    pub async fn create(engine: Engine) -> Option<(Self, DatabaseUrl)> {
        Self::holding(engine, Fixture::Empty).await
    }

    /// A fresh database on `engine` holding `fixture`, or None when PostgreSQL tests are off. The
    /// demo dataset is a copy of the run's demo template (see [`demo_template`]).
    pub async fn holding(engine: Engine, fixture: Fixture) -> Option<(Self, DatabaseUrl)> {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let file = dir.path().join("talent.db");
                if fixture == Fixture::Demo {
                    let template = demo_template(Engine::Sqlite).await?;
                    std::fs::copy(template, &file).expect("copy the demo template");
                }
                let url = format!("sqlite://{}", file.display());
                Some((
                    Self::Sqlite { _dir: dir },
                    url.parse().expect("valid SQLite URL"),
                ))
            }
            Engine::Postgres => {
                let admin_url = postgres_admin_url()?;
                let nanos = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.subsec_nanos());
                let name = format!(
                    "talent_test_{}_{}_{nanos}",
                    std::process::id(),
                    DATABASES.fetch_add(1, Ordering::Relaxed)
                );
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("connect to TALENT_TEST_POSTGRES_URL");
                let template = match fixture {
                    Fixture::Demo => format!(" TEMPLATE {}", demo_template(engine).await?),
                    Fixture::Empty => String::new(),
                };
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}{template}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let url = with_database(&admin_url, &name);
                Some((
                    Self::Postgres { admin_url, name },
                    url.parse().expect("valid PostgreSQL URL"),
                ))
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Self::Postgres { admin_url, name } = self {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime: use a thread with a runtime of its own.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime
                    .block_on(async {
                        let admin = Database::connect(&admin_url).await?;
                        admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await?;
                        admin.close().await
                    })
                    .map_err(std::io::Error::other)
            })
            .join();
            if !matches!(dropped, Ok(Ok(()))) {
                eprintln!("could not drop a test database: {dropped:?}");
            }
        }
    }
}

/// A test server's `[http]` and `[limits]` sections: from `Limits` (HTTP defaults), from `Http`
/// (limit defaults with rate limiting off, as most tests send bursts), or both.
pub struct Settings {
    pub http: Http,
    pub limits: Limits,
}

impl From<Limits> for Settings {
    fn from(limits: Limits) -> Self {
        Self {
            http: Http::default(),
            limits,
        }
    }
}

impl From<Http> for Settings {
    fn from(http: Http) -> Self {
        Self {
            http,
            limits: Limits {
                rate_limit_per_second: 0.0,
                ..Limits::default()
            },
        }
    }
}

/// A running server with a database of its own.
pub struct TestApp {
    pub addr: SocketAddr,
    pub database_url: DatabaseUrl,
    pub client: reqwest::Client,
    pub statements: StatementCounter,
    /// An ADMIN token, minted when the server started.
    pub admin_token: String,
    /// The server's own pool, for arranging and checking rows.
    pool: DatabaseConnection,
    server: JoinHandle<()>,
    // Dropped after the server is stopped.
    _db: TestDb,
}

impl TestApp {
    /// Starts the server on `engine` with `fixture` loaded; None when PostgreSQL tests are off.
    /// Rate limiting is off: tests that walk whole lists send many requests.
    pub async fn spawn(engine: Engine, fixture: Fixture) -> Option<Self> {
        let limits = Limits {
            rate_limit_per_second: 0.0,
            ..Limits::default()
        };
        Self::spawn_with(engine, fixture, limits).await
    }

    /// Starts the server with `settings` (and the test-only routes), listening on a free port.
    pub async fn spawn_with(
        engine: Engine,
        fixture: Fixture,
        settings: impl Into<Settings>,
    ) -> Option<Self> {
        Self::spawn_replicated(engine, fixture, settings, |_| {
            config::Replication::default()
        })
        .await
    }

    /// Starts the server with `settings` and the read replicas `replication` names for the
    /// test's database (its name on PostgreSQL, empty on SQLite).
    pub async fn spawn_replicated(
        engine: Engine,
        fixture: Fixture,
        settings: impl Into<Settings>,
        replication: impl FnOnce(&str) -> config::Replication,
    ) -> Option<Self> {
        init_tracing();
        let Settings { http, limits } = settings.into();
        let (db, database_url) = TestDb::holding(engine, fixture).await?;
        let replication = replication(match &db {
            TestDb::Postgres { name, .. } => name,
            TestDb::Sqlite { .. } => "",
        });
        let config = ServerConfig {
            database: config::Database {
                url: database_url.clone(),
                max_connections: 5,
                load_demo: fixture == Fixture::Demo,
            },
            http: Http {
                addr: "127.0.0.1:0".parse().expect("valid address"),
                ..http
            },
            limits,
            replication,
            test_routes: true,
        };
        let app = Application::build(&config)
            .await
            .expect("the server starts");
        let addr = app.local_addr().expect("bound address");
        let statements = app.statements();
        let pool = app.database();
        let admin_token = mint(&pool, entity::TokenRole::Admin, None, None).await;
        let server = tokio::spawn(async move {
            app.run_until_stopped(std::future::pending())
                .await
                .expect("the server runs");
        });
        Some(Self {
            addr,
            database_url,
            client: reqwest::Client::new(),
            statements,
            admin_token,
            pool,
            server,
            _db: db,
        })
    }

    /// A caller without a token.
    pub fn anonymous(&self) -> Caller<'_> {
        Caller {
            app: self,
            token: None,
        }
    }

    /// A caller with the ADMIN token.
    pub fn admin(&self) -> Caller<'_> {
        self.with_token(&self.admin_token)
    }

    /// A caller sending `token`.
    pub fn with_token(&self, token: &str) -> Caller<'_> {
        Caller {
            app: self,
            token: Some(token.to_owned()),
        }
    }

    /// A caller with a new EMPLOYER token for the employer with `slug`.
    pub async fn as_employer(&self, slug: &str) -> Caller<'_> {
        let token = self.employer_token(slug).await;
        self.with_token(&token)
    }

    /// A caller with a new DEVELOPER token for the developer with `handle`.
    pub async fn as_developer(&self, handle: &str) -> Caller<'_> {
        let token = self.developer_token(handle).await;
        self.with_token(&token)
    }

    /// A new EMPLOYER token for the employer with `slug`.
    pub async fn employer_token(&self, slug: &str) -> String {
        use sea_orm::{ColumnTrait, QueryFilter};
        let employer = entity::employer::Entity::find()
            .filter(entity::employer::Column::Slug.eq(slug))
            .one(&self.pool)
            .await
            .expect("read employers")
            .unwrap_or_else(|| panic!("no employer {slug}"));
        mint(
            &self.pool,
            entity::TokenRole::Employer,
            Some(employer.id),
            None,
        )
        .await
    }

    /// A new DEVELOPER token for the developer with `handle`.
    pub async fn developer_token(&self, handle: &str) -> String {
        use sea_orm::{ColumnTrait, QueryFilter};
        let developer = entity::developer::Entity::find()
            .filter(entity::developer::Column::Handle.eq(handle))
            .one(&self.pool)
            .await
            .expect("read developers")
            .unwrap_or_else(|| panic!("no developer {handle}"));
        mint(
            &self.pool,
            entity::TokenRole::Developer,
            None,
            Some(developer.id),
        )
        .await
    }

    /// A token stored with `new`, for arranging expired or odd tokens.
    pub async fn token_with(&self, new: NewToken) -> String {
        let secret = Secret::generate().expect("randomness");
        tokens::create(&self.pool, new, &secret, chrono::Utc::now())
            .await
            .expect("create a token");
        secret.expose().to_owned()
    }

    /// The admin URL and name of the test's PostgreSQL database; None on SQLite.
    pub fn postgres_database(&self) -> Option<(&str, &str)> {
        match &self._db {
            TestDb::Postgres { admin_url, name } => Some((admin_url, name)),
            TestDb::Sqlite { .. } => None,
        }
    }

    /// Ends the server's PostgreSQL `LISTEN` connection from the database side, as a network
    /// blip or a restart of PostgreSQL would.
    pub async fn cut_listen_connection(&self) {
        let (admin_url, name) = self.postgres_database().expect("PostgreSQL");
        let admin = Database::connect(admin_url)
            .await
            .expect("connect as admin");
        admin
            .execute_unprepared(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND query ILIKE 'LISTEN%'"
            ))
            .await
            .expect("terminate the listener");
        admin.close().await.ok();
    }

    /// POSTs a raw body with a content type; returns the response.
    pub async fn post_raw(
        &self,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        self.client
            .post(self.url("/graphql"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request sent")
    }

    /// The server's own pool.
    pub fn pool(&self) -> &DatabaseConnection {
        &self.pool
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// POSTs a GraphQL request without a token and returns the whole response body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.anonymous().graphql(query, variables).await
    }

    /// POSTs a GraphQL request without a token that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        self.anonymous().data(query, variables).await
    }

    /// Runs a request that must succeed; returns its `data` and how many SQL statements it ran.
    pub async fn data_and_statements(&self, query: &str, variables: Value) -> (Value, u64) {
        let before = self.statements.get();
        let data = self.data(query, variables).await;
        (data, self.statements.get() - before)
    }

    /// Every node of the root connection `field`, seen anonymously (see [`Caller::all_nodes`]).
    pub async fn all_nodes(&self, field: &str, arguments: &str, selection: &str) -> Vec<Value> {
        self.anonymous()
            .all_nodes(field, arguments, selection)
            .await
    }

    /// A connection of the test's own to its database, for arranging and checking rows.
    pub async fn db(&self) -> sea_orm::DatabaseConnection {
        Database::connect(self.database_url.as_str())
            .await
            .expect("connect to the test database")
    }
}

/// Stores a token; returns it.
async fn mint(
    pool: &DatabaseConnection,
    role: entity::TokenRole,
    employer_id: Option<i64>,
    developer_id: Option<i64>,
) -> String {
    let new = NewToken {
        name: format!("test {role:?}").to_lowercase(),
        role,
        employer_id,
        developer_id,
        expires_at: None,
    };
    let secret = Secret::generate().expect("randomness");
    tokens::create(pool, new, &secret, chrono::Utc::now())
        .await
        .expect("create a token");
    secret.expose().to_owned()
}

/// Someone calling the API: anonymous, or with a token.
pub struct Caller<'a> {
    app: &'a TestApp,
    pub token: Option<String>,
}

impl<'a> Caller<'a> {
    /// POSTs a GraphQL request and returns the HTTP response. The future does not borrow the
    /// caller, so requests can run side by side.
    pub fn post(
        &self,
        query: &str,
        variables: Value,
    ) -> impl Future<Output = reqwest::Response> + use<'a> {
        let mut request = self
            .app
            .client
            .post(self.app.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await.expect("request sent") }
    }

    /// POSTs a GraphQL request and returns the whole response body.
    pub fn graphql(&self, query: &str, variables: Value) -> impl Future<Output = Value> + use<'a> {
        let response = self.post(query, variables);
        async move { response.await.json().await.expect("JSON response") }
    }

    /// POSTs a GraphQL request that must succeed and returns its `data`.
    pub fn data(&self, query: &str, variables: Value) -> impl Future<Output = Value> + use<'a> {
        let body = self.graphql(query, variables);
        async move {
            let body = body.await;
            assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
            body["data"].clone()
        }
    }

    /// Every node of the root connection `field`, paging through it 100 at a time; `arguments` are
    /// extra arguments of the field (e.g. `orderBy: {...}`), `selection` the fields of a node.
    pub async fn all_nodes(&self, field: &str, arguments: &str, selection: &str) -> Vec<Value> {
        let query = format!(
            "query($after: String) {{ {field}(first: 100, after: $after {arguments}) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {selection} }} }} }}"
        );
        let mut nodes = Vec::new();
        let mut after = Value::Null;
        loop {
            let data = self.data(&query, json!({ "after": after })).await;
            let connection = &data[field];
            nodes.extend(
                connection["nodes"]
                    .as_array()
                    .expect("a list")
                    .iter()
                    .cloned(),
            );
            if connection["pageInfo"]["hasNextPage"] != json!(true) {
                return nodes;
            }
            after = connection["pageInfo"]["endCursor"].clone();
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A second server instance on a test app's database: its own pool, event bus and caches, as
/// another process behind a load balancer would have.
pub struct Instance {
    pub addr: SocketAddr,
    server: JoinHandle<()>,
}

impl Instance {
    /// Starts one on `app`'s database (no demo load, rate limiting off).
    pub async fn beside(app: &TestApp) -> Self {
        Self::beside_with(
            app,
            Limits {
                rate_limit_per_second: 0.0,
                ..Limits::default()
            },
        )
        .await
    }

    /// Starts one on `app`'s database with `limits` (no demo load).
    pub async fn beside_with(app: &TestApp, limits: Limits) -> Self {
        let config = ServerConfig {
            database: config::Database {
                url: app.database_url.clone(),
                max_connections: 5,
                load_demo: false,
            },
            http: Http {
                addr: "127.0.0.1:0".parse().expect("valid address"),
                ..Http::default()
            },
            limits,
            replication: Default::default(),
            test_routes: false,
        };
        let app = Application::build(&config)
            .await
            .expect("the second instance starts");
        let addr = app.local_addr().expect("bound address");
        let server = tokio::spawn(async move {
            app.run_until_stopped(std::future::pending())
                .await
                .expect("the second instance runs");
        });
        Self { addr, server }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Every value of header `name` in `response`, joined with `, ` (empty when it has none).
pub fn header_of(response: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    response
        .headers()
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first error of a response, which must have one.
pub fn first_error(body: &Value) -> &Value {
    body["errors"]
        .get(0)
        .unwrap_or_else(|| panic!("expected an error: {body:#}"))
}

/// The `(field, code)` of each entry of a mutation payload's `userErrors`.
pub fn codes(errors: &Value) -> Vec<(Value, String)> {
    errors
        .as_array()
        .expect("userErrors")
        .iter()
        .map(|e| {
            (
                e["field"].clone(),
                e["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The number the one-row, one-column `sql` answers, read on the test's own connection.
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = app.db().await;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .expect("query")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("a count")
}

/// SplitMix64: deterministic, so a failure can be replayed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}
