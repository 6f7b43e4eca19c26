//! `importResume` with mangled documents: real exports with values swapped for other types, huge
//! or hostile strings, impossible dates, keys removed, lists blown past their limits, unknown keys,
//! deep nesting. Every answer must be a payload (no GraphQL error), with `userErrors` at paths
//! inside `input`, and a refused import must leave the profile at its version (nothing half
//! written); the server must still import the untouched document afterwards.

use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{Rng, TestApp},
};

const IMPORT: &str = "mutation($input: ImportResumeInput!) { importResume(input: $input) { created developer { handle version } userErrors { field code message } } }";
const STORED: &str = "query($handle: String!) { developer(handle: $handle) { version name headline yearsOfExperience skills { level years } salaryExpectation { amount } links { url } } }";

/// A step from a JSON value to one inside it.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// The path of every value inside `value` (itself included, as the empty path).
fn paths(value: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(at.clone());
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                at.push(Step::Key(key.clone()));
                paths(inner, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                at.push(Step::Index(i));
                paths(inner, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(value: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(value, |value, step| match step {
        Step::Key(key) => &mut value[key.as_str()],
        Step::Index(i) => &mut value[*i],
    })
}

/// A value of any JSON type, hostile more often than not.
fn random_value(rng: &mut Rng) -> Value {
    match rng.below(16) {
        0 => Value::Null,
        1 => json!(rng.chance(50)),
        2 => json!(i64::MAX),
        3 => json!(-1),
        4 => json!(1e300),
        5 => json!(2.5),
        6 => json!(""),
        7 => json!("   "),
        8 => json!("x".repeat(20_000)),
        9 => json!("Zoë \u{202e}🚀\u{0}\t<script>alert(1)</script>'; DROP TABLE developers; --"),
        10 => json!(rng.pick(&[
            "9999-99-99",
            "2019-02-30",
            "2019-2",
            "19",
            "2030-01",
            "-2019"
        ])),
        11 => json!(rng.pick(&["Master", "beginner", "6", "0", "Guru", "MASTER "])),
        12 => json!([1, "a", null, {}]),
        13 => json!({ "unexpected": [true] }),
        14 => {
            let mut nested = json!("deep");
            for _ in 0..rng.below(60) {
                nested = json!([nested]);
            }
            nested
        }
        _ => json!(rng.pick(&[
            "https://github.com/x",
            "javascript:alert(1)",
            "Berlin",
            "DE",
            "REMOTE",
            "rust"
        ])),
    }
}

/// A string that breaks a rule of some text: blank, too long, hostile, an impossible date or
/// level, an unknown city or country, a non-HTTP address.
fn random_string(rng: &mut Rng) -> Value {
    match rng.below(4) {
        0 => json!(
            "x".repeat(
                rng.pick(&["1", "201", "301", "10001", "40000"])
                    .parse::<usize>()
                    .unwrap_or(1)
            )
        ),
        1 => json!(rng.pick(&["", "  ", "Zoë 🚀", "\u{202e}evil", "<b>x</b>", "a'b\"c"])),
        2 => json!(rng.pick(&[
            "9999-99-99",
            "2019-02-30",
            "2019-2",
            "2030-01",
            "Guru",
            "6",
            "MASTER "
        ])),
        _ => json!(rng.pick(&[
            "Atlantis",
            "XX",
            "de",
            "javascript:alert(1)",
            "ftp://x",
            "no-at-sign",
            "UPPER-Case"
        ])),
    }
}

/// `resume` with one to three random changes.
fn mangle(rng: &mut Rng, mut resume: Value) -> Value {
    if rng.chance(3) {
        return random_value(rng);
    }
    for _ in 0..=rng.below(3) {
        let mut all = Vec::new();
        paths(&resume, &mut Vec::new(), &mut all);
        let path = all[1 + rng.below(all.len() - 1)].clone();
        match rng.below(6) {
            0 | 1 => {
                // Of the same JSON type, so it passes the type checks and meets the value ones.
                let target = at(&mut resume, &path);
                *target = match target {
                    Value::Number(_) => {
                        json!([i64::MAX, -1, 0, 6, 61, 1_000_000_001][rng.below(6)])
                    }
                    Value::String(_) => random_string(rng),
                    _ => random_value(rng),
                };
            }
            2 => *at(&mut resume, &path) = random_value(rng),
            3 => {
                let (last, parent) = path.split_last().expect("not the root");
                match (at(&mut resume, parent), last) {
                    (Value::Object(object), Step::Key(key)) => {
                        object.remove(key);
                    }
                    (Value::Array(items), Step::Index(i)) => {
                        items.remove(*i);
                    }
                    _ => {}
                }
            }
            4 => {
                let target = at(&mut resume, &path);
                if let Value::Array(items) = target
                    && let Some(first) = items.first().cloned()
                {
                    items.resize(150, first);
                } else {
                    *target = json!(vec![target.clone(); 150]);
                }
            }
            _ => {
                if let Value::Object(object) = at(&mut resume, &path) {
                    object.insert("extra".to_owned(), random_value(rng));
                }
            }
        }
    }
    resume
}

/// What the directory may hold of a developer, whatever came in: checked on every profile an
/// import touched.
fn within_the_domain(developer: &Value, context: &str) {
    let number = |value: &Value| value.as_i64().unwrap_or(i64::MIN);
    assert!(
        (0..=60).contains(&number(&developer["yearsOfExperience"])),
        "{context}"
    );
    for text in [&developer["name"], &developer["headline"]] {
        let text = text.as_str().unwrap_or_default();
        assert!(
            !text.trim().is_empty() && text.chars().count() <= 300,
            "{context}"
        );
    }
    for skill in developer["skills"].as_array().expect("skills") {
        assert!((1..=5).contains(&number(&skill["level"])), "{context}");
        assert!((0..=60).contains(&number(&skill["years"])), "{context}");
    }
    assert!(
        developer["skills"].as_array().expect("skills").len() <= 100,
        "{context}"
    );
    assert!(
        developer["links"].as_array().expect("links").len() <= 10,
        "{context}"
    );
    if !developer["salaryExpectation"].is_null() {
        assert!(
            number(&developer["salaryExpectation"]["amount"]) > 0,
            "{context}"
        );
    }
}

db_test!(
    Demo,
    mangled_resumes_get_user_errors_or_import_and_never_half_write
);
async fn mangled_resumes_get_user_errors_or_import_and_never_half_write(app: TestApp) {
    let query = "{ developers(first: 25) { nodes { handle version resume } } }";
    let developers = app.admin().data(query, json!({})).await["developers"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    let mut versions: Vec<i64> = developers
        .iter()
        .map(|d| d["version"].as_i64().expect("a version"))
        .collect();
    let mut rng = Rng(0x0013_E50E);
    let (mut refused, mut imported) = (0, 0);
    for round in 0..250 {
        let which = rng.below(developers.len());
        let developer = &developers[which];
        let handle = developer["handle"].as_str().expect("a handle");
        let resume = mangle(&mut rng, developer["resume"].clone());
        let mut input = json!({ "resume": resume });
        if rng.chance(80) {
            input["handle"] = json!(handle);
        }
        if rng.chance(50) {
            input["expectedVersion"] = json!(versions[which]);
        }
        let body = app
            .admin()
            .graphql(IMPORT, json!({ "input": input.clone() }))
            .await;
        // The one refusal before the resolver: text variables never hold NUL (documented for
        // every input), a typed error naming where.
        let nul = body["errors"].as_array().is_some_and(|errors| {
            errors.iter().all(|error| {
                error["extensions"]["code"] == "BAD_USER_INPUT"
                    && error["extensions"]["field"][0] == "resume"
                    && error["message"].as_str().is_some_and(|m| m.contains("NUL"))
            })
        });
        assert!(
            body.get("errors").is_none() || nul,
            "round {round}: {body:#}\ninput: {input}"
        );
        let payload = &body["data"]["importResume"];
        let errors = match payload["userErrors"].as_array() {
            Some(errors) => errors.clone(),
            None => body["errors"].as_array().expect("errors").clone(),
        };
        for error in payload["userErrors"].as_array().into_iter().flatten() {
            assert_eq!(error["field"][0], "input", "round {round}: {error}");
            assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        assert_eq!(payload["developer"].is_null(), !errors.is_empty());
        let stored =
            app.admin().data(STORED, json!({ "handle": handle })).await["developer"].clone();
        let now = stored["version"].as_i64().expect("a version");
        within_the_domain(&stored, &format!("round {round}: input {input}"));
        let wrote_here = errors.is_empty() && payload["developer"]["handle"] == handle;
        if errors.is_empty() {
            imported += 1;
        } else {
            refused += 1;
        }
        let expected = versions[which] + i64::from(wrote_here);
        assert_eq!(now, expected, "round {round}: input {input}");
        versions[which] = now;
    }
    assert!(
        refused > 50 && imported > 20,
        "{refused} refused, {imported} imported"
    );
    // Still serving: every untouched document imports back.
    for developer in &developers {
        let input = json!({ "resume": developer["resume"], "handle": developer["handle"] });
        let payload = app.admin().data(IMPORT, json!({ "input": input })).await;
        assert_eq!(payload["importResume"]["userErrors"], json!([]));
    }
}
