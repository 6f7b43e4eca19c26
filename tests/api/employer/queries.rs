//! Employers and their vacancies.

use serde_json::json;

use crate::{db_test, helpers::TestApp};

db_test!(Demo, an_employer_is_found_by_slug);
async fn an_employer_is_found_by_slug(app: TestApp) {
    let data = app
        .data(
            "{ employer(slug: \"northwind-logistics\") { name industry size city countryCode website } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["employer"],
        json!({
            "name": "Northwind Logistics", "industry": "LOGISTICS", "size": "LARGE", "city": "Rotterdam",
            "countryCode": "NL", "website": "https://northwind-logistics.example"
        })
    );
}

db_test!(Demo, every_vacancy_of_an_employer_points_back_at_it);
async fn every_vacancy_of_an_employer_points_back_at_it(app: TestApp) {
    let data = app
        .admin()
        .data("{ employers(first: 100) { nodes { slug vacancies(first: 100) { nodes { employer { slug } } } } } }", json!({}))
        .await;
    let employers = data["employers"]["nodes"].as_array().expect("a list");
    assert_eq!(employers.len(), 30);
    let mut total = 0;
    for employer in employers {
        let vacancies = employer["vacancies"]["nodes"].as_array().expect("a list");
        assert!(!vacancies.is_empty(), "{} posts nothing", employer["slug"]);
        for vacancy in vacancies {
            assert_eq!(vacancy["employer"]["slug"], employer["slug"]);
        }
        total += vacancies.len();
    }
    assert_eq!(total, 150);
}

db_test!(Demo, an_unknown_employer_slug_gives_null);
async fn an_unknown_employer_slug_gives_null(app: TestApp) {
    let data = app
        .data("{ employer(slug: \"acme\") { name } }", json!({}))
        .await;
    assert_eq!(data, json!({ "employer": null }));
}
