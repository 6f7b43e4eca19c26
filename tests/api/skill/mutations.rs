//! Curating skills: create, update, delete, merge; validation, versions, concurrency and
//! transactions.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use talent_api::config::DatabaseUrl;

use crate::{
    db_test,
    helpers::{TestApp, codes, first_error},
};

const CREATE: &str = "mutation($input: CreateSkillInput!) { createSkill(input: $input) { skill { id slug name category aliases version } userErrors { field code message } } }";
const UPDATE: &str = "mutation($input: UpdateSkillInput!) { updateSkill(input: $input) { skill { id slug name aliases version updatedAt } userErrors { field code message } } }";
const DELETE: &str = "mutation($input: DeleteSkillInput!) { deleteSkill(input: $input) { deletedSkillId userErrors { field code message } } }";
const MERGE: &str = "mutation($input: MergeSkillsInput!) { mergeSkills(input: $input) { skill { slug developers { totalCount } } userErrors { field code message } } }";

async fn skill(app: &TestApp, slug: &str) -> Value {
    let data = app.admin().data("query($slug: String!) { skill(slug: $slug) { id slug name aliases version updatedAt } }", json!({ "slug": slug })).await;
    data["skill"].clone()
}

async fn skill_count(app: &TestApp) -> i64 {
    app.admin()
        .data("{ skills { totalCount } }", json!({}))
        .await["skills"]["totalCount"]
        .as_i64()
        .expect("a count")
}

db_test!(Demo, create_skill_adds_a_skill_that_lists_find);
async fn create_skill_adds_a_skill_that_lists_find(app: TestApp) {
    let input = json!({ "slug": "cobol", "name": " COBOL ", "category": "LANGUAGE", "aliases": ["Cobol-85", "Cobol-85"] });
    let data = app.admin().data(CREATE, json!({ "input": input })).await;
    let payload = &data["createSkill"];
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(payload["skill"]["name"], "COBOL", "names are trimmed");
    assert_eq!(
        payload["skill"]["aliases"],
        json!(["Cobol-85"]),
        "duplicate aliases are dropped"
    );
    assert_eq!(payload["skill"]["version"], 1);
    assert_eq!(skill(&app, "cobol").await["id"], payload["skill"]["id"]);
}

db_test!(
    Demo,
    create_skill_reports_every_invalid_field_and_writes_nothing
);
async fn create_skill_reports_every_invalid_field_and_writes_nothing(app: TestApp) {
    let before = skill_count(&app).await;
    let input = json!({
        "slug": "Bad Slug!", "name": "   ", "category": "LANGUAGE",
        "description": "x".repeat(10_001), "aliases": ["", "y".repeat(201)]
    });
    let data = app.admin().data(CREATE, json!({ "input": input })).await;
    assert_eq!(data["createSkill"]["skill"], Value::Null);
    assert_eq!(
        codes(&data["createSkill"]["userErrors"]),
        [
            (json!(["input", "slug"]), "INVALID".to_owned()),
            (json!(["input", "name"]), "REQUIRED".to_owned()),
            (json!(["input", "description"]), "TOO_LONG".to_owned()),
            (json!(["input", "aliases", "0"]), "REQUIRED".to_owned()),
            (json!(["input", "aliases", "1"]), "TOO_LONG".to_owned()),
        ]
    );
    assert_eq!(skill_count(&app).await, before);
}

db_test!(Demo, create_skill_with_a_taken_slug_is_taken);
async fn create_skill_with_a_taken_slug_is_taken(app: TestApp) {
    let before = skill_count(&app).await;
    let data = app
        .admin()
        .data(
            CREATE,
            json!({ "input": { "slug": "rust", "name": "Rust 2", "category": "LANGUAGE" } }),
        )
        .await;
    assert_eq!(
        codes(&data["createSkill"]["userErrors"]),
        [(json!(["input", "slug"]), "TAKEN".to_owned())]
    );
    assert_eq!(skill_count(&app).await, before);
}

