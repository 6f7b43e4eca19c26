//! Developer profiles: create, update, set skills, delete; validation, versions, transactions.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use talent_api::config::DatabaseUrl;

use crate::{
    db_test,
    helpers::{TestApp, codes, count, first_error},
};

const CREATE: &str = "mutation($input: CreateDeveloperInput!) { createDeveloper(input: $input) { developer { id handle name version skills { skill { slug } level years } } userErrors { field code message } } }";
const UPDATE: &str = "mutation($input: UpdateDeveloperInput!) { updateDeveloper(input: $input) { developer { id handle headline version } userErrors { field code message } } }";
const SET_SKILLS: &str = "mutation($input: SetDeveloperSkillsInput!) { setDeveloperSkills(input: $input) { developer { version skills { skill { slug } level } } userErrors { field code message } } }";
const DELETE: &str = "mutation($input: DeleteDeveloperInput!) { deleteDeveloper(input: $input) { deletedDeveloperId userErrors { field code message } } }";

fn new_developer() -> Value {
    json!({
        "handle": "quinn-okafor", "name": "Quinn Okafor", "email": "Quinn.Okafor@Example.org",
        "headline": "Senior Back-end Engineer · Rust, PostgreSQL", "seniority": "SENIOR", "yearsOfExperience": 9,
        "city": "Leeds", "countryCode": "GB", "remotePreference": "HYBRID",
        "salaryExpectation": { "amount": 72000, "currency": "gbp" },
        "skills": [{ "slug": "rust", "level": 5, "years": 6 }, { "slug": "postgresql", "level": 4, "years": 8 }]
    })
}

async fn scalar(app: &TestApp, sql: &str) -> Option<String> {
    let db = app.db().await;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .expect("query")?;
    row.try_get_by_index::<Option<String>>(0).expect("a text")
}

async fn total(app: &TestApp) -> Value {
    app.admin()
        .data("{ developers { totalCount } }", json!({}))
        .await["developers"]["totalCount"]
        .clone()
}

db_test!(
    Demo,
    create_developer_writes_the_profile_and_skills_and_search_finds_them
);
async fn create_developer_writes_the_profile_and_skills_and_search_finds_them(app: TestApp) {
    let data = app
        .admin()
        .data(CREATE, json!({ "input": new_developer() }))
        .await;
    let payload = &data["createDeveloper"];
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(
        payload["developer"]["skills"],
        json!([{ "skill": { "slug": "rust" }, "level": 5, "years": 6 }, { "skill": { "slug": "postgresql" }, "level": 4, "years": 8 }])
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT email FROM developers WHERE handle = 'quinn-okafor'"
        )
        .await
        .as_deref(),
        Some("quinn.okafor@example.org")
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT salary_expectation_currency FROM developers WHERE handle = 'quinn-okafor'"
        )
        .await
        .as_deref(),
        Some("GBP")
    );
    let found = app
        .all_nodes(
            "developers",
            ", search: \"quinn rust\", filter: { skills: [{ slug: \"rust\", minLevel: 5 }] }",
            "handle",
        )
        .await;
    assert_eq!(found, [json!({ "handle": "quinn-okafor" })]);
}

