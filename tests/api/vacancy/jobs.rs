//! Job postings for search engines: `Vacancy.jobPosting` (schema.org `JobPosting` JSON-LD), the
//! public pages `/jobs/{slug}` that carry it, and `/jobs/sitemap.xml`.

use std::collections::{BTreeMap, BTreeSet};

use async_graphql::ID;
use serde_json::{Value, json};
use talent_api::ids::NodeKind;
use toolkit::id::decode_id;

use crate::{
    db_test,
    helpers::{Engine, Fixture, TestApp},
};

/// The schema.org types a posting may use, each with the properties it may carry (names from
/// schema.org's definitions of those types: https://schema.org/JobPosting and the types of its
/// values). `@context` only at the top.
const TYPES: &[(&str, &[&str])] = &[
    (
        "JobPosting",
        &[
            "title",
            "description",
            "datePosted",
            "validThrough",
            "employmentType",
            "hiringOrganization",
            "jobLocation",
            "jobLocationType",
            "applicantLocationRequirements",
            "baseSalary",
            "identifier",
            "skills",
            "url",
        ],
    ),
    ("Organization", &["name", "sameAs"]),
    ("Place", &["address"]),
    ("PostalAddress", &["addressLocality", "addressCountry"]),
    ("Country", &["name"]),
    ("MonetaryAmount", &["currency", "value"]),
    ("QuantitativeValue", &["minValue", "maxValue", "unitText"]),
    ("PropertyValue", &["name", "value"]),
];

/// Google's list of properties a job posting must have (https://developers.google.com/search/docs/appearance/structured-data/job-posting).
const REQUIRED: &[&str] = &["title", "description", "datePosted", "hiringOrganization"];

/// Checks that `value` (an object of `@type` `expected`) uses only the properties its type has,
/// and that every object inside does too; returns the types seen.
fn check_types(value: &Value, expected: &str, seen: &mut BTreeSet<String>) {
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("{expected}: not an object: {value}"));
    let kind = object["@type"]
        .as_str()
        .unwrap_or_else(|| panic!("no @type in {value}"));
    assert_eq!(kind, expected, "{value}");
    seen.insert(kind.to_owned());
    let allowed: BTreeMap<&str, &[&str]> = TYPES.iter().copied().collect();
    let properties = allowed
        .get(kind)
        .unwrap_or_else(|| panic!("{kind} is not a type a posting uses"));
    for (name, inner) in object {
        if name == "@type" || (name == "@context" && kind == "JobPosting") {
            continue;
        }
        assert!(
            properties.contains(&name.as_str()),
            "{kind} has no property {name}"
        );
        if let Value::Object(_) = inner {
            let inner_type = match (kind, name.as_str()) {
                ("JobPosting", "hiringOrganization") => "Organization",
                ("JobPosting", "jobLocation") => "Place",
                ("JobPosting", "applicantLocationRequirements") => "Country",
                ("JobPosting", "baseSalary") => "MonetaryAmount",
                ("JobPosting", "identifier") => "PropertyValue",
                ("Place", "address") => "PostalAddress",
                ("MonetaryAmount", "value") => "QuantitativeValue",
                other => panic!("no object expected at {other:?}"),
            };
            check_types(inner, inner_type, seen);
        }
    }
}

/// Whether `text` is an RFC 3339 date-time (what schema.org's `DateTime`, ISO 8601, takes).
fn is_date_time(text: &Value) -> bool {
    text.as_str()
        .is_some_and(|text| chrono::DateTime::parse_from_rfc3339(text).is_ok())
}

