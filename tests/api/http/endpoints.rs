//! The HTTP surface: health, playground, GraphQL over GET and POST.

use serde_json::{Value, json};

use crate::{db_test, helpers::TestApp};

db_test!(Empty, health_answers_ok_while_the_process_serves);
async fn health_answers_ok_while_the_process_serves(app: TestApp) {
    let response = app
        .client
        .get(app.url("/health"))
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body, json!({ "status": "ok" }));
}

db_test!(Empty, ready_answers_ok_while_the_database_answers);
async fn ready_answers_ok_while_the_database_answers(app: TestApp) {
    let response = app
        .client
        .get(app.url("/ready"))
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body, json!({ "status": "ready", "database": "up" }));
}

db_test!(
    Empty,
    the_playground_is_served_from_the_binary_under_a_strict_csp
);
async fn the_playground_is_served_from_the_binary_under_a_strict_csp(app: TestApp) {
    for path in ["/", "/graphiql"] {
        let response = app
            .client
            .get(app.url(path))
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"]
            .to_str()
            .expect("ASCII header")
            .to_owned();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .expect("ASCII header")
            .to_owned();
        assert!(csp.contains("script-src 'self'"), "{csp}");
        let html = response.text().await.expect("body");
        assert!(
            !html.contains("https://"),
            "the page loads something from elsewhere: {html}"
        );
        assert!(
            !html.contains("<script>"),
            "an inline script would break the CSP: {html}"
        );
        for asset in html
            .split("src=\"")
            .skip(1)
            .chain(html.split("href=\"").skip(1))
        {
            let asset = asset.split('"').next().unwrap_or_default();
            let fetched = app
                .client
                .get(app.url(asset))
                .send()
                .await
                .expect("request sent");
            assert_eq!(fetched.status(), 200, "{asset}");
        }
    }
    let script = app
        .client
        .get(app.url("/playground/playground.js"))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("body");
    assert!(
        script.contains("/graphql'") && script.contains("/graphql/ws"),
        "{script}"
    );
    assert_eq!(
        app.client
            .get(app.url("/playground/nope.js"))
            .send()
            .await
            .expect("sent")
            .status(),
        404
    );
}

db_test!(Empty, the_schema_is_served_as_sdl_equal_to_schema_graphql);
async fn the_schema_is_served_as_sdl_equal_to_schema_graphql(app: TestApp) {
    let response = app
        .client
        .get(app.url("/schema.graphql"))
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 200);
    let served = response.text().await.expect("body");
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    assert_eq!(served, committed);
}

db_test!(Demo, a_query_can_be_sent_in_the_url_with_get);
async fn a_query_can_be_sent_in_the_url_with_get(app: TestApp) {
    let response = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", "{ skill(slug: \"rust\") { name } }")])
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body["data"], json!({ "skill": { "name": "Rust" } }));
}

db_test!(Demo, a_query_with_variables_can_be_posted);
async fn a_query_with_variables_can_be_posted(app: TestApp) {
    let data = app
        .data(
            "query($slug: String!) { skill(slug: $slug) { name } }",
            json!({ "slug": "go" }),
        )
        .await;
    assert_eq!(data, json!({ "skill": { "name": "Go" } }));
}

db_test!(Demo, a_mutation_sent_with_get_is_refused_and_writes_nothing);
async fn a_mutation_sent_with_get_is_refused_and_writes_nothing(app: TestApp) {
    let mutation = "mutation { createSkill(input: { slug: \"via-get\", name: \"Via GET\", category: SOFT }) { skill { slug } } }";
    let response = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", mutation)])
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "METHOD_NOT_ALLOWED"
    );
    assert_eq!(
        app.data("{ skill(slug: \"via-get\") { slug } }", json!({}))
            .await,
        json!({ "skill": null })
    );
}

db_test!(Demo, get_runs_the_query_of_a_document_but_not_its_mutation);
async fn get_runs_the_query_of_a_document_but_not_its_mutation(app: TestApp) {
    let document = "query Read { skill(slug: \"rust\") { name } } mutation Write { createSkill(input: { slug: \"via-get\", name: \"Via GET\", category: SOFT }) { skill { slug } } }";
    let read = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", document), ("operationName", "Read")])
        .send()
        .await
        .expect("request sent");
    assert_eq!(read.status(), 200);
    assert_eq!(
        read.json::<Value>().await.expect("JSON body")["data"],
        json!({ "skill": { "name": "Rust" } })
    );
    let write = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", document), ("operationName", "Write")])
        .send()
        .await
        .expect("request sent");
    assert_eq!(write.status(), 405);
    assert_eq!(
        app.data("{ skill(slug: \"via-get\") { slug } }", json!({}))
            .await,
        json!({ "skill": null })
    );
}

