//! Documents built to make the server work before anything runs: fragment fan-out and the shapes
//! that are quadratic in naive validators. Each is refused (or answered) quickly with a stable
//! code, and the server keeps answering `/health` while they are in flight.
//!
//! These tests bound the time loosely (debug build, shared 2-core machine): before the fix the
//! 14-level fan-out took 12 s and 19 levels stopped the server. `bench/hostile.py` measures the
//! release binary against the tighter figures of the threat model.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use talent_api::config::Limits;

use crate::helpers::{Engine, Fixture, TestApp};

/// Runs `$body` once per engine on a multi-threaded runtime (2 workers, as the server's machine),
/// so a request that holds a core shows as a stall of the other requests.
macro_rules! hostile_test {
    ($name:ident, $limits:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                let app = TestApp::spawn_with(Engine::Sqlite, Fixture::Empty, $limits)
                    .await
                    .expect("SQLite is always there");
                run(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some(app) = TestApp::spawn_with(Engine::Postgres, Fixture::Empty, $limits).await {
                    run(app).await;
                }
            }
        }
    };
}

/// The loose bound of these tests: what a refusal may take on a loaded debug build.
const QUICK: Duration = Duration::from_millis(1500);

fn no_rate_limit() -> Limits {
    Limits {
        rate_limit_per_second: 0.0,
        ..Limits::default()
    }
}

/// Limits raised so the quadratic shapes reach validation instead of the token limit.
fn large_documents() -> Limits {
    Limits {
        max_query_tokens: 50_000,
        max_query_bytes: 200_000,
        max_body_bytes: 400_000,
        max_aliases: 5_000,
        ..no_rate_limit()
    }
}

/// `{ ...Y<levels> }` where Y0 selects a page of developers' bios and each Y<n> spreads Y<n-1>
/// three times: 3^levels × 3 fields in under a kilobyte (the audit's document).
pub fn fan_out(levels: usize) -> String {
    let mut document = format!(
        "{{ ...Y{levels} }} fragment Y0 on Query {{ developers(first:100){{nodes{{bio}}}} }}"
    );
    for level in 1..=levels {
        let below = level - 1;
        document.push_str(&format!(
            " fragment Y{level} on Query {{ ...Y{below} ...Y{below} ...Y{below} }}"
        ));
    }
    document
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("(none)")
}

/// Sends `query`; the body and how long the answer took.
async fn timed(app: &TestApp, query: &str) -> (Value, Duration) {
    let started = Instant::now();
    let body = app.graphql(query, json!({})).await;
    (body, started.elapsed())
}

hostile_test!(
    fragment_fan_out_is_refused_as_too_costly_before_validation_spreads_it,
    no_rate_limit(),
    |app| {
        for levels in [14, 19, 30] {
            let document = fan_out(levels);
            assert!(document.len() < 1_500, "{} bytes", document.len());
            let (body, took) = timed(&app, &document).await;
            assert_eq!(code(&body), "QUERY_TOO_COSTLY", "{levels} levels: {body:#}");
            assert_eq!(body["errors"][0]["extensions"]["limit"], 50_000);
            let fields = 3u64
                .saturating_pow(u32::try_from(levels).unwrap_or(u32::MAX))
                .saturating_mul(3);
            assert_eq!(
                body["errors"][0]["extensions"]["cost"],
                json!(fields),
                "{body:#}"
            );
            assert!(took < QUICK, "{levels} levels took {took:?}");
        }
    }
);

hostile_test!(
    health_answers_while_eight_fan_outs_are_in_flight,
    no_rate_limit(),
    |app| {
        let document = fan_out(19);
        let attacks: Vec<_> = (0..8)
            .map(|_| {
                let request = app
                    .client
                    .post(app.url("/graphql"))
                    .json(&json!({ "query": document }))
                    .send();
                tokio::spawn(async move { request.await.map(|response| response.status()) })
            })
            .collect();
        let started = Instant::now();
        let health = app
            .client
            .get(app.url("/health"))
            .timeout(QUICK)
            .send()
            .await
            .expect("/health answers");
        assert_eq!(health.status(), 200);
        assert!(
            started.elapsed() < QUICK,
            "/health took {:?}",
            started.elapsed()
        );
        for attack in attacks {
            let status = attack
                .await
                .expect("the request task ends")
                .expect("an answer");
            assert_eq!(status, 200);
        }
    }
);

