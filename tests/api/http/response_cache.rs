//! The response cache: anonymous queries answered again from memory, byte for byte, until a write of
//! what they read (on this instance or another on the same PostgreSQL) or their max-age.

use std::time::{Duration, Instant};

use reqwest::header;
use serde_json::{Value, json};
use talent_api::config::Http;

use crate::{
    db_test,
    helpers::{Engine, Fixture, Instance, TestApp},
};

const SKILLS: &str = "{ skills(first: 5) { nodes { slug name } } }";

/// An anonymous POST of `query` to `url`: its `Cache-Status` and its body.
async fn read_at(client: &reqwest::Client, url: &str, query: &str) -> (String, String) {
    let response = client
        .post(url)
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("a response");
    let status = response
        .headers()
        .get("cache-status")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, response.text().await.expect("a body"))
}

/// An anonymous POST of `query` to `app`: its `Cache-Status` and its body.
async fn read(app: &TestApp, query: &str) -> (String, String) {
    read_at(&app.client, &app.url("/graphql"), query).await
}

/// The first node of `field` (a root connection) as `selection` shows it, read as an admin.
async fn first(app: &TestApp, field: &str, selection: &str) -> Value {
    app.admin()
        .data(
            &format!("{{ {field}(first: 1) {{ nodes {{ {selection} }} }} }}"),
            json!({}),
        )
        .await[field]["nodes"][0]
        .clone()
}

/// Runs `mutation` as an admin; it must have no user errors.
async fn write(app: &TestApp, mutation: &str, variables: Value) {
    let data = app.admin().data(mutation, variables).await;
    let payload = data
        .as_object()
        .and_then(|fields| fields.values().next())
        .expect("a payload");
    assert_eq!(payload["userErrors"], json!([]), "{data}");
}

/// Reads `query` until it is kept, writes with `mutation`, and checks the next read shows
/// `expected` and did not come from the cache.
async fn read_write_read(
    app: &TestApp,
    query: &str,
    mutation: &str,
    variables: Value,
    expected: &str,
) {
    read(app, query).await;
    let (status, before) = read(app, query).await;
    assert!(status.contains("hit"), "{status}");
    assert!(!before.contains(expected), "{before}");
    write(app, mutation, variables).await;
    let (status, after) = read(app, query).await;
    assert!(status.contains("fwd=stale"), "{status}");
    assert!(after.contains(expected), "{after}");
}

db_test!(Demo, a_cached_answer_is_identical_to_the_answer_it_keeps);
async fn a_cached_answer_is_identical_to_the_answer_it_keeps(app: TestApp) {
    let (status, computed) = read(&app, SKILLS).await;
    assert_eq!(status, "talent-api; fwd=uri-miss; stored");
    let before = app.statements.get();
    let (status, cached) = read(&app, SKILLS).await;
    assert!(status.starts_with("talent-api; hit; ttl="), "{status}");
    assert_eq!(cached, computed);
    assert_eq!(app.statements.get(), before, "a hit runs no SQL");
    let uncached = app.admin().graphql(SKILLS, json!({})).await;
    assert_eq!(
        serde_json::from_str::<Value>(&cached).expect("JSON")["data"],
        uncached["data"],
        "the same data as a caller the cache never answers"
    );
}

db_test!(Demo, a_developer_written_shows_in_the_next_read);
async fn a_developer_written_shows_in_the_next_read(app: TestApp) {
    let developer = first(&app, "developers", "id").await;
    read_write_read(
        &app,
        "{ developers(first: 1) { nodes { headline } } }",
        "mutation($id: ID!) { updateDeveloper(input: { id: $id, headline: \"Cache Buster Engineer\" }) { userErrors { message } } }",
        json!({ "id": developer["id"] }),
        "Cache Buster Engineer",
    )
    .await;
}

db_test!(
    Demo,
    a_skill_written_shows_in_the_next_read_of_what_lists_it
);
async fn a_skill_written_shows_in_the_next_read_of_what_lists_it(app: TestApp) {
    let vacancy = first(&app, "vacancies", "skills { skill { id } }").await;
    read_write_read(
        &app,
        "{ vacancies(first: 1) { nodes { skills { skill { name } } } } }",
        "mutation($id: ID!) { updateSkill(input: { id: $id, name: \"Renamed Skill\" }) { userErrors { message } } }",
        json!({ "id": vacancy["skills"][0]["skill"]["id"] }),
        "Renamed Skill",
    )
    .await;
}

