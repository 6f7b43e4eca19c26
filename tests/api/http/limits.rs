//! Every limit: accepted at the limit, refused one past it, with a stable code.

use std::time::Duration;

use serde_json::{Value, json};
use talent_api::config::{Http, Limits};

use crate::{
    db_test,
    helpers::{Engine, Fixture, Settings, TestApp},
};

/// The code of the first error.
fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("(none)")
}

/// A test app with `limits` (rate limiting off unless they say otherwise).
async fn app_with(engine: Engine, limits: impl Into<Settings>) -> Option<TestApp> {
    TestApp::spawn_with(engine, Fixture::Empty, limits).await
}

fn no_rate_limit() -> Limits {
    Limits {
        rate_limit_per_second: 0.0,
        ..Limits::default()
    }
}

/// The engine of a `db_test!` app.
fn engine(app: &TestApp) -> Engine {
    if app.postgres_database().is_some() {
        Engine::Postgres
    } else {
        Engine::Sqlite
    }
}

/// Ten levels: skills > nodes > developers > nodes > skills > skill > vacancies > nodes > employer > name.
const DEPTH_10: &str = "{ skills(first: 1) { nodes { developers(first: 1) { nodes { skills { skill { vacancies(first: 1) { nodes { employer { name } } } } } } } } } }";
const DEPTH_11: &str = "{ skills(first: 1) { nodes { developers(first: 1) { nodes { skills { skill { vacancies(first: 1) { nodes { employer { vacancies(first: 1) { totalCount } } } } } } } } } } }";

db_test!(Empty, a_query_ten_levels_deep_runs_and_eleven_is_refused);
async fn a_query_ten_levels_deep_runs_and_eleven_is_refused(app: TestApp) {
    app.data(DEPTH_10, json!({})).await;
    let body = app.graphql(DEPTH_11, json!({})).await;
    assert_eq!(code(&body), "QUERY_TOO_DEEP", "{body:#}");
    assert_eq!(body["errors"][0]["extensions"]["depth"], 11);
    assert_eq!(body["errors"][0]["extensions"]["limit"], 10);
    assert_eq!(body["data"], Value::Null);
}

db_test!(Empty, introspection_queries_are_exempt_from_the_depth_limit);
async fn introspection_queries_are_exempt_from_the_depth_limit(app: TestApp) {
    let deep = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }";
    let data = app.data(deep, json!({})).await;
    assert!(
        data["__schema"]["types"]
            .as_array()
            .is_some_and(|types| !types.is_empty())
    );
}

fn aliases(n: usize) -> String {
    format!(
        "{{ {} }}",
        (0..n)
            .map(|i| format!("a{i}: __typename"))
            .collect::<Vec<_>>()
            .join(" ")
    )
}

db_test!(Empty, thirty_aliases_run_and_thirty_one_are_refused);
async fn thirty_aliases_run_and_thirty_one_are_refused(app: TestApp) {
    app.data(&aliases(30), json!({})).await;
    let body = app.graphql(&aliases(31), json!({})).await;
    assert_eq!(code(&body), "TOO_MANY_ALIASES", "{body:#}");
    assert_eq!(body["errors"][0]["extensions"]["aliases"], 31);
}

fn directives(n: usize) -> String {
    format!("{{ {} }}", "__typename @include(if: true) ".repeat(n))
}

db_test!(Empty, fifty_directives_run_and_fifty_one_are_refused);
async fn fifty_directives_run_and_fifty_one_are_refused(app: TestApp) {
    app.data(&directives(50), json!({})).await;
    let body = app.graphql(&directives(51), json!({})).await;
    assert_eq!(code(&body), "TOO_MANY_DIRECTIVES", "{body:#}");
}

/// `{ __typename }` padded with a comment to `bytes` bytes.
fn padded(bytes: usize) -> String {
    let query = "{ __typename }\n#";
    format!("{query}{}", "x".repeat(bytes - query.len()))
}

db_test!(Empty, a_sixteen_kib_query_runs_and_one_byte_more_is_refused);
async fn a_sixteen_kib_query_runs_and_one_byte_more_is_refused(app: TestApp) {
    app.data(&padded(16 * 1024), json!({})).await;
    let body = app.graphql(&padded(16 * 1024 + 1), json!({})).await;
    assert_eq!(code(&body), "QUERY_TOO_LARGE", "{body:#}");
    assert_eq!(body["errors"][0]["extensions"]["size"], 16 * 1024 + 1);
}