hostile_test!(
    a_fan_out_under_the_cost_limit_is_still_measured_exactly,
    no_rate_limit(),
    |app| {
        // 3^4 × 3 = 243 fields; cost 81 × 100 × 2 = 16,200: runs.
        let body = app.graphql(&fan_out(4), json!({})).await;
        assert!(body["errors"].is_null(), "{body:#}");
        // 3^5 × 3 = 729 fields, under the limit; its cost, 243 × 200 = 48,600, is too: runs.
        let body = app.graphql(&fan_out(5), json!({})).await;
        assert!(body["errors"].is_null(), "{body:#}");
        // 3^6 × 3 = 2,187 fields, under 50,000, but its cost is 145,800: async-graphql's own figure.
        let body = app.graphql(&fan_out(6), json!({})).await;
        assert_eq!(code(&body), "QUERY_TOO_COSTLY", "{body:#}");
        assert_eq!(body["errors"][0]["extensions"]["cost"], 729 * 200);
    }
);

hostile_test!(
    a_fan_out_deeper_than_the_depth_limit_is_refused_as_too_deep,
    no_rate_limit(),
    |app| {
        let mut document =
            String::from("{ ...F0 } fragment F0 on Query { skills(first: 1) { nodes { ...F1 } } }");
        for level in 1..12 {
            let next = level + 1;
            document.push_str(&format!(
            " fragment F{level} on Skill {{ developers(first: 1) {{ nodes {{ skills {{ skill {{ ...F{next} }} }} }} }} }}"
        ));
        }
        document.push_str(" fragment F12 on Skill { name }");
        let (body, took) = timed(&app, &document).await;
        assert_eq!(code(&body), "QUERY_TOO_DEEP", "{body:#}");
        assert!(took < QUICK, "took {took:?}");
    }
);

hostile_test!(
    a_thousand_same_named_fields_with_different_arguments_are_refused_quickly,
    large_documents(),
    |app| {
        let fields: String = (0..1_000)
            .map(|i| format!("skill(slug: \"s{i}\") {{ id }} "))
            .collect();
        let (body, took) = timed(&app, &format!("{{ {fields} }}")).await;
        assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{body:#}");
        assert!(took < QUICK, "took {took:?}");
    }
);

hostile_test!(
    a_thousand_fragments_spread_once_each_are_answered_quickly,
    large_documents(),
    |app| {
        let spreads: String = (0..1_000).map(|i| format!("...F{i} ")).collect();
        let fragments: String = (0..1_000)
            .map(|i| format!("fragment F{i} on Query {{ f{i}: __typename }} "))
            .collect();
        let (body, took) = timed(&app, &format!("{{ {spreads} }} {fragments}")).await;
        assert!(body["errors"].is_null(), "{body:#}");
        assert_eq!(body["data"]["f999"], "Query");
        assert!(took < QUICK, "took {took:?}");
    }
);

hostile_test!(
    a_thousand_item_list_literal_argument_is_answered_quickly,
    large_documents(),
    |app| {
        let ids: Vec<String> = (0..1_000).map(|i| format!("\"id{i}\"")).collect();
        let (body, took) = timed(
            &app,
            &format!("{{ nodes(ids: [{}]) {{ id }} }}", ids.join(",")),
        )
        .await;
        assert!(took < QUICK, "took {took:?}");
        assert!(
            body["errors"].is_array() || body["data"].is_object(),
            "{body:#}"
        );
        assert_ne!(code(&body), "INTERNAL", "{body:#}");
    }
);

hostile_test!(
    a_two_hundred_level_fan_out_is_refused_as_quickly_as_a_short_one,
    Limits {
        max_query_tokens: 50_000,
        max_query_bytes: 200_000,
        ..no_rate_limit()
    },
    |app| {
        // 200 levels: still refused by the spread measure, not by how long validation takes.
        let (body, took) = timed(&app, &fan_out(200)).await;
        assert_eq!(code(&body), "QUERY_TOO_COSTLY", "{body:#}");
        assert!(took < QUICK, "took {took:?}");
    }
);

hostile_test!(
    a_fragment_spread_many_times_into_one_selection_runs_once,
    no_rate_limit(),
    |app| {
        let single = "{ developers(first: 1) { nodes { id } } }";
        let (alone, statements_alone) = app.data_and_statements(single, json!({})).await;
        // 3^6 = 729 spreads of the same connection field once the fragments are spread.
        let mut document = String::from(
            "{ ...Y6 } fragment Y0 on Query { developers(first: 1) { nodes { id } } }",
        );
        for level in 1..=6 {
            let below = level - 1;
            document.push_str(&format!(
                " fragment Y{level} on Query {{ ...Y{below} ...Y{below} ...Y{below} }}"
            ));
        }
        let (fanned, statements) = app.data_and_statements(&document, json!({})).await;
        assert_eq!(fanned, alone);
        assert_eq!(
            statements, statements_alone,
            "the repeated field ran more than once"
        );
    }
);
