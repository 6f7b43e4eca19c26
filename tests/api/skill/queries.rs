//! Skills and their relations.

use std::collections::HashSet;

use serde_json::json;

use crate::{db_test, helpers::TestApp};

db_test!(Demo, a_skill_is_found_by_slug_with_its_aliases_and_category);
async fn a_skill_is_found_by_slug_with_its_aliases_and_category(app: TestApp) {
    let data = app
        .data(
            "{ skill(slug: \"postgresql\") { slug name category aliases description version } }",
            json!({}),
        )
        .await;
    assert_eq!(data["skill"]["name"], "PostgreSQL");
    assert_eq!(data["skill"]["category"], "DATABASE");
    assert_eq!(data["skill"]["aliases"], json!(["Postgres", "PG"]));
    assert_eq!(data["skill"]["version"], 1);
    assert!(
        !data["skill"]["description"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
    );
}

db_test!(Demo, an_unknown_skill_slug_gives_null_without_an_error);
async fn an_unknown_skill_slug_gives_null_without_an_error(app: TestApp) {
    let data = app
        .data("{ skill(slug: \"cobol\") { name } }", json!({}))
        .await;
    assert_eq!(data, json!({ "skill": null }));
}

db_test!(Demo, skills_cover_every_category_in_name_order);
async fn skills_cover_every_category_in_name_order(app: TestApp) {
    let data = app
        .data(
            "{ skills(first: 100) { nodes { name category } } }",
            json!({}),
        )
        .await;
    let skills = data["skills"]["nodes"].as_array().expect("a list");
    assert!(skills.len() >= 60, "{} skills", skills.len());
    let categories: HashSet<&str> = skills
        .iter()
        .filter_map(|s| s["category"].as_str())
        .collect();
    assert_eq!(
        categories,
        HashSet::from([
            "LANGUAGE",
            "FRAMEWORK",
            "DATABASE",
            "PLATFORM",
            "API",
            "FRONTEND",
            "PRACTICE",
            "SOFT"
        ])
    );
    let names: Vec<&str> = skills.iter().filter_map(|s| s["name"].as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
}

db_test!(Demo, every_developer_of_a_skill_lists_that_skill);
async fn every_developer_of_a_skill_lists_that_skill(app: TestApp) {
    let data = app
        .data(
            "{ skill(slug: \"kotlin\") { developers(first: 100) { nodes { handle skills { skill { slug } level } } } } }",
            json!({}),
        )
        .await;
    let developers = data["skill"]["developers"]["nodes"]
        .as_array()
        .expect("a list");
    assert!(!developers.is_empty(), "nobody knows Kotlin");
    let mut previous_level = 5;
    for developer in developers {
        let kotlin = developer["skills"]
            .as_array()
            .expect("a list")
            .iter()
            .find(|s| s["skill"]["slug"] == "kotlin")
            .unwrap_or_else(|| panic!("{} is listed but lacks Kotlin", developer["handle"]));
        let level = kotlin["level"].as_i64().expect("a level");
        assert!(level <= previous_level, "not strongest first");
        previous_level = level;
    }
}

db_test!(Demo, every_vacancy_of_a_skill_asks_for_that_skill);
async fn every_vacancy_of_a_skill_asks_for_that_skill(app: TestApp) {
    let data = app
        .data("{ skill(slug: \"go\") { vacancies(first: 100) { nodes { title skills { skill { slug } } } } } }", json!({}))
        .await;
    let vacancies = data["skill"]["vacancies"]["nodes"]
        .as_array()
        .expect("a list");
    assert!(!vacancies.is_empty(), "no vacancy asks for Go");
    for vacancy in vacancies {
        let asks = vacancy["skills"]
            .as_array()
            .expect("a list")
            .iter()
            .any(|s| s["skill"]["slug"] == "go");
        assert!(
            asks,
            "{} is listed but does not ask for Go",
            vacancy["title"]
        );
    }
}