db_test!(
    Demo,
    update_skill_changes_fields_bumps_the_version_and_reindexes
);
async fn update_skill_changes_fields_bumps_the_version_and_reindexes(app: TestApp) {
    let go = skill(&app, "go").await;
    let input = json!({ "id": go["id"], "expectedVersion": 1, "name": "Golang", "aliases": ["Go language"] });
    let data = app.admin().data(UPDATE, json!({ "input": input })).await;
    let updated = &data["updateSkill"]["skill"];
    assert_eq!(data["updateSkill"]["userErrors"], json!([]));
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["name"], "Golang");
    assert_ne!(updated["updatedAt"], go["updatedAt"]);
    // The search indexes follow: developers are found by the skill's new alias.
    let found = app.admin().data("{ developers(search: \"language\", filter: { skills: [{ slug: \"go\" }] }) { totalCount } }", json!({})).await;
    let with_go = app
        .admin()
        .data(
            "{ developers(filter: { skills: [{ slug: \"go\" }] }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        found["developers"]["totalCount"],
        with_go["developers"]["totalCount"]
    );
}

db_test!(Demo, update_skill_with_a_stale_version_writes_nothing);
async fn update_skill_with_a_stale_version_writes_nothing(app: TestApp) {
    let rust = skill(&app, "rust").await;
    let data = app
        .admin()
        .data(
            UPDATE,
            json!({ "input": { "id": rust["id"], "expectedVersion": 7, "name": "Rusty" } }),
        )
        .await;
    assert_eq!(
        codes(&data["updateSkill"]["userErrors"]),
        [(
            json!(["input", "expectedVersion"]),
            "STALE_VERSION".to_owned()
        )]
    );
    assert_eq!(data["updateSkill"]["skill"], Value::Null);
    assert_eq!(skill(&app, "rust").await, rust);
}

db_test!(
    Demo,
    concurrent_updates_from_the_same_version_let_exactly_one_win
);
async fn concurrent_updates_from_the_same_version_let_exactly_one_win(app: TestApp) {
    let rust = skill(&app, "rust").await;
    let requests = (0..6).map(|i| {
        let input = json!({ "id": rust["id"], "expectedVersion": 1, "name": format!("Rust {i}") });
        app.admin().graphql(UPDATE, json!({ "input": input }))
    });
    let bodies = futures_util::future::join_all(requests).await;
    let mut outcomes: HashMap<String, usize> = HashMap::new();
    for body in &bodies {
        assert!(body.get("errors").is_none(), "{body:#}");
        let errors = &body["data"]["updateSkill"]["userErrors"];
        let outcome = errors[0]["code"].as_str().unwrap_or("WON").to_owned();
        *outcomes.entry(outcome).or_default() += 1;
    }
    assert_eq!(
        outcomes,
        HashMap::from([("WON".to_owned(), 1), ("STALE_VERSION".to_owned(), 5)])
    );
    assert_eq!(skill(&app, "rust").await["version"], 2);
}

db_test!(
    Demo,
    update_skill_to_a_taken_slug_is_taken_and_writes_nothing
);
async fn update_skill_to_a_taken_slug_is_taken_and_writes_nothing(app: TestApp) {
    let rust = skill(&app, "rust").await;
    let data = app
        .admin()
        .data(
            UPDATE,
            json!({ "input": { "id": rust["id"], "slug": "go", "name": "Renamed" } }),
        )
        .await;
    assert_eq!(
        codes(&data["updateSkill"]["userErrors"]),
        [(json!(["input", "slug"]), "TAKEN".to_owned())]
    );
    assert_eq!(skill(&app, "rust").await, rust);
}