db_test!(
    Demo,
    an_employer_written_shows_in_the_next_read_of_its_vacancies
);
async fn an_employer_written_shows_in_the_next_read_of_its_vacancies(app: TestApp) {
    let vacancy = first(&app, "vacancies", "employer { id }").await;
    read_write_read(
        &app,
        "{ vacancies(first: 1) { nodes { employer { name } } } }",
        "mutation($id: ID!) { updateEmployer(input: { id: $id, name: \"Renamed Employer\" }) { userErrors { message } } }",
        json!({ "id": vacancy["employer"]["id"] }),
        "Renamed Employer",
    )
    .await;
}

db_test!(Demo, a_vacancy_written_shows_in_the_next_read);
async fn a_vacancy_written_shows_in_the_next_read(app: TestApp) {
    let vacancy = first(&app, "vacancies", "id").await;
    read_write_read(
        &app,
        "{ vacancies(first: 1) { nodes { title } } }",
        "mutation($id: ID!) { updateVacancy(input: { id: $id, title: \"Cache Buster\" }) { userErrors { message } } }",
        json!({ "id": vacancy["id"] }),
        "Cache Buster",
    )
    .await;
}

db_test!(Demo, a_mutation_sent_over_a_websocket_drops_what_it_changed);
async fn a_mutation_sent_over_a_websocket_drops_what_it_changed(app: TestApp) {
    use super::subscriptions::{TRANSPORT_WS, connect, next, subscribe};
    let query = "{ vacancies(first: 1) { nodes { title } } }";
    let vacancy = first(&app, "vacancies", "id").await;
    read(&app, query).await;
    let (status, _) = read(&app, query).await;
    assert!(status.contains("hit"), "{status}");
    let mut socket = connect(
        &app.url(""),
        TRANSPORT_WS,
        json!({ "Authorization": format!("Bearer {}", app.admin_token) }),
    )
    .await;
    subscribe(
        &mut socket,
        TRANSPORT_WS,
        "1",
        "mutation($id: ID!) { updateVacancy(input: { id: $id, title: \"Sent Over A Socket\" }) { userErrors { message } } }",
        json!({ "id": vacancy["id"] }),
    )
    .await;
    let answer = next(&mut socket).await;
    assert_eq!(
        answer["payload"]["data"]["updateVacancy"]["userErrors"],
        json!([]),
        "{answer}"
    );
    let (status, body) = read(&app, query).await;
    assert!(status.contains("fwd=stale"), "{status}");
    assert!(body.contains("Sent Over A Socket"), "{body}");
}

db_test!(Demo, a_write_of_another_kind_keeps_the_answer);
async fn a_write_of_another_kind_keeps_the_answer(app: TestApp) {
    read(&app, SKILLS).await;
    let vacancy = first(&app, "vacancies", "id").await;
    write(
        &app,
        "mutation($id: ID!) { updateVacancy(input: { id: $id, title: \"Unrelated\" }) { userErrors { message } } }",
        json!({ "id": vacancy["id"] }),
    )
    .await;
    let (status, _) = read(&app, SKILLS).await;
    assert!(status.contains("hit"), "{status}");
}

db_test!(Demo, a_caller_with_a_token_is_never_answered_from_the_cache);
async fn a_caller_with_a_token_is_never_answered_from_the_cache(app: TestApp) {
    read(&app, SKILLS).await;
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "query": SKILLS }))
        .send()
        .await
        .expect("a response");
    assert_eq!(response.headers().get("cache-status"), None);
}

db_test!(Demo, an_answer_with_a_private_field_is_not_kept);
async fn an_answer_with_a_private_field_is_not_kept(app: TestApp) {
    let query = "{ developers(first: 1) { nodes { handle email } } }";
    read(&app, query).await;
    let (status, _) = read(&app, query).await;
    assert_eq!(status, "talent-api; fwd=uri-miss");
}

db_test!(Demo, a_get_answered_from_the_cache_says_its_age);
async fn a_get_answered_from_the_cache_says_its_age(app: TestApp) {
    let get = || {
        app.client
            .get(app.url("/graphql"))
            .query(&[("query", SKILLS)])
            .send()
    };
    let first = get().await.expect("a response");
    let etag = first.headers().get(header::ETAG).cloned();
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let again = get().await.expect("a response");
    let headers = again.headers();
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=300");
    assert_eq!(headers[header::AGE], "1");
    assert_eq!(headers.get(header::ETAG), etag.as_ref(), "the kept tag");
}

db_test!(Demo, a_response_cache_of_zero_bytes_keeps_nothing);
async fn a_response_cache_of_zero_bytes_keeps_nothing(app: TestApp) {
    let engine = if app.postgres_database().is_some() {
        Engine::Postgres
    } else {
        Engine::Sqlite
    };
    let off = TestApp::spawn_with(
        engine,
        Fixture::Demo,
        Http {
            response_cache_bytes: 0,
            ..Http::default()
        },
    )
    .await
    .expect("an app");
    read(&off, SKILLS).await;
    let before = off.statements.get();
    let (status, _) = read(&off, SKILLS).await;
    assert_eq!(status, "");
    assert!(off.statements.get() > before, "every read runs");
}

