//! `importResume`: a developer profile from a JSON Resume document, created or updated.

use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{Caller, TestApp, codes, count, first_error},
};

const IMPORT: &str = "mutation($input: ImportResumeInput!) { importResume(input: $input) { created unmatchedSkills developer { handle version } userErrors { field code message } } }";

/// Everything the directory stores of a developer that a caller can read.
const STORED: &str = "id handle name email headline bio city countryCode seniority yearsOfExperience remotePreference openToWork salaryExpectation { amount currency } links { url network } skills { skill { slug } level years } distanceKm(from: { latitude: 0, longitude: 0 })";

/// A CV as people keep it, not as the directory exports it: categories with keywords, a title
/// naming the seniority, jobs with dates, profiles by network and user name.
fn plain_resume() -> Value {
    json!({
        "basics": {
            "name": "Noor Haddad",
            "label": "Senior Backend Engineer",
            "email": "Noor.Haddad@example.org",
            "summary": "Builds payment back ends in Rust and Go.",
            "url": "https://noor.dev",
            "location": { "city": "Munich", "countryCode": "DE", "region": "Bavaria" },
            "profiles": [
                { "network": "GitHub", "username": "noorh" },
                { "network": "LinkedIn", "url": "https://www.linkedin.com/in/noor-haddad" },
            ],
        },
        "work": [
            { "name": "Paylane", "position": "Backend engineer", "startDate": "2014-03", "endDate": "2019-03" },
            { "name": "Ledgerly", "position": "Senior backend engineer", "startDate": "2019-03-01", "endDate": "2024-09-30" },
        ],
        "skills": [
            { "name": "Back end", "level": "Master", "keywords": ["Rust", "Golang", "gRPC"] },
            { "name": "Databases", "level": "Advanced", "keywords": ["Postgres", "Kafka", "Event sourcing"] },
            { "name": "Rust", "level": "Intermediate" },
        ],
    })
}

async fn import(caller: Caller<'_>, input: Value) -> Value {
    caller.data(IMPORT, json!({ "input": input })).await["importResume"].clone()
}