/// A query of exactly `n` tokens: `{`, `}` and `n - 2` fields.
fn tokens(n: usize) -> String {
    format!("{{{}}}", " __typename".repeat(n - 2))
}

db_test!(
    Empty,
    a_query_of_a_thousand_tokens_runs_and_one_more_is_refused
);
async fn a_query_of_a_thousand_tokens_runs_and_one_more_is_refused(app: TestApp) {
    app.data(&tokens(1000), json!({})).await;
    let body = app.graphql(&tokens(1001), json!({})).await;
    assert_eq!(code(&body), "TOO_MANY_TOKENS", "{body:#}");
}

const NESTED_PAGES: &str = "{ developers(first: 100) { nodes { skills { skill { developers(first: 100) { nodes { id } } } } } } }";

db_test!(Empty, nested_pages_of_a_hundred_are_refused_with_their_cost);
async fn nested_pages_of_a_hundred_are_refused_with_their_cost(app: TestApp) {
    let body = app.graphql(NESTED_PAGES, json!({})).await;
    assert_eq!(code(&body), "QUERY_TOO_COSTLY", "{body:#}");
    let cost = body["errors"][0]["extensions"]["cost"]
        .as_u64()
        .expect("a cost");
    assert!(cost > 50_000, "{cost}");
    assert_eq!(body["errors"][0]["extensions"]["limit"], 50_000);
}

db_test!(Empty, a_typical_screen_is_well_within_the_cost_limit);
async fn a_typical_screen_is_well_within_the_cost_limit(app: TestApp) {
    let screen = "{ developers(first: 20) { totalCount pageInfo { hasNextPage endCursor } nodes { id name headline city countryCode skills { level skill { name } } } } vacancies(first: 20) { nodes { title salary { min max currency } employer { name } skills { required skill { name } } } } }";
    app.data(screen, json!({})).await;
}

db_test!(
    Empty,
    a_query_costing_exactly_the_limit_runs_and_one_less_is_refused
);
async fn a_query_costing_exactly_the_limit_runs_and_one_less_is_refused(app: TestApp) {
    let cost = app.graphql(NESTED_PAGES, json!({})).await["errors"][0]["extensions"]["cost"]
        .as_u64()
        .expect("a cost") as usize;
    let at = app_with(
        engine(&app),
        Limits {
            max_cost: cost,
            ..no_rate_limit()
        },
    )
    .await
    .expect("an app");
    at.data(NESTED_PAGES, json!({})).await;
    let below = app_with(
        engine(&app),
        Limits {
            max_cost: cost - 1,
            ..no_rate_limit()
        },
    )
    .await
    .expect("an app");
    assert_eq!(
        code(&below.graphql(NESTED_PAGES, json!({})).await),
        "QUERY_TOO_COSTLY"
    );
}

fn batch(n: usize) -> String {
    serde_json::to_string(&vec![json!({ "query": "{ __typename }" }); n]).expect("JSON")
}

db_test!(Empty, a_batch_of_ten_runs_and_eleven_is_refused_with_400);
async fn a_batch_of_ten_runs_and_eleven_is_refused_with_400(app: TestApp) {
    let ok = app.post_raw("application/json", batch(10)).await;
    assert_eq!(ok.status(), 200);
    let answers: Value = ok.json().await.expect("JSON");
    assert_eq!(answers.as_array().map(Vec::len), Some(10));
    let refused = app.post_raw("application/json", batch(11)).await;
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.expect("JSON");
    assert_eq!(code(&body), "BAD_REQUEST");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("at most 10")),
        "{body}"
    );
}

/// A JSON body of exactly `bytes` bytes.
fn body_of(bytes: usize) -> String {
    let head = r#"{"query":"{ __typename }","variables":{"pad":""#;
    let tail = r#""}}"#;
    format!(
        "{head}{}{tail}",
        "x".repeat(bytes - head.len() - tail.len())
    )
}

