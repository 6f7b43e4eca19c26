//! `schema.graphql` is the exported SDL.

use std::path::Path;

#[test]
fn schema_graphql_is_the_exported_sdl() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let exported = talent_api::schema::sdl();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != exported {
        std::fs::write(&path, &exported).expect("rewrite schema.graphql");
        panic!(
            "schema.graphql was out of date and has been rewritten: review `git diff schema.graphql` and commit it"
        );
    }
}

/// Every type, field, argument, input field and enum value of ours, by its schema coordinate,
/// that has no description (introspection's own `__` types aside).
fn undescribed(schema: &serde_json::Value) -> Vec<String> {
    let described = |item: &serde_json::Value| {
        item["description"]
            .as_str()
            .is_some_and(|text| !text.trim().is_empty())
    };
    let mut missing = Vec::new();
    let types = schema["__schema"]["types"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for ty in types {
        let name = ty["name"].as_str().unwrap_or_default().to_owned();
        if name.starts_with("__") || ["String", "Int", "Float", "Boolean", "ID"].contains(&&*name) {
            continue;
        }
        if !described(&ty) {
            missing.push(name.clone());
        }
        for field in ty["fields"].as_array().into_iter().flatten() {
            let field_name = format!("{name}.{}", field["name"].as_str().unwrap_or_default());
            if !described(field) {
                missing.push(field_name.clone());
            }
            for arg in field["args"].as_array().into_iter().flatten() {
                if !described(arg) {
                    missing.push(format!(
                        "{field_name}({}:)",
                        arg["name"].as_str().unwrap_or_default()
                    ));
                }
            }
        }
        for item in ["inputFields", "enumValues"] {
            for value in ty[item].as_array().into_iter().flatten() {
                if !described(value) {
                    missing.push(format!(
                        "{name}.{}",
                        value["name"].as_str().unwrap_or_default()
                    ));
                }
            }
        }
    }
    missing
}

#[tokio::test]
async fn every_type_field_argument_and_enum_value_has_a_description() {
    let schema = talent_api::schema::introspection()
        .await
        .expect("introspection runs");
    assert!(
        schema["__schema"]["types"]
            .as_array()
            .is_some_and(|t| t.len() > 50),
        "the introspection result lists the types"
    );
    let missing = undescribed(&schema);
    assert!(missing.is_empty(), "no description: {missing:#?}");
}
