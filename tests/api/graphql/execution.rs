//! Execution as the GraphQL spec says, in the exact JSON clients receive ("Handling Field Errors",
//! "Errors and Non-Null Fields", "ExecuteSelectionSet"): a nullable field that fails is `null` at
//! its key with an error at its path; a non-null one makes its parent fail, up to `data: null`;
//! keys come in the order of the selection set. Bodies are compared as text where key order
//! matters (serde_json's map sorts keys).

use serde_json::{Value, json};

use crate::{db_test, helpers::TestApp};

/// The body of an anonymous POST of `query`, as text and as JSON.
async fn answer(app: &crate::helpers::TestApp, query: &str) -> (String, Value) {
    let text = app
        .anonymous()
        .post(query, json!({}))
        .await
        .text()
        .await
        .expect("a body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    (text, json)
}

/// The `(path, code)` of every error.
fn errors(body: &Value) -> Vec<(Value, Value)> {
    body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|error| (error["path"].clone(), error["extensions"]["code"].clone()))
        .collect()
}

db_test!(
    Demo,
    a_failing_nullable_field_is_null_at_its_key_with_an_error_at_its_path
);
async fn a_failing_nullable_field_is_null_at_its_key_with_an_error_at_its_path(app: TestApp) {
    let (text, body) = answer(
        &app,
        r#"{ developer(handle: "lena-muller") { handle email name } }"#,
    )
    .await;
    assert!(
        text.starts_with(
            r#"{"data":{"developer":{"handle":"lena-muller","email":null,"name":"Lena Müller"}}"#
        ),
        "{text}"
    );
    assert_eq!(
        errors(&body),
        [(json!(["developer", "email"]), json!("FORBIDDEN"))]
    );
}

