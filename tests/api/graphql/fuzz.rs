//! A few thousand generated hostile requests: random documents built from the schema's names,
//! random arguments and variables, truncated JSON, huge strings, random bytes, odd content types,
//! batches. Every answer must be a non-5xx (503 is documented: busy, timeout, database down), every
//! error in it must carry an `extensions.code`, and the server must still answer normally
//! afterwards.

use futures_util::{StreamExt, stream};
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{Rng, TestApp},
};

const ROOTS: &[&str] = &[
    "developers",
    "vacancies",
    "employers",
    "skills",
    "developer",
    "employer",
    "skill",
    "vacancy",
    "node",
    "nodes",
    "viewer",
    "apiTokens",
    "__schema",
    "__type",
    "__typename",
    "nope",
];
const FIELDS: &[&str] = &[
    "nodes",
    "edges",
    "node",
    "cursor",
    "pageInfo",
    "hasNextPage",
    "endCursor",
    "totalCount",
    "id",
    "name",
    "handle",
    "slug",
    "headline",
    "skills",
    "skill",
    "level",
    "years",
    "developers",
    "vacancies",
    "employer",
    "salary",
    "min",
    "max",
    "currency",
    "period",
    "title",
    "status",
    "email",
    "salaryExpectation",
    "amount",
    "aliases",
    "category",
    "publishedAt",
    "version",
    "__typename",
    "types",
    "fields",
    "type",
    "ofType",
    "kind",
    "role",
    "token",
    "bogus",
];
const MUTATIONS: &[&str] = &[
    "createSkill",
    "updateSkill",
    "deleteSkill",
    "mergeSkills",
    "createDeveloper",
    "updateDeveloper",
    "deleteDeveloper",
    "setDeveloperSkills",
    "createEmployer",
    "updateEmployer",
    "deleteEmployer",
    "createVacancy",
    "updateVacancy",
    "publishVacancy",
    "closeVacancy",
    "deleteVacancy",
    "setVacancySkills",
    "createApiToken",
    "revokeApiToken",
];
const ARGUMENTS: &[&str] = &[
    "first",
    "last",
    "after",
    "before",
    "search",
    "filter",
    "orderBy",
    "id",
    "ids",
    "slug",
    "handle",
    "input",
    "name",
    "includeRevoked",
    "unknownArg",
];
const STRINGS: &[&str] = &[
    "",
    "rust",
    "postgresql",
    "' OR 1=1 --",
    "\\\" } { __schema",
    "Zoë",
    "漢字",
    "🦀",
    "%00",
    "RGV2ZWxvcGVyOjE",
    "VmFjYW5jeTox",
    "not-an-id",
    "tal_",
    "a b c d e f g",
    "*",
    "\\\\",
];