db_test!(
    Demo,
    update_skill_of_an_unknown_or_malformed_id_is_a_user_error
);
async fn update_skill_of_an_unknown_or_malformed_id_is_a_user_error(app: TestApp) {
    let unknown = toolkit::id::encode_id(talent_api::ids::NodeKind::Skill, 99_999);
    let data = app
        .admin()
        .data(
            UPDATE,
            json!({ "input": { "id": unknown, "name": "Nothing" } }),
        )
        .await;
    assert_eq!(
        codes(&data["updateSkill"]["userErrors"]),
        [(json!(["input", "id"]), "NOT_FOUND".to_owned())]
    );
    let data = app
        .admin()
        .data(
            UPDATE,
            json!({ "input": { "id": "garbage", "name": "   " } }),
        )
        .await;
    assert_eq!(
        codes(&data["updateSkill"]["userErrors"]),
        [
            (json!(["input", "id"]), "INVALID".to_owned()),
            (json!(["input", "name"]), "REQUIRED".to_owned())
        ]
    );
}

db_test!(Demo, delete_skill_in_use_is_refused_and_keeps_it);
async fn delete_skill_in_use_is_refused_and_keeps_it(app: TestApp) {
    let rust = skill(&app, "rust").await;
    let data = app
        .admin()
        .data(DELETE, json!({ "input": { "id": rust["id"] } }))
        .await;
    let errors = &data["deleteSkill"]["userErrors"];
    assert_eq!(
        codes(errors),
        [(json!(["input", "id"]), "IN_USE".to_owned())]
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("developers have the skill")
    );
    assert_eq!(skill(&app, "rust").await, rust);
}

