//! Starting the real server for a test: on a random port, with a database of its own.

use std::{
    net::SocketAddr,
    sync::{
        Once,
        atomic::{AtomicUsize, Ordering},
    },
    time::{SystemTime, UNIX_EPOCH},
};

use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use talent_api::{
    config::{DatabaseUrl, ServerConfig},
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

/// Runs each test body once on SQLite and once on PostgreSQL (when `TALENT_TEST_POSTGRES_URL` is
/// set). The test is a module named as a sentence; its two cases are `on_sqlite` and `on_postgres`.
#[macro_export]
macro_rules! db_test {
    ($fixture:ident, async fn $name:ident($app:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use $crate::helpers::{Engine, Fixture, TestApp};

            async fn run($app: TestApp) $body

            #[tokio::test]
            async fn on_sqlite() {
                run(TestApp::spawn(Engine::Sqlite, Fixture::$fixture).await.expect("SQLite is always there")).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                if let Some(app) = TestApp::spawn(Engine::Postgres, Fixture::$fixture).await {
                    run(app).await;
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

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let without_query = url.split('?').next().unwrap_or(url);
    let base = without_query
        .rsplit_once('/')
        .map_or(without_query, |(base, _)| base);
    format!("{base}/{name}")
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
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("talent.db").display());
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
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
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

/// A running server with a database of its own.
pub struct TestApp {
    pub addr: SocketAddr,
    pub database_url: DatabaseUrl,
    pub client: reqwest::Client,
    pub statements: StatementCounter,
    server: JoinHandle<()>,
    // Dropped after the server is stopped.
    _db: TestDb,
}

impl TestApp {
    /// Starts the server on `engine` with `fixture` loaded; None when PostgreSQL tests are off.
    pub async fn spawn(engine: Engine, fixture: Fixture) -> Option<Self> {
        init_tracing();
        let (db, database_url) = TestDb::create(engine).await?;
        let config = ServerConfig {
            database_url: database_url.clone(),
            db_max_connections: 5,
            addr: "127.0.0.1:0".parse().expect("valid address"),
            load_demo: fixture == Fixture::Demo,
        };
        let app = Application::build(&config)
            .await
            .expect("the server starts");
        let addr = app.local_addr().expect("bound address");
        let statements = app.statements();
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
            server,
            _db: db,
        })
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// POSTs a GraphQL request and returns the whole response body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request sent")
            .json()
            .await
            .expect("JSON response")
    }

    /// POSTs a GraphQL request that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Runs a request that must succeed; returns its `data` and how many SQL statements it ran.
    pub async fn data_and_statements(&self, query: &str, variables: Value) -> (Value, u64) {
        let before = self.statements.get();
        let data = self.data(query, variables).await;
        (data, self.statements.get() - before)
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

    /// A connection of the test's own to its database, for arranging and checking rows.
    pub async fn db(&self) -> sea_orm::DatabaseConnection {
        Database::connect(self.database_url.as_str())
            .await
            .expect("connect to the test database")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The first error of a response, which must have one.
pub fn first_error(body: &Value) -> &Value {
    body["errors"]
        .get(0)
        .unwrap_or_else(|| panic!("expected an error: {body:#}"))
}
