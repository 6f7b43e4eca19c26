//! Posting vacancies: create, publish, close, update, set skills, delete; validation, versions,
//! transitions, transactions.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use talent_api::config::DatabaseUrl;

use crate::{
    db_test,
    helpers::{TestApp, codes, first_error},
};

const FIELDS: &str = "vacancy { id title status publishedAt version salary { min max currency period } skills { skill { slug } required minLevel } }";

fn mutation(name: &str, input: &str) -> String {
    format!(
        "mutation($input: {input}!) {{ {name}(input: $input) {{ {FIELDS} userErrors {{ field code message }} }} }}"
    )
}

async fn employer_id(app: &TestApp) -> Value {
    app.admin()
        .data("{ employer(slug: \"quillstack\") { id } }", json!({}))
        .await["employer"]["id"]
        .clone()
}

async fn draft(app: &TestApp) -> Value {
    let input = json!({
        "employerId": employer_id(app).await, "title": "Senior Rust Engineer (Zephyrine Cache)",
        "description": "Make builds fast.", "responsibilities": ["Design the cache protocol.", "Run it in production."],
        "seniority": "SENIOR", "employmentType": "FULL_TIME", "workplace": "REMOTE", "countryCode": "us",
        "salary": { "min": 160000, "max": 190000, "currency": "usd" },
        "skills": [{ "slug": "rust", "minLevel": 4 }, { "slug": "grpc", "required": false, "minLevel": 2 }]
    });
    let data = app
        .admin()
        .data(
            &mutation("createVacancy", "CreateVacancyInput"),
            json!({ "input": input }),
        )
        .await;
    assert_eq!(data["createVacancy"]["userErrors"], json!([]));
    data["createVacancy"]["vacancy"].clone()
}

async fn act(app: &TestApp, name: &str, input: Value) -> Value {
    let kind = match name {
        "publishVacancy" | "closeVacancy" => "VacancyRefInput".to_owned(),
        other => format!("{}{}Input", other[..1].to_uppercase(), &other[1..]),
    };
    app.admin()
        .data(&mutation(name, &kind), json!({ "input": input }))
        .await[name]
        .clone()
}

