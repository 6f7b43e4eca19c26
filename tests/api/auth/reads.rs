//! Every read path to a developer's private fields and to a DRAFT vacancy, as each kind of caller.

use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{Caller, TestApp},
};

/// A developer with a salary expectation, the only one with the skill `zen-tracing`.
struct Person {
    id: String,
    handle: String,
    name: String,
}

async fn person(app: &TestApp) -> Person {
    let admin = app.admin();
    let data = admin
        .data(
            "{ developers(first: 1) { nodes { id handle name } } }",
            json!({}),
        )
        .await;
    let node = &data["developers"]["nodes"][0];
    admin
        .data(
            "mutation { createSkill(input: { slug: \"zen-tracing\", name: \"Zen Tracing\", category: PRACTICE }) { userErrors { code } } }",
            json!({}),
        )
        .await;
    let set = admin
        .data(
            "mutation($id: ID!) { updateDeveloper(input: { id: $id, salaryExpectation: { amount: 98000, currency: \"EUR\" } }) { userErrors { code } } setDeveloperSkills(input: { id: $id, skills: [{ slug: \"zen-tracing\", level: 4 }] }) { userErrors { code } } }",
            json!({ "id": node["id"] }),
        )
        .await;
    assert_eq!(set["updateDeveloper"]["userErrors"], json!([]));
    let text = |value: &Value| value.as_str().expect("a string").to_owned();
    Person {
        id: text(&node["id"]),
        handle: text(&node["handle"]),
        name: text(&node["name"]),
    }
}

const PRIVATE: &str = "handle email salaryExpectation { amount currency }";

/// The developer as every read path returns it to `caller`, with the errors of each answer.
async fn private_paths(caller: &Caller<'_>, person: &Person) -> Vec<(&'static str, Value, Value)> {
    let paths: [(&str, String); 7] = [
        (
            "developer",
            format!(
                "{{ developer(handle: \"{}\") {{ {PRIVATE} }} }}",
                person.handle
            ),
        ),
        (
            "developers",
            format!("{{ developers(first: 1) {{ nodes {{ {PRIVATE} }} }} }}"),
        ),
        (
            "node",
            format!(
                "{{ node(id: \"{}\") {{ ... on Developer {{ {PRIVATE} }} }} }}",
                person.id
            ),
        ),
        (
            "nodes",
            format!(
                "{{ nodes(ids: [\"{}\"]) {{ ... on Developer {{ {PRIVATE} }} }} }}",
                person.id
            ),
        ),
        (
            "Skill.developers",
            format!(
                "{{ skill(slug: \"zen-tracing\") {{ developers {{ nodes {{ {PRIVATE} }} }} }} }}"
            ),
        ),
        (
            "search",
            format!(
                "{{ developers(search: {:?}, first: 100) {{ nodes {{ {PRIVATE} }} }} }}",
                person.name
            ),
        ),
        (
            "Developer.skills.skill.developers",
            format!(
                "{{ developer(id: \"{}\") {{ skills {{ skill {{ developers {{ nodes {{ {PRIVATE} }} }} }} }} }} }}",
                person.id
            ),
        ),
    ];
    let mut answers = Vec::new();
    for (name, query) in paths {
        let body = caller.graphql(&query, json!({})).await;
        let found = find_developer(&body["data"], &person.handle)
            .unwrap_or_else(|| panic!("{name}: the developer is missing: {body:#}"));
        answers.push((name, found, body["errors"].clone()));
    }
    answers
}

/// The first object with this `handle` anywhere in `value`.
fn find_developer(value: &Value, handle: &str) -> Option<Value> {
    match value {
        Value::Object(map) if map.get("handle").and_then(Value::as_str) == Some(handle) => {
            Some(value.clone())
        }
        Value::Object(map) => map.values().find_map(|v| find_developer(v, handle)),
        Value::Array(items) => items.iter().find_map(|v| find_developer(v, handle)),
        _ => None,
    }
}