db_test!(Empty, a_body_of_256_kib_is_read_and_one_byte_more_is_413);
async fn a_body_of_256_kib_is_read_and_one_byte_more_is_413(app: TestApp) {
    assert_eq!(
        app.post_raw("application/json", body_of(256 * 1024))
            .await
            .status(),
        200
    );
    let refused = app
        .post_raw("application/json", body_of(256 * 1024 + 1))
        .await;
    assert_eq!(refused.status(), 413);
    let body: Value = refused.json().await.expect("JSON");
    assert_eq!(code(&body), "PAYLOAD_TOO_LARGE");
}

db_test!(Empty, a_chunked_body_over_the_limit_is_413_too);
async fn a_chunked_body_over_the_limit_is_413_too(app: TestApp) {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..40).map(|_| Ok(vec![b' '; 8 * 1024])).collect();
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 413);
}

/// A request whose body arrives in two halves, `pause` apart.
async fn slow_request(app: &TestApp, pause: Duration) -> reqwest::Response {
    let halves = futures_util::stream::unfold(0, move |step| async move {
        match step {
            0 => Some((Ok::<_, std::io::Error>(b"{\"query\":".to_vec()), 1)),
            1 => {
                tokio::time::sleep(pause).await;
                Some((Ok(b"\"{ __typename }\"}".to_vec()), 2))
            }
            _ => None,
        }
    });
    app.client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(halves))
        .send()
        .await
        .expect("request sent")
}

db_test!(Empty, a_body_slower_than_its_deadline_is_refused_with_408);
async fn a_body_slower_than_its_deadline_is_refused_with_408(app: TestApp) {
    let quick = app_with(
        engine(&app),
        Http {
            body_read_timeout_ms: 300,
            ..Http::default()
        },
    )
    .await
    .expect("an app");
    assert_eq!(
        slow_request(&quick, Duration::from_millis(20))
            .await
            .status(),
        200
    );
    let slow = slow_request(&quick, Duration::from_millis(1000)).await;
    assert_eq!(slow.status(), 408);
    let body: Value = slow.json().await.expect("JSON");
    assert_eq!(code(&body), "BODY_TIMEOUT");
}

db_test!(Empty, the_request_deadline_bounds_the_body_too);
async fn the_request_deadline_bounds_the_body_too(app: TestApp) {
    let quick = app_with(
        engine(&app),
        Http {
            request_timeout_ms: 300,
            ..Http::default()
        },
    )
    .await
    .expect("an app");
    let slow = slow_request(&quick, Duration::from_millis(1000)).await;
    assert_eq!(slow.status(), 408);
    let body: Value = slow.json().await.expect("JSON");
    assert_eq!(code(&body), "BODY_TIMEOUT");
}

db_test!(Empty, a_slow_body_holds_no_request_slot);
async fn a_slow_body_holds_no_request_slot(app: TestApp) {
    let one = app_with(
        engine(&app),
        Http {
            max_concurrent_requests: 1,
            ..Http::default()
        },
    )
    .await
    .expect("an app");
    let (held, served) = tokio::join!(slow_request(&one, Duration::from_millis(800)), async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        one.post_raw("application/json", r#"{"query":"{ __typename }"}"#)
            .await
    });
    assert_eq!(held.status(), 200);
    assert_eq!(served.status(), 200);
}

fn rate_limited(per_second: f64, burst: u32) -> Limits {
    Limits {
        rate_limit_per_second: per_second,
        rate_limit_burst: burst,
        ..Limits::default()
    }
}

db_test!(
    Empty,
    a_client_may_send_its_burst_and_the_next_request_is_429_with_retry_after
);
async fn a_client_may_send_its_burst_and_the_next_request_is_429_with_retry_after(app: TestApp) {
    let limited = app_with(engine(&app), rate_limited(0.5, 3))
        .await
        .expect("an app");
    for _ in 0..3 {
        assert_eq!(
            limited
                .anonymous()
                .post("{ __typename }", json!({}))
                .await
                .status(),
            200
        );
    }
    let refused = limited.anonymous().post("{ __typename }", json!({})).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "2");
    let body: Value = refused.json().await.expect("JSON");
    assert_eq!(code(&body), "RATE_LIMITED");
}

