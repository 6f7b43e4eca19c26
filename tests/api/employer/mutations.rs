//! Managing employers: create, update, delete; validation, versions, cascades.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{TestApp, codes, count},
};

const CREATE: &str = "mutation($input: CreateEmployerInput!) { createEmployer(input: $input) { employer { id slug name countryCode website version } userErrors { field code message } } }";
const UPDATE: &str = "mutation($input: UpdateEmployerInput!) { updateEmployer(input: $input) { employer { id slug name website version } userErrors { field code message } } }";
const DELETE: &str = "mutation($input: DeleteEmployerInput!) { deleteEmployer(input: $input) { deletedEmployerId userErrors { field code message } } }";

async fn employer(app: &TestApp, slug: &str) -> Value {
    let data = app.admin().data("query($slug: String!) { employer(slug: $slug) { id slug name website version updatedAt } }", json!({ "slug": slug })).await;
    data["employer"].clone()
}

fn new_employer() -> Value {
    json!({ "slug": "acme-data", "name": "Acme Data", "industry": "SOFTWARE", "size": "SMALL", "website": "https://acme.example", "city": "Berlin", "countryCode": "de" })
}

db_test!(Demo, create_employer_adds_an_employer_that_search_finds);
async fn create_employer_adds_an_employer_that_search_finds(app: TestApp) {
    let data = app
        .admin()
        .data(CREATE, json!({ "input": new_employer() }))
        .await;
    let payload = &data["createEmployer"];
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(
        payload["employer"]["countryCode"], "DE",
        "country codes are normalised"
    );
    assert_eq!(payload["employer"]["version"], 1);
    let found = app
        .all_nodes("employers", ", search: \"acme\"", "slug")
        .await;
    assert_eq!(found, [json!({ "slug": "acme-data" })]);
}

db_test!(
    Demo,
    create_employer_reports_every_invalid_field_and_writes_nothing
);
async fn create_employer_reports_every_invalid_field_and_writes_nothing(app: TestApp) {
    let before = app
        .admin()
        .data("{ employers { totalCount } }", json!({}))
        .await;
    let input = json!({ "slug": "x", "name": "", "industry": "SOFTWARE", "size": "SMALL", "website": "ftp://acme.example", "city": " ", "countryCode": "XX", "description": "d".repeat(10_001) });
    let data = app.admin().data(CREATE, json!({ "input": input })).await;
    assert_eq!(
        codes(&data["createEmployer"]["userErrors"]),
        [
            (json!(["input", "slug"]), "INVALID".to_owned()),
            (json!(["input", "name"]), "REQUIRED".to_owned()),
            (json!(["input", "website"]), "INVALID".to_owned()),
            (json!(["input", "description"]), "TOO_LONG".to_owned()),
            (json!(["input", "city"]), "REQUIRED".to_owned()),
            (json!(["input", "countryCode"]), "INVALID".to_owned()),
        ]
    );
    assert_eq!(
        app.admin()
            .data("{ employers { totalCount } }", json!({}))
            .await,
        before
    );
}

db_test!(Demo, create_employer_with_a_taken_slug_is_taken);
async fn create_employer_with_a_taken_slug_is_taken(app: TestApp) {
    let mut input = new_employer();
    input["slug"] = json!("northwind-logistics");
    let data = app.admin().data(CREATE, json!({ "input": input })).await;
    assert_eq!(
        codes(&data["createEmployer"]["userErrors"]),
        [(json!(["input", "slug"]), "TAKEN".to_owned())]
    );
}

db_test!(Demo, update_employer_changes_fields_and_clears_the_website);
async fn update_employer_changes_fields_and_clears_the_website(app: TestApp) {
    let northwind = employer(&app, "northwind-logistics").await;
    let input = json!({ "id": northwind["id"], "expectedVersion": 1, "name": "Northwind Freight", "website": "" });
    let data = app.admin().data(UPDATE, json!({ "input": input })).await;
    assert_eq!(data["updateEmployer"]["userErrors"], json!([]));
    assert_eq!(data["updateEmployer"]["employer"]["version"], 2);
    assert_eq!(data["updateEmployer"]["employer"]["website"], Value::Null);
    // Its vacancies are found by the employer's new name.
    let found = app
        .all_nodes(
            "vacancies",
            ", search: \"northwind freight\"",
            "employer { slug }",
        )
        .await;
    assert!(
        !found.is_empty()
            && found
                .iter()
                .all(|v| v["employer"]["slug"] == "northwind-logistics")
    );
}

