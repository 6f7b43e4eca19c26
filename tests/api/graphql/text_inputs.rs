//! Every String argument and String input field of the schema, found by introspection, given text
//! that databases and parsers trip on: a NUL character, an escaped lone surrogate, 100 KB, and
//! right-to-left and combining text. Sent as an admin, so the text reaches the writes. No answer
//! may be a 5xx or `INTERNAL`; a NUL is `BAD_USER_INPUT` on both engines.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::{db_test, helpers::TestApp};

const INTROSPECTION: &str = "{ __schema { queryType { name } mutationType { name } types { name kind enumValues { name } fields { name args { name type { ...T } } type { ...T } } inputFields { name type { ...T } } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";

/// The types of the schema by name.
struct Schema {
    types: HashMap<String, Value>,
}

/// A type reference with its wrappers peeled: (named type, non-null outside, list).
fn named(reference: &Value) -> (&str, bool, bool) {
    let mut current = reference;
    let non_null = current["kind"] == "NON_NULL";
    let mut list = false;
    while current["name"].is_null() {
        list |= current["kind"] == "LIST";
        current = &current["ofType"];
    }
    (current["name"].as_str().unwrap_or_default(), non_null, list)
}

/// The GraphQL spelling of a type reference, for a variable definition.
fn spelling(reference: &Value) -> String {
    match reference["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", spelling(&reference["ofType"])),
        Some("LIST") => format!("[{}]", spelling(&reference["ofType"])),
        _ => reference["name"].as_str().unwrap_or_default().to_owned(),
    }
}

/// Where a hostile text goes: nowhere, or a path of input fields down from the argument.
type Target<'a> = Option<&'a [String]>;

impl Schema {
    /// A valid-looking value of `reference`, with `text` at `target` (a String field down the
    /// path); None when the type cannot hold the target.
    fn value(&self, reference: &Value, text: &Value, target: Target<'_>, depth: usize) -> Value {
        let (name, _, list) = named(reference);
        let inner = self.plain(name, text, target, depth);
        if list { json!([inner]) } else { inner }
    }

    fn plain(&self, name: &str, text: &Value, target: Target<'_>, depth: usize) -> Value {
        match (name, target) {
            ("String", Some([])) => text.clone(),
            ("String", _) => json!("x"),
            ("ID", _) => json!("x"),
            ("Int", _) => json!(1),
            ("Float", _) => json!(1.0),
            ("Boolean", _) => json!(true),
            ("DateTime", _) => json!("2026-01-01T00:00:00Z"),
            _ => {
                let kind = &self.types[name];
                if kind["kind"] == "ENUM" {
                    return kind["enumValues"][0]["name"].clone();
                }
                let mut object = Map::new();
                for field in kind["inputFields"].as_array().into_iter().flatten() {
                    let field_name = field["name"].as_str().unwrap_or_default();
                    let (_, required, _) = named(&field["type"]);
                    let down = target
                        .and_then(|path| path.split_first())
                        .filter(|(first, _)| first.as_str() == field_name)
                        .map(|(_, rest)| rest);
                    if (required || down.is_some()) && depth < 4 {
                        object.insert(
                            field_name.to_owned(),
                            self.value(&field["type"], text, down, depth + 1),
                        );
                    }
                }
                Value::Object(object)
            }
        }
    }

    /// Every path to a String input field inside input type `name` (each input type once per path).
    fn string_paths(&self, name: &str, depth: usize) -> Vec<Vec<String>> {
        if name == "String" {
            return vec![Vec::new()];
        }
        let Some(kind) = self.types.get(name) else {
            return Vec::new();
        };
        if kind["kind"] != "INPUT_OBJECT" || depth > 3 {
            return Vec::new();
        }
        let mut paths = Vec::new();
        for field in kind["inputFields"].as_array().into_iter().flatten() {
            let (inner, _, _) = named(&field["type"]);
            for mut path in self.string_paths(inner, depth + 1) {
                path.insert(0, field["name"].as_str().unwrap_or_default().to_owned());
                paths.push(path);
            }
        }
        paths
    }
}

/// One request per (root field, argument, String path inside it).
struct Probe {
    document: String,
    /// The variable holding the hostile text, and where inside it.
    argument: String,
    path: Vec<String>,
    reference: Value,
}

