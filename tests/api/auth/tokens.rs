//! API tokens over HTTP: who a token stands for, what is refused with 401, and what is stored.

use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use talent_api::auth::store::NewToken;

use crate::{db_test, helpers::TestApp};

const VIEWER: &str =
    "{ viewer { role employer { slug } developer { handle } token { name hint active } } }";

/// Posts `{ viewer { role } }` with this raw `Authorization` header.
async fn with_header(app: &TestApp, authorization: &str) -> reqwest::Response {
    app.client
        .post(app.url("/graphql"))
        .header("Authorization", authorization)
        .json(&json!({ "query": "{ viewer { role } }" }))
        .send()
        .await
        .expect("request sent")
}

/// Checks a refusal: 401, a Bearer challenge, and an `UNAUTHENTICATED` error saying `why`.
async fn assert_refused(response: reqwest::Response, why: &str) {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .expect("ASCII")
        .to_owned();
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body:#}"
    );
    let message = body["errors"][0]["message"].as_str().expect("a message");
    assert!(message.contains(why), "{message}");
}

/// The first developer by name: its global ID and handle.
async fn some_developer(app: &TestApp) -> (Value, String) {
    let node = app
        .data(
            "{ developers(first: 1) { nodes { id handle } } }",
            json!({}),
        )
        .await["developers"]["nodes"][0]
        .clone();
    (
        node["id"].clone(),
        node["handle"].as_str().expect("a handle").to_owned(),
    )
}

fn admin_token(name: &str, expires_at: Option<chrono::DateTime<chrono::Utc>>) -> NewToken {
    NewToken {
        name: name.to_owned(),
        role: entity::TokenRole::Admin,
        employer_id: None,
        developer_id: None,
        expires_at,
    }
}

db_test!(Demo, a_request_without_a_token_is_anonymous);
async fn a_request_without_a_token_is_anonymous(app: TestApp) {
    let data = app.data(VIEWER, json!({})).await;
    assert_eq!(data, json!({ "viewer": null }));
}

db_test!(Demo, viewer_names_the_role_and_owner_of_the_token);
async fn viewer_names_the_role_and_owner_of_the_token(app: TestApp) {
    let employer = app.as_employer("quillstack").await;
    let data = employer.data(VIEWER, json!({})).await;
    assert_eq!(data["viewer"]["role"], "EMPLOYER");
    assert_eq!(data["viewer"]["employer"]["slug"], "quillstack");
    assert_eq!(data["viewer"]["developer"], Value::Null);
    assert_eq!(data["viewer"]["token"]["active"], true);
    let token = employer.token.as_deref().expect("a token");
    assert!(token.starts_with(data["viewer"]["token"]["hint"].as_str().expect("a hint")));
}

db_test!(
    Demo,
    a_malformed_token_is_refused_with_401_and_a_bearer_challenge
);
async fn a_malformed_token_is_refused_with_401_and_a_bearer_challenge(app: TestApp) {
    assert_refused(with_header(&app, "Bearer not-a-token").await, "malformed").await;
}

db_test!(Demo, an_authorization_header_that_is_not_bearer_is_refused);
async fn an_authorization_header_that_is_not_bearer_is_refused(app: TestApp) {
    assert_refused(with_header(&app, "Basic dXNlcjpwYXNz").await, "Bearer").await;
}

db_test!(Demo, an_unknown_token_is_refused_not_treated_as_anonymous);
async fn an_unknown_token_is_refused_not_treated_as_anonymous(app: TestApp) {
    let unknown = format!("tal_{}", "Q".repeat(42) + "A");
    assert_refused(
        with_header(&app, &format!("Bearer {unknown}")).await,
        "not valid",
    )
    .await;
}

db_test!(Demo, a_revoked_token_is_refused);
async fn a_revoked_token_is_refused(app: TestApp) {
    let token = app.token_with(admin_token("soon revoked", None)).await;
    let id = app
        .with_token(&token)
        .data("{ viewer { token { id } } }", json!({}))
        .await["viewer"]["token"]["id"]
        .clone();
    let revoked = app
        .admin()
        .data("mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { revokedAt active } userErrors { code } } }", json!({ "id": id }))
        .await;
    assert_eq!(revoked["revokeApiToken"]["apiToken"]["active"], false);
    assert_refused(
        with_header(&app, &format!("Bearer {token}")).await,
        "revoked",
    )
    .await;
}

