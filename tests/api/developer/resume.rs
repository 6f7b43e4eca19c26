//! `Developer.resume`: the profile as a JSON Resume document.

use serde_json::{Value, json};

use crate::{db_test, helpers::TestApp};

const FIELDS: &str = "handle name headline bio city countryCode seniority yearsOfExperience remotePreference openToWork links { url network } skills { skill { name slug } level years } resume";

/// The words JSON Resume uses for levels 1 to 5.
const WORDS: [&str; 5] = ["Beginner", "Beginner", "Intermediate", "Advanced", "Master"];

/// Checks `resume` against the JSON Resume 1.0.0 types it uses and against `developer`.
fn check(resume: &Value, developer: &Value) {
    assert_eq!(
        resume["$schema"],
        "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json"
    );
    let basics = &resume["basics"];
    assert_eq!(basics["name"], developer["name"]);
    assert_eq!(basics["label"], developer["headline"]);
    match developer["bio"].as_str() {
        Some("") | None => assert!(basics["summary"].is_null()),
        Some(bio) => assert_eq!(basics["summary"], bio),
    }
    assert_eq!(basics["location"]["city"], developer["city"]);
    assert_eq!(basics["location"]["countryCode"], developer["countryCode"]);
    let links = developer["links"].as_array().expect("links");
    let profiles = basics["profiles"].as_array().expect("profiles");
    assert_eq!(profiles.len(), links.len());
    for (profile, link) in profiles.iter().zip(links) {
        assert_eq!(profile["url"], link["url"]);
        assert_eq!(profile["network"], link["network"]);
        for field in ["network", "username", "url"] {
            assert!(
                profile[field].is_null() || profile[field].is_string(),
                "{profile}"
            );
        }
    }
    let skills = developer["skills"].as_array().expect("skills");
    let listed = resume["skills"].as_array().expect("skills");
    assert_eq!(listed.len(), skills.len());
    let talent = &resume["meta"]["talentApi"];
    for (i, (entry, held)) in listed.iter().zip(skills).enumerate() {
        assert_eq!(entry["name"], held["skill"]["name"]);
        let level = held["level"].as_u64().expect("a level") as usize;
        assert_eq!(entry["level"], WORDS[level - 1]);
        assert_eq!(entry["keywords"], json!([held["skill"]["slug"]]));
        let exact = &talent["skills"][i];
        assert_eq!(exact["slug"], held["skill"]["slug"]);
        assert_eq!(exact["level"], held["level"]);
        assert_eq!(exact["years"], held["years"]);
    }
    assert_eq!(talent["handle"], developer["handle"]);
    assert_eq!(talent["seniority"], developer["seniority"]);
    assert_eq!(talent["yearsOfExperience"], developer["yearsOfExperience"]);
    assert_eq!(talent["remotePreference"], developer["remotePreference"]);
    assert_eq!(talent["openToWork"], developer["openToWork"]);
    assert!(
        chrono::DateTime::parse_from_rfc3339(
            resume["meta"]["lastModified"].as_str().expect("a time")
        )
        .is_ok()
    );
}

db_test!(
    Demo,
    every_developers_resume_holds_what_the_directory_shows_of_them
);
async fn every_developers_resume_holds_what_the_directory_shows_of_them(app: TestApp) {
    let developers = app.all_nodes("developers", "", FIELDS).await;
    assert!(developers.len() > 100);
    for developer in &developers {
        let resume = &developer["resume"];
        check(resume, developer);
        assert!(resume["basics"]["email"].is_null(), "private: {resume}");
        assert!(
            resume["meta"]["talentApi"]["salaryExpectation"].is_null(),
            "private: {resume}"
        );
    }
}

db_test!(
    Demo,
    the_email_and_salary_are_in_a_resume_only_for_the_developer_and_admins
);
async fn the_email_and_salary_are_in_a_resume_only_for_the_developer_and_admins(app: TestApp) {
    let query = "query($handle: String!) { developer(handle: $handle) { resume } }";
    let private = "query($handle: String!) { developer(handle: $handle) { email salaryExpectation { amount currency } } }";
    let listed = app
        .admin()
        .all_nodes("developers", "", "handle salaryExpectation { amount }")
        .await;
    let (owner, other) = {
        let with = listed
            .iter()
            .find(|d| !d["salaryExpectation"].is_null())
            .expect("one with an expectation");
        let without = listed
            .iter()
            .find(|d| d["handle"] != with["handle"])
            .expect("another");
        (
            with["handle"].as_str().expect("a handle"),
            without["handle"].as_str().expect("a handle"),
        )
    };
    let vars = json!({ "handle": owner });
    let truth = app.admin().data(private, vars.clone()).await["developer"].clone();
    for caller in [app.admin(), app.as_developer(owner).await] {
        let resume = caller.data(query, vars.clone()).await["developer"]["resume"].clone();
        assert_eq!(resume["basics"]["email"], truth["email"]);
        assert_eq!(
            resume["meta"]["talentApi"]["salaryExpectation"],
            truth["salaryExpectation"]
        );
    }
    let stranger = app.as_developer(other).await;
    let resume = stranger.data(query, vars).await["developer"]["resume"].clone();
    assert!(resume["basics"]["email"].is_null());
    assert!(resume["meta"]["talentApi"]["salaryExpectation"].is_null());
}
