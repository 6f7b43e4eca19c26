//! HTTP caching of public GET queries: `Cache-Control` from the types' cache hints, a strong
//! `ETag`, 304 on `If-None-Match`; everything else `private, no-store`.

use reqwest::{StatusCode, header};
use serde_json::json;

use crate::{
    db_test,
    helpers::{TestApp, header_of},
};

const SKILLS: &str = "{ skills(first: 3) { nodes { slug name } } }";
const SKILLS_AND_VACANCIES: &str =
    "{ skills(first: 3) { nodes { slug } } vacancies(first: 3) { nodes { title } } }";

/// GETs `query`, with `token` and `If-None-Match` when given.
async fn get(
    app: &TestApp,
    query: &str,
    token: Option<&str>,
    if_none_match: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", query)]);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(etag) = if_none_match {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    request.send().await.expect("a response")
}

db_test!(
    Demo,
    a_public_get_query_is_cacheable_for_its_shortest_type_hint
);
async fn a_public_get_query_is_cacheable_for_its_shortest_type_hint(app: TestApp) {
    let skills = get(&app, SKILLS, None, None).await;
    assert_eq!(
        header_of(&skills, header::CACHE_CONTROL),
        "public, max-age=300"
    );
    let vary = header_of(&skills, header::VARY);
    assert!(
        vary.contains("Accept") && vary.contains("Authorization"),
        "{vary}"
    );
    let both = get(&app, SKILLS_AND_VACANCIES, None, None).await;
    assert_eq!(
        header_of(&both, header::CACHE_CONTROL),
        "public, max-age=30"
    );
}

db_test!(
    Demo,
    an_etag_named_in_if_none_match_is_answered_304_without_a_body
);
async fn an_etag_named_in_if_none_match_is_answered_304_without_a_body(app: TestApp) {
    let first = get(&app, SKILLS, None, None).await;
    let etag = header_of(&first, header::ETAG);
    assert!(etag.starts_with('"') && etag.len() == 34, "{etag}");
    let body = first.text().await.expect("a body");
    let again = get(&app, SKILLS, None, None).await;
    assert_eq!(
        header_of(&again, header::ETAG),
        etag,
        "same answer, same tag"
    );
    let revalidated = get(&app, SKILLS, None, Some(&etag)).await;
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header_of(&revalidated, header::ETAG), etag);
    assert!(revalidated.text().await.expect("no body").is_empty());
    let stale = get(&app, SKILLS, None, Some("\"0000\"")).await;
    assert_eq!(stale.status(), StatusCode::OK);
    assert_eq!(stale.text().await.expect("a body"), body);
}

db_test!(
    Demo,
    a_token_a_post_an_error_or_a_private_field_is_never_stored
);
async fn a_token_a_post_an_error_or_a_private_field_is_never_stored(app: TestApp) {
    let with_token = get(&app, SKILLS, Some(&app.admin_token), None).await;
    assert_eq!(
        header_of(&with_token, header::CACHE_CONTROL),
        "private, no-store"
    );
    assert_eq!(header_of(&with_token, header::ETAG), "");
    let post = app.anonymous().post(SKILLS, json!({})).await;
    assert_eq!(header_of(&post, header::CACHE_CONTROL), "private, no-store");
    let private = get(
        &app,
        "{ developers(first: 1) { nodes { email } } }",
        None,
        None,
    )
    .await;
    assert_eq!(
        header_of(&private, header::CACHE_CONTROL),
        "private, no-store"
    );
    let admin_private = get(
        &app,
        "{ developers(first: 1) { nodes { handle email } } }",
        Some(&app.admin_token),
        None,
    )
    .await;
    assert_eq!(
        header_of(&admin_private, header::CACHE_CONTROL),
        "private, no-store"
    );
}

db_test!(
    Empty,
    the_schema_has_an_etag_and_a_matching_if_none_match_gets_304
);
async fn the_schema_has_an_etag_and_a_matching_if_none_match_gets_304(app: TestApp) {
    let schema = app
        .client
        .get(app.url("/schema.graphql"))
        .send()
        .await
        .expect("a response");
    let etag = header_of(&schema, header::ETAG);
    assert_eq!(etag.len(), 34, "{etag}");
    assert_eq!(
        header_of(&schema, header::CACHE_CONTROL),
        "public, max-age=60"
    );
    assert!(schema.text().await.expect("SDL").contains("type Query"));
    let again = app
        .client
        .get(app.url("/schema.graphql"))
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .expect("a response");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.text().await.expect("no body").is_empty());
}

