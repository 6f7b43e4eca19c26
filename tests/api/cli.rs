//! The `talent-api` binary: configuration errors, seeding, schema export and a real start.

use std::{path::Path, process::Stdio, time::Duration};

use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::Command,
};

use crate::helpers::{Engine, TestDb};

const BIN: &str = env!("CARGO_BIN_EXE_talent-api");

/// The binary with a clean environment: no DATABASE_URL or TALENT_* from the caller.
fn talent_api() -> Command {
    let mut command = Command::new(BIN);
    command
        .env_remove("DATABASE_URL")
        .env_remove("TALENT_ADDR")
        .env_remove("TALENT_NO_DEMO")
        .env("RUST_LOG", "warn");
    command.kill_on_drop(true);
    command
}

async fn run(command: &mut Command) -> (i32, String, String) {
    let output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .expect("finished within a minute")
        .expect("the binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn assert_one_clear_line(stderr: &str, expected: &str) {
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains(expected),
        "expected `{expected}` in: {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
}

#[tokio::test]
async fn an_unknown_database_scheme_exits_non_zero_with_one_clear_line() {
    let (code, _, stderr) =
        run(talent_api().args(["--database-url", "mysql://root@localhost/test", "migrate"])).await;
    assert_ne!(code, 0);
    assert_one_clear_line(&stderr, "unsupported database `mysql`");
}

#[tokio::test]
async fn an_unreachable_database_exits_non_zero_with_one_clear_line() {
    let (code, _, stderr) = run(talent_api().args([
        "--database-url",
        "postgres://app:secret@127.0.0.1:1/talent",
        "migrate",
    ]))
    .await;
    assert_eq!(code, 1);
    assert_one_clear_line(
        &stderr,
        "cannot connect to the database at postgres://app:***@127.0.0.1:1/talent",
    );
    assert!(!stderr.contains("secret"), "the password leaked: {stderr}");
}

#[tokio::test]
async fn a_busy_port_exits_non_zero_with_one_clear_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let addr = taken.local_addr().expect("address").to_string();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("talent.db").display());
    let (code, _, stderr) = run(talent_api().args([
        "--database-url",
        &url,
        "serve",
        "--no-demo",
        "--addr",
        &addr,
    ]))
    .await;
    assert_eq!(code, 1);
    assert_one_clear_line(&stderr, &format!("cannot listen on {addr}"));
}

async fn seed_twice(engine: Engine) {
    let Some((_db, url)) = TestDb::create(engine).await else {
        return;
    };
    let (code, _, stderr) = run(talent_api().args(["--database-url", url.as_str(), "seed"])).await;
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(talent_api().args(["--database-url", url.as_str(), "seed"])).await;
    assert_eq!(code, 1);
    assert_one_clear_line(&stderr, "already holds data");
}

#[tokio::test]
async fn seed_fills_an_empty_sqlite_database_and_refuses_a_full_one() {
    seed_twice(Engine::Sqlite).await;
}

#[tokio::test]
async fn seed_fills_an_empty_postgres_database_and_refuses_a_full_one() {
    seed_twice(Engine::Postgres).await;
}

#[tokio::test]
async fn seed_at_scale_two_doubles_the_demo_and_adds_fifteen_employers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("scaled.db").display());
    let (code, _, stderr) =
        run(talent_api().args(["--database-url", &url, "seed", "--scale", "2"])).await;
    assert_eq!(code, 0, "{stderr}");
    let db = sea_orm::Database::connect(&url).await.expect("connect");
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        entity::developer::Entity::find()
            .count(&db)
            .await
            .expect("count"),
        600
    );
    assert_eq!(
        entity::vacancy::Entity::find()
            .count(&db)
            .await
            .expect("count"),
        300
    );
    assert_eq!(
        entity::employer::Entity::find()
            .count(&db)
            .await
            .expect("count"),
        45
    );
    assert_eq!(
        entity::skill::Entity::find()
            .count(&db)
            .await
            .expect("count"),
        300,
        "from scale 2 on, the wider taxonomy"
    );
}

#[tokio::test]
async fn seed_on_postgres_leaves_every_table_vacuumed_and_analyzed() {
    let Some((_db, url)) = TestDb::create(Engine::Postgres).await else {
        return;
    };
    let (code, _, stderr) = run(talent_api().args(["--database-url", url.as_str(), "seed"])).await;
    assert_eq!(code, 0, "{stderr}");
    let db = sea_orm::Database::connect(url.as_str())
        .await
        .expect("connect");
    use sea_orm::ConnectionTrait;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT count(*) FILTER (WHERE last_vacuum IS NULL OR last_analyze IS NULL) AS missed \
             FROM pg_stat_user_tables WHERE relname IN \
             ('skills', 'employers', 'developers', 'developer_skills', 'vacancies', 'vacancy_skills')",
        ))
        .await
        .expect("query")
        .expect("a row");
    assert_eq!(row.try_get::<i64>("", "missed").expect("missed"), 0);
}

