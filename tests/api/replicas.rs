//! Read replicas, on the hot standby `scripts/replica.sh` runs (300 ms behind its primary):
//! queries served by the replica, read-your-writes with the consistency token, and replicas that
//! stop or lag skipped without a failed request. PostgreSQL only.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use talent_api::config::{Http, Limits, Replication};
use tokio::{
    net::{TcpListener, TcpStream},
    task::AbortHandle,
};

use crate::helpers::{
    Engine, Fixture, Settings, TestApp, first_error, postgres_admin_url, replica_admin_url,
    with_database,
};

const CREATE: &str = "mutation($input: CreateSkillInput!) { createSkill(input: $input) { skill { slug } userErrors { code } } }";
const SKILL: &str = "query($slug: String!) { skill(slug: $slug) { slug } }";
const SKILLS: &str = "{ skills(first: 5) { nodes { slug } } }";

/// A server on a database of its own with the replica of that database as its read replica,
/// reached through `proxy` when one is asked for; `replica` is a connection of the test's own to
/// the replica's copy of the database.
struct Replicated {
    app: TestApp,
    replica: DatabaseConnection,
    proxy: Option<Proxy>,
}

impl Replicated {
    /// Starts one whose replica may lag `max_lag_ms` behind; None when replica tests are off.
    async fn spawn(through_proxy: bool, max_lag_ms: u64) -> Option<Self> {
        postgres_admin_url()?;
        let replica_url = replica_admin_url()?;
        let proxy = if through_proxy {
            Some(Proxy::start(host_of(&replica_url)).await)
        } else {
            None
        };
        let served = match &proxy {
            Some(proxy) => format!("postgres://postgres@{}/test", proxy.addr),
            None => replica_url.clone(),
        };
        let settings = Settings {
            // The response cache would send anonymous reads to the primary: off, to see them go
            // to the replica.
            http: Http {
                response_cache_bytes: 0,
                ..Http::default()
            },
            limits: Limits {
                rate_limit_per_second: 0.0,
                ..Limits::default()
            },
        };
        let mut name = String::new();
        let app = TestApp::spawn_replicated(Engine::Postgres, Fixture::Demo, settings, |db| {
            name = db.to_owned();
            Replication {
                read_urls: vec![with_database(&served, db).parse().expect("a URL")],
                replica_max_lag_ms: max_lag_ms,
                replica_wait_ms: 3000,
            }
        })
        .await?;
        // The database reaches the replica when the replica replays its creation.
        let replica = wait_for(&with_database(&replica_url, &name)).await;
        // The watcher has seen the replica answer.
        tokio::time::sleep(Duration::from_millis(300)).await;
        Some(Self {
            app,
            replica,
            proxy,
        })
    }

    /// How many times the replica has scanned the `skills` table, from its statistics.
    async fn replica_scans(&self) -> i64 {
        let row = self
            .replica
            .query_one_raw(sea_orm::Statement::from_string(
                self.replica.get_database_backend(),
                "SELECT COALESCE(sum(seq_scan + COALESCE(idx_scan, 0)), 0)::bigint FROM pg_stat_user_tables WHERE relname = 'skills'",
            ))
            .await
            .expect("read the replica's statistics")
            .expect("a row");
        row.try_get_by_index(0).expect("a count")
    }