async fn assert_private_fields_hidden(caller: &Caller<'_>, person: &Person) {
    for (path, developer, errors) in private_paths(caller, person).await {
        assert_eq!(developer["email"], Value::Null, "{path}: {developer}");
        assert_eq!(
            developer["salaryExpectation"],
            Value::Null,
            "{path}: {developer}"
        );
        let errors = errors.as_array().cloned().unwrap_or_default();
        for field in ["email", "salaryExpectation"] {
            assert!(
                errors
                    .iter()
                    .any(|error| error["extensions"]["code"] == "FORBIDDEN"
                        && error["path"].as_array().and_then(|p| p.last()) == Some(&json!(field))),
                "{path}: no FORBIDDEN error at {field}: {errors:#?}"
            );
        }
    }
}

async fn assert_private_fields_shown(caller: &Caller<'_>, person: &Person) {
    for (path, developer, errors) in private_paths(caller, person).await {
        assert_eq!(errors, Value::Null, "{path}: unexpected errors");
        assert!(
            developer["email"]
                .as_str()
                .is_some_and(|email| email.contains('@')),
            "{path}: {developer}"
        );
        assert_eq!(
            developer["salaryExpectation"],
            json!({ "amount": 98000, "currency": "EUR" }),
            "{path}"
        );
    }
}

db_test!(
    Demo,
    anonymous_callers_get_forbidden_for_private_fields_on_every_path
);
async fn anonymous_callers_get_forbidden_for_private_fields_on_every_path(app: TestApp) {
    let person = person(&app).await;
    assert_private_fields_hidden(&app.anonymous(), &person).await;
}

db_test!(
    Demo,
    another_developer_gets_forbidden_for_private_fields_on_every_path
);
async fn another_developer_gets_forbidden_for_private_fields_on_every_path(app: TestApp) {
    let person = person(&app).await;
    let other = app
        .admin()
        .data("{ developers(first: 2) { nodes { handle } } }", json!({}))
        .await["developers"]["nodes"][1]["handle"]
        .as_str()
        .expect("a handle")
        .to_owned();
    assert_private_fields_hidden(&app.as_developer(&other).await, &person).await;
}

db_test!(
    Demo,
    employers_get_forbidden_for_private_fields_on_every_path
);
async fn employers_get_forbidden_for_private_fields_on_every_path(app: TestApp) {
    let person = person(&app).await;
    assert_private_fields_hidden(&app.as_employer("quillstack").await, &person).await;
}

db_test!(
    Demo,
    the_developer_sees_its_own_private_fields_on_every_path
);
async fn the_developer_sees_its_own_private_fields_on_every_path(app: TestApp) {
    let person = person(&app).await;
    let me = app.as_developer(&person.handle).await;
    assert_private_fields_shown(&me, &person).await;
    let viewer = me
        .data("{ viewer { role developer { email } } }", json!({}))
        .await;
    assert_eq!(viewer["viewer"]["role"], "DEVELOPER");
    assert!(viewer["viewer"]["developer"]["email"].is_string());
}

db_test!(Demo, admins_see_private_fields_on_every_path);
async fn admins_see_private_fields_on_every_path(app: TestApp) {
    let person = person(&app).await;
    assert_private_fields_shown(&app.admin(), &person).await;
}

/// A new DRAFT of `employer` asking for the new skill `zen-drafting`, and its ID.
async fn draft(app: &TestApp, employer: &str) -> (String, String) {
    let admin = app.admin();
    let employer_id = admin
        .data(
            "query($slug: String!) { employer(slug: $slug) { id } }",
            json!({ "slug": employer }),
        )
        .await["employer"]["id"]
        .clone();
    admin
        .data(
            "mutation { createSkill(input: { slug: \"zen-drafting\", name: \"Zen Drafting\", category: PRACTICE }) { userErrors { code } } }",
            json!({}),
        )
        .await;
    let created = admin
        .data(
            "mutation($employer: ID!) { createVacancy(input: { employerId: $employer, title: \"Quasar Ledger Engineer\", seniority: SENIOR, employmentType: FULL_TIME, workplace: REMOTE, countryCode: \"NL\", skills: [{ slug: \"zen-drafting\" }] }) { vacancy { id status } userErrors { code } } }",
            json!({ "employer": employer_id }),
        )
        .await;
    assert_eq!(created["createVacancy"]["vacancy"]["status"], "DRAFT");
    (
        created["createVacancy"]["vacancy"]["id"]
            .as_str()
            .expect("an id")
            .to_owned(),
        employer_id.as_str().expect("an id").to_owned(),
    )
}

