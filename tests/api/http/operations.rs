//! Running the server: graceful shutdown, and losing and regaining the database.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use talent_api::{
    config::{self, Http, Limits, ServerConfig},
    startup::Application,
};

use crate::helpers::{Engine, Fixture, TestApp, TestDb};

/// A server on a fresh SQLite database with the test routes, and the sender that stops it.
async fn server(
    shutdown_timeout_ms: u64,
) -> (
    TestDb,
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    server_draining(shutdown_timeout_ms, 0).await
}

/// [`server`], draining for `drain_ms` after the signal.
async fn server_draining(
    shutdown_timeout_ms: u64,
    drain_ms: u64,
) -> (
    TestDb,
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let (db, database_url) = TestDb::create(Engine::Sqlite).await.expect("SQLite");
    let config = ServerConfig {
        database: config::Database {
            url: database_url,
            max_connections: 2,
            load_demo: false,
        },
        http: Http {
            addr: "127.0.0.1:0".parse().expect("an address"),
            shutdown_timeout_ms,
            drain_ms,
            ..Http::default()
        },
        limits: Limits::default(),
        replication: Default::default(),
        test_routes: true,
    };
    let app = Application::build(&config)
        .await
        .expect("the server starts");
    let base = format!("http://{}", app.local_addr().expect("an address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until_stopped(async move {
        stopped.await.ok();
    }));
    (db, base, stop, running)
}

#[tokio::test]
async fn a_request_in_flight_when_the_signal_comes_finishes_with_200() {
    let (_db, base, stop, running) = server(5_000).await;
    let client = reqwest::Client::new();
    let in_flight = tokio::spawn(client.get(format!("{base}/__test/sleep?ms=600")).send());
    tokio::time::sleep(Duration::from_millis(150)).await;
    stop.send(()).expect("the server listens for the signal");
    let response = in_flight.await.expect("joined").expect("answered");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("body"), "slept");
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("stopped in time")
        .expect("joined")
        .expect("stopped cleanly");
    assert!(
        client.get(format!("{base}/health")).send().await.is_err(),
        "still accepting"
    );
}

#[tokio::test]
async fn while_draining_ready_is_503_and_requests_are_still_served() {
    let (_db, base, stop, running) = server_draining(5_000, 800).await;
    let client = reqwest::Client::new();
    let ready = client
        .get(format!("{base}/ready"))
        .send()
        .await
        .expect("sent");
    assert_eq!(ready.status(), 200);
    stop.send(()).expect("the server listens for the signal");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let ready = client
        .get(format!("{base}/ready"))
        .send()
        .await
        .expect("sent");
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.expect("JSON");
    assert_eq!(body["status"], "draining");
    let served = client
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(served.status(), 200);
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("stopped after draining")
        .expect("joined")
        .expect("stopped cleanly");
    assert!(
        client.get(format!("{base}/health")).send().await.is_err(),
        "still accepting"
    );
}

#[tokio::test]
async fn shutdown_stops_waiting_for_requests_after_the_drain_timeout() {
    let (_db, base, stop, running) = server(200).await;
    let client = reqwest::Client::new();
    let _stuck = tokio::spawn(client.get(format!("{base}/__test/sleep?ms=30000")).send());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    stop.send(()).expect("the server listens for the signal");
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("stopped in time")
        .expect("joined")
        .expect("stopped cleanly");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// Runs `sql` on the PostgreSQL server of `app` as the admin.
async fn admin_sql(admin_url: &str, sql: &str) {
    let admin = Database::connect(admin_url)
        .await
        .expect("connect as admin");
    admin
        .execute_unprepared(sql)
        .await
        .expect("admin statement");
    admin.close().await.ok();
}

#[tokio::test]
async fn losing_the_database_fails_fast_with_service_unavailable_and_the_server_recovers() {
    let Some(app) = TestApp::spawn(Engine::Postgres, Fixture::Empty).await else {
        return;
    };
    let (admin_url, name) = app
        .postgres_database()
        .map(|(url, name)| (url.to_owned(), name.to_owned()))
        .expect("PostgreSQL");
    let query = "{ skills { totalCount } }";
    app.data(query, json!({})).await;

    admin_sql(
        &admin_url,
        &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"),
    )
    .await;
    admin_sql(
        &admin_url,
        &format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"),
    )
    .await;
    let started = Instant::now();
    let response = app.anonymous().post(query, json!({})).await;
    let elapsed = started.elapsed();
    assert!(
        response.status() == 200 || response.status() == 503,
        "{}",
        response.status()
    );
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE",
        "{body:#}"
    );
    assert!(elapsed < Duration::from_secs(8), "took {elapsed:?}");
    let ready = app
        .client
        .get(app.url("/ready"))
        .send()
        .await
        .expect("sent");
    assert_eq!(ready.status(), 503);
    assert_eq!(
        app.client
            .get(app.url("/health"))
            .send()
            .await
            .expect("sent")
            .status(),
        200
    );

    admin_sql(
        &admin_url,
        &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"),
    )
    .await;
    let data = app.data(query, json!({})).await;
    assert_eq!(data["skills"]["totalCount"], 0);
    assert_eq!(
        app.client
            .get(app.url("/ready"))
            .send()
            .await
            .expect("sent")
            .status(),
        200
    );
}
