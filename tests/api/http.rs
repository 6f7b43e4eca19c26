//! The HTTP surface: health, playground, GraphQL over GET and POST.

use serde_json::{Value, json};

use crate::db_test;

db_test!(Empty, async fn health_answers_ok_while_the_process_serves(app) {
    let response = app.client.get(app.url("/health")).send().await.expect("request sent");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body, json!({ "status": "ok" }));
});

db_test!(Empty, async fn ready_answers_ok_while_the_database_answers(app) {
    let response = app.client.get(app.url("/ready")).send().await.expect("request sent");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body, json!({ "status": "ready", "database": "up" }));
});

db_test!(Empty, async fn the_playground_is_served_from_the_binary_under_a_strict_csp(app) {
    for path in ["/", "/graphiql"] {
        let response = app.client.get(app.url(path)).send().await.expect("request sent");
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"].to_str().expect("ASCII header").to_owned();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        let csp = response.headers()["content-security-policy"].to_str().expect("ASCII header").to_owned();
        assert!(csp.contains("script-src 'self'"), "{csp}");
        let html = response.text().await.expect("body");
        assert!(!html.contains("https://"), "the page loads something from elsewhere: {html}");
        assert!(!html.contains("<script>"), "an inline script would break the CSP: {html}");
        for asset in html.split("src=\"").skip(1).chain(html.split("href=\"").skip(1)) {
            let asset = asset.split('"').next().unwrap_or_default();
            let fetched = app.client.get(app.url(asset)).send().await.expect("request sent");
            assert_eq!(fetched.status(), 200, "{asset}");
        }
    }
    let script = app.client.get(app.url("/playground/playground.js")).send().await.expect("sent").text().await.expect("body");
    assert!(script.contains("/graphql'") && script.contains("/graphql/ws"), "{script}");
    assert_eq!(app.client.get(app.url("/playground/nope.js")).send().await.expect("sent").status(), 404);
});

db_test!(Empty, async fn the_schema_is_served_as_sdl_equal_to_schema_graphql(app) {
    let response = app.client.get(app.url("/schema.graphql")).send().await.expect("request sent");
    assert_eq!(response.status(), 200);
    let served = response.text().await.expect("body");
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).expect("schema.graphql");
    assert_eq!(served, committed);
});

db_test!(Demo, async fn a_query_can_be_sent_in_the_url_with_get(app) {
    let response = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", "{ skill(slug: \"rust\") { name } }")])
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body, json!({ "data": { "skill": { "name": "Rust" } } }));
});

db_test!(Demo, async fn a_query_with_variables_can_be_posted(app) {
    let data = app
        .data("query($slug: String!) { skill(slug: $slug) { name } }", json!({ "slug": "go" }))
        .await;
    assert_eq!(data, json!({ "skill": { "name": "Go" } }));
});

db_test!(Demo, async fn a_mutation_sent_with_get_is_refused_and_writes_nothing(app) {
    let mutation = "mutation { createSkill(input: { slug: \"via-get\", name: \"Via GET\", category: SOFT }) { skill { slug } } }";
    let response = app.client.get(app.url("/graphql")).query(&[("query", mutation)]).send().await.expect("request sent");
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body["errors"][0]["extensions"]["code"], "METHOD_NOT_ALLOWED");
    assert_eq!(app.data("{ skill(slug: \"via-get\") { slug } }", json!({})).await, json!({ "skill": null }));
});

db_test!(Demo, async fn get_runs_the_query_of_a_document_but_not_its_mutation(app) {
    let document = "query Read { skill(slug: \"rust\") { name } } mutation Write { createSkill(input: { slug: \"via-get\", name: \"Via GET\", category: SOFT }) { skill { slug } } }";
    let read = app.client.get(app.url("/graphql")).query(&[("query", document), ("operationName", "Read")]).send().await.expect("request sent");
    assert_eq!(read.status(), 200);
    assert_eq!(read.json::<Value>().await.expect("JSON body"), json!({ "data": { "skill": { "name": "Rust" } } }));
    let write = app.client.get(app.url("/graphql")).query(&[("query", document), ("operationName", "Write")]).send().await.expect("request sent");
    assert_eq!(write.status(), 405);
    assert_eq!(app.data("{ skill(slug: \"via-get\") { slug } }", json!({})).await, json!({ "skill": null }));
});

db_test!(Demo, async fn get_takes_variables_as_json_and_refuses_malformed_ones(app) {
    let query = "query($slug: String!) { skill(slug: $slug) { name } }";
    let ok = app.client.get(app.url("/graphql")).query(&[("query", query), ("variables", "{\"slug\":\"go\"}")]).send().await.expect("request sent");
    assert_eq!(ok.json::<Value>().await.expect("JSON body"), json!({ "data": { "skill": { "name": "Go" } } }));
    let bad = app.client.get(app.url("/graphql")).query(&[("query", query), ("variables", "{not json")]).send().await.expect("request sent");
    assert_eq!(bad.status(), 400);
    assert_eq!(bad.json::<Value>().await.expect("JSON body")["errors"][0]["extensions"]["code"], "BAD_REQUEST");
});