db_test!(
    Empty,
    every_answer_tells_the_caller_its_rate_limit_policy_and_what_is_left
);
async fn every_answer_tells_the_caller_its_rate_limit_policy_and_what_is_left(app: TestApp) {
    let limited = app_with(engine(&app), rate_limited(0.5, 3))
        .await
        .expect("an app");
    let mut left = Vec::new();
    for _ in 0..4 {
        let response = limited.anonymous().post("{ __typename }", json!({})).await;
        let header = |name: &str| response.headers()[name].to_str().expect("text").to_owned();
        assert_eq!(header("ratelimit-policy"), "\"default\";q=3;w=6");
        left.push((response.status().as_u16(), header("ratelimit")));
    }
    // `"default";r=<left>;t=<seconds until full>`; the bucket refills 0.5 a second meanwhile,
    // so a slow machine may see a reset a second sooner.
    let parsed: Vec<(u16, u64, u64)> = left
        .iter()
        .map(|(status, field)| {
            let number = |key: &str| {
                field
                    .split(';')
                    .find_map(|part| part.strip_prefix(key))
                    .and_then(|value| value.parse().ok())
                    .unwrap_or_else(|| panic!("{field}"))
            };
            (*status, number("r="), number("t="))
        })
        .collect();
    let statuses_and_left: Vec<(u16, u64)> = parsed.iter().map(|(s, r, _)| (*s, *r)).collect();
    assert_eq!(statuses_and_left, [(200, 2), (200, 1), (200, 0), (429, 0)]);
    for ((_, _, reset), most) in parsed.iter().zip([2, 4, 6, 2]) {
        assert!((most - 1..=most).contains(reset), "{parsed:?}");
    }
}

db_test!(Empty, every_token_has_a_bucket_of_its_own);
async fn every_token_has_a_bucket_of_its_own(app: TestApp) {
    let limited = app_with(engine(&app), rate_limited(0.1, 1))
        .await
        .expect("an app");
    assert_eq!(
        limited
            .anonymous()
            .post("{ __typename }", json!({}))
            .await
            .status(),
        200
    );
    assert_eq!(
        limited
            .anonymous()
            .post("{ __typename }", json!({}))
            .await
            .status(),
        429
    );
    assert_eq!(
        limited
            .admin()
            .post("{ __typename }", json!({}))
            .await
            .status(),
        200,
        "the admin token has its own bucket"
    );
    assert_eq!(
        limited
            .admin()
            .post("{ __typename }", json!({}))
            .await
            .status(),
        429
    );
}

db_test!(
    Empty,
    a_mutation_over_the_cost_limit_is_refused_with_its_cost_and_writes_nothing
);
async fn a_mutation_over_the_cost_limit_is_refused_with_its_cost_and_writes_nothing(app: TestApp) {
    let create = "mutation { createSkill(input: { slug: \"zig\", name: \"Zig\", category: LANGUAGE }) { skill { developers(first: 100) { nodes { skills { skill { developers(first: 100) { nodes { id } } } } } } } } }";
    let body = app.admin().graphql(create, json!({})).await;
    assert_eq!(code(&body), "QUERY_TOO_COSTLY", "{body:#}");
    assert!(
        body["errors"][0]["extensions"]["cost"]
            .as_u64()
            .is_some_and(|cost| cost > 50_000),
        "{body:#}"
    );
    let data = app.data("{ skill(slug: \"zig\") { id } }", json!({})).await;
    assert_eq!(data["skill"], Value::Null, "nothing was written");
}

db_test!(Empty, a_mutation_costs_more_than_a_query);
async fn a_mutation_costs_more_than_a_query(app: TestApp) {
    let limited = app_with(
        engine(&app),
        Limits {
            mutation_cost: 5,
            ..rate_limited(0.1, 6)
        },
    )
    .await
    .expect("an app");
    let admin = limited.admin();
    let create = "mutation { createSkill(input: { slug: \"zig\", name: \"Zig\", category: LANGUAGE }) { skill { slug } } }";
    assert_eq!(admin.post(create, json!({})).await.status(), 200);
    assert_eq!(admin.post("{ __typename }", json!({})).await.status(), 200);
    assert_eq!(
        admin.post("{ __typename }", json!({})).await.status(),
        429,
        "5 + 1 spent the burst of 6"
    );
}