fn probes(schema: &Schema, root: &str, operation: &str) -> Vec<Probe> {
    let mut probes = Vec::new();
    for field in schema.types[root]["fields"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let name = field["name"].as_str().unwrap_or_default();
        let (returns, _, _) = named(&field["type"]);
        let selection = match schema.types.get(returns).map(|t| t["kind"].clone()) {
            Some(kind) if kind == "OBJECT" || kind == "INTERFACE" || kind == "UNION" => {
                " { __typename }"
            }
            _ => "",
        };
        let args = field["args"].as_array().cloned().unwrap_or_default();
        for arg in &args {
            let (inner, _, _) = named(&arg["type"]);
            for path in schema.string_paths(inner, 0) {
                let definitions: Vec<String> = args
                    .iter()
                    .map(|a| {
                        format!(
                            "${}: {}",
                            a["name"].as_str().unwrap_or_default(),
                            spelling(&a["type"])
                        )
                    })
                    .collect();
                let uses: Vec<String> = args
                    .iter()
                    .map(|a| {
                        let n = a["name"].as_str().unwrap_or_default();
                        format!("{n}: ${n}")
                    })
                    .collect();
                probes.push(Probe {
                    document: format!(
                        "{operation}({}) {{ {name}({}){selection} }}",
                        definitions.join(", "),
                        uses.join(", ")
                    ),
                    argument: arg["name"].as_str().unwrap_or_default().to_owned(),
                    path,
                    reference: arg["type"].clone(),
                });
            }
        }
    }
    probes
}

/// The variables of `probe` with `text` in place (every other argument a plain valid value).
fn variables(schema: &Schema, probe: &Probe, document_args: &[Value], text: &Value) -> Value {
    let mut variables = Map::new();
    for arg in document_args {
        let name = arg["name"].as_str().unwrap_or_default();
        let value = if name == probe.argument {
            schema.value(&probe.reference, text, Some(&probe.path), 0)
        } else {
            schema.value(&arg["type"], text, None, 0)
        };
        variables.insert(name.to_owned(), value);
    }
    Value::Object(variables)
}

/// A placeholder replaced by an escaped lone surrogate in the raw JSON body.
const SURROGATE: &str = "@@LONE_SURROGATE@@";

async fn walk_every_string_input(app: &TestApp) {
    let introspected = app.data(INTROSPECTION, json!({})).await;
    let schema = Schema {
        types: introspected["__schema"]["types"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| (t["name"].as_str().unwrap_or_default().to_owned(), t.clone()))
            .collect(),
    };
    let texts = [
        ("nul", json!("a\u{0}b")),
        ("surrogate", json!(SURROGATE)),
        ("long", json!("x".repeat(100_000))),
        ("rtl", json!("\u{202e}שלום e\u{301} ن\u{64b}")),
    ];
    let mut probed = 0;
    for (root, operation) in [
        (
            introspected["__schema"]["queryType"]["name"]
                .as_str()
                .unwrap_or("Query"),
            "query",
        ),
        (
            introspected["__schema"]["mutationType"]["name"]
                .as_str()
                .unwrap_or("Mutation"),
            "mutation",
        ),
    ] {
        let fields = schema.types[root]["fields"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for probe in probes(&schema, root, operation) {
            let field = probe
                .document
                .split('{')
                .nth(1)
                .and_then(|rest| rest.split('(').next())
                .unwrap_or_default()
                .trim()
                .to_owned();
            let args = fields
                .iter()
                .find(|f| f["name"] == field.as_str())
                .and_then(|f| f["args"].as_array().cloned())
                .unwrap_or_default();
            for (kind, text) in &texts {
                let body = json!({ "query": probe.document, "variables": variables(&schema, &probe, &args, text) });
                let raw = body.to_string().replace(SURROGATE, "\\ud800");
                let response = app
                    .client
                    .post(app.url("/graphql"))
                    .header("content-type", "application/json")
                    .header("authorization", format!("Bearer {}", app.admin_token))
                    .body(raw)
                    .send()
                    .await
                    .expect("an answer");
                let status = response.status().as_u16();
                let answer: Value = response.json().await.unwrap_or(Value::Null);
                let at = format!(
                    "{} {}.{} ({kind}): {status} {answer}",
                    probe.document,
                    probe.argument,
                    probe.path.join(".")
                );
                assert!(status < 500, "{at}");
                let codes: Vec<&str> = answer["errors"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e["extensions"]["code"].as_str())
                    .collect();
                assert!(!codes.contains(&"INTERNAL"), "{at}");
                match *kind {
                    "nul" => assert_eq!(codes, ["BAD_USER_INPUT"], "{at}"),
                    "surrogate" => assert_eq!(status, 400, "{at}"),
                    _ => {}
                }
                probed += 1;
            }
        }
    }
    assert!(
        probed > 200,
        "only {probed} probes: the walk found too few String inputs"
    );
}

db_test!(
    Demo,
    no_string_argument_or_input_field_answers_internal_to_hostile_text
);
async fn no_string_argument_or_input_field_answers_internal_to_hostile_text(app: TestApp) {
    walk_every_string_input(&app).await;
}
