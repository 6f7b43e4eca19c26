//! Long columns (descriptions, bios, JSON lists) are left out of a list's statement, and of the
//! statement loading a list's employers or skills, when nobody reads them: whenever a list is
//! asked for one, it shows the stored value.

use serde_json::{Value, json};

use crate::{db_test, helpers::TestApp};

const LONG: &str = "description responsibilities";

/// The long fields of a vacancy, read on its own (`vacancy(id:)` always reads every column).
async fn vacancy_alone(app: &TestApp, id: &Value) -> Value {
    let data = app
        .data(
            &format!("query($id: ID!) {{ vacancy(id: $id) {{ {LONG} }} }}"),
            json!({ "id": id }),
        )
        .await;
    data["vacancy"].clone()
}

/// Asserts that every node shows the long fields its vacancy holds, and that they are not empty.
async fn assert_long_fields_are_stored(app: &TestApp, nodes: &[Value]) {
    assert!(!nodes.is_empty(), "no vacancies listed");
    for node in nodes {
        let alone = vacancy_alone(app, &node["id"]).await;
        assert_eq!(node["description"], alone["description"], "{node:#}");
        assert_eq!(
            node["responsibilities"], alone["responsibilities"],
            "{node:#}"
        );
        assert_ne!(node["description"], "", "{node:#}");
        assert_ne!(node["responsibilities"], json!([]), "{node:#}");
    }
}

fn nodes(list: &Value) -> Vec<Value> {
    list.as_array().cloned().unwrap_or_default()
}

db_test!(Demo, a_list_shows_the_long_fields_it_asks_for);
async fn a_list_shows_the_long_fields_it_asks_for(app: TestApp) {
    let data = app
        .data(
            &format!("{{ vacancies(first: 5) {{ nodes {{ id {LONG} }} }} }}"),
            json!({}),
        )
        .await;
    assert_long_fields_are_stored(&app, &nodes(&data["vacancies"]["nodes"])).await;
}

db_test!(
    Demo,
    long_fields_asked_for_in_a_fragment_of_an_edge_are_fetched
);
async fn long_fields_asked_for_in_a_fragment_of_an_edge_are_fetched(app: TestApp) {
    let query = format!(
        "{{ vacancies(first: 5) {{ edges {{ node {{ id ...Long }} }} }} }} fragment Long on Vacancy {{ {LONG} }}"
    );
    let data = app.data(&query, json!({})).await;
    let listed: Vec<Value> = nodes(&data["vacancies"]["edges"])
        .into_iter()
        .map(|edge| edge["node"].clone())
        .collect();
    assert_long_fields_are_stored(&app, &listed).await;
}

db_test!(
    Demo,
    two_selections_of_one_nested_list_each_read_their_own_fields
);
async fn two_selections_of_one_nested_list_each_read_their_own_fields(app: TestApp) {
    // The same relation with the same arguments, once without and once with the long fields: the
    // second must not reuse the rows the first loaded without them.
    let query = format!(
        "{{ employers(first: 10) {{ nodes {{ short: vacancies(first: 3) {{ nodes {{ id }} }} long: vacancies(first: 3) {{ nodes {{ id {LONG} }} }} }} }} }}"
    );
    let data = app.data(&query, json!({})).await;
    let listed: Vec<Value> = nodes(&data["employers"]["nodes"])
        .iter()
        .flat_map(|employer| nodes(&employer["long"]["nodes"]))
        .collect();
    assert_long_fields_are_stored(&app, &listed).await;
}

db_test!(Demo, a_nested_list_of_developers_shows_their_bios);
async fn a_nested_list_of_developers_shows_their_bios(app: TestApp) {
    let data = app
        .data(
            "{ skill(slug: \"rust\") { developers(first: 5) { nodes { handle bio } } } }",
            json!({}),
        )
        .await;
    let listed = nodes(&data["skill"]["developers"]["nodes"]);
    assert!(!listed.is_empty(), "nobody knows Rust");
    for developer in listed {
        let alone = app
            .data(
                "query($handle: String!) { developer(handle: $handle) { bio } }",
                json!({ "handle": developer["handle"] }),
            )
            .await;
        assert_eq!(developer["bio"], alone["developer"]["bio"]);
        assert_ne!(developer["bio"], "");
    }
}

db_test!(Demo, a_list_of_skills_shows_their_aliases_and_descriptions);
async fn a_list_of_skills_shows_their_aliases_and_descriptions(app: TestApp) {
    let data = app.data("{ skills(first: 100, filter: { category: [DATABASE] }) { nodes { slug description aliases } } }", json!({})).await;
    let listed = nodes(&data["skills"]["nodes"]);
    let alone = app
        .data(
            "query($slug: String!) { skill(slug: $slug) { description aliases } }",
            json!({ "slug": "postgresql" }),
        )
        .await;
    let postgresql = listed
        .iter()
        .find(|skill| skill["slug"] == "postgresql")
        .expect("PostgreSQL is a skill");
    assert_eq!(postgresql["description"], alone["skill"]["description"]);
    assert_eq!(postgresql["aliases"], alone["skill"]["aliases"]);
    assert_ne!(postgresql["aliases"], json!([]));
}

