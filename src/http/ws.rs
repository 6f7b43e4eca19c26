//! GraphQL subscriptions over WebSocket, with the `graphql-transport-ws` protocol and the legacy
//! `graphql-ws` one (async-graphql-axum speaks both; the client picks with
//! `Sec-WebSocket-Protocol`).
//!
//! The caller authenticates in the `connection_init` payload (`{"Authorization": "Bearer ..."}`)
//! with the same rules as over HTTP; a token that is not valid closes the connection with 4403, and
//! so does a token that stops being valid while the connection is open (revoked, expired or
//! deleted: see `auth::live`), within a second.
//! Each connection may hold a limited number of subscriptions at once. When the server stops
//! (SIGTERM/SIGINT), every connection is closed with 1012 (service restart) at once, so that its
//! client reconnects, through the balancer, to an instance that stays.

use std::{future::ready, sync::Arc, time::Duration};

use async_graphql::{Data, http::ALL_WEBSOCKET_PROTOCOLS};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::{
    extract::{
        State,
        ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade},
    },
    response::Response,
};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::watch;
use toolkit::limits::Slots;

use super::AppState;
use crate::auth;

/// The prefix of a refused `connection_init`, turned into close code 4403.
const REFUSED: &str = "UNAUTHENTICATED";

/// Upgrades the request to a GraphQL WebSocket connection.
pub async fn upgrade(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve(state, socket, protocol))
}

/// A close frame for a refused `connection_init` carries 4403 (as `graphql-transport-ws` says)
/// rather than async-graphql's generic 1002.
fn close_code(message: Message) -> Message {
    match message {
        Message::Close(Some(frame)) => {
            let code = if frame.code == 1002 && frame.reason.starts_with(REFUSED) {
                4403
            } else {
                frame.code
            };
            Message::Close(Some(CloseFrame {
                code,
                reason: short(frame.reason.as_str()).into(),
            }))
        }
        other => other,
    }
}

/// `reason` cut to the 123 bytes a close frame has room for (its payload is at most 125 bytes,
/// two of them the code), at a character boundary.
fn short(reason: &str) -> &str {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    &reason[..end]
}

async fn serve(state: AppState, socket: WebSocket, protocol: GraphQLProtocol) {
    let _open = state.draining.socket_opened();
    let (mut sink, stream) = socket.split();
    // Set when the connection's token stops being valid (see `auth::live`).
    let (revoke, mut revoked) = watch::channel(false);
    let revoke = Arc::new(revoke);
    let db = state.db.clone();
    let schema = state.schema.clone();
    let sockets = state.sockets.clone();
    let cap = state.limits.max_subscriptions_per_connection;
    // A quiet connection hears a `ping` (or legacy `ka`) this often; see vendor/async-graphql.
    let keepalive = Duration::from_millis(state.http.ws_keepalive_ms.max(1));
    let draining = state.draining.clone();
    let graphql = GraphQLWebSocket::new_with_pair(
        (&mut sink).with(|message: Message| ready(Ok::<_, axum::Error>(close_code(message)))),
        stream,
        state.schema.clone(),
        protocol,
    )
    .on_connection_init(move |payload| async move {
        let authorization = ["Authorization", "authorization"]
            .iter()
            .find_map(|key| payload.get(*key))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        let viewer = auth::authenticate(
            &db,
            schema.tokens(),
            authorization.as_deref().map(str::as_bytes),
            chrono::Utc::now(),
        )
        .await
        .map_err(|err| {
            err.log();
            async_graphql::Error::new(format!("{REFUSED}: {err}"))
        })?;
        let mut data = Data::default();
        if let Some(session) = viewer.session() {
            // Held by the connection's data: given up when the connection ends.
            data.insert(sockets.register(session.token_id, revoke));
        }
        data.insert(viewer);
        data.insert(Slots::new(cap));
        Ok(data)
    })
    .keepalive_timeout(keepalive)
    .serve();
    let token_died = async move {
        if revoked.wait_for(|revoked| *revoked).await.is_err() {
            // The connection ended before its token did.
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        // Checked first: once the server drains, the pool may close under a subscription still
        // starting, and its client must hear "reconnect" (1012), not that subscription's error.
        biased;
        () = draining.started() => {
            sink.send(Message::Close(Some(CloseFrame {
                code: 1012,
                reason: "the server is restarting: reconnect".into(),
            })))
            .await
            .ok();
        }
        () = graphql => {}
        () = token_died => {
            sink.send(Message::Close(Some(CloseFrame {
                code: 4403,
                reason: "the token is no longer valid (revoked, expired or deleted)".into(),
            })))
            .await
            .ok();
        }
    }
}
