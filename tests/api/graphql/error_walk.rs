//! Every error code a client can receive, each reached by a request of its own, with the HTTP
//! status the README's "Errors" table gives it (under `Accept: application/graphql-response+json`).
//!
//! The walk is checked against that table both ways: a code the table lists that no request here
//! reaches fails, and so does a code reached here that the table does not list. Two codes depend on
//! PostgreSQL (losing the database, a burst of events from other instances) and are walked there.

use std::{
    collections::{BTreeMap, BTreeSet},
    time::{Duration, Instant},
};

use reqwest::{Method, header};
use sea_orm::{ConnectionTrait, Database, TransactionTrait};
use serde_json::{Value, json};
use talent_api::config::{Http, Limits};

use crate::{
    db_test,
    helpers::{Engine, Fixture, Settings, TestApp},
    http::subscriptions::{TRANSPORT_WS, connect, next, subscribe},
};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// Each code with the HTTP statuses it came with (`None`: over WebSocket).
type Statuses = BTreeMap<String, BTreeSet<Option<u16>>>;

/// What the walk has seen.
#[derive(Default)]
struct Walk {
    seen: Statuses,
}

impl Walk {
    /// Records that `response` is an error answer carrying `code` at `errors[0]`, with `status`.
    fn saw(&mut self, code: &str, status: u16, response: &(u16, Value)) {
        let (got, body) = response;
        assert_eq!(*got, status, "{code}: HTTP {got}: {body:#}");
        self.saw_body(code, Some(status), body);
    }

    /// Records `code` in an error somewhere in `body` (a GraphQL response or a WebSocket payload).
    fn saw_body(&mut self, code: &str, status: Option<u16>, body: &Value) {
        let errors = body
            .get("errors")
            .or_else(|| body.get("payload").and_then(|p| p.get("errors")))
            .or_else(|| body.get("payload"))
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("{code}: no errors in {body:#}"));
        assert!(
            errors.iter().any(|e| e["extensions"]["code"] == code),
            "{code}: not among the errors of {body:#}"
        );
        for error in errors {
            assert!(
                error["extensions"]["code"].is_string(),
                "an error without a code: {body:#}"
            );
        }
        self.seen.entry(code.to_owned()).or_default().insert(status);
    }
}

/// Sends one request and returns its status and JSON body.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> (u16, Value) {
    let mut request = app.client.request(method, app.url(path));
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("accept"))
    {
        request = request.header(header::ACCEPT, GRAPHQL_RESPONSE);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.body(body);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    let body =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("HTTP {status}: not JSON: {text}"));
    (status, body)
}

/// POSTs `query` with `variables` as JSON, with `token` when given.
async fn post(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
    post_body(
        app,
        token,
        json!({ "query": query, "variables": variables }),
    )
    .await
}

/// POSTs a GraphQL request object as JSON.
async fn post_body(app: &TestApp, token: Option<&str>, body: Value) -> (u16, Value) {
    let bearer = token.map(|token| format!("Bearer {token}"));
    let mut headers = vec![("content-type", "application/json")];
    if let Some(bearer) = &bearer {
        headers.push(("authorization", bearer));
    }
    send(
        app,
        Method::POST,
        "/graphql",
        &headers,
        Some(body.to_string()),
    )
    .await
}

/// A server of its own with `limits` on `app`'s engine, an empty database, rate limiting off
/// unless `limits` say otherwise.
async fn app_with(app: &TestApp, limits: impl Into<Settings>) -> TestApp {
    let engine = if app.postgres_database().is_some() {
        Engine::Postgres
    } else {
        Engine::Sqlite
    };
    TestApp::spawn_with(engine, Fixture::Empty, limits)
        .await
        .expect("an app")
}

fn no_rate_limit() -> Limits {
    Limits {
        rate_limit_per_second: 0.0,
        ..Limits::default()
    }
}

/// The codes and statuses of the README's "Errors" table: `| `CODE` | 200, 401 | meaning |`, or
/// `WebSocket` for a code sent in a socket's messages.
fn documented() -> Statuses {
    let readme = include_str!("../../../README.md");
    let section = readme
        .split("\n## Errors\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has an Errors section");
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let code = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let statuses = cells
                .get(2)?
                .split(',')
                .map(|status| match status.trim() {
                    "WebSocket" => Some(None),
                    status => status.parse().ok().map(Some),
                })
                .collect::<Option<BTreeSet<_>>>()?;
            Some((code.to_owned(), statuses))
        })
        .collect()
}

