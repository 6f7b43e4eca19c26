//! Full-text search: prefixes, case and accents, ranking, hostile input, combination with filters
//! and pages, and indexes that follow every write.

use std::collections::BTreeSet;

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{TestApp, first_error},
};

const DEVELOPER: &str = "id name handle headline bio seniority skills { skill { name aliases } }";

/// Lower case without accents, as both engines fold text for search.
fn fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            c => c,
        })
        .collect()
}

/// The words of a developer's search document.
fn developer_words(developer: &Value) -> Vec<String> {
    let mut text = ["name", "handle", "headline", "bio"]
        .map(|field| developer[field].as_str().unwrap_or_default().to_owned())
        .join(" ");
    for skill in developer["skills"].as_array().into_iter().flatten() {
        text.push(' ');
        text.push_str(skill["skill"]["name"].as_str().unwrap_or_default());
        for alias in skill["skill"]["aliases"].as_array().into_iter().flatten() {
            text.push(' ');
            text.push_str(alias.as_str().unwrap_or_default());
        }
    }
    fold(&text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Developers whose document has a word starting with each of `prefixes` (the oracle).
fn expected(developers: &[Value], prefixes: &[&str]) -> BTreeSet<String> {
    developers
        .iter()
        .filter(|developer| {
            let words = developer_words(developer);
            prefixes
                .iter()
                .all(|prefix| words.iter().any(|word| word.starts_with(&fold(prefix))))
        })
        .map(|developer| developer["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The developers `search` finds. Read as an admin: the tests below change rows behind the
/// server's back, which its response cache (anonymous answers only) would not hear of.
async fn found(app: &TestApp, search: &str) -> Vec<Value> {
    app.admin()
        .all_nodes(
            "developers",
            &format!(", search: {}", json!(search)),
            "id name",
        )
        .await
}

fn ids(nodes: &[Value]) -> BTreeSet<String> {
    nodes
        .iter()
        .map(|node| node["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

db_test!(
    Demo,
    a_prefix_finds_exactly_the_developers_with_a_matching_word
);
async fn a_prefix_finds_exactly_the_developers_with_a_matching_word(app: TestApp) {
    let everyone = app.all_nodes("developers", "", DEVELOPER).await;
    for search in ["postg", "kotlin", "payment", "bootcamp"] {
        let want = expected(&everyone, &[search]);
        assert!(
            !want.is_empty() && want.len() < everyone.len(),
            "{search}: a weak test"
        );
        assert_eq!(ids(&found(&app, search).await), want, "{search}");
    }
}

db_test!(Demo, every_word_of_a_search_must_match);
async fn every_word_of_a_search_must_match(app: TestApp) {
    let everyone = app.all_nodes("developers", "", DEVELOPER).await;
    let want = expected(&everyone, &["senior", "java"]);
    assert!(!want.is_empty());
    assert_eq!(ids(&found(&app, "Senior Java").await), want);
}

db_test!(Demo, an_alias_finds_the_skill);
async fn an_alias_finds_the_skill(app: TestApp) {
    let everyone = app.all_nodes("developers", "", DEVELOPER).await;
    let postgres = expected(&everyone, &["postgres"]);
    assert_eq!(ids(&found(&app, "Postgres").await), postgres);
    assert!(ids(&found(&app, "golang").await).is_subset(&ids(&found(&app, "go").await)));
}

db_test!(Demo, search_ignores_case_and_accents);
async fn search_ignores_case_and_accents(app: TestApp) {
    let everyone = app.all_nodes("developers", "", DEVELOPER).await;
    let accented = everyone
        .iter()
        .find(|d| {
            d["name"]
                .as_str()
                .is_some_and(|name| name.chars().any(|c| "éèëöüäíóúñç".contains(c)))
        })
        .expect("an accented name in the demo data");
    let name = accented["name"].as_str().expect("a name");
    let plain = fold(name);
    let shouted = name.to_uppercase();
    let results = [
        found(&app, name).await,
        found(&app, &plain).await,
        found(&app, &shouted).await,
    ];
    assert!(
        ids(&results[0]).contains(accented["id"].as_str().unwrap_or_default()),
        "{name} not found"
    );
    assert_eq!(ids(&results[0]), ids(&results[1]), "{name} vs {plain}");
    assert_eq!(ids(&results[0]), ids(&results[2]), "{name} vs {shouted}");
}

db_test!(Demo, a_full_name_ranks_its_owner_first);
async fn a_full_name_ranks_its_owner_first(app: TestApp) {
    let developers = app
        .data("{ developers(first: 40) { nodes { name } } }", json!({}))
        .await;
    for developer in developers["developers"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .step_by(7)
    {
        let name = developer["name"].as_str().expect("a name");
        let first = &found(&app, name).await[0];
        assert_eq!(first["name"], name, "searching {name}");
    }
}

db_test!(Demo, search_combines_with_filters_and_pages_without_gaps);
async fn search_combines_with_filters_and_pages_without_gaps(app: TestApp) {
    let arguments = ", search: \"java\", filter: { seniority: [SENIOR, LEAD] }";
    let all = app.all_nodes("developers", arguments, "id seniority").await;
    assert!(all.len() > 3, "too few to page through");
    assert!(
        all.iter()
            .all(|d| d["seniority"] == "SENIOR" || d["seniority"] == "LEAD")
    );
    let everyone = app.all_nodes("developers", "", DEVELOPER).await;
    let want: BTreeSet<String> = expected(&everyone, &["java"])
        .intersection(&ids(&all))
        .cloned()
        .collect();
    assert_eq!(ids(&all), want);
    // Small pages, following cursors over the relevance order.
    let query = "query($after: String) { developers(first: 3, after: $after, search: \"java\", filter: { seniority: [SENIOR, LEAD] }) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }";
    let (mut paged, mut after) = (Vec::new(), Value::Null);
    loop {
        let data = app.data(query, json!({ "after": after })).await;
        let connection = &data["developers"];
        assert_eq!(connection["totalCount"], json!(all.len()));
        paged.extend(
            connection["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .cloned(),
        );
        if connection["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(
        paged.iter().map(|d| d["id"].clone()).collect::<Vec<_>>(),
        all.iter().map(|d| d["id"].clone()).collect::<Vec<_>>()
    );
}

db_test!(Demo, an_order_by_overrides_relevance);
async fn an_order_by_overrides_relevance(app: TestApp) {
    let names: Vec<String> = app
        .all_nodes(
            "developers",
            ", search: \"python\", orderBy: { field: NAME }",
            "name",
        )
        .await
        .iter()
        .map(|d| d["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(names.len() > 2);
    assert!(names.windows(2).all(|w| w[0] <= w[1]));
}

db_test!(Demo, hostile_search_text_is_only_ever_text);
async fn hostile_search_text_is_only_ever_text(app: TestApp) {
    let long = "a".repeat(10_000);
    let hostile = [
        "\"",
        "'",
        "\"unterminated",
        "' OR 1=1 --",
        "'; DROP TABLE developers; --",
        "*",
        "postg*",
        ":*",
        "&|!()",
        "NEAR(java python)",
        "java AND NOT python",
        "col:java",
        "^java",
        "-java",
        "\\",
        "%_",
        "🦀 rust",
        "ß",
        &long,
    ];
    for text in hostile {
        let body = app
            .graphql("query($s: String) { developers(search: $s) { totalCount nodes { id } } vacancies(search: $s) { totalCount } employers(search: $s) { totalCount } }", json!({ "s": text }))
            .await;
        assert!(
            body.get("errors").is_none(),
            "{:?}: {body:#}",
            text.chars().take(40).collect::<String>()
        );
    }
    // A NUL is no text at all: refused before any search runs.
    let body = app
        .graphql(
            "query($s: String) { developers(search: $s) { totalCount } }",
            json!({ "s": "\u{0}" }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body:#}"
    );
    let everything = app.data("{ developers { totalCount } }", json!({})).await;
    let wordless = app
        .data(
            "{ developers(search: \"!!! ... ???\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        wordless, everything,
        "a search without words searches nothing"
    );
}

db_test!(Demo, a_cursor_of_another_search_is_bad_user_input);
async fn a_cursor_of_another_search_is_bad_user_input(app: TestApp) {
    let data = app
        .data(
            "{ developers(first: 2, search: \"java\") { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let cursor = data["developers"]["pageInfo"]["endCursor"].clone();
    let body = app
        .graphql("query($after: String) { developers(first: 2, after: $after, search: \"python\") { nodes { id } } }", json!({ "after": cursor }))
        .await;
    assert_eq!(
        first_error(&body)["extensions"]["code"],
        "BAD_USER_INPUT",
        "{body:#}"
    );
}

db_test!(
    Demo,
    vacancies_are_found_by_employer_name_and_employers_by_their_words
);
async fn vacancies_are_found_by_employer_name_and_employers_by_their_words(app: TestApp) {
    let vacancies = app
        .all_nodes("vacancies", ", search: \"northwind\"", "employer { name }")
        .await;
    let expected = app.data("{ employer(slug: \"northwind-logistics\") { vacancies(first: 100) { nodes { status } } } }", json!({})).await;
    let open = expected["employer"]["vacancies"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|v| v["status"] == "OPEN")
        .count();
    assert_eq!(vacancies.len(), open);
    assert!(
        vacancies
            .iter()
            .all(|v| v["employer"]["name"] == "Northwind Logistics")
    );
    let employers = app
        .all_nodes("employers", ", search: \"payment\"", "slug")
        .await;
    let slugs: BTreeSet<&str> = employers
        .iter()
        .filter_map(|e| e["slug"].as_str())
        .collect();
    assert!(slugs.contains("bluefjord-payments"), "{slugs:?}");
}

db_test!(Demo, the_index_follows_every_write);
async fn the_index_follows_every_write(app: TestApp) {
    let db = app.db().await;
    let handle = app
        .data("{ developers(first: 1) { nodes { handle } } }", json!({}))
        .await["developers"]["nodes"][0]["handle"]
        .clone();
    let handle = handle.as_str().expect("a handle");
    let found_handles = |nodes: Vec<Value>| {
        nodes
            .iter()
            .filter_map(|n| n["name"].as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    };

    // A changed name is found, the old one no longer.
    db.execute_unprepared(&format!(
        "UPDATE developers SET name = 'Quetzalcoatl Zyx' WHERE handle = '{handle}'"
    ))
    .await
    .expect("update");
    assert_eq!(
        found_handles(found(&app, "quetzalc").await),
        ["Quetzalcoatl Zyx"]
    );

    // A new skill link is found through the skill's name; a removed one no longer.
    db.execute_unprepared("INSERT INTO skills (slug, name, category, description, aliases, created_at, updated_at, version) VALUES ('cobol', 'COBOL', 'LANGUAGE', 'Mainframes.', '[\"Cobol-85\"]', '2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00', 1)").await.expect("insert skill");
    assert!(found(&app, "cobol").await.is_empty());
    db.execute_unprepared(&format!("INSERT INTO developer_skills (developer_id, skill_id, level, years, created_at, updated_at) SELECT d.id, s.id, 3, 2, '2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00' FROM developers d, skills s WHERE d.handle = '{handle}' AND s.slug = 'cobol'")).await.expect("insert link");
    assert_eq!(
        found_handles(found(&app, "cobol").await),
        ["Quetzalcoatl Zyx"]
    );

    // A renamed skill is found by its new name.
    db.execute_unprepared(
        "UPDATE skills SET name = 'Common Business-Oriented Language' WHERE slug = 'cobol'",
    )
    .await
    .expect("rename");
    assert_eq!(
        found_handles(found(&app, "oriented language").await),
        ["Quetzalcoatl Zyx"]
    );

    db.execute_unprepared("DELETE FROM developer_skills WHERE skill_id = (SELECT id FROM skills WHERE slug = 'cobol')").await.expect("unlink");
    assert!(found(&app, "oriented").await.is_empty());

    // A deleted developer is gone from the index.
    db.execute_unprepared(&format!("DELETE FROM developers WHERE handle = '{handle}'"))
        .await
        .expect("delete");
    assert!(found(&app, "quetzalc").await.is_empty());

    // An employer's new name finds its vacancies.
    db.execute_unprepared(
        "UPDATE employers SET name = 'Xylophonic Freight' WHERE slug = 'cargoline-freight'",
    )
    .await
    .expect("rename employer");
    let vacancies = app
        .all_nodes("vacancies", ", search: \"xylophonic\"", "employer { slug }")
        .await;
    assert!(
        !vacancies.is_empty()
            && vacancies
                .iter()
                .all(|v| v["employer"]["slug"] == "cargoline-freight")
    );
}

/// Puts "zyzzyvamarker" in the search document of developer `handle` alone: it stays there until
/// the document is rebuilt.
/// How many developers' search documents hold `word`, read from the index itself: the test that
/// rolls migrations back runs with a schema older than the server's, so it asks no query of it.
async fn indexed(db: &impl ConnectionTrait, word: &str) -> i64 {
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => format!(
            "SELECT COUNT(*) FROM developer_search WHERE document @@ to_tsquery('simple', '{word}')"
        ),
        _ => format!("SELECT COUNT(*) FROM developer_search WHERE developer_search MATCH '{word}'"),
    };
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await
        .expect("search the index")
        .expect("a count");
    row.try_get_by_index::<i64>(0).expect("a count")
}

async fn plant_a_word(db: &impl ConnectionTrait, handle: &str) {
    let plant = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => format!(
            "UPDATE developer_search SET document = document || to_tsvector('simple', 'zyzzyvamarker') WHERE developer_id = (SELECT id FROM developers WHERE handle = '{handle}')"
        ),
        _ => format!(
            "UPDATE developer_search SET bio = bio || ' zyzzyvamarker' WHERE rowid = (SELECT id FROM developers WHERE handle = '{handle}')"
        ),
    };
    db.execute_unprepared(&plant).await.expect("plant a word");
}

db_test!(
    Demo,
    a_write_to_no_searched_column_leaves_the_search_document_alone
);
async fn a_write_to_no_searched_column_leaves_the_search_document_alone(app: TestApp) {
    let db = app.db().await;
    let developer = app
        .data(
            "{ developers(first: 1) { nodes { id handle } } }",
            json!({}),
        )
        .await["developers"]["nodes"][0]
        .clone();
    let (id, handle) = (
        developer["id"].clone(),
        developer["handle"].as_str().expect("a handle").to_owned(),
    );
    plant_a_word(&db, &handle).await;
    assert_eq!(found(&app, "zyzzyvamarker").await.len(), 1);

    let update = "mutation($input: UpdateDeveloperInput!) { updateDeveloper(input: $input) { userErrors { code } } }";
    let data = app
        .admin()
        .data(
            update,
            json!({ "input": { "id": id, "openToWork": false } }),
        )
        .await;
    assert_eq!(data["updateDeveloper"]["userErrors"], json!([]));
    db.execute_unprepared(&format!("UPDATE developer_skills SET level = 6 - level, years = years + 1 WHERE developer_id = (SELECT id FROM developers WHERE handle = '{handle}')")).await.expect("relevel");
    assert_eq!(
        found(&app, "zyzzyvamarker").await.len(),
        1,
        "availability and levels are not searched"
    );

    let data = app
        .admin()
        .data(
            update,
            json!({ "input": { "id": id, "headline": "Xenobiotic Pipeline Wrangler" } }),
        )
        .await;
    assert_eq!(data["updateDeveloper"]["userErrors"], json!([]));
    assert!(
        found(&app, "zyzzyvamarker").await.is_empty(),
        "a new headline rebuilds the document"
    );
    assert_eq!(found(&app, "xenobiotic").await.len(), 1);
}

db_test!(
    Demo,
    a_skill_link_moved_to_another_developer_moves_in_the_index
);
async fn a_skill_link_moved_to_another_developer_moves_in_the_index(app: TestApp) {
    let db = app.db().await;
    let developers = app
        .data("{ developers(first: 2) { nodes { handle } } }", json!({}))
        .await["developers"]["nodes"]
        .clone();
    let [from, to] = [0, 1].map(|i| {
        developers[i]["handle"]
            .as_str()
            .expect("a handle")
            .to_owned()
    });
    db.execute_unprepared("INSERT INTO skills (slug, name, category, description, aliases, created_at, updated_at, version) VALUES ('cobol', 'COBOL', 'LANGUAGE', 'Mainframes.', '[]', '2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00', 1)").await.expect("insert skill");
    db.execute_unprepared(&format!("INSERT INTO developer_skills (developer_id, skill_id, level, years, created_at, updated_at) SELECT d.id, s.id, 3, 2, '2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00' FROM developers d, skills s WHERE d.handle = '{from}' AND s.slug = 'cobol'")).await.expect("insert link");
    let before = ids(&found(&app, "cobol").await);
    db.execute_unprepared(&format!("UPDATE developer_skills SET developer_id = (SELECT id FROM developers WHERE handle = '{to}') WHERE skill_id = (SELECT id FROM skills WHERE slug = 'cobol')")).await.expect("move the link");
    let after = ids(&found(&app, "cobol").await);
    assert_eq!((before.len(), after.len()), (1, 1));
    assert_ne!(
        before, after,
        "the old owner's document lost the skill and the new owner's gained it"
    );
}

db_test!(Demo, the_search_triggers_migration_rolls_back_and_forward);
async fn the_search_triggers_migration_rolls_back_and_forward(app: TestApp) {
    use migration::{Migrator, MigratorTrait};
    // Migrations on one connection, as the server runs them: on a SQLite pool, a connection that
    // loaded the schema before another changed it can refuse the next DDL statement.
    let db = sea_orm::Database::connect(
        sea_orm::ConnectOptions::new(app.database_url.as_str())
            .max_connections(1)
            .to_owned(),
    )
    .await
    .expect("connect");
    let handle = app
        .data("{ developers(first: 1) { nodes { handle } } }", json!({}))
        .await["developers"]["nodes"][0]["handle"]
        .as_str()
        .expect("a handle")
        .to_owned();
    let toggle =
        format!("UPDATE developers SET open_to_work = NOT open_to_work WHERE handle = '{handle}'");

    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let at = names
        .iter()
        .position(|name| name == "m20261130_000005_search_refresh_on_change")
        .expect("the migration this test rolls back");
    let since = u32::try_from(names.len() - at).expect("a few migrations");
    // Back to the triggers before it (and the migrations after it): every update rebuilt the
    // document.
    Migrator::down(&db, Some(since))
        .await
        .expect("roll back to before the migration");
    plant_a_word(&db, &handle).await;
    db.execute_unprepared(&toggle).await.expect("toggle");
    assert_eq!(indexed(&db, "zyzzyvamarker").await, 0);

    Migrator::up(&db, None).await.expect("apply it again");
    plant_a_word(&db, &handle).await;
    db.execute_unprepared(&toggle).await.expect("toggle");
    assert_eq!(indexed(&db, "zyzzyvamarker").await, 1);
    db.execute_unprepared(&format!(
        "UPDATE developers SET name = 'Quetzalcoatl Zyx' WHERE handle = '{handle}'"
    ))
    .await
    .expect("rename");
    assert_eq!(indexed(&db, "zyzzyvamarker").await, 0);
    assert_eq!(indexed(&db, "quetzalcoatl").await, 1);
}
