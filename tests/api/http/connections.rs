//! Connection-level attacks: slow headers, slow bodies, idle connections and connection floods
//! from a few addresses. Attackers connect from 127.0.0.2 and up (every 127/8 address is this
//! machine), the legitimate client from 127.0.0.1, so per-address limits tell them apart.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use talent_api::config::Http;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
};

use crate::{
    db_test,
    helpers::{Engine, Fixture, Settings, TestApp},
};

fn engine(app: &TestApp) -> Engine {
    if app.postgres_database().is_some() {
        Engine::Postgres
    } else {
        Engine::Sqlite
    }
}

async fn app_with(app: &TestApp, limits: impl Into<Settings>) -> TestApp {
    TestApp::spawn_with(engine(app), Fixture::Empty, limits)
        .await
        .expect("an app")
}

/// A connection to `app` from the loopback address 127.0.0.`host`.
async fn connect_from(app: &TestApp, host: u8) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, host)),
        0,
    ))?;
    socket.connect(app.addr).await
}

/// Whether the server has closed `stream` (a read ends or fails within `wait`).
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buffer = [0u8; 1024];
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            // A 408 or other answer before closing: keep reading.
            Ok(Ok(_)) => {}
        }
    }
}

/// A legitimate query from 127.0.0.1 succeeds.
async fn served(app: &TestApp) {
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ __typename }" }))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("the legitimate request is answered");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["data"]["__typename"], "Query");
}

fn quick_timeouts() -> Http {
    Http {
        header_read_timeout_ms: 1_000,
        body_read_timeout_ms: 1_000,
        idle_timeout_ms: 1_000,
        ..Http::default()
    }
}

db_test!(
    Empty,
    a_connection_that_sends_headers_slowly_is_closed_at_the_header_timeout
);
async fn a_connection_that_sends_headers_slowly_is_closed_at_the_header_timeout(app: TestApp) {
    let app = app_with(&app, quick_timeouts()).await;
    let mut stream = connect_from(&app, 2).await.expect("connect");
    stream
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    assert!(
        !closed_within(&mut stream, Duration::from_millis(300)).await,
        "closed too early"
    );
    assert!(
        closed_within(&mut stream, Duration::from_secs(3)).await,
        "still open after the header timeout"
    );
}

db_test!(
    Empty,
    an_idle_kept_alive_connection_is_closed_at_the_idle_timeout
);
async fn an_idle_kept_alive_connection_is_closed_at_the_idle_timeout(app: TestApp) {
    let app = app_with(
        &app,
        Http {
            header_read_timeout_ms: 30_000,
            ..quick_timeouts()
        },
    )
    .await;
    let mut stream = connect_from(&app, 2).await.expect("connect");
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut buffer = [0u8; 1024];
    let read = stream.read(&mut buffer).await.expect("an answer");
    assert!(buffer[..read].starts_with(b"HTTP/1.1 200"));
    assert!(
        closed_within(&mut stream, Duration::from_secs(4)).await,
        "still open after the idle timeout"
    );
}

db_test!(
    Empty,
    connections_past_the_per_address_cap_are_closed_and_others_still_connect
);
async fn connections_past_the_per_address_cap_are_closed_and_others_still_connect(app: TestApp) {
    let app = app_with(
        &app,
        Http {
            max_connections_per_address: 5,
            ..quick_timeouts()
        },
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(connect_from(&app, 2).await.expect("connect"));
    }
    // Let the server accept the five before the sixth.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut sixth = connect_from(&app, 2).await.expect("the kernel accepts");
    assert!(
        closed_within(&mut sixth, Duration::from_secs(1)).await,
        "the sixth stayed open"
    );
    served(&app).await;
    drop(held);
}

db_test!(
    Empty,
    two_thousand_slow_header_connections_do_not_stop_legitimate_requests
);
async fn two_thousand_slow_header_connections_do_not_stop_legitimate_requests(app: TestApp) {
    let app = app_with(&app, quick_timeouts()).await;
    let mut attackers = Vec::new();
    for i in 0..2_000u32 {
        let host = 2 + u8::try_from(i % 4).unwrap_or(0);
        if let Ok(mut stream) = connect_from(&app, host).await {
            // One header byte; more would follow every 10 s.
            stream.write_all(b"G").await.ok();
            attackers.push(stream);
        }
    }
    served(&app).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    for stream in &mut attackers {
        stream.write_all(b"E").await.ok();
    }
    served(&app).await;
    let mut open = 0;
    for stream in &mut attackers {
        if !closed_within(stream, Duration::from_millis(50)).await {
            open += 1;
        }
    }
    assert_eq!(
        open, 0,
        "{open} of 2,000 slow-header connections still open after 2.5 header timeouts"
    );
    served(&app).await;
}

db_test!(
    Empty,
    slow_bodies_from_three_addresses_do_not_take_every_request_slot
);
async fn slow_bodies_from_three_addresses_do_not_take_every_request_slot(app: TestApp) {
    let app = app_with(&app, quick_timeouts()).await;
    let mut attackers = Vec::new();
    for i in 0..270u32 {
        let host = 2 + u8::try_from(i % 3).unwrap_or(0);
        if let Ok(mut stream) = connect_from(&app, host).await {
            stream
                .write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{")
                .await
                .ok();
            attackers.push(stream);
        }
    }
    for _ in 0..20 {
        served(&app).await;
    }
    // Each slow body is refused at its deadline (408) and its connection closed.
    let mut open = 0;
    for stream in &mut attackers {
        if !closed_within(stream, Duration::from_secs(3)).await {
            open += 1;
        }
    }
    assert_eq!(open, 0, "{open} slow-body connections still open");
}