db_test!(
    Demo,
    update_employer_with_a_stale_version_or_a_taken_slug_writes_nothing
);
async fn update_employer_with_a_stale_version_or_a_taken_slug_writes_nothing(app: TestApp) {
    let northwind = employer(&app, "northwind-logistics").await;
    let stale = app
        .admin()
        .data(
            UPDATE,
            json!({ "input": { "id": northwind["id"], "expectedVersion": 9, "name": "X" } }),
        )
        .await;
    assert_eq!(
        codes(&stale["updateEmployer"]["userErrors"]),
        [(
            json!(["input", "expectedVersion"]),
            "STALE_VERSION".to_owned()
        )]
    );
    let taken = app
        .admin()
        .data(
            UPDATE,
            json!({ "input": { "id": northwind["id"], "slug": "brightledger" } }),
        )
        .await;
    assert_eq!(
        codes(&taken["updateEmployer"]["userErrors"]),
        [(json!(["input", "slug"]), "TAKEN".to_owned())]
    );
    assert_eq!(employer(&app, "northwind-logistics").await, northwind);
}

db_test!(
    Demo,
    concurrent_employer_updates_from_the_same_version_let_exactly_one_win
);
async fn concurrent_employer_updates_from_the_same_version_let_exactly_one_win(app: TestApp) {
    let northwind = employer(&app, "northwind-logistics").await;
    let requests = (0..4).map(|i| app.admin().graphql(UPDATE, json!({ "input": { "id": northwind["id"], "expectedVersion": 1, "description": format!("Description {i}") } })));
    let mut outcomes: HashMap<String, usize> = HashMap::new();
    for body in futures_util::future::join_all(requests).await {
        assert!(body.get("errors").is_none(), "{body:#}");
        let code = body["data"]["updateEmployer"]["userErrors"][0]["code"]
            .as_str()
            .unwrap_or("WON")
            .to_owned();
        *outcomes.entry(code).or_default() += 1;
    }
    assert_eq!(
        outcomes,
        HashMap::from([("WON".to_owned(), 1), ("STALE_VERSION".to_owned(), 3)])
    );
}

db_test!(
    Demo,
    delete_employer_is_refused_while_it_has_open_vacancies_then_cascades
);
async fn delete_employer_is_refused_while_it_has_open_vacancies_then_cascades(app: TestApp) {
    let northwind = employer(&app, "northwind-logistics").await;
    let data = app
        .admin()
        .data(DELETE, json!({ "input": { "id": northwind["id"] } }))
        .await;
    assert_eq!(
        codes(&data["deleteEmployer"]["userErrors"]),
        [(json!(["input", "id"]), "IN_USE".to_owned())]
    );
    assert_eq!(employer(&app, "northwind-logistics").await, northwind);

    // Once nothing is open, the employer goes, with its vacancies and their skill links.
    let id_of = "(SELECT id FROM employers WHERE slug = 'northwind-logistics')";
    app.db()
        .await
        .execute_unprepared(&format!(
            "UPDATE vacancies SET status = 'CLOSED' WHERE status = 'OPEN' AND employer_id = {id_of}"
        ))
        .await
        .expect("close");
    let vacancies = count(
        &app,
        &format!("SELECT COUNT(*) FROM vacancies WHERE employer_id = {id_of}"),
    )
    .await;
    assert!(vacancies > 0);
    let links_before = count(&app, "SELECT COUNT(*) FROM vacancy_skills").await;
    let data = app
        .admin()
        .data(
            DELETE,
            json!({ "input": { "id": northwind["id"], "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(data["deleteEmployer"]["userErrors"], json!([]));
    assert_eq!(employer(&app, "northwind-logistics").await, Value::Null);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM vacancies v WHERE NOT EXISTS (SELECT 1 FROM employers e WHERE e.id = v.employer_id)").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM vacancy_skills l WHERE NOT EXISTS (SELECT 1 FROM vacancies v WHERE v.id = l.vacancy_id)").await, 0);
    assert!(count(&app, "SELECT COUNT(*) FROM vacancy_skills").await < links_before);
    assert!(
        app.all_nodes(
            "vacancies",
            ", filter: { status: [DRAFT, OPEN, CLOSED] }, search: \"northwind\"",
            "id"
        )
        .await
        .is_empty()
    );
}

db_test!(
    Demo,
    delete_employer_of_an_unknown_id_or_stale_version_is_a_user_error
);
async fn delete_employer_of_an_unknown_id_or_stale_version_is_a_user_error(app: TestApp) {
    let unknown = toolkit::id::encode_id(talent_api::ids::NodeKind::Employer, 99_999);
    let data = app
        .admin()
        .data(DELETE, json!({ "input": { "id": unknown } }))
        .await;
    assert_eq!(
        codes(&data["deleteEmployer"]["userErrors"]),
        [(json!(["input", "id"]), "NOT_FOUND".to_owned())]
    );
    let created = app
        .admin()
        .data(CREATE, json!({ "input": new_employer() }))
        .await;
    let id = created["createEmployer"]["employer"]["id"].clone();
    let data = app
        .admin()
        .data(
            DELETE,
            json!({ "input": { "id": id, "expectedVersion": 2 } }),
        )
        .await;
    assert_eq!(
        codes(&data["deleteEmployer"]["userErrors"]),
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
    assert_eq!(data["deleteEmployer"]["deletedEmployerId"], id);
}