db_test!(
    Demo,
    create_developer_reports_every_invalid_field_and_writes_nothing
);
async fn create_developer_reports_every_invalid_field_and_writes_nothing(app: TestApp) {
    let before = total(&app).await;
    let input = json!({
        "handle": "Quinn!", "name": " ", "email": "quinn@", "headline": "h".repeat(301), "seniority": "SENIOR",
        "yearsOfExperience": 61, "city": "Leeds", "countryCode": "UK", "remotePreference": "HYBRID",
        "salaryExpectation": { "amount": 0, "currency": "ABC" },
        "skills": [{ "slug": "rust", "level": 9 }, { "slug": "rust", "level": 3 }, { "slug": "fortran", "level": 2, "years": 99 }]
    });
    let data = app.admin().data(CREATE, json!({ "input": input })).await;
    let mut got = codes(&data["createDeveloper"]["userErrors"]);
    got.sort_by_key(|error| error.0.to_string());
    let mut want = vec![
        (json!(["input", "handle"]), "INVALID"),
        (json!(["input", "name"]), "REQUIRED"),
        (json!(["input", "email"]), "INVALID"),
        (json!(["input", "headline"]), "TOO_LONG"),
        (json!(["input", "countryCode"]), "INVALID"),
        (
            json!(["input", "salaryExpectation", "amount"]),
            "OUT_OF_RANGE",
        ),
        (json!(["input", "salaryExpectation", "currency"]), "INVALID"),
        (json!(["input", "skills", "0", "level"]), "OUT_OF_RANGE"),
        (json!(["input", "skills", "1", "slug"]), "INVALID"),
        (json!(["input", "skills", "2", "years"]), "OUT_OF_RANGE"),
        (json!(["input", "skills", "2", "slug"]), "NOT_FOUND"),
        (json!(["input", "yearsOfExperience"]), "OUT_OF_RANGE"),
    ]
    .into_iter()
    .map(|(field, code)| (field, code.to_owned()))
    .collect::<Vec<_>>();
    want.sort_by_key(|error| error.0.to_string());
    assert_eq!(got, want);
    assert_eq!(total(&app).await, before);
}

db_test!(
    Demo,
    create_developer_with_a_taken_handle_and_email_reports_both
);
async fn create_developer_with_a_taken_handle_and_email_reports_both(app: TestApp) {
    let existing = app
        .admin()
        .data("{ developers(first: 1) { nodes { handle } } }", json!({}))
        .await["developers"]["nodes"][0]["handle"]
        .clone();
    let handle = existing.as_str().expect("a handle");
    let email = scalar(
        &app,
        &format!("SELECT email FROM developers WHERE handle = '{handle}'"),
    )
    .await
    .expect("an email");
    let mut input = new_developer();
    input["handle"] = json!(handle);
    input["email"] = json!(email.to_uppercase());
    let data = app.admin().data(CREATE, json!({ "input": input })).await;
    assert_eq!(
        codes(&data["createDeveloper"]["userErrors"]),
        [
            (json!(["input", "handle"]), "TAKEN".to_owned()),
            (json!(["input", "email"]), "TAKEN".to_owned())
        ]
    );
}

db_test!(
    Demo,
    update_developer_changes_fields_clears_the_salary_and_checks_versions
);
async fn update_developer_changes_fields_clears_the_salary_and_checks_versions(app: TestApp) {
    let created = app
        .admin()
        .data(CREATE, json!({ "input": new_developer() }))
        .await;
    let id = created["createDeveloper"]["developer"]["id"].clone();
    let data = app.admin().data(UPDATE, json!({ "input": { "id": id, "expectedVersion": 1, "headline": "Principal Engineer", "salaryExpectation": null } })).await;
    assert_eq!(data["updateDeveloper"]["userErrors"], json!([]));
    assert_eq!(data["updateDeveloper"]["developer"]["version"], 2);
    assert_eq!(
        scalar(
            &app,
            "SELECT salary_expectation_currency FROM developers WHERE handle = 'quinn-okafor'"
        )
        .await,
        None
    );
    // Leaving the salary out leaves it alone; a stale version writes nothing.
    let stale = app
        .admin()
        .data(
            UPDATE,
            json!({ "input": { "id": id, "expectedVersion": 1, "headline": "Nope" } }),
        )
        .await;
    assert_eq!(
        codes(&stale["updateDeveloper"]["userErrors"]),
        [(
            json!(["input", "expectedVersion"]),
            "STALE_VERSION".to_owned()
        )]
    );
    let now = app
        .admin()
        .data(
            "query($id: ID!) { developer(id: $id) { headline version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        now["developer"],
        json!({ "headline": "Principal Engineer", "version": 2 })
    );
}

