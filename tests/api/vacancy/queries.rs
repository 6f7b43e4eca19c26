//! Vacancies: lookup by global ID, employer and skills.

use serde_json::json;

use crate::{
    db_test,
    helpers::{TestApp, first_error},
};

const VACANCY: &str = "query($id: ID!) { vacancy(id: $id) { id title status employer { name } skills { skill { slug } required minLevel } salary { min max currency period } } }";

db_test!(Demo, a_vacancy_is_found_by_its_global_id);
async fn a_vacancy_is_found_by_its_global_id(app: TestApp) {
    let listed = app
        .data("{ vacancies(first: 1) { nodes { id title } } }", json!({}))
        .await;
    let first = &listed["vacancies"]["nodes"][0];
    let data = app.data(VACANCY, json!({ "id": first["id"] })).await;
    assert_eq!(data["vacancy"]["id"], first["id"]);
    assert_eq!(data["vacancy"]["title"], first["title"]);
    assert!(data["vacancy"]["employer"]["name"].is_string());
}

db_test!(Demo, a_vacancy_lists_must_haves_before_nice_to_haves);
async fn a_vacancy_lists_must_haves_before_nice_to_haves(app: TestApp) {
    for vacancy in &app
        .all_nodes("vacancies", "", "skills { required minLevel }")
        .await
    {
        let required: Vec<bool> = vacancy["skills"]
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|s| s["required"].as_bool())
            .collect();
        assert!(required.contains(&true), "a vacancy without must-haves");
        assert!(
            required.windows(2).all(|w| w[0] >= w[1]),
            "nice-to-have before must-have: {required:?}"
        );
    }
}

db_test!(
    Demo,
    a_vacancy_lists_skills_of_one_kind_by_level_then_by_name
);
async fn a_vacancy_lists_skills_of_one_kind_by_level_then_by_name(app: TestApp) {
    for vacancy in &app
        .all_nodes(
            "vacancies",
            "",
            "skills { required minLevel skill { name } }",
        )
        .await
    {
        let keys: Vec<(bool, i64, &str)> = vacancy["skills"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|s| {
                (
                    s["required"].as_bool().unwrap_or_default(),
                    s["minLevel"].as_i64().unwrap_or_default(),
                    s["skill"]["name"].as_str().unwrap_or_default(),
                )
            })
            .collect();
        assert!(
            keys.windows(2).all(|w| {
                let ((r0, l0, n0), (r1, l1, n1)) = (w[0], w[1]);
                (r1, l1, n0) < (r0, l0, n1)
            }),
            "not must-haves first, then by level, then by name: {keys:?}"
        );
    }
}

db_test!(
    Demo,
    vacancies_come_most_recently_published_first_with_drafts_last
);
async fn vacancies_come_most_recently_published_first_with_drafts_last(app: TestApp) {
    let vacancies = app
        .admin()
        .all_nodes(
            "vacancies",
            ", filter: { status: [DRAFT, OPEN, CLOSED] }",
            "status publishedAt",
        )
        .await;
    assert_eq!(vacancies.len(), 150);
    let dates: Vec<Option<&str>> = vacancies
        .iter()
        .map(|v| v["publishedAt"].as_str())
        .collect();
    let first_draft = dates
        .iter()
        .position(Option::is_none)
        .unwrap_or(dates.len());
    assert!(
        dates[first_draft..].iter().all(Option::is_none),
        "a published vacancy after a draft"
    );
    let published: Vec<&str> = dates[..first_draft].iter().flatten().copied().collect();
    assert!(
        published.windows(2).all(|w| w[0] >= w[1]),
        "not most recent first"
    );
    for vacancy in &vacancies[first_draft..] {
        assert_eq!(vacancy["status"], "DRAFT");
    }
}

db_test!(Demo, salaries_are_ranges_in_four_currencies);
async fn salaries_are_ranges_in_four_currencies(app: TestApp) {
    let mut currencies = std::collections::BTreeSet::new();
    for vacancy in &app
        .all_nodes("vacancies", "", "salary { min max currency period }")
        .await
    {
        let salary = &vacancy["salary"];
        if salary.is_null() {
            continue;
        }
        assert!(salary["min"].as_i64() <= salary["max"].as_i64(), "{salary}");
        currencies.insert(salary["currency"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(
        currencies.into_iter().collect::<Vec<_>>(),
        ["CAD", "EUR", "GBP", "USD"]
    );
}

db_test!(
    Demo,
    a_malformed_vacancy_id_is_bad_user_input_naming_the_argument
);
async fn a_malformed_vacancy_id_is_bad_user_input_naming_the_argument(app: TestApp) {
    let body = app
        .graphql(VACANCY, json!({ "id": "42; DROP TABLE vacancies" }))
        .await;
    let error = first_error(&body);
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body:#}");
    assert_eq!(error["extensions"]["field"], json!(["id"]));
    assert_eq!(body["data"]["vacancy"], serde_json::Value::Null);
}

db_test!(Demo, a_skill_id_given_as_a_vacancy_id_is_bad_user_input);
async fn a_skill_id_given_as_a_vacancy_id_is_bad_user_input(app: TestApp) {
    let skill_id = app
        .data("{ skill(slug: \"rust\") { id } }", json!({}))
        .await["skill"]["id"]
        .clone();
    let body = app.graphql(VACANCY, json!({ "id": skill_id })).await;
    assert_eq!(
        first_error(&body)["extensions"]["code"],
        "BAD_USER_INPUT",
        "{body:#}"
    );
}

db_test!(Demo, an_unknown_vacancy_id_gives_null_without_an_error);
async fn an_unknown_vacancy_id_gives_null_without_an_error(app: TestApp) {
    // A well-formed ID of a vacancy that does not exist.
    let id = toolkit::id::encode_id(talent_api::ids::NodeKind::Vacancy, 999_999);
    let data = app.data(VACANCY, json!({ "id": id })).await;
    assert_eq!(data, json!({ "vacancy": null }));
}