db_test!(
    Demo,
    every_error_code_in_the_readme_is_reached_by_a_request_that_carries_it
);
async fn every_error_code_in_the_readme_is_reached_by_a_request_that_carries_it(app: TestApp) {
    walk_every_code(app).await;
}

async fn walk_every_code(app: TestApp) {
    let mut walk = Walk::default();
    request_errors(&app, &mut walk).await;
    query_limits(&app, &mut walk).await;
    field_errors(&app, &mut walk).await;
    subscription_errors(&app, &mut walk).await;
    http_errors(&app, &mut walk).await;
    overload(&app, &mut walk).await;
    if app.postgres_database().is_some() {
        subscription_overflow(&app, &mut walk).await;
        database_lost(&app, &mut walk).await;
    }
    // Last: it breaks this app's database.
    internal_failure(&app, &mut walk).await;

    let mut expected = documented();
    if app.postgres_database().is_none() {
        expected.remove("SERVICE_UNAVAILABLE");
        expected.remove("SUBSCRIPTION_OVERFLOW");
    }
    assert!(
        expected.len() > 20,
        "the README's table was not read: {expected:?}"
    );
    assert_eq!(
        walk.seen, expected,
        "walked (left) and documented (right) differ"
    );
}

/// Errors that stop a request before it runs: 400 and no `data` under graphql-response+json.
async fn request_errors(app: &TestApp, walk: &mut Walk) {
    for (code, body) in [
        ("GRAPHQL_PARSE_FAILED", json!({ "query": "{ skills(" })),
        ("GRAPHQL_VALIDATION_FAILED", json!({ "query": "{ nope }" })),
        (
            "OPERATION_NOT_FOUND",
            json!({ "query": "query A { __typename }", "operationName": "B" }),
        ),
        (
            "OPERATION_NAME_REQUIRED",
            json!({ "query": "query A { __typename } query B { __typename }" }),
        ),
        (
            "BAD_USER_INPUT",
            json!({ "query": "query($q: String) { developers(search: $q) { totalCount } }", "variables": { "q": "a\0b" } }),
        ),
        (
            "VARIABLE_MISSING",
            json!({ "query": "query($id: ID!) { node(id: $id) { id } }" }),
        ),
    ] {
        let response = post_body(app, None, body).await;
        assert!(response.1.get("data").is_none(), "{code}: {:#}", response.1);
        walk.saw(code, 400, &response);
    }
}

/// The query limits, each one past its default.
async fn query_limits(app: &TestApp, walk: &mut Walk) {
    let defaults = Limits::default();
    let large = format!("{{ __typename{} }}", " ".repeat(defaults.max_query_bytes));
    let tokens = format!("{{{} }}", " __typename".repeat(defaults.max_query_tokens));
    let aliases: String = (0..=defaults.max_aliases)
        .map(|i| format!(" a{i}: __typename"))
        .collect();
    let directives = " __typename @include(if: true)".repeat(defaults.max_directives + 1);
    // Root, nodes, skills, skill: four levels a round, past the depth limit.
    let rounds = defaults.max_depth / 4 + 1;
    let deep = format!(
        "{{ {}__typename{} }}",
        "developers(first: 1) { nodes { skills { skill { ".repeat(rounds),
        " } } } }".repeat(rounds)
    );
    let costly = "{ developers(first: 100) { nodes { skills { skill { developers(first: 100) { nodes { id } } } } } } }";
    for (code, query) in [
        ("QUERY_TOO_LARGE", large),
        ("TOO_MANY_TOKENS", tokens),
        ("TOO_MANY_ALIASES", format!("{{{aliases} }}")),
        ("TOO_MANY_DIRECTIVES", format!("{{{directives} }}")),
        ("QUERY_TOO_DEEP", deep),
        ("QUERY_TOO_COSTLY", costly.to_owned()),
    ] {
        walk.saw(code, 400, &post(app, None, &query, json!({})).await);
    }
    let closed = app_with(
        app,
        Limits {
            disable_introspection: true,
            ..no_rate_limit()
        },
    )
    .await;
    let response = post(&closed, None, "{ __schema { types { name } } }", json!({})).await;
    walk.saw("INTROSPECTION_DISABLED", 400, &response);
}

