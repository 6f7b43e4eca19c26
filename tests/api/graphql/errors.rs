//! Failures never leak database details.

use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::{
    db_test,
    helpers::{TestApp, first_error},
};

db_test!(
    Demo,
    a_database_failure_is_an_internal_error_without_sql_text
);
async fn a_database_failure_is_an_internal_error_without_sql_text(app: TestApp) {
    // Break the database under the running server.
    // (Renamed rather than dropped: the search views depend on it.)
    app.db()
        .await
        .execute_unprepared("ALTER TABLE vacancy_skills RENAME TO vacancy_skills_gone")
        .await
        .expect("rename a table");
    let body = app
        .graphql(
            "{ vacancies { nodes { title skills { minLevel } } } }",
            json!({}),
        )
        .await;
    let error = first_error(&body);
    assert_eq!(error["extensions"]["code"], "INTERNAL", "{body:#}");
    assert_eq!(error["message"], "internal error");
    let text = body.to_string().to_lowercase();
    for leak in [
        "vacancy_skills",
        "select",
        "sqlite",
        "relation",
        "no such table",
    ] {
        assert!(
            !text.contains(leak),
            "`{leak}` reached the client: {body:#}"
        );
    }
}
