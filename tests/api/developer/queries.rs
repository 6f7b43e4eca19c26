//! Developers and their skills.

use serde_json::json;

use crate::{db_test, helpers::TestApp};

db_test!(Demo, developers_list_the_whole_directory_in_name_order);
async fn developers_list_the_whole_directory_in_name_order(app: TestApp) {
    let developers = app.all_nodes("developers", "", "name").await;
    let names: Vec<&str> = developers
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert_eq!(names.len(), 300);
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
}

db_test!(
    Demo,
    a_developer_is_found_by_handle_with_skills_strongest_first
);
async fn a_developer_is_found_by_handle_with_skills_strongest_first(app: TestApp) {
    let handle = app
        .data("{ developers(first: 1) { nodes { handle } } }", json!({}))
        .await["developers"]["nodes"][0]["handle"]
        .clone();
    let data = app
        .data(
            "query($handle: String!) { developer(handle: $handle) { handle seniority yearsOfExperience skills { skill { name } level years } } }",
            json!({ "handle": handle }),
        )
        .await;
    let developer = &data["developer"];
    assert_eq!(developer["handle"], handle);
    let levels: Vec<i64> = developer["skills"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|s| s["level"].as_i64())
        .collect();
    assert!(levels.len() >= 5, "only {} skills", levels.len());
    assert!(
        levels.windows(2).all(|w| w[0] >= w[1]),
        "not strongest first: {levels:?}"
    );
    assert!(levels.iter().all(|level| (1..=5).contains(level)));
}

db_test!(Demo, a_developer_lists_skills_of_one_level_by_name);
async fn a_developer_lists_skills_of_one_level_by_name(app: TestApp) {
    for developer in &app
        .all_nodes("developers", "", "skills { level skill { name } }")
        .await
    {
        let keys: Vec<(i64, &str)> = developer["skills"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|s| {
                (
                    s["level"].as_i64().unwrap_or_default(),
                    s["skill"]["name"].as_str().unwrap_or_default(),
                )
            })
            .collect();
        assert!(
            keys.windows(2)
                .all(|w| w[0].0 > w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1)),
            "not strongest first, then by name: {keys:?}"
        );
    }
}

db_test!(
    Demo,
    most_demo_developers_link_a_github_profile_under_their_handle
);
async fn most_demo_developers_link_a_github_profile_under_their_handle(app: TestApp) {
    let data = app
        .graphql(
            "{ developers(first: 100) { nodes { handle links { url network } } } }",
            json!({}),
        )
        .await;
    let nodes = data["data"]["developers"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    let on_github = nodes
        .iter()
        .filter(|developer| {
            let github = format!(
                "https://github.com/{}",
                developer["handle"].as_str().unwrap_or_default()
            );
            developer["links"].as_array().is_some_and(|links| {
                links
                    .iter()
                    .any(|link| link["url"] == github && link["network"] == "GitHub")
            })
        })
        .count();
    assert!(
        (50..=90).contains(&on_github),
        "{on_github} of 100 link GitHub"
    );
}