db_test!(Empty, cors_answers_allowed_origins_only);
async fn cors_answers_allowed_origins_only(app: TestApp) {
    let cors = app_with(
        engine(&app),
        Http {
            cors_origins: vec!["https://app.example".to_owned()],
            ..Http::default()
        },
    )
    .await
    .expect("an app");
    let preflight = |origin: &'static str| {
        cors.client
            .request(reqwest::Method::OPTIONS, cors.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, authorization",
            )
            .send()
    };
    let allowed = preflight("https://app.example").await.expect("sent");
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let allowed_headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .expect("ASCII")
        .to_lowercase();
    assert!(
        allowed_headers.contains("authorization"),
        "{allowed_headers}"
    );
    let other = preflight("https://evil.example").await.expect("sent");
    assert!(other.headers().get("access-control-allow-origin").is_none());
    let none = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/graphql"))
        .header("origin", "https://app.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .expect("sent");
    assert!(
        none.headers().get("access-control-allow-origin").is_none(),
        "no origins are allowed by default"
    );
}

db_test!(
    Empty,
    cors_lets_apollo_and_configured_headers_in_and_the_rate_limit_out
);
async fn cors_lets_apollo_and_configured_headers_in_and_the_rate_limit_out(app: TestApp) {
    let cors = app_with(
        engine(&app),
        Http {
            cors_origins: vec!["https://app.example".to_owned()],
            cors_allow_headers: vec![
                "apollographql-client-name".to_owned(),
                "x-app-build".to_owned(),
            ],
            ..Http::default()
        },
    )
    .await
    .expect("an app");
    let preflight = cors
        .client
        .request(reqwest::Method::OPTIONS, cors.url("/graphql"))
        .header("origin", "https://app.example")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "apollographql-client-name, x-app-build",
        )
        .send()
        .await
        .expect("sent");
    let allowed = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .expect("ASCII")
        .to_lowercase();
    assert!(
        allowed.contains("apollographql-client-name") && allowed.contains("x-app-build"),
        "{allowed}"
    );
    let answer = cors
        .client
        .post(cors.url("/graphql"))
        .header("origin", "https://app.example")
        .header("content-type", "application/json")
        .body(r#"{"query":"{ __typename }"}"#)
        .send()
        .await
        .expect("sent");
    let exposed = answer.headers()["access-control-expose-headers"]
        .to_str()
        .expect("ASCII")
        .to_lowercase();
    for name in [
        "ratelimit",
        "ratelimit-policy",
        "x-request-id",
        "retry-after",
        "www-authenticate",
    ] {
        assert!(exposed.contains(name), "{name} in {exposed}");
    }
}

db_test!(Empty, a_panic_is_a_generic_500_and_the_server_keeps_serving);
async fn a_panic_is_a_generic_500_and_the_server_keeps_serving(app: TestApp) {
    let response = app
        .client
        .get(app.url("/__test/panic"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 500);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        body,
        json!({ "errors": [{ "message": "internal error", "extensions": { "code": "INTERNAL" } }] })
    );
    app.data("{ __typename }", json!({})).await;
}

db_test!(Empty, malformed_requests_get_400_with_a_clear_message);
async fn malformed_requests_get_400_with_a_clear_message(app: TestApp) {
    for (body, says) in [
        ("{\"query\": ", "not valid JSON"),
        ("[1, 2]", "not a GraphQL request"),
        ("\"just a string\"", "must be a JSON object"),
        ("{\"query\": \"   \"}", "no `query`"),
        ("{\"query\": 42}", "not a GraphQL request"),
        ("[]", "batch is empty"),
    ] {
        let response = app.post_raw("application/json", body).await;
        assert_eq!(response.status(), 400, "{body}");
        let answer: Value = response.json().await.expect("JSON");
        let message = answer["errors"][0]["message"].as_str().expect("a message");
        assert!(message.contains(says), "{body}: {message}");
        assert!(
            !message.contains("Error {") && !message.contains("::"),
            "debug text: {message}"
        );
    }
}

db_test!(Empty, a_body_that_is_not_json_is_415);
async fn a_body_that_is_not_json_is_415(app: TestApp) {
    let response = app.post_raw("text/plain", "{ __typename }").await;
    assert_eq!(response.status(), 415);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(code(&body), "UNSUPPORTED_MEDIA_TYPE");
}

db_test!(Empty, syntax_and_schema_errors_carry_codes);
async fn syntax_and_schema_errors_carry_codes(app: TestApp) {
    assert_eq!(
        code(&app.graphql("{ skills(", json!({})).await),
        "GRAPHQL_PARSE_FAILED"
    );
    assert_eq!(
        code(&app.graphql("{ nope }", json!({})).await),
        "GRAPHQL_VALIDATION_FAILED"
    );
}

