//! Resumable subscriptions: `Vacancy.publicationId` and `vacancyPublished(after:)`.

use std::time::Duration;

use async_graphql::ID;
use futures_util::StreamExt;
use serde_json::{Value, json};
use talent_api::ids::LogKind;
use tokio_tungstenite::tungstenite::Message;
use toolkit::id::{decode_id, encode_id};

use crate::{
    db_test,
    helpers::{Engine, TestApp, TestDb},
    http::subscriptions::{
        Socket, TRANSPORT_WS, admin_token, connect, draft, instance, next, publish, subscribe,
    },
};

const PUBLISHED: &str = "subscription($after: ID, $skills: [String!]) { vacancyPublished(after: $after, filter: { skills: $skills }) { id publicationId } }";

/// The vacancy ID and the publication ID of the next delivery on `socket`.
async fn delivery(socket: &mut Socket) -> (String, String) {
    let message = next(socket).await;
    assert_eq!(message["type"], "next", "{message}");
    let published = &message["payload"]["data"]["vacancyPublished"];
    let text = |field: &str| {
        published[field]
            .as_str()
            .unwrap_or_else(|| panic!("no {field} in {message}"))
            .to_owned()
    };
    (text("id"), text("publicationId"))
}

/// Asserts that `socket` delivers nothing more for a while.
async fn quiet(socket: &mut Socket) {
    let waited = tokio::time::timeout(Duration::from_millis(400), async {
        while let Some(Ok(frame)) = socket.next().await {
            if let Message::Text(text) = frame {
                let message: Value = serde_json::from_str(&text).expect("JSON");
                if !matches!(message["type"].as_str(), Some("ping" | "pong" | "ka")) {
                    return message;
                }
            }
        }
        json!({ "closed": true })
    })
    .await;
    if let Ok(message) = waited {
        panic!("expected nothing more, got {message}");
    }
}

/// A subscriber to `vacancyPublished` on `base`, after `after` if given, to `skills` if given.
async fn subscriber(base: &str, after: Option<&str>, skills: Option<&[&str]>) -> Socket {
    let mut socket = connect(base, TRANSPORT_WS, json!({})).await;
    subscribe(
        &mut socket,
        TRANSPORT_WS,
        "1",
        PUBLISHED,
        json!({ "after": after, "skills": skills }),
    )
    .await;
    // The server listens once it has read the subscription: give it a moment.
    tokio::time::sleep(Duration::from_millis(150)).await;
    socket
}

/// The number in a publication ID.
fn number(publication: &str) -> i64 {
    decode_id(
        &ID(publication.to_owned()),
        LogKind::VacancyPublication,
        &["publicationId"],
    )
    .expect("a publication ID")
}

db_test!(
    Demo,
    a_resumed_subscription_replays_the_publications_it_missed_then_goes_on_live
);
async fn a_resumed_subscription_replays_the_publications_it_missed_then_goes_on_live(app: TestApp) {
    let base = app.url("");
    let rust = Some(&["rust"][..]);
    let mut socket = subscriber(&base, None, rust).await;
    let first = draft(&app, "quillstack", "rust", "Rust Engineer One").await;
    publish(&app, &first).await;
    let (delivered, resume) = delivery(&mut socket).await;
    assert_eq!(delivered, first);
    drop(socket);

    let second = draft(&app, "quillstack", "rust", "Rust Engineer Two").await;
    let other = draft(&app, "quillstack", "java", "Java Engineer").await;
    let third = draft(&app, "quillstack", "rust", "Rust Engineer Three").await;
    for id in [&second, &other, &third] {
        publish(&app, id).await;
    }
    let mut socket = subscriber(&base, Some(&resume), rust).await;
    assert_eq!(delivery(&mut socket).await.0, second);
    assert_eq!(delivery(&mut socket).await.0, third);
    let live = draft(&app, "quillstack", "rust", "Rust Engineer Four").await;
    publish(&app, &live).await;
    assert_eq!(delivery(&mut socket).await.0, live);
    quiet(&mut socket).await;
}

