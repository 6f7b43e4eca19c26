//! Persisted documents: automatic persisted queries as Apollo's clients send them, over POST and
//! GET, and trusted documents (`--trusted-documents`), with and without the admin bypass.

use reqwest::header;
use serde_json::{Value, json};
use talent_api::config::Limits;
use toolkit::persisted::hash;

use crate::{
    db_test,
    helpers::{Engine, Fixture, TestApp},
    http::subscriptions::{TRANSPORT_WS, connect, next, subscribe},
};

const QUERY: &str = "{ skills(first: 2) { nodes { slug } } }";

/// A `persistedQuery` extension naming `text`'s hash.
fn extension(text: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash(text) } })
}

/// POSTs `body` (as `application/json`, as Apollo Client's links do) with `token`, if any: the
/// status and the body.
async fn post(app: &TestApp, body: Value, token: Option<&str>) -> (u16, Value) {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .header(header::ACCEPT, "application/json")
        .json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("a response");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

/// The `extensions.code` of the first error.
fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

/// A server on `app`'s engine running only `documents`, the admin bypass on or off.
async fn trusted(
    app: &TestApp,
    documents: &[&str],
    admin_bypass: bool,
) -> (TestApp, tempfile::NamedTempFile) {
    let manifest = tempfile::NamedTempFile::new().expect("a manifest file");
    let listed: serde_json::Map<String, Value> = documents
        .iter()
        .map(|text| (hash(text), json!(text)))
        .collect();
    std::fs::write(manifest.path(), Value::Object(listed).to_string()).expect("write it");
    let engine = if app.postgres_database().is_some() {
        Engine::Postgres
    } else {
        Engine::Sqlite
    };
    let limits = Limits {
        trusted_documents: Some(manifest.path().to_owned()),
        trusted_documents_admin_bypass: admin_bypass,
        rate_limit_per_second: 0.0,
        ..Limits::default()
    };
    let server = TestApp::spawn_with(engine, Fixture::Demo, limits)
        .await
        .expect("a server");
    (server, manifest)
}

db_test!(
    Demo,
    a_hash_sent_alone_is_not_found_until_it_comes_with_its_query
);
async fn a_hash_sent_alone_is_not_found_until_it_comes_with_its_query(app: TestApp) {
    let (status, body) = post(&app, json!({ "extensions": extension(QUERY) }), None).await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND");
    let with_text = json!({ "query": QUERY, "extensions": extension(QUERY) });
    let (status, registered) = post(&app, with_text, None).await;
    assert_eq!(status, 200, "{registered:#}");
    let (_, alone) = post(&app, json!({ "extensions": extension(QUERY) }), None).await;
    assert_eq!(alone, registered);
    assert_eq!(
        alone["data"]["skills"]["nodes"].as_array().map(Vec::len),
        Some(2)
    );
}

db_test!(Demo, persisted_queries_work_over_get_as_apollo_sends_them);
async fn persisted_queries_work_over_get_as_apollo_sends_them(app: TestApp) {
    let get = |query: Option<&str>| {
        let mut params = vec![("extensions", extension(QUERY).to_string())];
        params.extend(query.map(|query| ("query", query.to_owned())));
        app.client
            .get(app.url("/graphql"))
            .header(header::ACCEPT, "application/graphql-response+json")
            .query(&params)
            .send()
    };
    let unknown = get(None).await.expect("a response");
    assert_eq!(unknown.status().as_u16(), 400);
    let unknown: Value = unknown.json().await.expect("JSON");
    assert_eq!(code(&unknown), "PERSISTED_QUERY_NOT_FOUND");
    let registered: Value = get(Some(QUERY))
        .await
        .expect("a response")
        .json()
        .await
        .expect("JSON");
    assert!(registered.get("errors").is_none(), "{registered:#}");
    let alone: Value = get(None)
        .await
        .expect("a response")
        .json()
        .await
        .expect("JSON");
    assert_eq!(alone, registered);
}

db_test!(
    Demo,
    a_hash_that_is_not_the_querys_is_a_bad_request_and_nothing_runs
);
async fn a_hash_that_is_not_the_querys_is_a_bad_request_and_nothing_runs(app: TestApp) {
    let other = "{ vacancies(first: 1) { totalCount } }";
    let body = json!({ "query": QUERY, "extensions": extension(other) });
    let (_, answer) = post(&app, body, None).await;
    assert_eq!(code(&answer), "BAD_REQUEST", "{answer:#}");
    assert!(answer.get("data").is_none_or(Value::is_null));
    let (_, alone) = post(&app, json!({ "extensions": extension(other) }), None).await;
    assert_eq!(
        code(&alone),
        "PERSISTED_QUERY_NOT_FOUND",
        "the pair was not kept"
    );
}

db_test!(
    Demo,
    trusted_documents_run_by_hash_or_identical_text_and_refuse_any_other
);
async fn trusted_documents_run_by_hash_or_identical_text_and_refuse_any_other(app: TestApp) {
    let (server, _manifest) = trusted(&app, &[QUERY], false).await;
    let (_, by_hash) = post(&server, json!({ "extensions": extension(QUERY) }), None).await;
    assert!(by_hash.get("errors").is_none(), "{by_hash:#}");
    let (_, by_text) = post(&server, json!({ "query": QUERY }), None).await;
    assert_eq!(by_text, by_hash);
    let other = "{ vacancies(first: 1) { totalCount } }";
    for body in [
        json!({ "query": other }),
        json!({ "query": other, "extensions": extension(other) }),
        json!({ "extensions": extension(other) }),
        json!({ "query": format!("{QUERY} ") }),
    ] {
        let (status, refused) = post(&server, body.clone(), None).await;
        assert_eq!(
            code(&refused),
            "PERSISTED_QUERY_NOT_ALLOWED",
            "{body}: {refused:#}"
        );
        assert_eq!(status, 200, "a request error, 200 under application/json");
        assert!(refused.get("data").is_none_or(Value::is_null));
    }
    let admin = server.admin_token.clone();
    let (_, refused) = post(&server, json!({ "query": other }), Some(&admin)).await;
    assert_eq!(
        code(&refused),
        "PERSISTED_QUERY_NOT_ALLOWED",
        "no bypass: admins too"
    );
}

db_test!(
    Demo,
    with_the_bypass_admins_may_run_any_document_and_nobody_else
);
async fn with_the_bypass_admins_may_run_any_document_and_nobody_else(app: TestApp) {
    let (server, _manifest) = trusted(&app, &[QUERY], true).await;
    let other = "{ vacancies(first: 1) { totalCount } }";
    let admin = server.admin_token.clone();
    let (_, ran) = post(&server, json!({ "query": other }), Some(&admin)).await;
    assert!(
        ran["data"]["vacancies"]["totalCount"].is_number(),
        "{ran:#}"
    );
    let (_, refused) = post(&server, json!({ "query": other }), None).await;
    assert_eq!(code(&refused), "PERSISTED_QUERY_NOT_ALLOWED");
}

db_test!(
    Demo,
    a_subscription_outside_the_trusted_documents_is_refused_over_websocket
);
async fn a_subscription_outside_the_trusted_documents_is_refused_over_websocket(app: TestApp) {
    let (server, _manifest) = trusted(&app, &[QUERY], false).await;
    let mut socket = connect(&server.url(""), TRANSPORT_WS, json!({})).await;
    let untrusted = "subscription { vacancyPublished { title } }";
    subscribe(&mut socket, TRANSPORT_WS, "1", untrusted, json!({})).await;
    let refused = next(&mut socket).await;
    assert_eq!(refused["type"], "error", "{refused:#}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_ALLOWED",
        "{refused:#}"
    );
}
