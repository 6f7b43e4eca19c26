//! SQLite and PostgreSQL answer the same queries with the same data.

use talent_api::config::Limits;

use crate::helpers::{Engine, Fixture, TestApp};

/// Every field of every root list, with its nested lists.
const LISTS: &[(&str, &str, &str)] = &[
    (
        "skills",
        "",
        "id slug name category description aliases createdAt updatedAt version developers(first: 100) { totalCount nodes { id handle } } vacancies(first: 100) { totalCount nodes { id } }",
    ),
    (
        "employers",
        "",
        "id slug name industry size website description city countryCode createdAt version vacancies(first: 100) { totalCount nodes { id } }",
    ),
    (
        "developers",
        "",
        "id handle name email salaryExpectation { amount currency } headline bio seniority yearsOfExperience city countryCode remotePreference openToWork createdAt updatedAt version skills { skill { slug } level years }",
    ),
    (
        "vacancies",
        ", filter: { status: [DRAFT, OPEN, CLOSED] }",
        "id title description responsibilities seniority employmentType workplace city countryCode salary { min max currency period } status publishedAt validThrough createdAt updatedAt version employer { slug } skills { skill { slug } required minLevel }",
    ),
];

#[tokio::test]
async fn the_same_query_returns_the_same_data_on_sqlite_and_postgres() {
    // Whole nested pages of 100 under pages of 100: far above the default cost limit.
    let limits = || Limits {
        max_cost: 1_000_000,
        rate_limit_per_second: 0.0,
        ..Limits::default()
    };
    let Some(postgres) = TestApp::spawn_with(Engine::Postgres, Fixture::Demo, limits()).await
    else {
        return;
    };
    let sqlite = TestApp::spawn_with(Engine::Sqlite, Fixture::Demo, limits())
        .await
        .expect("SQLite is always there");
    for (field, arguments, selection) in LISTS {
        let from_sqlite = sqlite.admin().all_nodes(field, arguments, selection).await;
        let from_postgres = postgres
            .admin()
            .all_nodes(field, arguments, selection)
            .await;
        assert!(!from_sqlite.is_empty(), "{field}: empty");
        assert_eq!(
            from_sqlite.len(),
            from_postgres.len(),
            "{field}: different lengths"
        );
        // Row by row, so a difference is readable.
        for (a, b) in from_sqlite.iter().zip(&from_postgres) {
            assert_eq!(a, b, "{field} differ");
        }
    }
}