#[tokio::test]
async fn seed_refuses_a_scale_of_zero() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("zero.db").display());
    let (code, _, stderr) =
        run(talent_api().args(["--database-url", &url, "seed", "--scale", "0"])).await;
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--scale"), "{stderr}");
}

#[tokio::test]
async fn migrate_creates_the_schema_and_can_run_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("fresh.db").display());
    for _ in 0..2 {
        let (code, _, stderr) = run(talent_api().args(["--database-url", &url, "migrate"])).await;
        assert_eq!(code, 0, "{stderr}");
    }
    assert!(dir.path().join("fresh.db").exists());
}

#[tokio::test]
async fn export_schema_prints_the_sdl_and_writes_it_to_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("schema.graphql");
    let (code, stdout, stderr) = run(talent_api().arg("export-schema")).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, talent_api::schema::sdl());
    let (code, _, stderr) = run(talent_api().args(["export-schema", "--out"]).arg(&out)).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).expect("written"), stdout);
}

#[tokio::test]
async fn export_schema_as_json_prints_the_introspection_result() {
    let (code, stdout, stderr) =
        run(talent_api().args(["export-schema", "--format", "json"])).await;
    assert_eq!(code, 0, "{stderr}");
    let introspection: Value = serde_json::from_str(&stdout).expect("JSON");
    let schema = &introspection["__schema"];
    assert_eq!(schema["queryType"]["name"], "Query");
    assert_eq!(schema["subscriptionType"]["name"], "Subscription");
    let developer = schema["types"]
        .as_array()
        .expect("types")
        .iter()
        .find(|t| t["name"] == "Developer")
        .expect("Developer");
    assert!(
        developer["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "descriptions are kept"
    );
}

/// Reads the server's log until it says where it listens.
async fn listening_url(stderr: tokio::process::ChildStderr) -> String {
    let mut lines = BufReader::new(stderr).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(rest) = line.split("listening on ").nth(1) {
            return rest.split(';').next().unwrap_or_default().to_owned();
        }
    }
    panic!("the server never said where it listens");
}

#[tokio::test]
async fn serve_without_arguments_creates_talent_db_with_demo_data_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = talent_api()
        .current_dir(dir.path())
        .env("TALENT_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let stderr = child.stderr.take().expect("piped stderr");
    let base = tokio::time::timeout(Duration::from_secs(60), listening_url(stderr))
        .await
        .expect("started in time");

    assert!(
        Path::new(&dir.path().join("talent.db")).exists(),
        "no talent.db in the working directory"
    );
    let token = talent_api()
        .current_dir(dir.path())
        .args(["token", "create", "--role", "admin", "--name", "cli-test"])
        .output()
        .await
        .expect("token create runs");
    assert!(
        token.status.success(),
        "{}",
        String::from_utf8_lossy(&token.stderr)
    );
    let token = String::from_utf8(token.stdout)
        .expect("UTF-8")
        .trim()
        .to_owned();
    let client = reqwest::Client::new();
    let body: Value = client
        .post(format!("{base}/graphql"))
        .bearer_auth(&token)
        .json(&json!({ "query": "{ developers { totalCount } vacancies(filter: { status: [DRAFT, OPEN, CLOSED] }) { totalCount } employers { totalCount } skills { totalCount } }" }))
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["data"]["developers"]["totalCount"], 300, "{body}");
    assert_eq!(body["data"]["vacancies"]["totalCount"], 150);
    assert_eq!(body["data"]["employers"]["totalCount"], 30);
    let playground = client
        .get(format!("{base}/"))
        .send()
        .await
        .expect("request sent");
    assert_eq!(playground.status(), 200);

    let pid = child.id().expect("running").to_string();
    let (code, _, _) = run(Command::new("kill").args(["-TERM", &pid])).await;
    assert_eq!(code, 0);
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("stopped in time")
        .expect("exit status");
    assert!(status.success(), "{status}");
}

/// `SHOW max_parallel_workers_per_gather` on a pool of the server's.
async fn parallel_workers(url: &str) -> String {
    use sea_orm::ConnectionTrait;
    let url: talent_api::config::DatabaseUrl = url.parse().expect("a PostgreSQL URL");
    let db = talent_api::db::connect(&url, 1).await.expect("connect");
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SHOW max_parallel_workers_per_gather",
        ))
        .await
        .expect("show")
        .expect("a row");
    row.try_get_by_index::<String>(0).expect("the setting")
}

#[tokio::test]
async fn postgres_sessions_plan_without_parallel_workers_unless_the_url_sets_them() {
    let Some((_db, url)) = TestDb::create(Engine::Postgres).await else {
        return;
    };
    assert_eq!(parallel_workers(url.as_str()).await, "0");
    let asked = format!(
        "{}?options=-c%20max_parallel_workers_per_gather%3D2",
        url.as_str()
    );
    assert_eq!(parallel_workers(&asked).await, "2");
}