fn value(rng: &mut Rng, depth: usize) -> String {
    match rng.below(if depth > 2 { 6 } else { 9 }) {
        0 => format!("{}", rng.next() as i64 % 1_000_000),
        1 => [
            "0",
            "-1",
            "100",
            "101",
            "2147483647",
            "2147483648",
            "-2147483649",
            "1e309",
        ][rng.below(8)]
        .to_owned(),
        2 => format!("\"{}\"", rng.pick(STRINGS)),
        3 => rng.pick(&["true", "false", "null"]).to_owned(),
        4 => rng
            .pick(&[
                "ASC", "DESC", "NAME", "SENIOR", "DRAFT", "REMOTE", "ADMIN", "LANGUAGE",
            ])
            .to_owned(),
        5 => format!("${}", rng.pick(&["v", "x", "first"])),
        6 => format!(
            "[{}]",
            (0..rng.below(4))
                .map(|_| value(rng, depth + 1))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => format!(
            "{{ {} }}",
            (0..rng.below(4))
                .map(|_| format!(
                    "{}: {}",
                    rng.pick(&[
                        "skills",
                        "slug",
                        "minLevel",
                        "status",
                        "salary",
                        "min",
                        "currency",
                        "field",
                        "direction",
                        "countryCodes",
                        "name",
                        "category",
                        "id"
                    ]),
                    value(rng, depth + 1)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn arguments(rng: &mut Rng) -> String {
    if !rng.chance(50) {
        return String::new();
    }
    let list: Vec<String> = (0..1 + rng.below(3))
        .map(|_| format!("{}: {}", rng.pick(ARGUMENTS), value(rng, 0)))
        .collect();
    format!("({})", list.join(", "))
}

fn selection(rng: &mut Rng, depth: usize) -> String {
    if depth > 12 || rng.chance(45) {
        return String::new();
    }
    let fields: Vec<String> = (0..1 + rng.below(3))
        .map(|_| {
            let alias = if rng.chance(10) {
                format!("a{}: ", rng.below(50))
            } else {
                String::new()
            };
            let directive = if rng.chance(5) {
                " @include(if: true)"
            } else if rng.chance(3) {
                " @skip(if: $v)"
            } else {
                ""
            };
            let inner = selection(rng, depth + 1);
            let inner = if inner.is_empty() {
                inner
            } else {
                format!(" {{ {inner} }}")
            };
            if rng.chance(5) {
                format!(
                    "... on {} {{ {}{inner} }}",
                    rng.pick(&[
                        "Developer",
                        "Vacancy",
                        "Skill",
                        "Employer",
                        "ApiToken",
                        "Nope"
                    ]),
                    rng.pick(FIELDS)
                )
            } else {
                format!(
                    "{alias}{}{}{directive}{inner}",
                    rng.pick(FIELDS),
                    arguments(rng)
                )
            }
        })
        .collect();
    fields.join(" ")
}

fn document(rng: &mut Rng) -> String {
    let mutation = rng.chance(20);
    let root = if mutation {
        rng.pick(MUTATIONS)
    } else {
        rng.pick(ROOTS)
    };
    let variables = if rng.chance(30) {
        "($v: Boolean, $x: String, $first: Int)"
    } else {
        ""
    };
    let keyword = if mutation {
        "mutation"
    } else if rng.chance(50) {
        "query"
    } else {
        ""
    };
    let mut text = format!(
        "{keyword} {variables} {{ {root}{} {{ {} }} }}",
        arguments(rng),
        selection(rng, 1)
    );
    if rng.chance(10) {
        // Break it: cut it short, or drop in stray characters.
        let cut = rng.below(text.len());
        text.truncate(
            text.char_indices()
                .map(|(i, _)| i)
                .take_while(|i| *i <= cut)
                .last()
                .unwrap_or(0),
        );
    }
    if rng.chance(5) {
        text.push_str(rng.pick(&["}}}}", "{{{{", "\0", "\"unterminated", "#", "...", "$", "@"]));
    }
    text
}

fn variables(rng: &mut Rng) -> Value {
    match rng.below(6) {
        0 => Value::Null,
        1 => json!({ "v": true, "x": rng.pick(STRINGS), "first": rng.below(300) as i64 - 100 }),
        2 => json!({ "v": "not a boolean", "first": "ten" }),
        3 => json!([1, 2, 3]),
        4 => json!({ "x": "y".repeat(rng.below(50_000)) }),
        _ => json!({}),
    }
}

/// One generated request: method, content type, body or query string.
enum Hostile {
    Post {
        content_type: &'static str,
        body: Vec<u8>,
    },
    Get {
        query: String,
    },
}

fn hostile(rng: &mut Rng) -> Hostile {
    match rng.below(10) {
        0..=4 => {
            let body = json!({ "query": document(rng), "variables": variables(rng), "operationName": if rng.chance(10) { json!("Nope") } else { Value::Null } });
            Hostile::Post {
                content_type: "application/json",
                body: body.to_string().into_bytes(),
            }
        }
        5 => {
            let mut body = json!({ "query": document(rng) }).to_string().into_bytes();
            let keep = rng.below(body.len());
            body.truncate(keep);
            Hostile::Post {
                content_type: "application/json",
                body,
            }
        }
        6 => {
            let huge = match rng.below(3) {
                0 => {
                    json!({ "query": format!("{{ developers(search: \"{}\") {{ totalCount }} }}", "kafka ".repeat(4_000)) })
                }
                1 => json!({ "query": format!("{{ {} }}", "__typename ".repeat(3_000)) }),
                _ => {
                    json!({ "query": "{ __typename }", "variables": { "pad": "x".repeat(300_000) } })
                }
            };
            Hostile::Post {
                content_type: "application/json",
                body: huge.to_string().into_bytes(),
            }
        }
        7 => {
            let body: Vec<u8> = (0..rng.below(2_000))
                .map(|_| (rng.next() & 0xff) as u8)
                .collect();
            let content_type = rng.pick(&[
                "application/json",
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
                "",
                "application/json; charset=latin1",
            ]);
            Hostile::Post { content_type, body }
        }
        8 => {
            let batch: Vec<Value> = (0..rng.below(14))
                .map(|_| json!({ "query": document(rng) }))
                .collect();
            Hostile::Post {
                content_type: "application/json",
                body: Value::Array(batch).to_string().into_bytes(),
            }
        }
        _ => {
            let mut query = document(rng);
            // Keep the URL within what a client can send.
            query.truncate(
                query
                    .char_indices()
                    .map(|(i, _)| i)
                    .take_while(|i| *i <= 3_000)
                    .last()
                    .unwrap_or(0),
            );
            Hostile::Get { query }
        }
    }
}

/// The status of the answer to `request`, how many errors it holds, and the messages of those
/// that carry no `extensions.code` (every error a client can receive must have one).
async fn send(app: &TestApp, token: Option<&str>, request: Hostile) -> (u16, usize, Vec<String>) {
    let builder = match request {
        Hostile::Post { content_type, body } => app
            .client
            .post(app.url("/graphql"))
            .header("content-type", content_type)
            .body(body),
        Hostile::Get { query } => app
            .client
            .get(app.url("/graphql"))
            .query(&[("query", query)]),
    };
    let builder = match token {
        Some(token) => builder.bearer_auth(token),
        None => builder,
    };
    let response = builder.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let body = response.bytes().await.expect("a whole body");
    if status == 200 {
        assert!(
            serde_json::from_slice::<Value>(&body).is_ok(),
            "a 200 that is not JSON"
        );
    }
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let answers = match &json {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let errors: Vec<Value> = answers
        .into_iter()
        .flat_map(|answer| answer["errors"].as_array().cloned().unwrap_or_default())
        .collect();
    let uncoded = errors
        .iter()
        .filter(|error| !error["extensions"]["code"].is_string())
        .map(|error| error["message"].as_str().unwrap_or_default().to_owned())
        .collect();
    (status, errors.len(), uncoded)
}

db_test!(
    Demo,
    thousands_of_hostile_requests_never_get_a_5xx_and_the_server_stays_up
);
async fn thousands_of_hostile_requests_never_get_a_5xx_and_the_server_stays_up(app: TestApp) {
    let mut rng = Rng(0x7A1E_57A9);
    let requests: Vec<(bool, Hostile)> = (0..2_000)
        .map(|_| (rng.chance(30), hostile(&mut rng)))
        .collect();
    let admin = app.admin_token.clone();
    let answers: Vec<(u16, usize, Vec<String>)> = stream::iter(requests)
        .map(|(signed_in, request)| {
            let token = signed_in.then_some(admin.as_str());
            send(&app, token, request)
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let errors: usize = answers.iter().map(|(_, errors, _)| errors).sum();
    assert!(
        errors > 500,
        "only {errors} errors: the walk reaches too few error paths"
    );
    let uncoded: Vec<&String> = answers.iter().flat_map(|(_, _, uncoded)| uncoded).collect();
    assert!(
        uncoded.is_empty(),
        "{} of {errors} errors without a code, e.g. {:?}",
        uncoded.len(),
        &uncoded[..uncoded.len().min(5)]
    );
    let statuses: Vec<u16> = answers.iter().map(|(status, _, _)| *status).collect();
    let server_errors: Vec<&u16> = statuses
        .iter()
        .filter(|s| **s >= 500 && **s != 503)
        .collect();
    assert!(server_errors.is_empty(), "5xx answers: {server_errors:?}");
    assert!(
        statuses.contains(&200) && statuses.contains(&400),
        "the mix reaches both success and refusal"
    );
    assert_eq!(
        app.client
            .get(app.url("/health"))
            .send()
            .await
            .expect("sent")
            .status(),
        200
    );
    app.data("{ skills(first: 1) { totalCount } }", json!({}))
        .await;
}