/// Errors of one field while the rest of the response is served: 200 with `data`.
async fn field_errors(app: &TestApp, walk: &mut Walk) {
    let malformed = post(app, None, "{ node(id: \"bad!\") { id } }", json!({})).await;
    walk.saw("BAD_USER_INPUT", 200, &malformed);

    let mutation =
        "mutation { deleteSkill(input: { id: \"U2tpbGw6MQ\" }) { userErrors { code } } }";
    let anonymous = post(app, None, mutation, json!({})).await;
    walk.saw("UNAUTHENTICATED", 200, &anonymous);

    let employer = app.employer_token("quillstack").await;
    let private = post(
        app,
        Some(&employer),
        "{ developer(handle: \"lena-muller\") { handle email } }",
        json!({}),
    )
    .await;
    assert_eq!(private.1["data"]["developer"]["email"], Value::Null);
    walk.saw("FORBIDDEN", 200, &private);

    // A developer probing email addresses: the sixth change within the hour is refused.
    let developer = app.developer_token("lena-muller").await;
    let me = post(
        app,
        Some(&developer),
        "{ developer(handle: \"lena-muller\") { id } }",
        json!({}),
    )
    .await;
    let id = me.1["data"]["developer"]["id"].clone();
    let update = "mutation($input: UpdateDeveloperInput!) { updateDeveloper(input: $input) { userErrors { code } } }";
    let mut last = (0, Value::Null);
    for n in 0..6 {
        let input = json!({ "input": { "id": id, "email": format!("walk-{n}@example.org") } });
        last = post(app, Some(&developer), update, input).await;
    }
    walk.saw("RATE_LIMITED", 200, &last);
}

/// Errors sent over a `graphql-transport-ws` socket as `error` messages.
async fn subscription_errors(app: &TestApp, walk: &mut Walk) {
    let mut socket = connect(&app.url(""), TRANSPORT_WS, json!({})).await;
    let unknown = "subscription { vacancyUpdated(id: \"VmFjYW5jeTo5OTk5OTk5\") { id } }";
    subscribe(&mut socket, TRANSPORT_WS, "gone", unknown, json!({})).await;
    let refused = next(&mut socket).await;
    assert_eq!(refused["type"], "error", "{refused}");
    walk.saw_body("NOT_FOUND", None, &refused);

    let published = "subscription { vacancyPublished { id } }";
    let cap = Limits::default().max_subscriptions_per_connection;
    for n in 0..=cap {
        subscribe(
            &mut socket,
            TRANSPORT_WS,
            &format!("s{n}"),
            published,
            json!({}),
        )
        .await;
    }
    let refused = next(&mut socket).await;
    assert_eq!(refused["type"], "error", "{refused}");
    walk.saw_body("TOO_MANY_SUBSCRIPTIONS", None, &refused);
}