db_test!(Empty, production_hides_the_playground_and_field_suggestions);
async fn production_hides_the_playground_and_field_suggestions(app: TestApp) {
    let production = app_with(
        engine(&app),
        Http {
            environment: talent_api::config::Environment::Production,
            ..Http::default()
        },
    )
    .await
    .expect("an app");
    assert_eq!(
        production
            .client
            .get(production.url("/"))
            .send()
            .await
            .expect("sent")
            .status(),
        404
    );
    let body = production
        .graphql("{ skill(slug: \"rust\") { nam } }", json!({}))
        .await;
    let message = body["errors"][0]["message"].as_str().expect("a message");
    assert!(!message.contains("Did you mean"), "{message}");
    assert!(
        app.graphql("{ skill(slug: \"rust\") { nam } }", json!({}))
            .await["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Did you mean"))
    );
    production
        .data("{ __schema { queryType { name } } }", json!({}))
        .await;
}

db_test!(Empty, introspection_can_be_turned_off);
async fn introspection_can_be_turned_off(app: TestApp) {
    let closed = app_with(
        engine(&app),
        Limits {
            disable_introspection: true,
            ..no_rate_limit()
        },
    )
    .await
    .expect("an app");
    let body = closed
        .graphql("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(code(&body), "INTROSPECTION_DISABLED", "{body:#}");
    closed
        .data("{ __typename skills { totalCount } }", json!({}))
        .await;
}

db_test!(
    Empty,
    every_response_carries_a_request_id_and_echoes_a_sane_one
);
async fn every_response_carries_a_request_id_and_echoes_a_sane_one(app: TestApp) {
    let response = app.anonymous().post("{ __typename }", json!({})).await;
    let id = response.headers()["x-request-id"]
        .to_str()
        .expect("ASCII")
        .to_owned();
    assert_eq!(id.len(), 16);
    let echoed = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "req-42.a")
        .send()
        .await
        .expect("sent");
    assert_eq!(echoed.headers()["x-request-id"], "req-42.a");
    let replaced = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "bad id with spaces")
        .send()
        .await
        .expect("sent");
    assert_ne!(replaced.headers()["x-request-id"], "bad id with spaces");
}