/// For each read path, whether `caller` sees the draft `id` of `employer`, and whether the path's
/// count agrees with its list.
async fn draft_paths(
    caller: &Caller<'_>,
    app: &TestApp,
    id: &str,
    employer: &str,
) -> Vec<(&'static str, bool)> {
    let query = "query($id: ID!, $employer: ID!) {
        vacancy(id: $id) { id }
        node(id: $id) { id }
        nodes(ids: [$id]) { id }
        drafts: vacancies(filter: { status: [DRAFT] }, first: 100) { totalCount nodes { id } }
        search: vacancies(search: \"quasar ledger\", filter: { status: [DRAFT, OPEN, CLOSED] }) { totalCount nodes { id } }
        employer: node(id: $employer) { ... on Employer { vacancies(first: 100) { totalCount nodes { id } } } }
        skill(slug: \"zen-drafting\") { vacancies { totalCount nodes { id } } }
    }";
    let variables = json!({ "id": id, "employer": employer });
    let data = caller.data(query, variables.clone()).await;
    let all = app.admin().data(query, variables).await;
    let listed = |list: &Value| {
        list["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .any(|node| node["id"] == id)
    };
    let count_agrees = |list: &Value, reference: &Value| {
        let drafts_hidden = usize::from(listed(reference) && !listed(list));
        assert_eq!(
            list["totalCount"].as_u64().expect("a count") as usize,
            reference["totalCount"].as_u64().expect("a count") as usize - drafts_hidden,
            "totalCount counts what is listed: {list} vs {reference}"
        );
        listed(list)
    };
    vec![
        ("vacancy", data["vacancy"]["id"] == id),
        ("node", data["node"]["id"] == id),
        ("nodes", data["nodes"][0]["id"] == id),
        ("vacancies", listed(&data["drafts"])),
        ("search", count_agrees(&data["search"], &all["search"])),
        (
            "Employer.vacancies",
            count_agrees(
                &data["employer"]["vacancies"],
                &all["employer"]["vacancies"],
            ),
        ),
        (
            "Skill.vacancies",
            count_agrees(&data["skill"]["vacancies"], &all["skill"]["vacancies"]),
        ),
    ]
}

async fn assert_draft_visible(
    caller: &Caller<'_>,
    app: &TestApp,
    draft: &(String, String),
    visible: bool,
) {
    for (path, seen) in draft_paths(caller, app, &draft.0, &draft.1).await {
        assert_eq!(
            seen,
            visible,
            "{path}: the draft is {}",
            if seen { "visible" } else { "hidden" }
        );
    }
}

db_test!(Demo, anonymous_callers_see_no_draft_on_any_path);
async fn anonymous_callers_see_no_draft_on_any_path(app: TestApp) {
    let draft = draft(&app, "quillstack").await;
    assert_draft_visible(&app.anonymous(), &app, &draft, false).await;
}

db_test!(Demo, developers_see_no_draft_on_any_path);
async fn developers_see_no_draft_on_any_path(app: TestApp) {
    let draft = draft(&app, "quillstack").await;
    let handle = app
        .admin()
        .data("{ developers(first: 1) { nodes { handle } } }", json!({}))
        .await["developers"]["nodes"][0]["handle"]
        .as_str()
        .expect("a handle")
        .to_owned();
    assert_draft_visible(&app.as_developer(&handle).await, &app, &draft, false).await;
}

db_test!(Demo, other_employers_see_no_draft_on_any_path);
async fn other_employers_see_no_draft_on_any_path(app: TestApp) {
    let draft = draft(&app, "quillstack").await;
    assert_draft_visible(
        &app.as_employer("northwind-logistics").await,
        &app,
        &draft,
        false,
    )
    .await;
}

db_test!(Demo, an_employer_sees_its_own_drafts_on_every_path);
async fn an_employer_sees_its_own_drafts_on_every_path(app: TestApp) {
    let draft = draft(&app, "quillstack").await;
    assert_draft_visible(&app.as_employer("quillstack").await, &app, &draft, true).await;
}

db_test!(Demo, admins_see_every_draft_on_every_path);
async fn admins_see_every_draft_on_every_path(app: TestApp) {
    let draft = draft(&app, "quillstack").await;
    assert_draft_visible(&app.admin(), &app, &draft, true).await;
}