db_test!(Demo, get_takes_variables_as_json_and_refuses_malformed_ones);
async fn get_takes_variables_as_json_and_refuses_malformed_ones(app: TestApp) {
    let query = "query($slug: String!) { skill(slug: $slug) { name } }";
    let ok = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", query), ("variables", "{\"slug\":\"go\"}")])
        .send()
        .await
        .expect("request sent");
    assert_eq!(
        ok.json::<Value>().await.expect("JSON body")["data"],
        json!({ "skill": { "name": "Go" } })
    );
    let bad = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", query), ("variables", "{not json")])
        .send()
        .await
        .expect("request sent");
    assert_eq!(bad.status(), 400);
    assert_eq!(
        bad.json::<Value>().await.expect("JSON body")["errors"][0]["extensions"]["code"],
        "BAD_REQUEST"
    );
}

/// POSTs `query` with `accept` (none when None); the status, content type and body.
async fn with_accept(
    app: &crate::helpers::TestApp,
    accept: Option<&str>,
    query: &str,
) -> (u16, String, Value) {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": query }));
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (
        status,
        content_type,
        response.json().await.unwrap_or(Value::Null),
    )
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

db_test!(
    Empty,
    json_is_answered_when_asked_for_when_accept_is_missing_and_for_any_type
);
async fn json_is_answered_when_asked_for_when_accept_is_missing_and_for_any_type(app: TestApp) {
    for accept in [
        Some("application/json"),
        None,
        Some("*/*"),
        Some("text/html, */*;q=0.8"),
        Some("application/json, application/graphql-response+json"),
    ] {
        let (status, content_type, body) = with_accept(&app, accept, "{ __typename }").await;
        assert_eq!(status, 200, "{accept:?}");
        assert!(
            content_type.starts_with("application/json"),
            "{accept:?}: {content_type}"
        );
        assert_eq!(body["data"], json!({ "__typename": "Query" }));
    }
}

db_test!(Empty, graphql_response_json_is_answered_when_preferred);
async fn graphql_response_json_is_answered_when_preferred(app: TestApp) {
    for accept in [
        GRAPHQL_RESPONSE,
        "application/json;q=0.9, application/graphql-response+json",
    ] {
        let (status, content_type, _) = with_accept(&app, Some(accept), "{ __typename }").await;
        assert_eq!(status, 200);
        assert!(
            content_type.starts_with(GRAPHQL_RESPONSE),
            "{accept}: {content_type}"
        );
    }
}

db_test!(Empty, an_accept_the_server_cannot_satisfy_is_406);
async fn an_accept_the_server_cannot_satisfy_is_406(app: TestApp) {
    let (status, _, body) = with_accept(&app, Some("text/html"), "{ __typename }").await;
    assert_eq!(status, 406);
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "NOT_ACCEPTABLE",
        "{body}"
    );
}

db_test!(
    Empty,
    request_errors_are_400_without_data_under_graphql_response_json
);
async fn request_errors_are_400_without_data_under_graphql_response_json(app: TestApp) {
    for (query, code) in [
        ("{", "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
        (
            "query($id: ID!) { node(id: $id) { id } }",
            "VARIABLE_MISSING",
        ),
        (
            "query A { __typename } query B { __typename }",
            "OPERATION_NAME_REQUIRED",
        ),
        (
            "{ developers(first: 1000) { nodes { skills { skill { developers(first: 100) { nodes { id } } } } } } }",
            "QUERY_TOO_COSTLY",
        ),
    ] {
        let (status, content_type, body) = with_accept(&app, Some(GRAPHQL_RESPONSE), query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(content_type.starts_with(GRAPHQL_RESPONSE));
        assert!(body.get("data").is_none(), "{query}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], code,
            "{query}: {body}"
        );
        // The same request under application/json: 200, as legacy clients expect.
        let (status, _, body) = with_accept(&app, Some("application/json"), query).await;
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], code,
            "{query}: {body}"
        );
    }
}