db_test!(
    Demo,
    an_object_whose_only_field_fails_is_an_object_with_null_not_null
);
async fn an_object_whose_only_field_fails_is_an_object_with_null_not_null(app: TestApp) {
    let (_, body) = answer(&app, r#"{ developer(handle: "lena-muller") { email } }"#).await;
    assert_eq!(body["data"], json!({ "developer": { "email": null } }));
}

db_test!(
    Demo,
    list_items_keep_their_objects_when_a_nullable_field_of_each_fails
);
async fn list_items_keep_their_objects_when_a_nullable_field_of_each_fails(app: TestApp) {
    let (_, body) = answer(&app, "{ developers(first: 2) { nodes { email } } }").await;
    assert_eq!(
        body["data"],
        json!({ "developers": { "nodes": [{ "email": null }, { "email": null }] } })
    );
    assert_eq!(
        errors(&body),
        [
            (
                json!(["developers", "nodes", 0, "email"]),
                json!("FORBIDDEN")
            ),
            (
                json!(["developers", "nodes", 1, "email"]),
                json!("FORBIDDEN")
            ),
        ]
    );
}

db_test!(Demo, a_failing_nullable_root_field_leaves_its_siblings);
async fn a_failing_nullable_root_field_leaves_its_siblings(app: TestApp) {
    let (text, body) = answer(&app, r#"{ node(id: "bad!") { id } __typename }"#).await;
    assert!(
        text.starts_with(r#"{"data":{"node":null,"__typename":"Query"}"#),
        "{text}"
    );
    assert_eq!(errors(&body), [(json!(["node"]), json!("BAD_USER_INPUT"))]);
}

db_test!(
    Demo,
    a_failing_non_null_field_makes_its_nullable_parent_null
);
async fn a_failing_non_null_field_makes_its_nullable_parent_null(app: TestApp) {
    // `matchingVacancies` is non-null: its error nulls the developer, the nearest nullable parent.
    let (_, body) = answer(&app, r#"{ developer(handle: "lena-muller") { handle matchingVacancies(first: 1000) { totalCount } } __typename }"#).await;
    assert_eq!(
        body["data"],
        json!({ "developer": null, "__typename": "Query" })
    );
    assert_eq!(
        errors(&body),
        [(
            json!(["developer", "matchingVacancies"]),
            json!("BAD_USER_INPUT")
        )]
    );
}

db_test!(Demo, a_failing_non_null_root_field_makes_data_null);
async fn a_failing_non_null_root_field_makes_data_null(app: TestApp) {
    // `developers` is non-null: its error reaches the root, and `data` is null.
    let (text, body) = answer(
        &app,
        "{ __typename developers(first: 1000) { totalCount } }",
    )
    .await;
    assert!(text.starts_with(r#"{"data":null,"#), "{text}");
    assert_eq!(
        errors(&body),
        [(json!(["developers"]), json!("BAD_USER_INPUT"))]
    );
}

db_test!(Demo, keys_come_in_the_order_of_the_selection_set_every_time);
async fn keys_come_in_the_order_of_the_selection_set_every_time(app: TestApp) {
    // Root fields and connection fields that finish in different orders (a count, a page, a
    // cheap field), asked for in an order that is neither alphabetical nor the finishing order.
    let query = "{ vacancies(first: 3) { totalCount pageInfo { hasNextPage endCursor } nodes { title id } } __typename skills(first: 1) { pageInfo { hasNextPage } totalCount } developers(first: 2) { totalCount nodes { name handle } } }";
    let keys = [
        "\"vacancies\"",
        "\"totalCount\"",
        "\"pageInfo\"",
        "\"hasNextPage\"",
        "\"endCursor\"",
        "\"nodes\"",
        "\"title\"",
        "\"id\"",
        "\"__typename\"",
        "\"skills\"",
        "\"developers\"",
    ];
    for run in 0..50 {
        let (text, _) = answer(&app, query).await;
        let positions: Vec<usize> = keys
            .iter()
            .map(|key| text.find(key).unwrap_or(usize::MAX))
            .collect();
        assert!(
            positions.windows(2).all(|pair| pair[0] < pair[1]),
            "run {run}: {text}"
        );
        let skills = &text[text.find("\"skills\"").unwrap_or(0)..];
        assert!(
            skills.find("\"pageInfo\"") < skills.find("\"totalCount\""),
            "run {run}: {text}"
        );
        let developers = &text[text.find("\"developers\"").unwrap_or(0)..];
        assert!(
            developers.find("\"name\"") < developers.find("\"handle\""),
            "run {run}: {text}"
        );
    }
}

/// Whether `text` is RFC 3339 in UTC with exactly three fractional digits.
fn millisecond_utc(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 24
        && bytes[23] == b'Z'
        && bytes[19] == b'.'
        && bytes[10] == b'T'
        && bytes[20..23].iter().all(u8::is_ascii_digit)
        && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

db_test!(Demo, every_date_time_is_utc_with_millisecond_precision);
async fn every_date_time_is_utc_with_millisecond_precision(app: TestApp) {
    // The demo data's times, and times written just now (nanoseconds in the database).
    let (_, seeded) = answer(&app, "{ vacancies(first: 5) { nodes { createdAt updatedAt publishedAt } } developers(first: 5) { nodes { createdAt } } }").await;
    let token = app.admin_token.clone();
    let created = app.with_token(&token).data(
        "mutation { createSkill(input: { slug: \"zig\", name: \"Zig\", category: LANGUAGE }) { skill { createdAt updatedAt } } }",
        json!({}),
    ).await;
    let mut times = Vec::new();
    for body in [&seeded["data"], &created] {
        let mut stack = vec![body];
        while let Some(value) = stack.pop() {
            match value {
                Value::Object(map) => stack.extend(map.values()),
                Value::Array(items) => stack.extend(items),
                Value::String(text) => times.push(text.clone()),
                _ => {}
            }
        }
    }
    assert!(times.len() > 15, "{times:?}");
    for time in &times {
        assert!(millisecond_utc(time), "{time}");
    }
}

db_test!(
    Demo,
    a_date_time_with_an_offset_is_read_and_written_back_in_utc
);
async fn a_date_time_with_an_offset_is_read_and_written_back_in_utc(app: TestApp) {
    let (_, body) = answer(&app, "{ vacancies(first: 1, filter: { publishedAfter: \"2000-01-01T02:00:00.5+02:00\" }) { totalCount } }").await;
    assert!(body["errors"].is_null(), "{body}");
    let (_, body) = answer(
        &app,
        "{ vacancies(first: 1, filter: { publishedAfter: \"yesterday\" }) { totalCount } }",
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
        "{body}"
    );
    let body = app
        .anonymous()
        .graphql("query($t: DateTime) { vacancies(first: 1, filter: { publishedAfter: $t }) { totalCount } }", json!({ "t": "yesterday" }))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
        "{body}"
    );
}