/// Checks one posting against Google's required and recommended properties and the vacancy it
/// was made from.
fn check_posting(posting: &Value, vacancy: &Value) {
    let mut seen = BTreeSet::new();
    check_types(posting, "JobPosting", &mut seen);
    assert_eq!(posting["@context"], "https://schema.org/");
    for property in REQUIRED {
        assert!(!posting[property].is_null(), "no {property} in {posting}");
    }
    assert_eq!(posting["title"], vacancy["title"]);
    let description = posting["description"].as_str().expect("a description");
    assert!(description.starts_with("<p>"), "HTML: {description}");
    assert!(!description.contains("<script"), "{description}");
    assert!(is_date_time(&posting["datePosted"]), "{posting}");
    assert_eq!(
        posting["hiringOrganization"]["name"],
        vacancy["employer"]["name"]
    );
    match vacancy["employer"]["website"].as_str() {
        Some(website) => assert_eq!(posting["hiringOrganization"]["sameAs"], website),
        None => assert!(posting["hiringOrganization"]["sameAs"].is_null()),
    }
    if vacancy["workplace"] == "REMOTE" {
        assert_eq!(posting["jobLocationType"], "TELECOMMUTE");
        assert_eq!(
            posting["applicantLocationRequirements"]["name"],
            vacancy["countryCode"]
        );
        assert!(posting["jobLocation"].is_null());
    } else {
        let address = &posting["jobLocation"]["address"];
        assert!(
            address["addressLocality"]
                .as_str()
                .is_some_and(|city| !city.is_empty())
        );
        assert_eq!(address["addressCountry"], vacancy["countryCode"]);
        if let Some(city) = vacancy["city"].as_str() {
            assert_eq!(address["addressLocality"], city);
        }
        assert!(posting["jobLocationType"].is_null());
    }
    let employment = posting["employmentType"].as_str().expect("employmentType");
    assert!(
        [
            "FULL_TIME",
            "PART_TIME",
            "CONTRACTOR",
            "TEMPORARY",
            "INTERN"
        ]
        .contains(&employment),
        "{employment}"
    );
    match &vacancy["salary"] {
        Value::Null => assert!(posting["baseSalary"].is_null()),
        salary => {
            let base = &posting["baseSalary"];
            assert_eq!(base["currency"], salary["currency"]);
            assert_eq!(base["value"]["minValue"], salary["min"]);
            assert_eq!(base["value"]["maxValue"], salary["max"]);
            assert_eq!(base["value"]["unitText"], salary["period"]);
        }
    }
    if !vacancy["validThrough"].is_null() {
        assert!(is_date_time(&posting["validThrough"]), "{posting}");
    }
    assert_eq!(posting["identifier"]["value"], vacancy["id"]);
    let skills: Vec<&str> = vacancy["skills"]
        .as_array()
        .expect("skills")
        .iter()
        .filter_map(|link| link["skill"]["name"].as_str())
        .collect();
    assert_eq!(posting["skills"], skills.join(", "));
}

const FIELDS: &str = "id title status workplace countryCode city validThrough salary { min max currency period } employer { name website } skills { skill { name } } jobPosting";

db_test!(Demo, every_published_demo_vacancy_has_a_valid_job_posting);
async fn every_published_demo_vacancy_has_a_valid_job_posting(app: TestApp) {
    let vacancies = app
        .admin()
        .all_nodes("vacancies", ", filter: { status: [OPEN, CLOSED] }", FIELDS)
        .await;
    assert!(vacancies.len() > 100, "{}", vacancies.len());
    for vacancy in &vacancies {
        check_posting(&vacancy["jobPosting"], vacancy);
    }
}

/// The number in a vacancy's global ID.
fn key(id: &str) -> i64 {
    decode_id(&ID(id.to_owned()), NodeKind::Vacancy, &["id"]).expect("a vacancy ID")
}

/// The `(path, vacancy id)` of every `<loc>` in `xml`, made relative to `base`.
fn locations(xml: &str, base: &str) -> Vec<(String, i64)> {
    xml.split("<loc>")
        .skip(1)
        .map(|rest| {
            let url = rest.split("</loc>").next().expect("a closing tag");
            let path = url
                .strip_prefix(base)
                .unwrap_or_else(|| panic!("{url} is not under {base}"));
            let id = path.rsplit('-').next().and_then(|id| id.parse().ok());
            (
                path.to_owned(),
                id.unwrap_or_else(|| panic!("no id in {path}")),
            )
        })
        .collect()
}

/// The body of GET `path`.
async fn body_of(app: &TestApp, path: &str) -> String {
    let response = app.client.get(app.url(path)).send().await.expect("sent");
    response.text().await.expect("a body")
}

/// The JSON-LD of a job page.
fn json_ld_of(html: &str) -> Value {
    let script = html
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .unwrap_or_else(|| panic!("no JSON-LD in {html}"));
    serde_json::from_str(script).expect("JSON")
}