db_test!(
    Demo,
    a_compressed_answer_has_its_own_tag_and_revalidates_with_it
);
async fn a_compressed_answer_has_its_own_tag_and_revalidates_with_it(app: TestApp) {
    let page = "{ vacancies(first: 20) { nodes { title description } } }";
    let fetch = |encoding: &'static str, if_none_match: Option<String>| {
        let mut request = app
            .client
            .get(app.url("/graphql"))
            .query(&[("query", page)])
            .header(header::ACCEPT_ENCODING, encoding);
        if let Some(etag) = if_none_match {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        request.send()
    };
    let identity = fetch("identity", None).await.expect("a response");
    let etag = header_of(&identity, header::ETAG);
    for coding in ["br", "gzip"] {
        let compressed = fetch(coding, None).await.expect("a response");
        assert_eq!(header_of(&compressed, header::CONTENT_ENCODING), coding);
        let tag = header_of(&compressed, header::ETAG);
        assert_eq!(
            tag,
            format!("{}-{coding}\"", etag.trim_end_matches('"')),
            "one strong tag per representation"
        );
        let revalidated = fetch(coding, Some(tag.clone())).await.expect("a response");
        assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(header_of(&revalidated, header::ETAG), tag);
    }
    let other = fetch("br", Some(format!("{}-zstd\"", etag.trim_end_matches('"'))))
        .await
        .expect("a response");
    assert_eq!(other.status(), StatusCode::OK, "a coding never sent");
}

db_test!(
    Empty,
    the_playground_names_each_asset_with_its_version_and_revalidates_itself
);
async fn the_playground_names_each_asset_with_its_version_and_revalidates_itself(app: TestApp) {
    let page = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .expect("a response");
    assert_eq!(header_of(&page, header::CACHE_CONTROL), "no-cache");
    let etag = header_of(&page, header::ETAG);
    let html = page.text().await.expect("HTML");
    let script = html
        .split('"')
        .find(|part| part.starts_with("/playground/graphiql.min.js?v="))
        .expect("the bundle, versioned");
    assert_eq!(script.len(), "/playground/graphiql.min.js?v=".len() + 12);
    let again = app
        .client
        .get(app.url("/"))
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .expect("a response");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

db_test!(
    Empty,
    a_versioned_asset_is_kept_a_year_and_an_unversioned_one_revalidates
);
async fn a_versioned_asset_is_kept_a_year_and_an_unversioned_one_revalidates(app: TestApp) {
    let html = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .expect("a response")
        .text()
        .await
        .expect("HTML");
    let versioned = html
        .split('"')
        .find(|part| part.starts_with("/playground/playground.js?v="))
        .expect("a versioned script")
        .to_owned();
    let get = |path: String, etag: Option<String>| {
        let mut request = app
            .client
            .get(app.url(&path))
            .header(header::ACCEPT_ENCODING, "identity");
        if let Some(etag) = etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        request.send()
    };
    let kept = get(versioned.clone(), None).await.expect("a response");
    assert_eq!(
        header_of(&kept, header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    let etag = header_of(&kept, header::ETAG);
    let version = versioned.rsplit('=').next().expect("a version");
    assert_eq!(etag, format!("\"{version}\""));
    let plain = get("/playground/playground.js".into(), None)
        .await
        .expect("a response");
    assert_eq!(header_of(&plain, header::CACHE_CONTROL), "no-cache");
    assert_eq!(header_of(&plain, header::ETAG), etag);
    let old = get("/playground/playground.js?v=000000000000".into(), None)
        .await
        .expect("a response");
    assert_eq!(header_of(&old, header::CACHE_CONTROL), "no-cache");
    let revalidated = get("/playground/playground.js".into(), Some(etag.clone()))
        .await
        .expect("a response");
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header_of(&revalidated, header::ETAG), etag);
    // Compressed here or by the compression layer, the tag names the coding once.
    let compressed = app
        .client
        .get(app.url(&versioned))
        .header(header::ACCEPT_ENCODING, "br")
        .send()
        .await
        .expect("a response");
    assert_eq!(header_of(&compressed, header::CONTENT_ENCODING), "br");
    assert_eq!(
        header_of(&compressed, header::ETAG),
        format!("\"{version}-br\"")
    );
}
