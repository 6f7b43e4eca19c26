//! Compressed responses: gzip and brotli, negotiated by `Accept-Encoding`, above a size threshold
//! (tower-http's compression layer); compressed request bodies are refused, so the body limit is
//! the limit of what the server reads.

use std::io::Read;

use reqwest::header;
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{TestApp, header_of},
};

const PAGE: &str = "{ vacancies(first: 100) { nodes { id title description responsibilities } } }";

/// POSTs `query` accepting `encoding` (if any): the response's `Content-Encoding`, `Vary` and raw
/// body.
async fn fetch(
    app: &TestApp,
    query: &str,
    encoding: Option<&str>,
) -> (Option<String>, String, Vec<u8>) {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(json!({ "query": query }).to_string());
    if let Some(encoding) = encoding {
        request = request.header(header::ACCEPT_ENCODING, encoding);
    }
    let response = request.send().await.expect("a response");
    assert_eq!(response.status().as_u16(), 200);
    let content_encoding =
        Some(header_of(&response, header::CONTENT_ENCODING)).filter(|value| !value.is_empty());
    let vary = header_of(&response, header::VARY);
    let body = response.bytes().await.expect("a body").to_vec();
    (content_encoding, vary, body)
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gzip");
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("brotli");
    out
}

db_test!(
    Demo,
    a_large_answer_comes_gzipped_to_a_client_that_accepts_gzip
);
async fn a_large_answer_comes_gzipped_to_a_client_that_accepts_gzip(app: TestApp) {
    let (_, _, plain) = fetch(&app, PAGE, None).await;
    let (encoding, vary, gzipped) = fetch(&app, PAGE, Some("gzip")).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert!(
        vary.to_ascii_lowercase().contains("accept-encoding"),
        "{vary}"
    );
    assert!(
        gzipped.len() * 4 < plain.len(),
        "{} -> {} bytes",
        plain.len(),
        gzipped.len()
    );
    let decoded: Value = serde_json::from_slice(&gunzip(&gzipped)).expect("JSON");
    assert_eq!(
        decoded,
        serde_json::from_slice::<Value>(&plain).expect("JSON")
    );
}

db_test!(Demo, brotli_is_preferred_when_the_client_accepts_it);
async fn brotli_is_preferred_when_the_client_accepts_it(app: TestApp) {
    let (_, _, plain) = fetch(&app, PAGE, None).await;
    let (encoding, _, compressed) = fetch(&app, PAGE, Some("gzip, br")).await;
    assert_eq!(encoding.as_deref(), Some("br"));
    assert_eq!(unbrotli(&compressed), plain);
}

db_test!(
    Demo,
    a_small_answer_or_a_client_without_accept_encoding_gets_it_as_it_is
);
async fn a_small_answer_or_a_client_without_accept_encoding_gets_it_as_it_is(app: TestApp) {
    let (encoding, _, body) = fetch(&app, "{ __typename }", Some("gzip, br")).await;
    assert_eq!(encoding, None, "{} bytes", body.len());
    let (encoding, _, _) = fetch(&app, PAGE, None).await;
    assert_eq!(encoding, None);
}

db_test!(Demo, a_compressed_request_body_is_refused_unread);
async fn a_compressed_request_body_is_refused_unread(app: TestApp) {
    let response = app
        .client
        .post(app.url("/graphql"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, "gzip")
        .body(vec![0x1f, 0x8b, 0x08, 0x00])
        .send()
        .await
        .expect("a response");
    assert_eq!(response.status().as_u16(), 415);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "UNSUPPORTED_MEDIA_TYPE"
    );
}

db_test!(
    Demo,
    playground_assets_come_compressed_and_decode_to_the_files
);
async fn playground_assets_come_compressed_and_decode_to_the_files(app: TestApp) {
    let original = include_bytes!("../../../assets/playground/graphiql.min.css");
    // The first answer may be compressed on the fly; later ones come from the forms made once.
    for _ in 0..3 {
        for (encoding, decode) in [("br", unbrotli as fn(&[u8]) -> Vec<u8>), ("gzip", gunzip)] {
            let response = app
                .client
                .get(app.url("/playground/graphiql.min.css"))
                .header(header::ACCEPT_ENCODING, encoding)
                .send()
                .await
                .expect("a response");
            assert_eq!(response.status().as_u16(), 200);
            assert_eq!(
                response
                    .headers()
                    .get(header::CONTENT_ENCODING)
                    .and_then(|v| v.to_str().ok()),
                Some(encoding)
            );
            let body = response.bytes().await.expect("a body");
            assert!(body.len() < original.len());
            assert_eq!(decode(&body), original.as_slice());
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