db_test!(Demo, an_expired_token_is_refused);
async fn an_expired_token_is_refused(app: TestApp) {
    let token = app
        .token_with(admin_token(
            "expired",
            Some(chrono::Utc::now() - chrono::TimeDelta::seconds(1)),
        ))
        .await;
    assert_refused(
        with_header(&app, &format!("Bearer {token}")).await,
        "expired",
    )
    .await;
}

db_test!(Demo, get_requests_are_authenticated_like_posts);
async fn get_requests_are_authenticated_like_posts(app: TestApp) {
    let refused = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", "{ viewer { role } }")])
        .bearer_auth("tal_nope")
        .send()
        .await
        .expect("sent");
    assert_refused(refused, "malformed").await;
    let (_, handle) = some_developer(&app).await;
    let developer = app.as_developer(&handle).await;
    let token = developer.token.as_deref().expect("a token");
    let body: Value = app
        .client
        .get(app.url("/graphql"))
        .query(&[(
            "query",
            format!("{{ viewer {{ role }} developer(handle: \"{handle}\") {{ email }} }}"),
        )])
        .bearer_auth(token)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["data"]["viewer"]["role"], "DEVELOPER", "{body:#}");
    assert!(body["data"]["developer"]["email"].is_string(), "{body:#}");
}

db_test!(Demo, create_api_token_returns_a_token_that_works_at_once);
async fn create_api_token_returns_a_token_that_works_at_once(app: TestApp) {
    let created = app
        .admin()
        .data(
            "mutation($employer: ID!) { createApiToken(input: { name: \"acme-ats\", role: EMPLOYER, employerId: $employer }) { token apiToken { name role hint employer { slug } lastUsedAt } userErrors { code } } }",
            json!({ "employer": app.data("{ employer(slug: \"quillstack\") { id } }", json!({})).await["employer"]["id"] }),
        )
        .await["createApiToken"]
        .clone();
    assert_eq!(created["userErrors"], json!([]));
    assert_eq!(created["apiToken"]["employer"]["slug"], "quillstack");
    assert_eq!(created["apiToken"]["lastUsedAt"], Value::Null);
    let token = created["token"].as_str().expect("a token");
    assert!(
        token.starts_with("tal_") && token.len() >= 4 + 43,
        "{token}"
    );
    let viewer = app.with_token(token).data(VIEWER, json!({})).await;
    assert_eq!(viewer["viewer"]["role"], "EMPLOYER");
    assert_eq!(viewer["viewer"]["employer"]["slug"], "quillstack");
}

