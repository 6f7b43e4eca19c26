//! Lists fetch only the columns their selection reads (`dbkit::columns`): each field, asked for
//! alone, shows what it shows beside every other field of its type. The fields come from the
//! schema itself, so a field added later, or one that reads a column its entity does not name it
//! as a reader of, is checked too.

use serde_json::{Map, Value, json};

use crate::{db_test, helpers::TestApp};

/// The schema's object types, by name, each a list of its fields' introspection.
async fn object_types(app: &TestApp) -> Map<String, Value> {
    let data = app
        .admin()
        .data(
            "{ __schema { types { name kind fields { name args { type { kind } defaultValue } \
             type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }",
            json!({}),
        )
        .await;
    data["__schema"]["types"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|ty| ty["kind"] == "OBJECT")
        .map(|ty| {
            (
                ty["name"].as_str().unwrap_or_default().to_owned(),
                ty["fields"].clone(),
            )
        })
        .collect()
}

/// The named type under a field's list and non-null wrappers: `(kind, name)`.
fn named(mut ty: &Value) -> (&str, &str) {
    while ty["kind"] == "LIST" || ty["kind"] == "NON_NULL" {
        ty = &ty["ofType"];
    }
    (
        ty["kind"].as_str().unwrap_or_default(),
        ty["name"].as_str().unwrap_or_default(),
    )
}

/// Whether `field` can be asked for without arguments.
fn takes_no_arguments(field: &Value) -> bool {
    field["args"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|arg| arg["type"]["kind"] != "NON_NULL" || !arg["defaultValue"].is_null())
}

/// The selection of `field`: its name, and for an object every field of it (to `depth` levels
/// of objects more) that takes no arguments; for an interface or union its type name.
fn selection(types: &Map<String, Value>, field: &Value, depth: usize) -> String {
    let name = field["name"].as_str().unwrap_or_default();
    match named(&field["type"]) {
        ("OBJECT", object) => format!("{name} {{ {} }}", fields_of(types, object, depth)),
        ("INTERFACE" | "UNION", _) => format!("{name} {{ __typename }}"),
        _ => name.to_owned(),
    }
}

/// Every field of object type `object` that takes no arguments, objects to `depth` levels.
fn fields_of(types: &Map<String, Value>, object: &str, depth: usize) -> String {
    let fields: Vec<String> = types
        .get(object)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|field| takes_no_arguments(field))
        .filter(|field| depth > 0 || !matches!(named(&field["type"]).0, "OBJECT"))
        .map(|field| selection(types, field, depth.saturating_sub(1)))
        .collect();
    if fields.is_empty() {
        "__typename".to_owned()
    } else {
        fields.join(" ")
    }
}

/// The values at `path` in `data`, arrays along the way flattened.
fn at_path(data: &Value, path: &[&str]) -> Vec<Value> {
    let mut found = vec![data.clone()];
    for step in path {
        found = found
            .into_iter()
            .flat_map(|value| match &value[*step] {
                Value::Array(items) => items.clone(),
                Value::Null => Vec::new(),
                other => vec![other.clone()],
            })
            .collect();
    }
    found
}

/// Asserts that each field of `object` that takes no arguments, asked for alone in `query`
/// (its selection, objects to `depth` levels, in place of `SELECTION`), shows on every object at
/// `path` what it shows when every field is asked for.
async fn each_field_alone_shows_what_it_shows_beside_the_others(
    app: &TestApp,
    query: &str,
    object: &str,
    path: &[&str],
    depth: usize,
) {
    let types = object_types(app).await;
    let admin = app.admin();
    let every = admin
        .data(
            &query.replace("SELECTION", &fields_of(&types, object, depth)),
            json!({}),
        )
        .await;
    let full = at_path(&every, path);
    assert!(
        full.len() > 1,
        "too few {object} objects at {path:?}: {every:#}"
    );
    let fields = types
        .get(object)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut checked = 0;
    for field in fields.iter().filter(|field| takes_no_arguments(field)) {
        let name = field["name"].as_str().unwrap_or_default();
        let alone = admin
            .data(
                &query.replace(
                    "SELECTION",
                    &selection(&types, field, depth.saturating_sub(1)),
                ),
                json!({}),
            )
            .await;
        let alone = at_path(&alone, path);
        assert_eq!(alone.len(), full.len(), "{object}.{name}");
        for (one, all) in alone.iter().zip(&full) {
            assert_eq!(
                one[name], all[name],
                "{object}.{name} asked for alone differs from beside the other fields"
            );
        }
        checked += 1;
    }
    assert!(checked > 5, "only {checked} fields of {object} checked");
}