db_test!(Demo, update_developer_to_a_taken_email_is_taken);
async fn update_developer_to_a_taken_email_is_taken(app: TestApp) {
    let created = app
        .admin()
        .data(CREATE, json!({ "input": new_developer() }))
        .await;
    let id = created["createDeveloper"]["developer"]["id"].clone();
    let other = scalar(
        &app,
        "SELECT email FROM developers WHERE handle <> 'quinn-okafor' ORDER BY id LIMIT 1",
    )
    .await
    .expect("an email");
    let data = app
        .admin()
        .data(UPDATE, json!({ "input": { "id": id, "email": other } }))
        .await;
    assert_eq!(
        codes(&data["updateDeveloper"]["userErrors"]),
        [(json!(["input", "email"]), "TAKEN".to_owned())]
    );
}

db_test!(
    Demo,
    a_developer_may_probe_at_most_five_email_addresses_an_hour
);
async fn a_developer_may_probe_at_most_five_email_addresses_an_hour(app: TestApp) {
    let created = app
        .admin()
        .data(CREATE, json!({ "input": new_developer() }))
        .await;
    let id = created["createDeveloper"]["developer"]["id"].clone();
    let me = app.as_developer("quinn-okafor").await;
    let others: Vec<String> = (0..6).map(|n| format!("nobody-{n}@example.org")).collect();
    let taken = scalar(
        &app,
        "SELECT email FROM developers WHERE handle <> 'quinn-okafor' ORDER BY id LIMIT 1",
    )
    .await
    .expect("an email");
    // Five tries are answered (the taken one as TAKEN, the free ones change the address).
    let first = me
        .data(UPDATE, json!({ "input": { "id": id, "email": taken } }))
        .await;
    assert_eq!(
        codes(&first["updateDeveloper"]["userErrors"]),
        [(json!(["input", "email"]), "TAKEN".to_owned())]
    );
    for email in &others[..4] {
        let data = me
            .data(UPDATE, json!({ "input": { "id": id, "email": email } }))
            .await;
        assert_eq!(data["updateDeveloper"]["userErrors"], json!([]), "{data}");
    }
    // The sixth, free or taken, is refused before anything is looked up or written.
    for email in [&others[5], &taken] {
        let body = me
            .graphql(UPDATE, json!({ "input": { "id": id, "email": email } }))
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
            "{body}"
        );
    }
    assert_eq!(
        scalar(
            &app,
            "SELECT email FROM developers WHERE handle = 'quinn-okafor'"
        )
        .await
        .as_deref(),
        Some("nobody-3@example.org")
    );
    // Other changes still go through, and admins are not limited.
    let data = me
        .data(
            UPDATE,
            json!({ "input": { "id": id, "headline": "Still here" } }),
        )
        .await;
    assert_eq!(data["updateDeveloper"]["userErrors"], json!([]));
    let data = app
        .admin()
        .data(UPDATE, json!({ "input": { "id": id, "email": others[5] } }))
        .await;
    assert_eq!(data["updateDeveloper"]["userErrors"], json!([]));
}

db_test!(Demo, set_developer_skills_replaces_the_whole_set);
async fn set_developer_skills_replaces_the_whole_set(app: TestApp) {
    let created = app
        .admin()
        .data(CREATE, json!({ "input": new_developer() }))
        .await;
    let id = created["createDeveloper"]["developer"]["id"].clone();
    let input = json!({ "id": id, "expectedVersion": 1, "skills": [{ "slug": "go", "level": 3 }, { "slug": "kubernetes", "level": 2 }] });
    let data = app
        .admin()
        .data(SET_SKILLS, json!({ "input": input }))
        .await;
    assert_eq!(data["setDeveloperSkills"]["userErrors"], json!([]));
    assert_eq!(
        data["setDeveloperSkills"]["developer"],
        json!({ "version": 2, "skills": [{ "skill": { "slug": "go" }, "level": 3 }, { "skill": { "slug": "kubernetes" }, "level": 2 }] })
    );
    let by_rust = app
        .all_nodes(
            "developers",
            ", search: \"quinn\", filter: { anySkills: [\"rust\"] }",
            "handle",
        )
        .await;
    assert!(by_rust.is_empty(), "the old skills are gone");
    let by_name = app
        .all_nodes("developers", ", search: \"quinn kubernetes\"", "handle")
        .await;
    assert_eq!(
        by_name,
        [json!({ "handle": "quinn-okafor" })],
        "the search index follows the new skills"
    );
}