db_test!(
    Demo,
    the_sitemap_lists_the_page_of_every_open_vacancy_and_no_other
);
async fn the_sitemap_lists_the_page_of_every_open_vacancy_and_no_other(app: TestApp) {
    let response = app
        .client
        .get(app.url("/jobs/sitemap.xml"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/xml; charset=utf-8"
    );
    let xml = response.text().await.expect("a body");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(xml.contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
    let listed: BTreeSet<i64> = locations(&xml, &app.url(""))
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    let open: BTreeSet<i64> = app
        .admin()
        .all_nodes("vacancies", ", filter: { status: [OPEN] }", "id")
        .await
        .iter()
        .map(|vacancy| key(vacancy["id"].as_str().expect("an id")))
        .collect();
    assert!(open.len() > 50);
    assert_eq!(listed, open);
}

db_test!(Demo, an_open_vacancys_page_carries_its_job_posting);
async fn an_open_vacancys_page_carries_its_job_posting(app: TestApp) {
    let xml = body_of(&app, "/jobs/sitemap.xml").await;
    let (path, id) = locations(&xml, &app.url(""))[0].clone();
    let response = app.client.get(app.url(&path)).send().await.expect("sent");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    assert_eq!(response.headers()["cache-control"], "public, max-age=300");
    let html = response.text().await.expect("a body");
    let posting = json_ld_of(&html);
    let global = toolkit::id::encode_id(NodeKind::Vacancy, id);
    let vacancy = app
        .data(
            &format!("query($id: ID!) {{ vacancy(id: $id) {{ {FIELDS} }} }}"),
            json!({ "id": global }),
        )
        .await["vacancy"]
        .clone();
    check_posting(&posting, &vacancy);
    assert_eq!(posting["url"], app.url(&path));
    let mut without_url = posting.clone();
    without_url
        .as_object_mut()
        .expect("an object")
        .remove("url");
    assert_eq!(
        without_url, vacancy["jobPosting"],
        "the page and the API say the same"
    );
    let title = vacancy["title"].as_str().expect("a title");
    assert!(html.contains(&format!(
        "<h1>{}</h1>",
        talent_api::vacancy::posting::escape(title)
    )));
    assert!(html.contains(&format!(
        "<link rel=\"canonical\" href=\"{}\">",
        app.url(&path)
    )));
}

/// The status of GET `path`, and its `Location` if any.
async fn status_of(app: &TestApp, path: &str) -> (u16, Option<String>) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let response = client.get(app.url(path)).send().await.expect("sent");
    let location = response
        .headers()
        .get("location")
        .map(|value| value.to_str().expect("ASCII").to_owned());
    (response.status().as_u16(), location)
}

/// The numeric id of the first vacancy in `status`.
async fn first_in(app: &TestApp, status: &str) -> i64 {
    let listed = app
        .admin()
        .data(
            &format!(
                "{{ vacancies(first: 1, filter: {{ status: [{status}] }}) {{ nodes {{ id }} }} }}"
            ),
            json!({}),
        )
        .await;
    key(listed["vacancies"]["nodes"][0]["id"]
        .as_str()
        .expect("a vacancy"))
}

db_test!(
    Demo,
    a_closed_vacancys_page_is_gone_and_a_drafts_does_not_exist
);
async fn a_closed_vacancys_page_is_gone_and_a_drafts_does_not_exist(app: TestApp) {
    let closed = first_in(&app, "CLOSED").await;
    assert_eq!(status_of(&app, &format!("/jobs/{closed}")).await.0, 410);
    let draft = first_in(&app, "DRAFT").await;
    assert_eq!(status_of(&app, &format!("/jobs/{draft}")).await.0, 404);
    let xml = body_of(&app, "/jobs/sitemap.xml").await;
    for (_, id) in locations(&xml, &app.url("")) {
        assert!(id != closed && id != draft);
    }
}

db_test!(
    Demo,
    a_page_asked_for_by_id_or_an_old_slug_redirects_to_its_address
);
async fn a_page_asked_for_by_id_or_an_old_slug_redirects_to_its_address(app: TestApp) {
    let open = first_in(&app, "OPEN").await;
    let (status, location) = status_of(&app, &format!("/jobs/{open}")).await;
    assert_eq!(status, 301);
    let location = location.expect("a Location");
    assert!(
        location.starts_with("/jobs/") && location.ends_with(&format!("-{open}")),
        "{location}"
    );
    let (status, again) = status_of(&app, &format!("/jobs/an-old-title-{open}")).await;
    assert_eq!((status, again.as_deref()), (301, Some(location.as_str())));
    assert_eq!(status_of(&app, &location).await.0, 200);
}

db_test!(Demo, a_job_address_that_names_no_vacancy_is_not_found);
async fn a_job_address_that_names_no_vacancy_is_not_found(app: TestApp) {
    for path in [
        "/jobs/no-such-job",
        "/jobs/999999999",
        "/jobs/99999999999999999999999",
        "/jobs/-1",
        "/jobs/rust-007",
        "/jobs/%3Cscript%3Ealert(1)%3C%2Fscript%3E-1",
        "/jobs/sitemap-0.xml",
        "/jobs/sitemap-99.xml",
    ] {
        let response = app.client.get(app.url(path)).send().await.expect("sent");
        assert_eq!(response.status(), 404, "{path}");
        let body = response.text().await.expect("a body");
        assert!(!body.contains("<script"), "{path}: {body}");
    }
}

/// A server on `engine` whose public address is `https://jobs.example.com/`.
async fn behind_public_url(engine: Engine) -> Option<TestApp> {
    let http = talent_api::config::Http {
        public_url: Some("https://jobs.example.com".into()),
        ..talent_api::config::Http::default()
    };
    TestApp::spawn_with(engine, Fixture::Demo, http).await
}

async fn the_public_url_starts_every_address_a_posting_and_a_page_give(engine: Engine) {
    let Some(app) = behind_public_url(engine).await else {
        return;
    };
    let open = first_in(&app, "OPEN").await;
    let global = toolkit::id::encode_id(NodeKind::Vacancy, open);
    let posting = app
        .data(
            "query($id: ID!) { vacancy(id: $id) { jobPosting } }",
            json!({ "id": global }),
        )
        .await["vacancy"]["jobPosting"]
        .clone();
    let url = posting["url"].as_str().expect("a url for an OPEN vacancy");
    assert!(
        url.starts_with("https://jobs.example.com/jobs/") && url.ends_with(&format!("-{open}")),
        "{url}"
    );
    let path = url.trim_start_matches("https://jobs.example.com");
    let html = body_of(&app, path).await;
    assert_eq!(json_ld_of(&html), posting);
    let xml = body_of(&app, "/jobs/sitemap.xml").await;
    assert!(
        locations(&xml, "https://jobs.example.com")
            .iter()
            .any(|(listed, _)| listed == path)
    );

    let closed = toolkit::id::encode_id(NodeKind::Vacancy, first_in(&app, "CLOSED").await);
    let gone = app
        .data(
            "query($id: ID!) { vacancy(id: $id) { jobPosting } }",
            json!({ "id": closed }),
        )
        .await;
    assert!(
        gone["vacancy"]["jobPosting"]["url"].is_null(),
        "a CLOSED vacancy has no page"
    );
}

#[tokio::test]
async fn the_public_url_starts_every_address_a_posting_and_a_page_give_on_sqlite() {
    the_public_url_starts_every_address_a_posting_and_a_page_give(Engine::Sqlite).await;
}

#[tokio::test]
async fn the_public_url_starts_every_address_a_posting_and_a_page_give_on_postgres() {
    the_public_url_starts_every_address_a_posting_and_a_page_give(Engine::Postgres).await;
}

#[test]
fn a_public_url_must_be_an_absolute_http_address() {
    use clap::Parser;
    let parse =
        |url: &str| talent_api::cli::Cli::try_parse_from(["talent-api", "--public-url", url]);
    assert!(parse("https://jobs.example.com/").is_ok());
    for bad in [
        "jobs.example.com",
        "ftp://x",
        "https://",
        "https://x/?a=1",
        "https://x/<y>",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
}

db_test!(Demo, a_page_of_job_postings_is_read_in_three_statements);
async fn a_page_of_job_postings_is_read_in_three_statements(app: TestApp) {
    let (data, statements) = app
        .data_and_statements(
            "{ vacancies(first: 50) { nodes { jobPosting } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["vacancies"]["nodes"].as_array().map(Vec::len),
        Some(50)
    );
    // The vacancies, their employers, their skills: however many vacancies the page holds.
    assert_eq!(statements, 3);
}