/// The description and aliases of the skill `slug`, read on its own.
async fn skill_alone(app: &TestApp, slug: &Value) -> Value {
    let data = app
        .data(
            "query($slug: String!) { skill(slug: $slug) { description aliases } }",
            json!({ "slug": slug }),
        )
        .await;
    data["skill"].clone()
}

/// Asserts that each of `skills` (objects with `slug`, `description` and `aliases`) shows what
/// its skill holds.
async fn assert_skills_are_stored(app: &TestApp, skills: &[Value]) {
    assert!(!skills.is_empty(), "no skills listed");
    for skill in skills {
        let alone = skill_alone(app, &skill["slug"]).await;
        assert_eq!(skill["description"], alone["description"], "{skill:#}");
        assert_eq!(skill["aliases"], alone["aliases"], "{skill:#}");
        assert_ne!(skill["description"], "", "{skill:#}");
    }
}

db_test!(
    Demo,
    two_selections_of_a_listed_vacancys_employer_each_read_their_own_fields
);
async fn two_selections_of_a_listed_vacancys_employer_each_read_their_own_fields(app: TestApp) {
    let data = app
        .data("{ vacancies(first: 5) { nodes { short: employer { name } long: employer { id description } } } }", json!({}))
        .await;
    let listed = nodes(&data["vacancies"]["nodes"]);
    assert!(!listed.is_empty(), "no vacancies listed");
    for vacancy in listed {
        let alone = app
            .data(
                "query($id: ID!) { node(id: $id) { ... on Employer { description } } }",
                json!({ "id": vacancy["long"]["id"] }),
            )
            .await;
        assert_eq!(
            vacancy["long"]["description"], alone["node"]["description"],
            "{vacancy:#}"
        );
        assert_ne!(vacancy["long"]["description"], "", "{vacancy:#}");
    }
}

db_test!(
    Demo,
    two_selections_of_listed_vacancies_skills_each_read_their_own_fields
);
async fn two_selections_of_listed_vacancies_skills_each_read_their_own_fields(app: TestApp) {
    let data = app
        .data("{ vacancies(first: 5) { nodes { short: skills { skill { slug } } long: skills { skill { slug description aliases } } } } }", json!({}))
        .await;
    let skills: Vec<Value> = nodes(&data["vacancies"]["nodes"])
        .iter()
        .flat_map(|vacancy| nodes(&vacancy["long"]))
        .map(|link| link["skill"].clone())
        .collect();
    assert_skills_are_stored(&app, &skills).await;
}

db_test!(
    Demo,
    a_developers_skills_read_in_a_fragment_show_their_descriptions
);
async fn a_developers_skills_read_in_a_fragment_show_their_descriptions(app: TestApp) {
    let data = app
        .data("{ developers(first: 3) { nodes { skills { level } more: skills { skill { ...Full } } } } } fragment Full on Skill { slug description aliases }", json!({}))
        .await;
    let skills: Vec<Value> = nodes(&data["developers"]["nodes"])
        .iter()
        .flat_map(|developer| nodes(&developer["more"]))
        .map(|link| link["skill"].clone())
        .collect();
    assert_skills_are_stored(&app, &skills).await;
}

db_test!(
    Demo,
    a_matchs_skills_show_their_descriptions_when_the_vacancys_list_leaves_them_out
);
async fn a_matchs_skills_show_their_descriptions_when_the_vacancys_list_leaves_them_out(
    app: TestApp,
) {
    let data = app
        .data("{ vacancies(first: 3) { nodes { skills { skill { slug } } matchingDevelopers(first: 3) { nodes { matchedSkills { skill { slug description aliases } } missingSkills { slug description aliases } } } } } }", json!({}))
        .await;
    let mut skills = Vec::new();
    for vacancy in nodes(&data["vacancies"]["nodes"]) {
        for developer in nodes(&vacancy["matchingDevelopers"]["nodes"]) {
            skills.extend(
                nodes(&developer["matchedSkills"])
                    .into_iter()
                    .map(|m| m["skill"].clone()),
            );
            skills.extend(nodes(&developer["missingSkills"]));
        }
    }
    assert_skills_are_stored(&app, &skills).await;
}

db_test!(
    Demo,
    a_vacancy_matchs_skills_show_their_descriptions_when_the_developers_list_leaves_them_out
);
async fn a_vacancy_matchs_skills_show_their_descriptions_when_the_developers_list_leaves_them_out(
    app: TestApp,
) {
    let data = app
        .data("{ developers(first: 3) { nodes { skills { level skill { slug } } matchingVacancies(first: 3) { edges { node { matchedSkills { skill { slug description aliases } } missingSkills { slug description aliases } } } } } } }", json!({}))
        .await;
    let mut skills = Vec::new();
    for developer in nodes(&data["developers"]["nodes"]) {
        for edge in nodes(&developer["matchingVacancies"]["edges"]) {
            skills.extend(
                nodes(&edge["node"]["matchedSkills"])
                    .into_iter()
                    .map(|m| m["skill"].clone()),
            );
            skills.extend(nodes(&edge["node"]["missingSkills"]));
        }
    }
    assert_skills_are_stored(&app, &skills).await;
}