db_test!(
    Demo,
    a_subscription_after_the_newest_publication_of_a_list_receives_what_came_since
);
async fn a_subscription_after_the_newest_publication_of_a_list_receives_what_came_since(
    app: TestApp,
) {
    let list = app
        .data(
            "{ vacancies(first: 1, orderBy: { field: PUBLISHED_AT, direction: DESC }) { nodes { publicationId } } }",
            json!({}),
        )
        .await;
    let newest = list["vacancies"]["nodes"][0]["publicationId"]
        .as_str()
        .expect("demo vacancies are numbered")
        .to_owned();
    // Published between reading the list and subscribing: the gap a client must not fall into.
    let between = draft(&app, "quillstack", "go", "Go Engineer").await;
    publish(&app, &between).await;
    let mut socket = subscriber(&app.url(""), Some(&newest), None).await;
    assert_eq!(delivery(&mut socket).await.0, between);
    quiet(&mut socket).await;
}

db_test!(
    Demo,
    publication_ids_are_contiguous_when_publications_run_at_once_or_are_refused
);
async fn publication_ids_are_contiguous_when_publications_run_at_once_or_are_refused(app: TestApp) {
    let mut drafts = Vec::new();
    for n in 0..8 {
        drafts.push(
            draft(
                &app,
                "quillstack",
                "rust",
                &format!("Parallel Engineer {n}"),
            )
            .await,
        );
    }
    let admin = app.admin();
    let answers = futures_util::future::join_all(drafts.iter().map(|id| {
        admin.data(
            "mutation($id: ID!) { publishVacancy(input: { id: $id }) { vacancy { publicationId } userErrors { message } } }",
            json!({ "id": id }),
        )
    }))
    .await;
    let mut numbers: Vec<i64> = answers
        .iter()
        .map(|answer| {
            number(
                answer["publishVacancy"]["vacancy"]["publicationId"]
                    .as_str()
                    .expect("published"),
            )
        })
        .collect();
    numbers.sort_unstable();
    let first = numbers[0];
    assert_eq!(numbers, (first..first + 8).collect::<Vec<_>>());

    // Publishing an OPEN vacancy again is refused and takes no number.
    let again = admin
        .data(
            "mutation($id: ID!) { publishVacancy(input: { id: $id }) { userErrors { code } } }",
            json!({ "id": drafts[0] }),
        )
        .await;
    assert_eq!(
        again["publishVacancy"]["userErrors"][0]["code"],
        "INVALID_TRANSITION"
    );
    let next = draft(&app, "quillstack", "rust", "After The Refusal").await;
    let published = admin
        .data(
            "mutation($id: ID!) { publishVacancy(input: { id: $id }) { vacancy { publicationId } } }",
            json!({ "id": next }),
        )
        .await;
    assert_eq!(
        number(
            published["publishVacancy"]["vacancy"]["publicationId"]
                .as_str()
                .expect("published")
        ),
        first + 8
    );
}