/// Errors of the HTTP exchange itself, before GraphQL.
async fn http_errors(app: &TestApp, walk: &mut Walk) {
    let json_body = || Some(json!({ "query": "{ __typename }" }).to_string());
    let content_json = ("content-type", "application/json");

    let html_only = send(
        app,
        Method::POST,
        "/graphql",
        &[content_json, ("accept", "text/html")],
        json_body(),
    )
    .await;
    walk.saw("NOT_ACCEPTABLE", 406, &html_only);

    let large = format!(
        "{{\"query\": \"{{ __typename }}\", \"extensions\": {{\"pad\": \"{}\"}}}}",
        "x".repeat(Limits::default().max_body_bytes)
    );
    let too_large = send(app, Method::POST, "/graphql", &[content_json], Some(large)).await;
    walk.saw("PAYLOAD_TOO_LARGE", 413, &too_large);

    let text = send(
        app,
        Method::POST,
        "/graphql",
        &[("content-type", "text/plain")],
        json_body(),
    )
    .await;
    walk.saw("UNSUPPORTED_MEDIA_TYPE", 415, &text);

    let malformed = send(
        app,
        Method::POST,
        "/graphql",
        &[content_json],
        Some("{\"query\": ".to_owned()),
    )
    .await;
    walk.saw("BAD_REQUEST", 400, &malformed);

    let unknown_hash = json!({ "extensions": { "persistedQuery": {
        "version": 1, "sha256Hash": "0".repeat(64)
    } } });
    let unknown = send(
        app,
        Method::POST,
        "/graphql",
        &[content_json],
        Some(unknown_hash.to_string()),
    )
    .await;
    walk.saw("PERSISTED_QUERY_NOT_FOUND", 400, &unknown);

    let manifest = tempfile::NamedTempFile::new().expect("a manifest file");
    let listed = "{ __typename }";
    std::fs::write(
        manifest.path(),
        json!({ toolkit::persisted::hash(listed): listed }).to_string(),
    )
    .expect("write the manifest");
    let trusted = app_with(
        app,
        Limits {
            trusted_documents: Some(manifest.path().to_owned()),
            ..no_rate_limit()
        },
    )
    .await;
    let untrusted = send(
        &trusted,
        Method::POST,
        "/graphql",
        &[content_json],
        Some(json!({ "query": "{ skills { totalCount } }" }).to_string()),
    )
    .await;
    walk.saw("PERSISTED_QUERY_NOT_ALLOWED", 400, &untrusted);

    let mutation_over_get = "/graphql?query=mutation%20%7B%20__typename%20%7D";
    let get = send(app, Method::GET, mutation_over_get, &[], None).await;
    walk.saw("METHOD_NOT_ALLOWED", 405, &get);

    let bearer = (
        "authorization",
        "Bearer tal_this-token-was-never-issued-by-the-server00",
    );
    let stranger = send(
        app,
        Method::POST,
        "/graphql",
        &[content_json, bearer],
        json_body(),
    )
    .await;
    walk.saw("UNAUTHENTICATED", 401, &stranger);

    let panic = send(app, Method::GET, "/__test/panic", &[], None).await;
    walk.saw("INTERNAL", 500, &panic);

    let limited = app_with(
        app,
        Limits {
            rate_limit_per_second: 0.01,
            rate_limit_burst: 1,
            ..Limits::default()
        },
    )
    .await;
    let first = send(
        &limited,
        Method::POST,
        "/graphql",
        &[content_json],
        json_body(),
    )
    .await;
    assert_eq!(first.0, 200, "{:#}", first.1);
    let second = send(
        &limited,
        Method::POST,
        "/graphql",
        &[content_json],
        json_body(),
    )
    .await;
    walk.saw("RATE_LIMITED", 429, &second);

    let slow_body = send_slow_body(app).await;
    walk.saw("BODY_TIMEOUT", 408, &slow_body);
}

/// A request whose body stops halfway for longer than the body deadline.
async fn send_slow_body(app: &TestApp) -> (u16, Value) {
    let quick = app_with(
        app,
        Http {
            body_read_timeout_ms: 300,
            ..Http::default()
        },
    )
    .await;
    let halves = futures_util::stream::unfold(0, |step| async move {
        match step {
            0 => Some((Ok::<_, std::io::Error>("{\"query\": \"{ __ty"), 1)),
            1 => {
                tokio::time::sleep(Duration::from_millis(1_000)).await;
                Some((Ok("pename }\"}"), 2))
            }
            _ => None,
        }
    });
    let response = quick
        .client
        .post(quick.url("/graphql"))
        .header("content-type", "application/json")
        .header("accept", GRAPHQL_RESPONSE)
        .body(reqwest::Body::wrap_stream(halves))
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

/// A server of one request slot whose only request waits on a write lock: the next request finds
/// no slot (503 `SERVER_BUSY`), the waiting one runs past its deadline (503 `TIMEOUT`).
async fn overload(app: &TestApp, walk: &mut Walk) {
    let one = app_with(
        app,
        Http {
            max_concurrent_requests: 1,
            request_timeout_ms: 1_500,
            ..Http::default()
        },
    )
    .await;
    let db = one.db().await;
    let lock = db.begin().await.expect("a transaction");
    let hold = if one.postgres_database().is_some() {
        "LOCK TABLE skills IN SHARE ROW EXCLUSIVE MODE"
    } else {
        "DELETE FROM skills WHERE id = -1"
    };
    lock.execute_unprepared(hold).await.expect("the write lock");
    let create = "mutation { createSkill(input: { slug: \"walk\", name: \"Walk\", category: PRACTICE }) { skill { id } } }";
    let started = Instant::now();
    let (waiting, busy) = tokio::join!(
        post(&one, Some(&one.admin_token), create, json!({})),
        async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            post(&one, None, "{ __typename }", json!({})).await
        }
    );
    lock.rollback().await.expect("released");
    walk.saw("SERVER_BUSY", 503, &busy);
    walk.saw("TIMEOUT", 503, &waiting);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let skills = post(&one, None, "{ skills { totalCount } }", json!({})).await;
    assert_eq!(
        skills.1["data"]["skills"]["totalCount"], 0,
        "the stopped write left nothing"
    );
}