    /// Whether the replica's statistics show at least `reads` more scans of `skills` than
    /// `before`, sending queries while waiting: a backend writes its statistics out at the end of
    /// a transaction at most once a second.
    async fn replica_served(&self, before: i64, reads: i64) -> bool {
        for _ in 0..100 {
            self.app.admin().data(SKILLS, json!({})).await;
            if self.replica_scans().await >= before + reads {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    /// The server's `/metrics`.
    async fn metrics(&self) -> String {
        self.app
            .client
            .get(self.app.url("/metrics"))
            .send()
            .await
            .expect("sent")
            .text()
            .await
            .expect("text")
    }

    /// POSTs `query` with the admin token and, when given, the consistency token.
    async fn post(
        &self,
        query: &str,
        variables: Value,
        consistency: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .app
            .client
            .post(self.app.url("/graphql"))
            .bearer_auth(&self.app.admin_token)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = consistency {
            request = request.header("x-talent-consistency", token);
        }
        request.send().await.expect("request sent")
    }

    /// Creates skill `slug`; returns the consistency token of the answer, from its header,
    /// after checking that its `extensions` carry the same.
    async fn create_skill(&self, slug: &str) -> String {
        let input =
            json!({ "slug": slug, "name": format!("Skill {slug}"), "category": "LANGUAGE" });
        let response = self.post(CREATE, json!({ "input": input }), None).await;
        let header = response
            .headers()
            .get("x-talent-consistency")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
            .expect("a consistency token header");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(
            body["data"]["createSkill"]["userErrors"],
            json!([]),
            "{body}"
        );
        assert_eq!(body["extensions"]["consistency"], json!(header));
        header
    }

    /// Whether skill `slug` is found by a query sent with `consistency`.
    async fn finds_skill(&self, slug: &str, consistency: Option<&str>) -> bool {
        let body: Value = self
            .post(SKILL, json!({ "slug": slug }), consistency)
            .await
            .json()
            .await
            .expect("JSON");
        assert!(body.get("errors").is_none(), "{body}");
        body["data"]["skill"]["slug"] == json!(slug)
    }
}

/// `host:port` of a PostgreSQL URL.
fn host_of(url: &str) -> String {
    let rest = url.split_once('@').map_or(url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest).to_owned()
}

/// A connection to `url` once its database is there and migrated.
async fn wait_for(url: &str) -> DatabaseConnection {
    for _ in 0..300 {
        if let Ok(db) = Database::connect(url).await {
            if db
                .execute_unprepared("SELECT 1 FROM skills LIMIT 1")
                .await
                .is_ok()
            {
                return db;
            }
            db.close().await.ok();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the replica never had the test's database");
}

/// A TCP forwarder to the replica that the test can cut, as a stopped replica or a network
/// failure would, and restore. While cut it closes every connection it forwards and every one
/// it is offered.
struct Proxy {
    addr: SocketAddr,
    open: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<AbortHandle>>>,
    _accepting: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("an address");
        let open = Arc::new(AtomicBool::new(true));
        let connections = Arc::new(Mutex::new(Vec::<AbortHandle>::new()));
        let accepting = tokio::spawn({
            let (open, connections) = (Arc::clone(&open), Arc::clone(&connections));
            async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    if !open.load(Ordering::SeqCst) {
                        continue;
                    }
                    let target = target.clone();
                    let forwarding = tokio::spawn(async move {
                        if let Ok(mut outbound) = TcpStream::connect(&target).await {
                            tokio::io::copy_bidirectional(&mut inbound, &mut outbound)
                                .await
                                .ok();
                        }
                    });
                    connections
                        .lock()
                        .expect("not poisoned")
                        .push(forwarding.abort_handle());
                }
            }
        });
        Self {
            addr,
            open,
            connections,
            _accepting: accepting,
        }
    }

    fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        for connection in self.connections.lock().expect("not poisoned").drain(..) {
            connection.abort();
        }
    }

    fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn queries_are_served_by_the_replica() {
    let Some(replicated) = Replicated::spawn(false, 2000).await else {
        return;
    };
    let before = replicated.replica_scans().await;
    assert!(
        replicated.replica_served(before, 10).await,
        "the replica's statistics show no reads of skills"
    );
    let metrics = replicated.metrics().await;
    assert!(
        metrics
            .lines()
            .any(|line| line.starts_with("talent_db_replica_in_use{") && line.ends_with(" 1")),
        "{metrics}"
    );
    assert!(
        metrics.contains("talent_db_reads_total{on=\"replica\"}"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_query_with_the_token_of_a_write_sees_the_write_every_time() {
    let Some(replicated) = Replicated::spawn(false, 2000).await else {
        return;
    };
    for attempt in 0..100 {
        let slug = format!("fresh-{attempt}");
        let token = replicated.create_skill(&slug).await;
        assert!(
            replicated.finds_skill(&slug, Some(&token)).await,
            "attempt {attempt}: the write is missing from a read carrying its token"
        );
    }
}

#[tokio::test]
async fn a_query_without_the_token_right_after_a_write_may_not_see_it() {
    let Some(replicated) = Replicated::spawn(false, 2000).await else {
        return;
    };
    let mut stale = 0;
    for attempt in 0..10 {
        let slug = format!("stale-{attempt}");
        replicated.create_skill(&slug).await;
        if !replicated.finds_skill(&slug, None).await {
            stale += 1;
        }
    }
    // The replica applies what it receives 300 ms late: it is the replica that answered.
    assert!(stale > 0, "every read saw its write without a token");
}

#[tokio::test]
async fn a_replica_further_behind_than_the_allowed_lag_serves_no_reads() {
    let Some(replicated) = Replicated::spawn(false, 50).await else {
        return;
    };
    for attempt in 0..10 {
        let slug = format!("lagging-{attempt}");
        replicated.create_skill(&slug).await;
        // The watcher has seen the replica fall behind; it replays the write only at 300 ms.
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(
            replicated.finds_skill(&slug, None).await,
            "attempt {attempt}: a replica 150 ms behind answered with a 50 ms limit"
        );
    }
}

#[tokio::test]
async fn a_stopped_replica_is_skipped_without_a_failed_request() {
    let Some(replicated) = Replicated::spawn(true, 2000).await else {
        return;
    };
    let proxy = replicated.proxy.as_ref().expect("a proxy");
    for request in 0..60 {
        if request == 20 {
            proxy.cut();
        }
        let body = replicated.post(SKILLS, json!({}), None).await;
        assert_eq!(body.status(), 200, "request {request}");
        let body: Value = body.json().await.expect("JSON");
        assert!(
            body.get("errors").is_none(),
            "request {request} failed: {}",
            first_error(&body)
        );
        assert_eq!(
            body["data"]["skills"]["nodes"].as_array().map(Vec::len),
            Some(5)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let metrics = replicated.metrics().await;
    assert!(
        metrics
            .lines()
            .any(|line| line.starts_with("talent_db_replica_in_use{") && line.ends_with(" 0")),
        "{metrics}"
    );
    assert!(
        metrics.contains("talent_db_reads_total{on=\"primary_after_replica_failed\"}")
            || metrics.contains("talent_db_reads_total{on=\"primary\"}"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_replica_that_returns_serves_reads_again() {
    let Some(replicated) = Replicated::spawn(true, 2000).await else {
        return;
    };
    let proxy = replicated.proxy.as_ref().expect("a proxy");
    proxy.cut();
    for _ in 0..10 {
        replicated.app.admin().data(SKILLS, json!({})).await;
    }
    proxy.restore();
    let before = replicated.replica_scans().await;
    assert!(
        replicated.replica_served(before, 10).await,
        "the replica serves no reads after it came back"
    );
}

#[tokio::test]
async fn a_malformed_consistency_token_is_a_bad_request() {
    let Some(replicated) = Replicated::spawn(false, 2000).await else {
        return;
    };
    let response = replicated.post(SKILLS, json!({}), Some("yesterday")).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(first_error(&body)["extensions"]["code"], "BAD_REQUEST");
    assert!(
        first_error(&body)["message"]
            .as_str()
            .is_some_and(|message| message.contains("16/B374D848")),
        "{body}"
    );
}

#[tokio::test]
async fn without_replicas_a_mutation_carries_no_consistency_token() {
    let Some(app) = TestApp::spawn(Engine::Postgres, Fixture::Demo).await else {
        return;
    };
    let input = json!({ "slug": "no-token", "name": "No Token", "category": "LANGUAGE" });
    let response = app.admin().post(CREATE, json!({ "input": input })).await;
    assert!(response.headers().get("x-talent-consistency").is_none());
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["data"]["createSkill"]["userErrors"], json!([]));
    assert!(body["extensions"].get("consistency").is_none(), "{body}");
}

#[tokio::test]
async fn a_read_replica_beside_an_sqlite_database_is_refused_at_start() {
    let refused = crate::helpers::refused_on_sqlite(|config| {
        config.replication.read_urls = vec![
            "postgres://postgres@127.0.0.1:5433/test"
                .parse()
                .expect("a URL"),
        ];
    })
    .await;
    assert!(
        refused.to_string().contains("need a PostgreSQL primary"),
        "{refused:#}"
    );
}