db_test!(Demo, an_after_that_is_no_publication_id_is_bad_user_input);
async fn an_after_that_is_no_publication_id_is_bad_user_input(app: TestApp) {
    let vacancy = app
        .data("{ vacancies(first: 1) { nodes { id } } }", json!({}))
        .await["vacancies"]["nodes"][0]["id"]
        .as_str()
        .expect("a vacancy")
        .to_owned();
    let future = encode_id(LogKind::VacancyPublication, 1_000_000_000).to_string();
    for after in [vacancy.as_str(), "not-an-id", future.as_str()] {
        let mut socket = connect(&app.url(""), TRANSPORT_WS, json!({})).await;
        subscribe(
            &mut socket,
            TRANSPORT_WS,
            "1",
            PUBLISHED,
            json!({ "after": after }),
        )
        .await;
        let message = next(&mut socket).await;
        assert_eq!(message["type"], "error", "{after}: {message}");
        assert_eq!(
            message["payload"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{after}: {message}"
        );
        assert_eq!(message["payload"][0]["path"], json!(["vacancyPublished"]));
    }
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_catches_up_and_stays_subscribed() {
    let Some(app) = TestApp::spawn(Engine::Postgres, crate::helpers::Fixture::Demo).await else {
        return;
    };
    let mut socket = subscriber(&app.url(""), None, None).await;
    let vacancy = draft(&app, "quillstack", "rust", "Published In A Storm").await;
    // Two thousand notifications without a publication number, as an older instance would send:
    // each sends the subscriber to the database, so it falls far behind the bus.
    let storm = "SELECT pg_notify('talent_vacancy_events', json_build_object('id', -g, 'change', 'Published')::text) FROM generate_series(1, 2000) AS g";
    sea_orm::ConnectionTrait::execute_unprepared(app.pool(), storm)
        .await
        .expect("notified");
    publish(&app, &vacancy).await;
    assert_eq!(delivery(&mut socket).await.0, vacancy);
    quiet(&mut socket).await;
}

#[tokio::test]
async fn a_listener_that_loses_its_connection_delivers_what_was_published_meanwhile() {
    let Some(app) = TestApp::spawn(Engine::Postgres, crate::helpers::Fixture::Demo).await else {
        return;
    };
    let mut socket = subscriber(&app.url(""), None, None).await;
    let during = draft(&app, "quillstack", "rust", "Published While Deaf").await;
    let after = draft(&app, "quillstack", "rust", "Published After").await;
    app.cut_listen_connection().await;
    publish(&app, &during).await;
    publish(&app, &after).await;
    assert_eq!(delivery(&mut socket).await.0, during);
    assert_eq!(delivery(&mut socket).await.0, after);
    quiet(&mut socket).await;
}

#[tokio::test]
async fn a_publication_whose_notification_never_came_is_delivered_when_the_listener_is_back() {
    let Some(app) = TestApp::spawn(Engine::Postgres, crate::helpers::Fixture::Demo).await else {
        return;
    };
    let mut socket = subscriber(&app.url(""), None, None).await;
    let vacancy = draft(&app, "quillstack", "rust", "Published Without A Word").await;
    let id = decode_id(
        &ID(vacancy.clone()),
        talent_api::ids::NodeKind::Vacancy,
        &["id"],
    )
    .expect("a vacancy ID");
    // Published as the server would, but no instance hears of it: no NOTIFY.
    let quiet_publication = format!(
        "WITH n AS (UPDATE sequences SET last_value = last_value + 1 \
         WHERE name = 'vacancy_publication' RETURNING last_value) \
         UPDATE vacancies SET status = 'OPEN', published_at = now(), version = version + 1, \
         publication_seq = (SELECT last_value FROM n) WHERE id = {id}"
    );
    sea_orm::ConnectionTrait::execute_unprepared(app.pool(), &quiet_publication)
        .await
        .expect("published");
    quiet(&mut socket).await;
    // The listener's connection drops and comes back: it may have missed something, and the
    // subscriber reads what it missed.
    app.cut_listen_connection().await;
    assert_eq!(delivery(&mut socket).await.0, vacancy);
    quiet(&mut socket).await;
}

/// Sends `query` to the server at `base` as `token`.
async fn post(base: &str, token: &str, query: &str, variables: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON")
}

/// `count` new drafts, made through `base`.
async fn drafts(base: &str, token: &str, count: usize) -> Vec<String> {
    let employer = post(
        base,
        token,
        "{ employer(slug: \"quillstack\") { id } }",
        json!({}),
    )
    .await["data"]["employer"]["id"]
        .clone();
    let mut ids = Vec::new();
    for n in 0..count {
        let created = post(
            base,
            token,
            "mutation($input: CreateVacancyInput!) { createVacancy(input: $input) { vacancy { id } } }",
            json!({ "input": { "employerId": employer, "title": format!("Failover Engineer {n}"), "seniority": "SENIOR",
                               "employmentType": "FULL_TIME", "workplace": "REMOTE", "countryCode": "DE" } }),
        )
        .await;
        ids.push(
            created["data"]["createVacancy"]["vacancy"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("created: {created}"))
                .to_owned(),
        );
    }
    ids
}

/// Publishes `ids` through `base` one after another, a little apart, as a steady stream of
/// postings.
async fn publish_all(base: String, token: String, ids: Vec<String>) {
    for id in ids {
        let published = post(
            &base,
            &token,
            "mutation($id: ID!) { publishVacancy(input: { id: $id }) { userErrors { message } } }",
            json!({ "id": id }),
        )
        .await;
        assert_eq!(
            published["data"]["publishVacancy"]["userErrors"],
            json!([]),
            "{published}"
        );
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

/// A subscriber on instance A receives publications while they go on; A is killed (SIGKILL, no
/// goodbye) and the subscriber reconnects, to instance B on PostgreSQL (two instances on one
/// database) or to A started again on SQLite (one instance per file), with the last
/// `publicationId` it received. It must end up with every publication exactly once, in order.
async fn a_subscriber_whose_instance_is_killed_resumes_and_misses_nothing(engine: Engine) {
    const TOTAL: usize = 16;
    let Some((_db, url)) = TestDb::create(engine).await else {
        return;
    };
    let (mut a, base_a) = instance(url.as_str()).await;
    let second = if engine == Engine::Postgres {
        Some(instance(url.as_str()).await)
    } else {
        None
    };
    let token = admin_token(url.as_str()).await;
    let ids = drafts(&base_a, &token, TOTAL).await;

    let mut socket = subscriber(&base_a, None, None).await;
    let mut received: Vec<(String, String)> = Vec::new();
    let (first_part, rest) = ids.split_at(TOTAL / 4);
    // On PostgreSQL the publisher goes on through B the whole time; on SQLite it stops with A
    // and goes on when A is back.
    let mut publishers = Vec::new();
    let publishing = match &second {
        Some((_, base_b)) => tokio::spawn(publish_all(base_b.clone(), token.clone(), ids.clone())),
        None => tokio::spawn(publish_all(
            base_a.clone(),
            token.clone(),
            first_part.to_vec(),
        )),
    };
    while received.len() < first_part.len() {
        received.push(delivery(&mut socket).await);
    }
    a.kill().await.expect("killed");
    drop(socket);
    // A client waits a little before it reconnects (graphql-ws: a second or more); publications
    // go on meanwhile.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let (_restarted, base) = match &second {
        Some((_, base_b)) => {
            publishers.push(publishing);
            (None, base_b.clone())
        }
        None => {
            publishing.await.expect("the first part was published");
            let (restarted, base) = instance(url.as_str()).await;
            publishers.push(tokio::spawn(publish_all(
                base.clone(),
                token.clone(),
                rest.to_vec(),
            )));
            // Some of the rest are published before the subscriber is back.
            tokio::time::sleep(Duration::from_millis(150)).await;
            (Some(restarted), base)
        }
    };
    let last = received.last().expect("received some").1.clone();
    let mut socket = subscriber(&base, Some(&last), None).await;
    while received.len() < TOTAL {
        received.push(delivery(&mut socket).await);
    }
    quiet(&mut socket).await;
    for publisher in publishers {
        publisher.await.expect("every publication went through");
    }
    let vacancies: Vec<&String> = received.iter().map(|(id, _)| id).collect();
    assert_eq!(vacancies, ids.iter().collect::<Vec<_>>());
    let numbers: Vec<i64> = received
        .iter()
        .map(|(_, publication)| number(publication))
        .collect();
    assert!(
        numbers.windows(2).all(|pair| pair[1] == pair[0] + 1),
        "{numbers:?}"
    );
}

#[tokio::test]
async fn a_subscriber_whose_instance_is_killed_resumes_on_another_and_misses_nothing_on_postgres() {
    a_subscriber_whose_instance_is_killed_resumes_and_misses_nothing(Engine::Postgres).await;
}

#[tokio::test]
async fn a_subscriber_whose_instance_is_killed_resumes_on_its_restart_and_misses_nothing_on_sqlite()
{
    a_subscriber_whose_instance_is_killed_resumes_and_misses_nothing(Engine::Sqlite).await;
}