/// PostgreSQL: two thousand changes of one vacancy from other instances at once leave a
/// `vacancyUpdated` subscriber that loads each one far behind; it is told so and its
/// subscription ends. (`vacancyPublished` catches up from the database instead.)
async fn subscription_overflow(app: &TestApp, walk: &mut Walk) {
    let id =
        crate::helpers::count(app, "SELECT MIN(id) FROM vacancies WHERE status = 'OPEN'").await;
    let mut socket = connect(&app.url(""), TRANSPORT_WS, json!({})).await;
    let updated = "subscription($id: ID!) { vacancyUpdated(id: $id) { id } }";
    let global = toolkit::id::encode_id(talent_api::ids::NodeKind::Vacancy, id);
    subscribe(
        &mut socket,
        TRANSPORT_WS,
        "behind",
        updated,
        json!({ "id": global }),
    )
    .await;
    // The server starts listening once it has read the subscription: give it a moment.
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Payloads differ (`n`): PostgreSQL delivers identical ones of a transaction once.
    let burst = format!(
        "SELECT pg_notify('talent_vacancy_events', json_build_object('id', {id}, 'change', 'Updated', 'n', g)::text) FROM generate_series(1, 2000) AS g"
    );
    app.pool()
        .execute_unprepared(&burst)
        .await
        .expect("notified");
    // The changes it kept up with come first.
    let mut told = next(&mut socket).await;
    while told["type"] == "next" && told["payload"]["errors"].is_null() {
        told = next(&mut socket).await;
    }
    walk.saw_body("SUBSCRIPTION_OVERFLOW", None, &told);
}

/// PostgreSQL: a server whose database stops taking connections answers 503.
async fn database_lost(app: &TestApp, walk: &mut Walk) {
    let lost = app_with(app, no_rate_limit()).await;
    let (admin_url, name) = lost.postgres_database().expect("PostgreSQL");
    let admin = Database::connect(admin_url)
        .await
        .expect("connect as admin");
    for sql in [
        format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"),
        format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"),
    ] {
        admin
            .execute_unprepared(&sql)
            .await
            .expect("admin statement");
    }
    // Its fields fail (200, `data` null); a token it cannot check refuses the request (503).
    let query = "{ skills { totalCount } }";
    walk.saw(
        "SERVICE_UNAVAILABLE",
        200,
        &post(&lost, None, query, json!({})).await,
    );
    let token = Some(lost.admin_token.as_str());
    walk.saw(
        "SERVICE_UNAVAILABLE",
        503,
        &post(&lost, token, query, json!({})).await,
    );
    let allow = format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true");
    admin
        .execute_unprepared(&allow)
        .await
        .expect("admin statement");
}

/// A failure on the server's side: its database loses a table under it.
async fn internal_failure(app: &TestApp, walk: &mut Walk) {
    let db = app.db().await;
    db.execute_unprepared("ALTER TABLE vacancy_skills RENAME TO vacancy_skills_gone")
        .await
        .expect("rename a table");
    let query = "{ vacancies { nodes { title skills { minLevel } } } }";
    walk.saw("INTERNAL", 200, &post(app, None, query, json!({})).await);
}
