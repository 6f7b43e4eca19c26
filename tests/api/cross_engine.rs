//! SQLite and PostgreSQL answer the same queries with the same data.

use serde_json::json;

use crate::helpers::{Engine, Fixture, TestApp};

const EVERYTHING: &str = r#"{
  skills { id slug name category description aliases createdAt updatedAt version
    developers { id handle } vacancies { id } }
  employers { id slug name industry size website description city countryCode createdAt version
    vacancies { id } }
  developers { id handle name headline bio seniority yearsOfExperience city countryCode
    remotePreference openToWork createdAt updatedAt version
    skills { skill { slug } level years } }
  vacancies { id title description responsibilities seniority employmentType workplace city countryCode
    salary { min max currency period } status publishedAt validThrough createdAt updatedAt version
    employer { slug } skills { skill { slug } required minLevel } }
}"#;

#[tokio::test]
async fn the_same_query_returns_the_same_data_on_sqlite_and_postgres() {
    let Some(postgres) = TestApp::spawn(Engine::Postgres, Fixture::Demo).await else {
        return;
    };
    let sqlite = TestApp::spawn(Engine::Sqlite, Fixture::Demo)
        .await
        .expect("SQLite is always there");
    let from_postgres = postgres.data(EVERYTHING, json!({})).await;
    let from_sqlite = sqlite.data(EVERYTHING, json!({})).await;
    assert_eq!(
        from_postgres["developers"].as_array().map(Vec::len),
        Some(300)
    );
    // Compare piece by piece so a difference is readable.
    for key in ["skills", "employers", "developers", "vacancies"] {
        let (a, b) = (
            from_sqlite[key].as_array().expect("a list"),
            from_postgres[key].as_array().expect("a list"),
        );
        assert_eq!(a.len(), b.len(), "{key}: different lengths");
        for (x, y) in a.iter().zip(b) {
            assert_eq!(x, y, "{key} differ");
        }
    }
}