db_test!(
    Demo,
    a_vacancy_goes_from_draft_to_open_to_closed_and_no_other_way
);
async fn a_vacancy_goes_from_draft_to_open_to_closed_and_no_other_way(app: TestApp) {
    let vacancy = draft(&app).await;
    assert_eq!(
        (vacancy["status"].clone(), vacancy["publishedAt"].clone()),
        (json!("DRAFT"), Value::Null)
    );
    assert_eq!(
        vacancy["skills"],
        json!([{ "skill": { "slug": "rust" }, "required": true, "minLevel": 4 }, { "skill": { "slug": "grpc" }, "required": false, "minLevel": 2 }])
    );
    let search = ", search: \"zephyrine\"";
    assert!(
        app.all_nodes("vacancies", search, "id").await.is_empty(),
        "a draft is not listed"
    );

    let closed_early = act(&app, "closeVacancy", json!({ "id": vacancy["id"] })).await;
    assert_eq!(
        codes(&closed_early["userErrors"]),
        [(json!(["input", "id"]), "INVALID_TRANSITION".to_owned())]
    );
    assert!(
        closed_early["userErrors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("only OPEN vacancies can be closed; this one is DRAFT")
    );

    let published = act(
        &app,
        "publishVacancy",
        json!({ "id": vacancy["id"], "expectedVersion": 1 }),
    )
    .await;
    assert_eq!(published["userErrors"], json!([]));
    assert_eq!(published["vacancy"]["status"], "OPEN");
    assert!(published["vacancy"]["publishedAt"].is_string());
    assert_eq!(
        app.all_nodes("vacancies", search, "id").await,
        [json!({ "id": vacancy["id"] })],
        "an open vacancy is listed and found"
    );

    let again = act(&app, "publishVacancy", json!({ "id": vacancy["id"] })).await;
    assert_eq!(
        codes(&again["userErrors"]),
        [(json!(["input", "id"]), "INVALID_TRANSITION".to_owned())]
    );

    let closed = act(
        &app,
        "closeVacancy",
        json!({ "id": vacancy["id"], "expectedVersion": 2 }),
    )
    .await;
    assert_eq!(closed["vacancy"]["status"], "CLOSED");
    let reopened = act(&app, "publishVacancy", json!({ "id": vacancy["id"] })).await;
    assert_eq!(
        codes(&reopened["userErrors"]),
        [(json!(["input", "id"]), "INVALID_TRANSITION".to_owned())]
    );
}

db_test!(Demo, concurrent_publishes_of_one_draft_let_exactly_one_win);
async fn concurrent_publishes_of_one_draft_let_exactly_one_win(app: TestApp) {
    let vacancy = draft(&app).await;
    let query = mutation("publishVacancy", "VacancyRefInput");
    let requests = (0..4).map(|_| {
        app.admin()
            .graphql(&query, json!({ "input": { "id": vacancy["id"] } }))
    });
    let mut outcomes: HashMap<String, usize> = HashMap::new();
    for body in futures_util::future::join_all(requests).await {
        assert!(body.get("errors").is_none(), "{body:#}");
        let code = body["data"]["publishVacancy"]["userErrors"][0]["code"]
            .as_str()
            .unwrap_or("WON")
            .to_owned();
        *outcomes.entry(code).or_default() += 1;
    }
    assert_eq!(
        outcomes,
        HashMap::from([("WON".to_owned(), 1), ("INVALID_TRANSITION".to_owned(), 3)])
    );
}

db_test!(
    Demo,
    create_vacancy_reports_every_invalid_field_and_writes_nothing
);
async fn create_vacancy_reports_every_invalid_field_and_writes_nothing(app: TestApp) {
    let before = app
        .admin()
        .data(
            "{ vacancies(filter: { status: [DRAFT, OPEN, CLOSED] }) { totalCount } }",
            json!({}),
        )
        .await;
    let input = json!({
        "employerId": "garbage", "title": " ", "responsibilities": ["ok", ""],
        "seniority": "SENIOR", "employmentType": "FULL_TIME", "workplace": "ONSITE", "city": "c".repeat(201), "countryCode": "XX",
        "salary": { "min": 90000, "max": 80000, "currency": "dollars" }, "validThrough": "2020-01-01T00:00:00Z",
        "skills": [{ "slug": "rust", "minLevel": 7 }, { "slug": "rust" }, { "slug": "cobol" }]
    });
    let payload = act(&app, "createVacancy", input).await;
    let mut got = codes(&payload["userErrors"]);
    got.sort_by_key(|error| error.0.to_string());
    let mut want: Vec<(Value, String)> = [
        (json!(["input", "employerId"]), "INVALID"),
        (json!(["input", "title"]), "REQUIRED"),
        (json!(["input", "responsibilities", "1"]), "REQUIRED"),
        (json!(["input", "city"]), "TOO_LONG"),
        (json!(["input", "countryCode"]), "INVALID"),
        (json!(["input", "salary", "max"]), "OUT_OF_RANGE"),
        (json!(["input", "salary", "currency"]), "INVALID"),
        (json!(["input", "validThrough"]), "OUT_OF_RANGE"),
        (json!(["input", "skills", "0", "minLevel"]), "OUT_OF_RANGE"),
        (json!(["input", "skills", "1", "slug"]), "INVALID"),
        (json!(["input", "skills", "2", "slug"]), "NOT_FOUND"),
    ]
    .into_iter()
    .map(|(field, code)| (field, code.to_owned()))
    .collect();
    want.sort_by_key(|error| error.0.to_string());
    assert_eq!(got, want);
    assert_eq!(
        app.admin()
            .data(
                "{ vacancies(filter: { status: [DRAFT, OPEN, CLOSED] }) { totalCount } }",
                json!({})
            )
            .await,
        before
    );
}

db_test!(Demo, create_vacancy_for_an_unknown_employer_is_not_found);
async fn create_vacancy_for_an_unknown_employer_is_not_found(app: TestApp) {
    let unknown = toolkit::id::encode_id(talent_api::ids::NodeKind::Employer, 99_999);
    let input = json!({ "employerId": unknown, "title": "T", "seniority": "JUNIOR", "employmentType": "FULL_TIME", "workplace": "REMOTE", "countryCode": "DE" });
    let payload = act(&app, "createVacancy", input).await;
    assert_eq!(
        codes(&payload["userErrors"]),
        [(json!(["input", "employerId"]), "NOT_FOUND".to_owned())]
    );
}

db_test!(
    Demo,
    update_vacancy_changes_fields_removes_the_salary_and_checks_versions
);
async fn update_vacancy_changes_fields_removes_the_salary_and_checks_versions(app: TestApp) {
    let vacancy = draft(&app).await;
    let payload = act(&app, "updateVacancy", json!({ "id": vacancy["id"], "expectedVersion": 1, "title": "Staff Rust Engineer", "salary": null })).await;
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(
        (
            payload["vacancy"]["title"].clone(),
            payload["vacancy"]["salary"].clone(),
            payload["vacancy"]["version"].clone()
        ),
        (json!("Staff Rust Engineer"), Value::Null, json!(2))
    );
    let stale = act(
        &app,
        "updateVacancy",
        json!({ "id": vacancy["id"], "expectedVersion": 1, "title": "Nope" }),
    )
    .await;
    assert_eq!(
        codes(&stale["userErrors"]),
        [(
            json!(["input", "expectedVersion"]),
            "STALE_VERSION".to_owned()
        )]
    );
    let now = app
        .admin()
        .data(
            "query($id: ID!) { vacancy(id: $id) { title version } }",
            json!({ "id": vacancy["id"] }),
        )
        .await;
    assert_eq!(
        now["vacancy"],
        json!({ "title": "Staff Rust Engineer", "version": 2 })
    );
}

db_test!(Demo, set_vacancy_skills_replaces_the_whole_set);
async fn set_vacancy_skills_replaces_the_whole_set(app: TestApp) {
    let vacancy = draft(&app).await;
    let payload = act(&app, "setVacancySkills", json!({ "id": vacancy["id"], "expectedVersion": 1, "skills": [{ "slug": "go", "minLevel": 3 }] })).await;
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(
        payload["vacancy"]["skills"],
        json!([{ "skill": { "slug": "go" }, "required": true, "minLevel": 3 }])
    );
    assert_eq!(payload["vacancy"]["version"], 2);
}

db_test!(Demo, delete_vacancy_removes_it_with_its_skills);
async fn delete_vacancy_removes_it_with_its_skills(app: TestApp) {
    let vacancy = draft(&app).await;
    let query = "mutation($input: VacancyRefInput!) { deleteVacancy(input: $input) { deletedVacancyId userErrors { code } } }";
    let data = app
        .admin()
        .data(
            query,
            json!({ "input": { "id": vacancy["id"], "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(
        data["deleteVacancy"],
        json!({ "deletedVacancyId": vacancy["id"], "userErrors": [] })
    );
    assert_eq!(
        app.admin()
            .data(
                "query($id: ID!) { vacancy(id: $id) { id } }",
                json!({ "id": vacancy["id"] })
            )
            .await,
        json!({ "vacancy": null })
    );
    let again = app
        .admin()
        .data(query, json!({ "input": { "id": vacancy["id"] } }))
        .await;
    assert_eq!(
        again["deleteVacancy"]["userErrors"],
        json!([{ "code": "NOT_FOUND" }])
    );
}

db_test!(Demo, create_vacancy_failing_half_way_leaves_no_vacancy);
async fn create_vacancy_failing_half_way_leaves_no_vacancy(app: TestApp) {
    let db = app.db().await;
    if matches!(app.database_url, DatabaseUrl::Postgres(_)) {
        db.execute_unprepared("CREATE FUNCTION forced_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'forced failure'; END $$").await.expect("function");
        db.execute_unprepared("CREATE TRIGGER forced_failure BEFORE INSERT ON vacancy_skills FOR EACH ROW WHEN (NEW.required = false) EXECUTE FUNCTION forced_failure()").await.expect("trigger");
    } else {
        db.execute_unprepared("CREATE TRIGGER forced_failure BEFORE INSERT ON vacancy_skills WHEN NEW.required = 0 BEGIN SELECT RAISE(ABORT, 'forced failure'); END").await.expect("trigger");
    }
    let before = app
        .admin()
        .data(
            "{ vacancies(filter: { status: [DRAFT, OPEN, CLOSED] }) { totalCount } }",
            json!({}),
        )
        .await;
    let input = json!({ "employerId": employer_id(&app).await, "title": "Doomed", "seniority": "JUNIOR", "employmentType": "FULL_TIME", "workplace": "REMOTE", "countryCode": "US",
        "skills": [{ "slug": "rust" }, { "slug": "go", "required": false }] });
    let body = app
        .admin()
        .graphql(
            &mutation("createVacancy", "CreateVacancyInput"),
            json!({ "input": input }),
        )
        .await;
    assert_eq!(
        first_error(&body)["extensions"]["code"],
        "INTERNAL",
        "{body:#}"
    );
    assert_eq!(
        app.admin()
            .data(
                "{ vacancies(filter: { status: [DRAFT, OPEN, CLOSED] }) { totalCount } }",
                json!({})
            )
            .await,
        before
    );
}

db_test!(
    Demo,
    every_vacancy_write_refuses_a_stale_version_and_writes_nothing
);
async fn every_vacancy_write_refuses_a_stale_version_and_writes_nothing(app: TestApp) {
    let vacancy = draft(&app).await;
    let stale = json!({ "id": vacancy["id"], "expectedVersion": 5 });
    for (name, extra) in [
        ("publishVacancy", json!({})),
        ("updateVacancy", json!({ "title": "Nope" })),
        ("setVacancySkills", json!({ "skills": [] })),
    ] {
        let mut input = stale.clone();
        input
            .as_object_mut()
            .expect("an object")
            .extend(extra.as_object().expect("an object").clone());
        let payload = act(&app, name, input).await;
        assert_eq!(
            codes(&payload["userErrors"]),
            [(
                json!(["input", "expectedVersion"]),
                "STALE_VERSION".to_owned()
            )],
            "{name}"
        );
    }
    let published = act(
        &app,
        "publishVacancy",
        json!({ "id": vacancy["id"], "expectedVersion": 1 }),
    )
    .await;
    assert_eq!(published["vacancy"]["version"], 2);
    let closed = act(
        &app,
        "closeVacancy",
        json!({ "id": vacancy["id"], "expectedVersion": 1 }),
    )
    .await;
    assert_eq!(
        codes(&closed["userErrors"]),
        [(
            json!(["input", "expectedVersion"]),
            "STALE_VERSION".to_owned()
        )]
    );
    let query = "mutation($input: VacancyRefInput!) { deleteVacancy(input: $input) { userErrors { code } } }";
    let deleted = app
        .admin()
        .data(
            query,
            json!({ "input": { "id": vacancy["id"], "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(
        deleted["deleteVacancy"]["userErrors"],
        json!([{ "code": "STALE_VERSION" }])
    );
    let now = app.admin().data("query($id: ID!) { vacancy(id: $id) { title status version skills { skill { slug } } } }", json!({ "id": vacancy["id"] })).await;
    assert_eq!(now["vacancy"]["status"], "OPEN");
    assert_eq!(now["vacancy"]["version"], 2);
    assert_eq!(now["vacancy"]["skills"].as_array().map(Vec::len), Some(2));
}