db_test!(
    Demo,
    concurrent_skill_sets_from_the_same_version_let_exactly_one_win
);
async fn concurrent_skill_sets_from_the_same_version_let_exactly_one_win(app: TestApp) {
    let created = app
        .admin()
        .data(CREATE, json!({ "input": new_developer() }))
        .await;
    let id = created["createDeveloper"]["developer"]["id"].clone();
    let requests = ["go", "java", "python", "ruby"].map(|slug| {
        app.admin().graphql(SET_SKILLS, json!({ "input": { "id": id, "expectedVersion": 1, "skills": [{ "slug": slug, "level": 3 }] } }))
    });
    let mut outcomes: HashMap<String, usize> = HashMap::new();
    for body in futures_util::future::join_all(requests).await {
        assert!(body.get("errors").is_none(), "{body:#}");
        let code = body["data"]["setDeveloperSkills"]["userErrors"][0]["code"]
            .as_str()
            .unwrap_or("WON")
            .to_owned();
        *outcomes.entry(code).or_default() += 1;
    }
    assert_eq!(
        outcomes,
        HashMap::from([("WON".to_owned(), 1), ("STALE_VERSION".to_owned(), 3)])
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM developer_skills l JOIN developers d ON d.id = l.developer_id WHERE d.handle = 'quinn-okafor'").await, 1);
}

db_test!(Demo, delete_developer_removes_the_profile_and_its_skills);
async fn delete_developer_removes_the_profile_and_its_skills(app: TestApp) {
    let created = app
        .admin()
        .data(CREATE, json!({ "input": new_developer() }))
        .await;
    let id = created["createDeveloper"]["developer"]["id"].clone();
    let data = app
        .admin()
        .data(
            DELETE,
            json!({ "input": { "id": id, "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(
        data["deleteDeveloper"],
        json!({ "deletedDeveloperId": id, "userErrors": [] })
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM developer_skills l WHERE NOT EXISTS (SELECT 1 FROM developers d WHERE d.id = l.developer_id)").await, 0);
    assert!(
        app.all_nodes("developers", ", search: \"quinn\"", "handle")
            .await
            .is_empty()
    );
    let again = app
        .admin()
        .data(DELETE, json!({ "input": { "id": id } }))
        .await;
    assert_eq!(
        codes(&again["deleteDeveloper"]["userErrors"]),
        [(json!(["input", "id"]), "NOT_FOUND".to_owned())]
    );
}

db_test!(Demo, create_developer_failing_half_way_leaves_no_profile);
async fn create_developer_failing_half_way_leaves_no_profile(app: TestApp) {
    // The database refuses the second skill link, after the profile row is written.
    let db = app.db().await;
    if matches!(app.database_url, DatabaseUrl::Postgres(_)) {
        db.execute_unprepared("CREATE FUNCTION forced_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'forced failure'; END $$").await.expect("function");
        db.execute_unprepared("CREATE TRIGGER forced_failure BEFORE INSERT ON developer_skills FOR EACH ROW WHEN (NEW.level = 4) EXECUTE FUNCTION forced_failure()").await.expect("trigger");
    } else {
        db.execute_unprepared("CREATE TRIGGER forced_failure BEFORE INSERT ON developer_skills WHEN NEW.level = 4 BEGIN SELECT RAISE(ABORT, 'forced failure'); END").await.expect("trigger");
    }
    let before = total(&app).await;
    let body = app
        .admin()
        .graphql(CREATE, json!({ "input": new_developer() }))
        .await;
    assert_eq!(
        first_error(&body)["extensions"]["code"],
        "INTERNAL",
        "{body:#}"
    );
    assert_eq!(total(&app).await, before);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM developers WHERE handle = 'quinn-okafor'"
        )
        .await,
        0
    );
}

db_test!(
    Demo,
    concurrent_creates_of_one_handle_give_one_profile_and_taken_never_internal
);
async fn concurrent_creates_of_one_handle_give_one_profile_and_taken_never_internal(app: TestApp) {
    // All requests pass the up-front check together; the unique constraint decides the race.
    let requests = (0..4).map(|i| {
        let mut input = new_developer();
        input["email"] = json!(format!("quinn{i}@example.org"));
        app.admin().graphql(CREATE, json!({ "input": input }))
    });
    let mut outcomes: HashMap<String, usize> = HashMap::new();
    for body in futures_util::future::join_all(requests).await {
        assert!(body.get("errors").is_none(), "{body:#}");
        let code = body["data"]["createDeveloper"]["userErrors"][0]["code"]
            .as_str()
            .unwrap_or("WON")
            .to_owned();
        *outcomes.entry(code).or_default() += 1;
    }
    assert_eq!(
        outcomes,
        HashMap::from([("WON".to_owned(), 1), ("TAKEN".to_owned(), 3)])
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM developers WHERE handle = 'quinn-okafor'"
        )
        .await,
        1
    );
}

db_test!(
    Demo,
    set_developer_skills_failing_half_way_keeps_the_old_set
);
async fn set_developer_skills_failing_half_way_keeps_the_old_set(app: TestApp) {
    let created = app
        .admin()
        .data(CREATE, json!({ "input": new_developer() }))
        .await;
    let id = created["createDeveloper"]["developer"]["id"].clone();
    let db = app.db().await;
    if matches!(app.database_url, DatabaseUrl::Postgres(_)) {
        db.execute_unprepared("CREATE FUNCTION forced_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'forced failure'; END $$").await.expect("function");
        db.execute_unprepared("CREATE TRIGGER forced_failure BEFORE INSERT ON developer_skills FOR EACH ROW WHEN (NEW.level = 1) EXECUTE FUNCTION forced_failure()").await.expect("trigger");
    } else {
        db.execute_unprepared("CREATE TRIGGER forced_failure BEFORE INSERT ON developer_skills WHEN NEW.level = 1 BEGIN SELECT RAISE(ABORT, 'forced failure'); END").await.expect("trigger");
    }
    // The old links are deleted first, then the new ones fail to insert.
    let body = app.admin().graphql(SET_SKILLS, json!({ "input": { "id": id, "skills": [{ "slug": "go", "level": 3 }, { "slug": "java", "level": 1 }] } })).await;
    assert_eq!(
        first_error(&body)["extensions"]["code"],
        "INTERNAL",
        "{body:#}"
    );
    let now = app
        .admin()
        .data(
            "query($id: ID!) { developer(id: $id) { version skills { skill { slug } level } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        now["developer"],
        json!({ "version": 1, "skills": [{ "skill": { "slug": "rust" }, "level": 5 }, { "skill": { "slug": "postgresql" }, "level": 4 }] })
    );
}

const LINKS: &str =
    "query($id: ID!) { node(id: $id) { ... on Developer { links { url network } } } }";

/// The `links` of developer `id`, read back through `node`.
async fn links_of(app: &TestApp, id: &Value) -> Value {
    app.graphql(LINKS, json!({ "id": id })).await["data"]["node"]["links"].clone()
}

db_test!(
    Demo,
    create_developer_keeps_profile_links_and_names_their_network
);
async fn create_developer_keeps_profile_links_and_names_their_network(app: TestApp) {
    let mut input = new_developer();
    input["links"] = json!([
        " https://github.com/quinn-okafor ",
        "https://www.linkedin.com/in/quinn-okafor",
        "http://quinn.example.org/talks"
    ]);
    let data = app.admin().data(CREATE, json!({ "input": input })).await;
    assert_eq!(data["createDeveloper"]["userErrors"], json!([]));
    let id = &data["createDeveloper"]["developer"]["id"];
    assert_eq!(
        links_of(&app, id).await,
        json!([
            { "url": "https://github.com/quinn-okafor", "network": "GitHub" },
            { "url": "https://www.linkedin.com/in/quinn-okafor", "network": "LinkedIn" },
            { "url": "http://quinn.example.org/talks", "network": null }
        ])
    );
}

db_test!(
    Demo,
    update_developer_replaces_the_profile_links_and_an_empty_list_clears_them
);
async fn update_developer_replaces_the_profile_links_and_an_empty_list_clears_them(app: TestApp) {
    let data = app
        .admin()
        .data(CREATE, json!({ "input": new_developer() }))
        .await;
    let id = data["createDeveloper"]["developer"]["id"].clone();
    assert_eq!(links_of(&app, &id).await, json!([]));
    let set = json!({ "id": id, "links": ["https://gitlab.com/quinn"] });
    let data = app.admin().data(UPDATE, json!({ "input": set })).await;
    assert_eq!(data["updateDeveloper"]["userErrors"], json!([]));
    assert_eq!(
        links_of(&app, &id).await,
        json!([{ "url": "https://gitlab.com/quinn", "network": "GitLab" }])
    );
    let untouched = json!({ "id": id, "headline": "Staff Engineer" });
    app.admin()
        .data(UPDATE, json!({ "input": untouched }))
        .await;
    assert_eq!(links_of(&app, &id).await.as_array().map(Vec::len), Some(1));
    let clear = json!({ "id": id, "links": [] });
    app.admin().data(UPDATE, json!({ "input": clear })).await;
    assert_eq!(links_of(&app, &id).await, json!([]));
}

db_test!(
    Demo,
    profile_links_must_be_at_most_ten_http_addresses_and_nothing_is_written_otherwise
);
async fn profile_links_must_be_at_most_ten_http_addresses_and_nothing_is_written_otherwise(
    app: TestApp,
) {
    let before = total(&app).await;
    let mut input = new_developer();
    input["links"] = json!([
        "https://github.com/quinn",
        "github.com/quinn",
        "javascript:alert(1)",
        "ftp://quinn.example.org",
        "https://quinn example.org"
    ]);
    let data = app.admin().data(CREATE, json!({ "input": input })).await;
    assert_eq!(
        codes(&data["createDeveloper"]["userErrors"]),
        (1..=4)
            .map(|i| (
                json!(["input", "links", i.to_string()]),
                "INVALID".to_owned()
            ))
            .collect::<Vec<_>>()
    );
    let mut input = new_developer();
    input["links"] = json!(
        (0..11)
            .map(|i| format!("https://quinn.example.org/{i}"))
            .collect::<Vec<_>>()
    );
    let data = app.admin().data(CREATE, json!({ "input": input })).await;
    assert_eq!(
        codes(&data["createDeveloper"]["userErrors"]),
        vec![(json!(["input", "links"]), "OUT_OF_RANGE".to_owned())]
    );
    assert_eq!(total(&app).await, before);
}

db_test!(Demo, the_database_refuses_more_than_ten_profile_links);
async fn the_database_refuses_more_than_ten_profile_links(app: TestApp) {
    let eleven = json!(
        (0..11)
            .map(|i| format!("https://a.example/{i}"))
            .collect::<Vec<_>>()
    );
    let db = app.db().await;
    let cast = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "::jsonb",
        _ => "",
    };
    let sql = format!("UPDATE developers SET links = '{eleven}'{cast} WHERE id = 1");
    let refused = db
        .execute_raw(Statement::from_string(db.get_database_backend(), sql))
        .await;
    assert!(refused.is_err(), "eleven links were stored");
}