db_test!(
    Demo,
    delete_skill_removes_an_unused_skill_once_versions_agree
);
async fn delete_skill_removes_an_unused_skill_once_versions_agree(app: TestApp) {
    let created = app
        .admin()
        .data(
            CREATE,
            json!({ "input": { "slug": "cobol", "name": "COBOL", "category": "LANGUAGE" } }),
        )
        .await;
    let id = created["createSkill"]["skill"]["id"].clone();
    let stale = app
        .admin()
        .data(
            DELETE,
            json!({ "input": { "id": id, "expectedVersion": 3 } }),
        )
        .await;
    assert_eq!(
        codes(&stale["deleteSkill"]["userErrors"]),
        [(
            json!(["input", "expectedVersion"]),
            "STALE_VERSION".to_owned()
        )]
    );
    let data = app
        .admin()
        .data(
            DELETE,
            json!({ "input": { "id": id, "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(
        data["deleteSkill"],
        json!({ "deletedSkillId": id, "userErrors": [] })
    );
    assert_eq!(skill(&app, "cobol").await, Value::Null);
}

/// handle → level in `slug`, for every developer with any of `slugs`.
async fn levels(app: &TestApp, slugs: &[&str]) -> HashMap<(String, String), i64> {
    let arguments = format!(", filter: {{ anySkills: {} }}", json!(slugs));
    let mut levels = HashMap::new();
    for developer in app
        .all_nodes(
            "developers",
            &arguments,
            "handle skills { skill { slug } level }",
        )
        .await
    {
        for skill in developer["skills"].as_array().expect("skills") {
            let slug = skill["skill"]["slug"].as_str().unwrap_or_default();
            if slugs.contains(&slug) {
                levels.insert(
                    (
                        developer["handle"].as_str().unwrap_or_default().to_owned(),
                        slug.to_owned(),
                    ),
                    skill["level"].as_i64().unwrap_or(0),
                );
            }
        }
    }
    levels
}

db_test!(Demo, merge_skills_moves_every_link_keeping_the_higher_level);
async fn merge_skills_moves_every_link_keeping_the_higher_level(app: TestApp) {
    let before = levels(&app, &["java", "kotlin"]).await;
    let mut expected: HashMap<String, i64> = HashMap::new();
    for ((handle, _), level) in &before {
        let best = expected.entry(handle.clone()).or_default();
        *best = (*best).max(*level);
    }
    assert!(before.keys().filter(|(_, slug)| slug == "kotlin").count() > 0);
    let (java, kotlin) = (skill(&app, "java").await, skill(&app, "kotlin").await);
    let data = app
        .admin()
        .data(
            MERGE,
            json!({ "input": { "from": java["id"], "into": kotlin["id"] } }),
        )
        .await;
    assert_eq!(data["mergeSkills"]["userErrors"], json!([]));
    assert_eq!(
        data["mergeSkills"]["skill"]["developers"]["totalCount"],
        json!(expected.len())
    );
    let after: HashMap<String, i64> = levels(&app, &["kotlin"])
        .await
        .into_iter()
        .map(|((handle, _), level)| (handle, level))
        .collect();
    assert_eq!(after, expected);
    assert_eq!(skill(&app, "java").await, Value::Null);
    let vacancies = app.admin().data("{ vacancies(filter: { status: [DRAFT, OPEN, CLOSED], skills: [\"kotlin\"] }) { totalCount } }", json!({})).await;
    assert!(vacancies["vacancies"]["totalCount"].as_i64() > Some(0));
}

db_test!(Demo, merge_skills_failing_half_way_leaves_no_trace);
async fn merge_skills_failing_half_way_leaves_no_trace(app: TestApp) {
    // The database itself refuses to delete Java, the merge's last step.
    let db = app.db().await;
    if matches!(app.database_url, DatabaseUrl::Postgres(_)) {
        db.execute_unprepared("CREATE FUNCTION forced_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'forced failure'; END $$").await.expect("function");
        db.execute_unprepared("CREATE TRIGGER forced_failure BEFORE DELETE ON skills FOR EACH ROW WHEN (OLD.slug = 'java') EXECUTE FUNCTION forced_failure()").await.expect("trigger");
    } else {
        db.execute_unprepared("CREATE TRIGGER forced_failure BEFORE DELETE ON skills WHEN OLD.slug = 'java' BEGIN SELECT RAISE(ABORT, 'forced failure'); END").await.expect("trigger");
    }
    let before = levels(&app, &["java", "kotlin"]).await;
    let (java, kotlin) = (skill(&app, "java").await, skill(&app, "kotlin").await);
    let body = app
        .admin()
        .graphql(
            MERGE,
            json!({ "input": { "from": java["id"], "into": kotlin["id"] } }),
        )
        .await;
    assert_eq!(
        first_error(&body)["extensions"]["code"],
        "INTERNAL",
        "{body:#}"
    );
    assert_eq!(
        levels(&app, &["java", "kotlin"]).await,
        before,
        "links moved although the merge failed"
    );
    assert_eq!(skill(&app, "java").await, java);
    assert_eq!(
        skill(&app, "kotlin").await,
        kotlin,
        "the target's version moved although the merge failed"
    );
}

db_test!(
    Demo,
    merge_skills_refuses_a_skill_into_itself_and_unknown_skills
);
async fn merge_skills_refuses_a_skill_into_itself_and_unknown_skills(app: TestApp) {
    let rust = skill(&app, "rust").await;
    let data = app
        .admin()
        .data(
            MERGE,
            json!({ "input": { "from": rust["id"], "into": rust["id"] } }),
        )
        .await;
    assert_eq!(
        codes(&data["mergeSkills"]["userErrors"]),
        [(json!(["input", "into"]), "INVALID".to_owned())]
    );
    let unknown = toolkit::id::encode_id(talent_api::ids::NodeKind::Skill, 99_999);
    let data = app
        .admin()
        .data(
            MERGE,
            json!({ "input": { "from": unknown, "into": rust["id"] } }),
        )
        .await;
    assert_eq!(
        codes(&data["mergeSkills"]["userErrors"]),
        [(json!(["input", "from"]), "NOT_FOUND".to_owned())]
    );
    assert_eq!(
        skill(&app, "rust").await,
        rust,
        "a refused merge touched the target"
    );
}