/// Each kind of write through one instance reaches another's cache through the PostgreSQL
/// fan-out: the other's next reads show it, within the time a notification takes to arrive.
#[tokio::test]
async fn every_kind_of_write_through_one_instance_shows_in_the_next_reads_of_another() {
    let Some(app) = TestApp::spawn(Engine::Postgres, Fixture::Demo).await else {
        return;
    };
    let other = Instance::beside(&app).await;
    let client = reqwest::Client::new();
    let developer = first(&app, "developers", "id").await;
    let vacancy = first(
        &app,
        "vacancies",
        "id employer { id } skills { skill { id } }",
    )
    .await;
    let writes = [
        (
            "{ developers(first: 1) { nodes { headline } } }",
            "mutation($id: ID!) { updateDeveloper(input: { id: $id, headline: \"Fanned Out Developer\" }) { userErrors { message } } }",
            developer["id"].clone(),
            "Fanned Out Developer",
        ),
        (
            "{ vacancies(first: 1) { nodes { skills { skill { name } } } } }",
            "mutation($id: ID!) { updateSkill(input: { id: $id, name: \"Fanned Out Skill\" }) { userErrors { message } } }",
            vacancy["skills"][0]["skill"]["id"].clone(),
            "Fanned Out Skill",
        ),
        (
            "{ vacancies(first: 1) { nodes { employer { name } } } }",
            "mutation($id: ID!) { updateEmployer(input: { id: $id, name: \"Fanned Out Employer\" }) { userErrors { message } } }",
            vacancy["employer"]["id"].clone(),
            "Fanned Out Employer",
        ),
        (
            "{ vacancies(first: 1) { nodes { title } } }",
            "mutation($id: ID!) { updateVacancy(input: { id: $id, title: \"Fanned Out Vacancy\" }) { userErrors { message } } }",
            vacancy["id"].clone(),
            "Fanned Out Vacancy",
        ),
    ];
    for (query, mutation, id, expected) in writes {
        read_at(&client, &other.url("/graphql"), query).await;
        let (status, _) = read_at(&client, &other.url("/graphql"), query).await;
        assert!(status.contains("hit"), "{query}: {status}");
        write(&app, mutation, json!({ "id": id })).await;
        let written = Instant::now();
        loop {
            let (status, body) = read_at(&client, &other.url("/graphql"), query).await;
            if body.contains(expected) {
                assert!(!status.contains("hit"), "{status}");
                break;
            }
            assert!(
                written.elapsed() < Duration::from_secs(1),
                "{expected}: the other instance still answers from its cache: {status}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // Once seen, every later read there shows it too.
        for _ in 0..3 {
            let (_, body) = read_at(&client, &other.url("/graphql"), query).await;
            assert!(body.contains(expected), "{body}");
        }
    }
}

/// While an instance does not listen, another's write would go unnoticed: when its `LISTEN`
/// connection is lost, nothing kept before is served again, and the cache works again once it is
/// back.
#[tokio::test]
async fn a_lost_listen_connection_drops_every_kept_answer() {
    let Some(app) = TestApp::spawn(Engine::Postgres, Fixture::Demo).await else {
        return;
    };
    read(&app, SKILLS).await;
    let (status, _) = read(&app, SKILLS).await;
    assert!(status.contains("hit"), "{status}");
    app.cut_listen_connection().await;
    let lost = Instant::now();
    loop {
        let (status, _) = read(&app, SKILLS).await;
        if !status.contains("hit") {
            break;
        }
        assert!(
            lost.elapsed() < Duration::from_secs(2),
            "still answered from the cache"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    loop {
        let (status, _) = read(&app, SKILLS).await;
        if status.contains("hit") {
            break;
        }
        assert!(
            lost.elapsed() < Duration::from_secs(5),
            "the cache never works again: {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

db_test!(Demo, a_resume_import_refreshes_the_cached_profile);
async fn a_resume_import_refreshes_the_cached_profile(app: TestApp) {
    read_write_read(
        &app,
        "{ developer(handle: \"aiden-kelly\") { headline resume } }",
        "mutation($input: ImportResumeInput!) { importResume(input: $input) { userErrors { field } } }",
        json!({ "input": {
            "handle": "aiden-kelly",
            "resume": { "basics": { "label": "Principal engineer, search" } },
        } }),
        "Principal engineer, search",
    )
    .await;
}
