//! The HTTP surface: health, playground, GraphQL over GET and POST.

use serde_json::{Value, json};

use crate::db_test;

db_test!(Empty, async fn health_answers_ok_while_the_database_answers(app) {
    let response = app.client.get(app.url("/health")).send().await.expect("request sent");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body, json!({ "status": "ok", "database": "up" }));
});

db_test!(Empty, async fn the_playground_is_served_at_the_root_and_points_at_graphql(app) {
    let response = app.client.get(app.url("/")).send().await.expect("request sent");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().expect("ASCII header").to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = response.text().await.expect("body");
    assert!(html.contains("graphiql"), "not GraphiQL: {html}");
    assert!(html.contains("/graphql"), "not pointed at /graphql: {html}");
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
