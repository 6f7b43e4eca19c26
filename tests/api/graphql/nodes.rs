//! Global object identification: `node`, `nodes`, and `id:` on the root lookups.

use serde_json::{Value, json};
use talent_api::ids::NodeKind;
use toolkit::id::encode_id;

use crate::{
    db_test,
    helpers::{TestApp, first_error},
};

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id } }";

db_test!(Demo, every_type_round_trips_through_node);
async fn every_type_round_trips_through_node(app: TestApp) {
    let data = app
        .data("{ developers(first: 1) { nodes { id } } employers(first: 1) { nodes { id } } skills(first: 1) { nodes { id } } vacancies(first: 1) { nodes { id } } }", json!({}))
        .await;
    for (list, typename) in [
        ("developers", "Developer"),
        ("employers", "Employer"),
        ("skills", "Skill"),
        ("vacancies", "Vacancy"),
    ] {
        let id = data[list]["nodes"][0]["id"].clone();
        let node = app.data(NODE, json!({ "id": id })).await;
        assert_eq!(
            node["node"],
            json!({ "__typename": typename, "id": id }),
            "{list}"
        );
    }
}

db_test!(Demo, node_resolves_the_fields_of_the_concrete_type);
async fn node_resolves_the_fields_of_the_concrete_type(app: TestApp) {
    let id = app
        .data("{ skill(slug: \"rust\") { id } }", json!({}))
        .await["skill"]["id"]
        .clone();
    let data = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Skill { slug category } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data["node"],
        json!({ "slug": "rust", "category": "LANGUAGE" })
    );
}

db_test!(Demo, nodes_keeps_the_order_and_gives_null_for_unknown_ids);
async fn nodes_keeps_the_order_and_gives_null_for_unknown_ids(app: TestApp) {
    let skills = app
        .data("{ skills(first: 10) { nodes { id } } }", json!({}))
        .await;
    let (a, b) = (
        skills["skills"]["nodes"][3]["id"].clone(),
        skills["skills"]["nodes"][7]["id"].clone(),
    );
    let unknown = encode_id(NodeKind::Developer, 987_654);
    let data = app
        .data(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [b, unknown, a] }),
        )
        .await;
    assert_eq!(data["nodes"], json!([{ "id": b }, null, { "id": a }]));
}

db_test!(Demo, an_unknown_node_id_gives_null_without_an_error);
async fn an_unknown_node_id_gives_null_without_an_error(app: TestApp) {
    let data = app
        .data(
            NODE,
            json!({ "id": encode_id(NodeKind::Employer, 987_654) }),
        )
        .await;
    assert_eq!(data, json!({ "node": null }));
}

db_test!(Demo, a_malformed_node_id_is_bad_user_input);
async fn a_malformed_node_id_is_bad_user_input(app: TestApp) {
    for id in ["", "not-an-id", "RGV2ZWxvcGVyOmFiYw", "VW5pY29ybjox"] {
        let body = app.graphql(NODE, json!({ "id": id })).await;
        let error = first_error(&body);
        assert_eq!(
            error["extensions"]["code"], "BAD_USER_INPUT",
            "{id}: {body:#}"
        );
        assert_eq!(error["extensions"]["field"], json!(["id"]));
    }
}

db_test!(
    Demo,
    a_malformed_id_in_nodes_is_bad_user_input_naming_its_position
);
async fn a_malformed_id_in_nodes_is_bad_user_input_naming_its_position(app: TestApp) {
    let good = encode_id(NodeKind::Skill, 1);
    let body = app
        .graphql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [good, "garbage"] }),
        )
        .await;
    let error = first_error(&body);
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body:#}");
    assert_eq!(error["extensions"]["field"], json!(["ids", "1"]));
}

db_test!(Demo, nodes_refuses_more_than_a_hundred_ids);
async fn nodes_refuses_more_than_a_hundred_ids(app: TestApp) {
    let ids: Vec<Value> = (1..=101)
        .map(|key| json!(encode_id(NodeKind::Skill, key)))
        .collect();
    let body = app
        .graphql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        )
        .await;
    assert_eq!(
        first_error(&body)["extensions"]["code"],
        "BAD_USER_INPUT",
        "{body:#}"
    );
    let ids: Vec<Value> = (1..=100)
        .map(|key| json!(encode_id(NodeKind::Skill, key)))
        .collect();
    app.data(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        json!({ "ids": ids }),
    )
    .await;
}

db_test!(
    Demo,
    root_lookups_accept_a_global_id_instead_of_the_natural_key
);
async fn root_lookups_accept_a_global_id_instead_of_the_natural_key(app: TestApp) {
    let data = app
        .data("{ developers(first: 1) { nodes { id handle } } employers(first: 1) { nodes { id slug } } skills(first: 1) { nodes { id slug } } }", json!({}))
        .await;
    for (field, key, list) in [
        ("developer", "handle", "developers"),
        ("employer", "slug", "employers"),
        ("skill", "slug", "skills"),
    ] {
        let item = &data[list]["nodes"][0];
        let query = format!("query($id: ID!) {{ {field}(id: $id) {{ {key} }} }}");
        let found = app.data(&query, json!({ "id": item["id"] })).await;
        assert_eq!(found[field][key], item[key], "{field}");
    }
}

db_test!(Demo, a_root_lookup_needs_exactly_one_of_key_and_id);
async fn a_root_lookup_needs_exactly_one_of_key_and_id(app: TestApp) {
    let id = encode_id(NodeKind::Skill, 1);
    for query in [
        "{ skill { name } }".to_owned(),
        format!("{{ skill(slug: \"rust\", id: \"{}\") {{ name }} }}", id.0),
    ] {
        let body = app.graphql(&query, json!({})).await;
        let error = first_error(&body);
        assert_eq!(
            error["extensions"]["code"], "BAD_USER_INPUT",
            "{query}: {body:#}"
        );
        assert_eq!(error["extensions"]["field"], json!(["slug"]));
    }
}

db_test!(
    Demo,
    an_id_of_another_type_in_a_root_lookup_is_bad_user_input
);
async fn an_id_of_another_type_in_a_root_lookup_is_bad_user_input(app: TestApp) {
    let body = app
        .graphql(
            "query($id: ID!) { developer(id: $id) { name } }",
            json!({ "id": encode_id(NodeKind::Skill, 1) }),
        )
        .await;
    let error = first_error(&body);
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body:#}");
    assert_eq!(error["extensions"]["field"], json!(["id"]));
}