db_test!(
    Empty,
    field_errors_are_200_with_data_under_graphql_response_json
);
async fn field_errors_are_200_with_data_under_graphql_response_json(app: TestApp) {
    let (status, _, body) = with_accept(
        &app,
        Some(GRAPHQL_RESPONSE),
        "{ node(id: \"bad!\") { id } __typename }",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("data").is_some(), "{body}");
    assert!(body["errors"][0]["path"].is_array(), "{body}");
}

db_test!(
    Empty,
    an_unknown_operation_name_is_a_request_error_with_a_code
);
async fn an_unknown_operation_name_is_a_request_error_with_a_code(app: TestApp) {
    let body: Value = app
        .client
        .post(app.url("/graphql"))
        .header("accept", GRAPHQL_RESPONSE)
        .json(&json!({ "query": "query A { __typename }", "operationName": "B" }))
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("JSON");
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"],
        json!({ "code": "OPERATION_NOT_FOUND", "operationName": "B" })
    );
    // An empty operationName is none: the only operation runs.
    let body = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": "query A { __typename }", "operationName": "" }))
        .send()
        .await
        .expect("request sent")
        .json::<Value>()
        .await
        .expect("JSON");
    assert_eq!(body["data"], json!({ "__typename": "Query" }));
}

db_test!(
    Demo,
    every_answer_says_what_its_query_cost_against_the_limit
);
async fn every_answer_says_what_its_query_cost_against_the_limit(app: TestApp) {
    let cost = |first: u32| {
        let query = format!("{{ skills(first: {first}) {{ nodes {{ slug name }} }} }}");
        let app = &app;
        async move { app.graphql(&query, json!({})).await["extensions"]["cost"].clone() }
    };
    let small = cost(5).await;
    let large = cost(50).await;
    assert_eq!(small["limit"], 50_000, "{small:#}");
    let (small, large) = (
        small["requested"].as_u64().expect("a cost"),
        large["requested"].as_u64().expect("a cost"),
    );
    assert!(0 < small && small < large, "{small} then {large}");
}

/// The example document of the playground's first tab, as its script holds it.
fn playground_examples() -> String {
    let script = include_str!("../../../assets/playground/playground.js");
    let start = script.find("var examples = [").expect("the examples") + "var examples = [".len();
    let end = start + script[start..].find("].join(").expect("their end");
    script[start..end]
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            line.trim_end_matches(',')
                .strip_prefix('\'')
                .and_then(|line| line.strip_suffix('\''))
                .unwrap_or_else(|| panic!("not a JS string: {line}"))
                .replace("\\'", "'")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names of the examples' operations of `kind` (`query`, `mutation`).
fn example_operations<'a>(document: &'a str, kind: &str) -> Vec<&'a str> {
    let prefix = format!("{kind} ");
    document
        .lines()
        .filter_map(|line| line.strip_prefix(prefix.as_str()))
        .filter_map(|rest| rest.split(['(', ' ', '{']).next())
        .collect()
}

/// Runs the example operation `name` of `document` with `token` (anonymous without), and returns
/// the first root field of its data; the answer must have no errors.
async fn run_example(
    app: &TestApp,
    document: &str,
    name: &str,
    token: Option<String>,
) -> serde_json::Value {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .json(&serde_json::json!({ "query": document, "operationName": name }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let body: serde_json::Value = request
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert!(body.get("errors").is_none(), "{name}: {body}");
    let data = body["data"].as_object().expect("data");
    data.values().next().expect("a root field").clone()
}

db_test!(
    Demo,
    every_query_among_the_playground_examples_runs_without_errors
);
async fn every_query_among_the_playground_examples_runs_without_errors(app: TestApp) {
    let document = playground_examples();
    let names = example_operations(&document, "query");
    assert!(names.len() >= 3, "{names:?}");
    for name in names {
        let first = run_example(&app, &document, name, None).await;
        assert!(
            first["totalCount"].as_i64() != Some(0),
            "{name} finds nothing: {first}"
        );
    }
}

db_test!(
    Demo,
    every_mutation_among_the_playground_examples_writes_for_an_admin
);
async fn every_mutation_among_the_playground_examples_writes_for_an_admin(app: TestApp) {
    let document = playground_examples();
    let names = example_operations(&document, "mutation");
    assert!(names.len() >= 2, "{names:?}");
    for name in names {
        let payload = run_example(&app, &document, name, app.admin().token).await;
        assert_eq!(
            payload["userErrors"],
            serde_json::json!([]),
            "{name}: {payload}"
        );
    }
}