db_test!(
    Empty,
    metrics_count_requests_errors_rate_limits_and_the_pool
);
async fn metrics_count_requests_errors_rate_limits_and_the_pool(app: TestApp) {
    let limited = app_with(engine(&app), rate_limited(0.1, 2))
        .await
        .expect("an app");
    limited
        .anonymous()
        .post("query Screen { __typename }", json!({}))
        .await;
    limited.anonymous().post("{ nope }", json!({})).await;
    limited.anonymous().post("{ __typename }", json!({})).await;
    let response = limited
        .client
        .get(limited.url("/metrics"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("text");
    for expected in [
        "talent_http_requests_total{operation=\"Screen\",outcome=\"ok\"} 1",
        "talent_graphql_errors_total{code=\"GRAPHQL_VALIDATION_FAILED\"} 1",
        "talent_rate_limited_total 1",
        "talent_http_request_duration_seconds_bucket{",
        "talent_db_pool_connections{state=\"idle\"}",
    ] {
        assert!(text.contains(expected), "missing {expected}:\n{text}");
    }
}

db_test!(Demo, metrics_count_the_sql_statements_run);
async fn metrics_count_the_sql_statements_run(app: TestApp) {
    let read = |text: &str| -> u64 {
        text.lines()
            .find_map(|line| line.strip_prefix("talent_db_statements_total "))
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or_else(|| panic!("no statement count in:\n{text}"))
    };
    let metrics = || async {
        let response = app
            .client
            .get(app.url("/metrics"))
            .send()
            .await
            .expect("sent");
        response.text().await.expect("text")
    };
    let before = read(&metrics().await);
    // A page of vacancies with employers and skills: three statements (pinned in pagination).
    app.data(
        "{ vacancies(first: 5) { nodes { employer { name } skills { minLevel } } } }",
        json!({}),
    )
    .await;
    assert_eq!(read(&metrics().await) - before, 3);
}

/// How many of `requests` anonymous `{ __typename }` requests, sent in turn to `app` and `other`,
/// were served.
async fn served_in_turn(app: &TestApp, other: &crate::helpers::Instance, requests: usize) -> usize {
    let mut served = 0;
    for request in 0..requests {
        let url = if request % 2 == 0 {
            app.url("/graphql")
        } else {
            other.url("/graphql")
        };
        let response = app
            .client
            .post(url)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .expect("sent");
        match response.status().as_u16() {
            200 => served += 1,
            429 => {}
            status => panic!("request {request}: status {status}"),
        }
    }
    served
}

#[tokio::test]
async fn two_instances_on_one_postgresql_allow_the_rate_once_not_twice() {
    let limits = rate_limited(0.1, 4);
    let Some(app) = app_with(Engine::Postgres, limits.clone()).await else {
        return;
    };
    let other = crate::helpers::Instance::beside_with(&app, limits).await;
    assert_eq!(served_in_turn(&app, &other, 12).await, 4);
}

#[tokio::test]
async fn with_buckets_in_memory_each_instance_allows_the_rate_on_its_own() {
    let limits = Limits {
        rate_limit_store: Some(talent_api::config::RateLimitStore::Memory),
        ..rate_limited(0.1, 4)
    };
    let Some(app) = app_with(Engine::Postgres, limits.clone()).await else {
        return;
    };
    let other = crate::helpers::Instance::beside_with(&app, limits).await;
    assert_eq!(served_in_turn(&app, &other, 12).await, 8);
}

#[tokio::test]
async fn a_shared_bucket_tells_what_is_left_and_when_to_retry() {
    let Some(app) = app_with(Engine::Postgres, rate_limited(0.5, 3)).await else {
        return;
    };
    let first = app.anonymous().post("{ __typename }", json!({})).await;
    assert_eq!(first.headers()["ratelimit"], "\"default\";r=2;t=2");
    for _ in 0..2 {
        app.anonymous().post("{ __typename }", json!({})).await;
    }
    let refused = app.anonymous().post("{ __typename }", json!({})).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "2");
}

#[tokio::test]
async fn buckets_in_the_database_are_refused_at_start_on_sqlite() {
    let refused = crate::helpers::refused_on_sqlite(|config| {
        config.limits.rate_limit_store = Some(talent_api::config::RateLimitStore::Database);
    })
    .await;
    assert!(
        refused.to_string().contains("needs PostgreSQL"),
        "{refused:#}"
    );
}

/// An anonymous `{ __typename }` from `forwarded_for` as a trusted proxy says, and its status.
async fn status_for(app: &TestApp, forwarded_for: &str) -> u16 {
    app.client
        .post(app.url("/graphql"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("sent")
        .status()
        .as_u16()
}

db_test!(
    Empty,
    behind_a_trusted_proxy_each_forwarded_address_has_a_bucket_of_its_own
);
async fn behind_a_trusted_proxy_each_forwarded_address_has_a_bucket_of_its_own(app: TestApp) {
    let settings = Settings {
        http: Http {
            trusted_proxies: vec!["127.0.0.1".parse().expect("an address")],
            ..Http::default()
        },
        limits: rate_limited(0.1, 2),
    };
    let limited = app_with(engine(&app), settings).await.expect("an app");
    assert_eq!(status_for(&limited, "203.0.113.5").await, 200);
    assert_eq!(status_for(&limited, "203.0.113.5").await, 200);
    assert_eq!(status_for(&limited, "203.0.113.5").await, 429);
    assert_eq!(status_for(&limited, "203.0.113.6").await, 200);
    // What a client writes left of the proxy's entry changes nothing.
    assert_eq!(status_for(&limited, "198.51.100.1, 203.0.113.5").await, 429);
}

db_test!(
    Empty,
    forwarded_addresses_from_an_untrusted_peer_are_ignored
);
async fn forwarded_addresses_from_an_untrusted_peer_are_ignored(app: TestApp) {
    let limited = app_with(engine(&app), rate_limited(0.1, 2))
        .await
        .expect("an app");
    assert_eq!(status_for(&limited, "203.0.113.5").await, 200);
    assert_eq!(status_for(&limited, "203.0.113.6").await, 200);
    assert_eq!(status_for(&limited, "203.0.113.7").await, 429);
}