db_test!(Demo, each_field_of_a_listed_vacancy_shows_its_own_column);
async fn each_field_of_a_listed_vacancy_shows_its_own_column(app: TestApp) {
    each_field_alone_shows_what_it_shows_beside_the_others(
        &app,
        "{ vacancies(first: 4) { nodes { SELECTION } } }",
        "Vacancy",
        &["vacancies", "nodes"],
        2,
    )
    .await;
}

db_test!(Demo, each_field_of_a_listed_employer_shows_its_own_column);
async fn each_field_of_a_listed_employer_shows_its_own_column(app: TestApp) {
    each_field_alone_shows_what_it_shows_beside_the_others(
        &app,
        "{ employers(first: 4) { nodes { SELECTION } } }",
        "Employer",
        &["employers", "nodes"],
        2,
    )
    .await;
}

db_test!(Demo, each_field_of_a_listed_skill_shows_its_own_column);
async fn each_field_of_a_listed_skill_shows_its_own_column(app: TestApp) {
    each_field_alone_shows_what_it_shows_beside_the_others(
        &app,
        "{ skills(first: 4) { nodes { SELECTION } } }",
        "Skill",
        &["skills", "nodes"],
        2,
    )
    .await;
}

db_test!(Demo, each_field_of_a_listed_developer_shows_its_own_column);
async fn each_field_of_a_listed_developer_shows_its_own_column(app: TestApp) {
    each_field_alone_shows_what_it_shows_beside_the_others(
        &app,
        "{ developers(first: 4) { nodes { SELECTION } } }",
        "Developer",
        &["developers", "nodes"],
        2,
    )
    .await;
}

db_test!(Demo, each_field_of_a_vacancy_employer_shows_its_own_column);
async fn each_field_of_a_vacancy_employer_shows_its_own_column(app: TestApp) {
    each_field_alone_shows_what_it_shows_beside_the_others(
        &app,
        "{ vacancies(first: 4) { nodes { employer { SELECTION } } } }",
        "Employer",
        &["vacancies", "nodes", "employer"],
        2,
    )
    .await;
}

db_test!(Demo, each_field_of_a_vacancy_skill_shows_its_own_column);
async fn each_field_of_a_vacancy_skill_shows_its_own_column(app: TestApp) {
    each_field_alone_shows_what_it_shows_beside_the_others(
        &app,
        "{ vacancies(first: 3) { nodes { skills { skill { SELECTION } } } } }",
        "Skill",
        &["vacancies", "nodes", "skills", "skill"],
        1,
    )
    .await;
}

db_test!(Demo, each_field_of_a_developer_skill_shows_its_own_column);
async fn each_field_of_a_developer_skill_shows_its_own_column(app: TestApp) {
    each_field_alone_shows_what_it_shows_beside_the_others(
        &app,
        "{ developers(first: 3) { nodes { skills { skill { SELECTION } } } } }",
        "Skill",
        &["developers", "nodes", "skills", "skill"],
        1,
    )
    .await;
}

db_test!(Demo, each_field_of_an_employer_vacancy_shows_its_own_column);
async fn each_field_of_an_employer_vacancy_shows_its_own_column(app: TestApp) {
    each_field_alone_shows_what_it_shows_beside_the_others(
        &app,
        "{ employers(first: 3) { nodes { vacancies(first: 2) { nodes { SELECTION } } } } }",
        "Vacancy",
        &["employers", "nodes", "vacancies", "nodes"],
        2,
    )
    .await;
}

db_test!(Demo, a_field_asked_for_under_an_alias_reads_its_column);
async fn a_field_asked_for_under_an_alias_reads_its_column(app: TestApp) {
    let data = app
        .data(
            "{ vacancies(first: 3) { nodes { id t: title c: countryCode s: salary { max } } } }",
            json!({}),
        )
        .await;
    let listed = at_path(&data, &["vacancies", "nodes"]);
    assert!(!listed.is_empty(), "no vacancies listed");
    for node in listed {
        let alone = app
            .data(
                "query($id: ID!) { vacancy(id: $id) { title countryCode salary { max } } }",
                json!({ "id": node["id"] }),
            )
            .await;
        assert_eq!(node["t"], alone["vacancy"]["title"], "{node:#}");
        assert_eq!(node["c"], alone["vacancy"]["countryCode"], "{node:#}");
        assert_eq!(node["s"], alone["vacancy"]["salary"], "{node:#}");
        assert_ne!(node["t"], "", "{node:#}");
    }
}