db_test!(
    Demo,
    create_api_token_checks_the_name_the_owner_for_the_role_and_the_expiry
);
async fn create_api_token_checks_the_name_the_owner_for_the_role_and_the_expiry(app: TestApp) {
    let (developer, _) = some_developer(&app).await;
    let query = "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id } userErrors { field code } } }";
    let cases = [
        (
            json!({ "name": " ", "role": "ADMIN" }),
            json!([{ "field": ["input", "name"], "code": "REQUIRED" }]),
        ),
        (
            json!({ "name": "x", "role": "EMPLOYER" }),
            json!([{ "field": ["input", "employerId"], "code": "REQUIRED" }]),
        ),
        (
            json!({ "name": "x", "role": "ADMIN", "developerId": developer }),
            json!([{ "field": ["input", "developerId"], "code": "INVALID" }]),
        ),
        (
            json!({ "name": "x", "role": "DEVELOPER", "developerId": developer, "expiresAt": "2020-01-01T00:00:00Z" }),
            json!([{ "field": ["input", "expiresAt"], "code": "OUT_OF_RANGE" }]),
        ),
        (
            json!({ "name": "x", "role": "EMPLOYER", "employerId": "RW1wbG95ZXI6OTk5OQ" }),
            json!([{ "field": ["input", "employerId"], "code": "NOT_FOUND" }]),
        ),
    ];
    let before = app
        .admin()
        .data(
            "{ apiTokens(includeRevoked: true) { totalCount } }",
            json!({}),
        )
        .await;
    for (input, errors) in cases {
        let payload =
            app.admin().data(query, json!({ "input": input })).await["createApiToken"].clone();
        assert_eq!(payload["userErrors"], errors, "{input}");
        assert_eq!(payload["token"], Value::Null);
        assert_eq!(payload["apiToken"], Value::Null);
    }
    let after = app
        .admin()
        .data(
            "{ apiTokens(includeRevoked: true) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(after, before, "a refused token was stored");
}

db_test!(Demo, tokens_are_stored_only_as_a_hash);
async fn tokens_are_stored_only_as_a_hash(app: TestApp) {
    let token = app
        .admin()
        .data(
            "mutation { createApiToken(input: { name: \"hashed\", role: ADMIN }) { token } }",
            json!({}),
        )
        .await["createApiToken"]["token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let rows = entity::api_token::Entity::find()
        .all(app.pool())
        .await
        .expect("read tokens");
    assert!(!rows.is_empty());
    for row in rows {
        let stored = format!("{row:?}");
        assert!(
            !stored.contains(&token),
            "the token is stored in clear: {stored}"
        );
        assert!(
            !stored.contains(&token[4..]),
            "the token is stored in clear: {stored}"
        );
        assert_eq!(row.token_hash.len(), 64);
        assert!(row.hint.len() <= 10);
    }
}

db_test!(
    Demo,
    last_used_at_is_written_once_a_minute_not_on_every_request
);
async fn last_used_at_is_written_once_a_minute_not_on_every_request(app: TestApp) {
    let token = app.token_with(admin_token("busy", None)).await;
    let caller = app.with_token(&token);
    let query = "{ viewer { token { lastUsedAt } } }";
    let first = caller.data(query, json!({})).await["viewer"]["token"]["lastUsedAt"].clone();
    assert!(first.is_string(), "the first use is recorded: {first}");
    let anonymous = app
        .data_and_statements("{ skills(first: 1) { nodes { id } } }", json!({}))
        .await
        .1;
    for _ in 0..3 {
        let before = app.statements.get();
        caller
            .data("{ skills(first: 1) { nodes { id } } }", json!({}))
            .await;
        let statements = app.statements.get() - before;
        // The lookup may come from the cache of the last second: at most one lookup, no write.
        assert!(
            statements <= anonymous + 1,
            "{statements} statements: more than one lookup"
        );
    }
    let later = caller.data(query, json!({})).await["viewer"]["token"]["lastUsedAt"].clone();
    assert_eq!(later, first);
}

db_test!(Demo, a_token_dies_with_its_owner);
async fn a_token_dies_with_its_owner(app: TestApp) {
    let (id, handle) = some_developer(&app).await;
    let me = app.as_developer(&handle).await;
    let deleted = me.data("mutation($id: ID!) { deleteDeveloper(input: { id: $id }) { deletedDeveloperId userErrors { code } } }", json!({ "id": id })).await;
    assert_eq!(deleted["deleteDeveloper"]["deletedDeveloperId"], id);
    let token = me.token.as_deref().expect("a token");
    assert_refused(
        with_header(&app, &format!("Bearer {token}")).await,
        "not valid",
    )
    .await;
}

db_test!(Demo, api_tokens_are_listed_to_admins_only);
async fn api_tokens_are_listed_to_admins_only(app: TestApp) {
    let query = "{ apiTokens { totalCount nodes { name role hint } } }";
    let anonymous = app.graphql(query, json!({})).await;
    assert_eq!(
        anonymous["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    let (_, handle) = some_developer(&app).await;
    let developer = app
        .as_developer(&handle)
        .await
        .graphql(query, json!({}))
        .await;
    assert_eq!(developer["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let listed = app.admin().data(query, json!({})).await;
    let names: Vec<&str> = listed["apiTokens"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["name"].as_str())
        .collect();
    assert_eq!(names, ["test developer", "test admin"], "newest first");
}

db_test!(Demo, node_shows_a_token_to_admins_and_its_own_bearer_only);
async fn node_shows_a_token_to_admins_and_its_own_bearer_only(app: TestApp) {
    let (_, handle) = some_developer(&app).await;
    let mine = app.as_developer(&handle).await;
    let id =
        mine.data("{ viewer { token { id } } }", json!({})).await["viewer"]["token"]["id"].clone();
    let query = "query($id: ID!) { node(id: $id) { ... on ApiToken { name } } }";
    assert_eq!(
        mine.data(query, json!({ "id": id })).await["node"]["name"],
        "test developer"
    );
    assert_eq!(
        app.admin().data(query, json!({ "id": id })).await["node"]["name"],
        "test developer"
    );
    let other = app.as_employer("quillstack").await;
    assert_eq!(
        other.data(query, json!({ "id": id })).await["node"],
        Value::Null
    );
    assert_eq!(
        app.data(query, json!({ "id": id })).await["node"],
        Value::Null
    );
}

/// A well-formed token nobody holds, different for each `n`.
fn random_token(n: usize) -> String {
    format!("tal_{n:0>42}A")
}

/// An app with rate limiting on: a burst of 5, one more a second.
async fn rate_limited_app(app: &TestApp) -> TestApp {
    let engine = if app.postgres_database().is_some() {
        crate::helpers::Engine::Postgres
    } else {
        crate::helpers::Engine::Sqlite
    };
    let limits = talent_api::config::Limits {
        rate_limit_per_second: 1.0,
        rate_limit_burst: 5,
        ..talent_api::config::Limits::default()
    };
    TestApp::spawn_with(engine, crate::helpers::Fixture::Empty, limits)
        .await
        .expect("an app")
}

db_test!(
    Empty,
    a_stream_of_invalid_tokens_ends_in_429_and_then_costs_no_statement
);
async fn a_stream_of_invalid_tokens_ends_in_429_and_then_costs_no_statement(app: TestApp) {
    let app = rate_limited_app(&app).await;
    let mut statuses = Vec::new();
    for n in 0..20 {
        statuses.push(
            with_header(&app, &format!("Bearer {}", random_token(n)))
                .await
                .status(),
        );
    }
    assert!(
        statuses[..5]
            .iter()
            .all(|status| *status == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert!(
        statuses[6..]
            .iter()
            .all(|status| *status == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let before = app.statements.get();
    for n in 100..400 {
        let response = with_header(&app, &format!("Bearer {}", random_token(n))).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    assert_eq!(
        app.statements.get() - before,
        0,
        "statements run for 300 refused tokens"
    );
}

db_test!(
    Empty,
    invalid_tokens_end_in_429_even_from_an_address_with_requests_left
);
async fn invalid_tokens_end_in_429_even_from_an_address_with_requests_left(app: TestApp) {
    let app = rate_limited_app(&app).await;
    for n in 0..5 {
        assert_eq!(
            with_header(&app, &format!("Bearer {}", random_token(n)))
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        with_header(&app, &format!("Bearer {}", random_token(5)))
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Anonymous requests keep a bucket of their own.
    assert_eq!(
        app.anonymous()
            .post("{ __typename }", json!({}))
            .await
            .status(),
        200
    );
    // A token from this address is not looked up until the refused tokens' bucket has a unit
    // again (1 a second here); then a valid one is served from its own bucket.
    assert_eq!(
        app.admin().post("{ __typename }", json!({})).await.status(),
        429
    );
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(
        app.admin().post("{ __typename }", json!({})).await.status(),
        200
    );
}

db_test!(Empty, a_repeated_token_is_looked_up_once_a_second);
async fn a_repeated_token_is_looked_up_once_a_second(app: TestApp) {
    let unknown = random_token(7);
    let before = app.statements.get();
    for _ in 0..50 {
        assert_refused(
            with_header(&app, &format!("Bearer {unknown}")).await,
            "not valid",
        )
        .await;
    }
    let statements = app.statements.get() - before;
    assert!(
        statements <= 3,
        "{statements} statements for 50 requests with one token"
    );
    let before = app.statements.get();
    for _ in 0..50 {
        let response = app
            .client
            .post(app.url("/graphql"))
            .header("Authorization", format!("Bearer {}", app.admin_token))
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status(), StatusCode::OK);
    }
    let statements = app.statements.get() - before;
    assert!(
        statements <= 5,
        "{statements} statements for 50 requests with the admin token"
    );
}