/// Two demo developers, as admins see them.
async fn two(app: &TestApp) -> Vec<Value> {
    let query = "{ developers(first: 2) { nodes { handle email version resume } } }";
    let data = app.admin().data(query, json!({})).await;
    data["developers"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone()
}

db_test!(Demo, every_demo_developer_survives_an_export_and_an_import);
async fn every_demo_developer_survives_an_export_and_an_import(app: TestApp) {
    let fields = format!("{STORED} version resume");
    let before = app.admin().all_nodes("developers", "", &fields).await;
    assert!(before.len() > 100);
    for developer in &before {
        let payload = import(
            app.admin(),
            json!({
                "resume": developer["resume"],
                "handle": developer["handle"],
                "expectedVersion": developer["version"],
            }),
        )
        .await;
        assert_eq!(payload["userErrors"], json!([]), "{}", developer["handle"]);
        assert_eq!(payload["unmatchedSkills"], json!([]));
        assert_eq!(payload["created"], false);
    }
    let after = app.admin().all_nodes("developers", "", &fields).await;
    assert_eq!(after.len(), before.len());
    for (old, new) in before.iter().zip(&after) {
        let strip = |developer: &Value| {
            let mut developer = developer.clone();
            let version = developer["version"].take();
            developer["resume"]["meta"]["lastModified"].take();
            (developer, version)
        };
        let ((old, old_version), (new, new_version)) = (strip(old), strip(new));
        assert_eq!(new, old, "lost in the round trip");
        assert_eq!(new_version.as_i64(), old_version.as_i64().map(|v| v + 1));
    }
}

db_test!(
    Demo,
    a_plain_json_resume_creates_a_profile_from_what_it_says
);
async fn a_plain_json_resume_creates_a_profile_from_what_it_says(app: TestApp) {
    let payload = import(
        app.admin(),
        json!({ "resume": plain_resume(), "handle": "noor-haddad" }),
    )
    .await;
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(payload["created"], true);
    assert_eq!(payload["developer"]["version"], 1);
    // Category names and what the taxonomy lacks come back; nothing is made up for them.
    assert_eq!(
        payload["unmatchedSkills"],
        json!(["Back end", "Databases", "Event sourcing"])
    );
    let query = format!(
        "{{ developer(handle: \"noor-haddad\") {{ {STORED} distanceFromMunich: distanceKm(from: {{ city: \"München\", countryCode: \"DE\" }}) }} }}"
    );
    let developer = app.admin().data(&query, json!({})).await["developer"].clone();
    assert_eq!(developer["name"], "Noor Haddad");
    assert_eq!(developer["email"], "noor.haddad@example.org");
    assert_eq!(developer["headline"], "Senior Backend Engineer");
    assert_eq!(developer["bio"], "Builds payment back ends in Rust and Go.");
    assert_eq!(developer["seniority"], "SENIOR", "the label's ladder word");
    // 2014-03 to 2024-09, the two jobs back to back: 10 years 6 months.
    assert_eq!(developer["yearsOfExperience"], 10);
    assert_eq!(
        developer["remotePreference"], "HYBRID",
        "no preference, by default"
    );
    assert_eq!(developer["openToWork"], true);
    assert_eq!(developer["salaryExpectation"], Value::Null);
    assert_eq!(developer["distanceFromMunich"], 0.0);
    assert_eq!(
        developer["links"],
        json!([
            { "url": "https://noor.dev", "network": null },
            { "url": "https://github.com/noorh", "network": "GitHub" },
            { "url": "https://www.linkedin.com/in/noor-haddad", "network": "LinkedIn" },
        ])
    );
    // Rust is listed twice: as a Master keyword and as an Intermediate entry; the higher wins.
    assert_eq!(
        developer["skills"],
        json!([
            { "skill": { "slug": "go" }, "level": 5, "years": 0 },
            { "skill": { "slug": "rust" }, "level": 5, "years": 0 },
            { "skill": { "slug": "grpc" }, "level": 5, "years": 0 },
            { "skill": { "slug": "kafka" }, "level": 4, "years": 0 },
            { "skill": { "slug": "postgresql" }, "level": 4, "years": 0 },
        ])
    );
    let found = app
        .data(
            "{ developers(search: \"payment rust\") { nodes { handle } } }",
            json!({}),
        )
        .await;
    assert!(
        found["developers"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .any(|node| node["handle"] == "noor-haddad"),
        "search finds the new profile: {found}"
    );
}

db_test!(Demo, a_malformed_resume_is_refused_at_its_json_paths);
async fn a_malformed_resume_is_refused_at_its_json_paths(app: TestApp) {
    let developers = count(&app, "SELECT COUNT(*) FROM developers").await;
    let mut resume = plain_resume();
    resume["basics"]["name"] = json!(["Noor", "Haddad"]);
    resume["basics"]["location"]["city"] = json!("Atlantis");
    resume["skills"][1]["level"] = json!("Guru");
    resume["work"][0]["startDate"] = json!("March 2014");
    resume["meta"]["talentApi"]["remotePreference"] = json!("ANYWHERE");
    let payload = import(
        app.admin(),
        json!({ "resume": resume, "handle": "noor-haddad" }),
    )
    .await;
    assert_eq!(payload["developer"], Value::Null);
    let path = |parts: &[&str]| {
        let mut path = vec!["input", "resume"];
        path.extend(parts);
        json!(path)
    };
    let found = codes(&payload["userErrors"]);
    for expected in [
        (path(&["basics", "name"]), "INVALID"),
        (path(&["basics", "location", "city"]), "INVALID"),
        (path(&["skills", "1", "level"]), "INVALID"),
        (path(&["work", "0", "startDate"]), "INVALID"),
        (path(&["meta", "talentApi", "remotePreference"]), "INVALID"),
    ] {
        let expected = (expected.0, expected.1.to_owned());
        assert!(found.contains(&expected), "{expected:?} in {found:?}");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM developers").await,
        developers
    );
}

db_test!(Demo, a_document_that_is_no_object_is_a_user_error);
async fn a_document_that_is_no_object_is_a_user_error(app: TestApp) {
    let payload = import(
        app.admin(),
        json!({ "resume": "my CV", "handle": "noor-haddad" }),
    )
    .await;
    assert_eq!(
        codes(&payload["userErrors"]),
        [(json!(["input", "resume"]), "INVALID".to_owned())]
    );
}

db_test!(Demo, a_new_profile_needs_a_handle_and_an_email_address);
async fn a_new_profile_needs_a_handle_and_an_email_address(app: TestApp) {
    let mut resume = plain_resume();
    resume["basics"]
        .as_object_mut()
        .expect("basics")
        .remove("email");
    let payload = import(app.admin(), json!({ "resume": resume })).await;
    assert_eq!(
        codes(&payload["userErrors"]),
        [(json!(["input", "handle"]), "REQUIRED".to_owned())]
    );
    let payload = import(
        app.admin(),
        json!({ "resume": resume, "handle": "noor-haddad" }),
    )
    .await;
    assert_eq!(
        codes(&payload["userErrors"]),
        [(
            json!(["input", "resume", "basics", "email"]),
            "REQUIRED".to_owned()
        )]
    );
}

db_test!(Demo, an_import_changes_only_what_the_document_states);
async fn an_import_changes_only_what_the_document_states(app: TestApp) {
    let handle = "aiden-kelly";
    let query = format!("{{ developer(handle: \"{handle}\") {{ {STORED} version }} }}");
    let before = app.admin().data(&query, json!({})).await["developer"].clone();
    let payload = import(
        app.as_developer(handle).await,
        json!({
            "resume": { "basics": { "label": "Staff engineer, payments" } },
            "handle": handle,
        }),
    )
    .await;
    assert_eq!(payload["userErrors"], json!([]));
    let mut after = app.admin().data(&query, json!({})).await["developer"].clone();
    assert_eq!(after["headline"], "Staff engineer, payments");
    after["headline"] = before["headline"].clone();
    after["version"] = before["version"].clone();
    assert_eq!(after, before);
}

db_test!(
    Demo,
    an_import_with_an_old_version_or_a_taken_email_writes_nothing
);
async fn an_import_with_an_old_version_or_a_taken_email_writes_nothing(app: TestApp) {
    let developers = two(&app).await;
    let (one, other) = (&developers[0], &developers[1]);
    let mut resume = one["resume"].clone();
    resume["basics"]["label"] = json!("Changed");
    let stale = import(
        app.admin(),
        json!({ "resume": resume, "handle": one["handle"], "expectedVersion": 0 }),
    )
    .await;
    assert_eq!(
        codes(&stale["userErrors"]),
        [(
            json!(["input", "expectedVersion"]),
            "STALE_VERSION".to_owned()
        )]
    );
    resume["basics"]["email"] = other["email"].clone();
    let taken = import(
        app.admin(),
        json!({ "resume": resume, "handle": one["handle"] }),
    )
    .await;
    assert_eq!(
        codes(&taken["userErrors"]),
        [(
            json!(["input", "resume", "basics", "email"]),
            "TAKEN".to_owned()
        )]
    );
    let missing = import(
        app.admin(),
        json!({ "resume": resume, "handle": "nobody-here", "expectedVersion": 1 }),
    )
    .await;
    assert_eq!(
        codes(&missing["userErrors"]),
        [(json!(["input", "handle"]), "NOT_FOUND".to_owned())]
    );
    let query = "query($handle: String!) { developer(handle: $handle) { headline version } }";
    let now = app
        .admin()
        .data(query, json!({ "handle": one["handle"] }))
        .await;
    assert_eq!(now["developer"]["version"], one["version"]);
    assert_ne!(now["developer"]["headline"], "Changed");
}

db_test!(
    Demo,
    a_developer_imports_onto_their_own_profile_and_no_other
);
async fn a_developer_imports_onto_their_own_profile_and_no_other(app: TestApp) {
    let developers = two(&app).await;
    let (own, other) = (&developers[0], &developers[1]);
    let caller = || async {
        app.as_developer(own["handle"].as_str().expect("a handle"))
            .await
    };
    let mine = import(
        caller().await,
        json!({ "resume": own["resume"], "handle": own["handle"] }),
    )
    .await;
    assert_eq!(mine["userErrors"], json!([]));
    for target in [other["handle"].clone(), json!("brand-new-handle")] {
        let body = caller()
            .await
            .graphql(
                IMPORT,
                json!({ "input": { "resume": own["resume"], "handle": target } }),
            )
            .await;
        assert_eq!(
            first_error(&body)["extensions"]["code"],
            "FORBIDDEN",
            "{target}"
        );
    }
    let body = app
        .anonymous()
        .graphql(
            IMPORT,
            json!({ "input": { "resume": own["resume"], "handle": own["handle"] } }),
        )
        .await;
    assert_eq!(first_error(&body)["extensions"]["code"], "UNAUTHENTICATED");
}

db_test!(Demo, the_readmes_import_example_does_what_it_says);
async fn the_readmes_import_example_does_what_it_says(app: TestApp) {
    let readme = include_str!("../../../README.md");
    let example = readme
        .split("```graphql\n")
        .filter_map(|block| block.split("\n```").next())
        .find(|block| block.contains("importResume("))
        .expect("the README shows importResume");
    let payload = app.admin().data(example, json!({})).await["importResume"].clone();
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(payload["created"], true);
    assert_eq!(payload["unmatchedSkills"], json!(["Back end"]));
    let developer = &payload["developer"];
    assert_eq!(developer["seniority"], "SENIOR");
    assert_eq!(developer["yearsOfExperience"], 8);
    assert_eq!(
        developer["skills"],
        json!([
            { "skill": { "slug": "go" }, "level": 5 },
            { "skill": { "slug": "postgresql" }, "level": 5 },
            { "skill": { "slug": "rust" }, "level": 5 },
        ])
    );
}
