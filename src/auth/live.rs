//! Keeping signed-in callers honest after they signed in: a short cache of token lookups for HTTP,
//! and the WebSocket connections each token holds open, closed once the token stops being valid.
//!
//! A WebSocket authenticates once, in `connection_init`; a token revoked, expired or deleted
//! afterwards would otherwise keep its socket (and its subscriptions to the employer's drafts)
//! for as long as the client liked. [`LiveSockets`] checks the tokens of the open sockets against
//! the database every [`CHECK_EVERY`] (one statement for all of them, and none while no signed-in
//! socket is open) and closes the sockets of a token that is no longer active. Reading the
//! database rather than listening for revocations means every way a token stops working is
//! seen, on every instance that shares the database: `revokeApiToken`, `talent-api token revoke`
//! in another process, a deleted row, an expiry time passing.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, Weak,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::Utc;
use entity::api_token;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tokio::sync::watch;

use super::store;

/// How often the tokens of open WebSockets are checked: a socket whose token stopped being valid
/// is closed within this (plus one statement).
pub const CHECK_EVERY: Duration = Duration::from_millis(400);

/// How long a token lookup is reused for HTTP requests: a flood of requests with one token (valid
/// or not) costs one statement per interval, and a token revoked on another instance is refused
/// here within it. A revocation through this instance forgets the token at once.
pub const LOOKUP_TTL: Duration = Duration::from_secs(1);

/// Entries past which the lookup cache is emptied (a flood of distinct random tokens).
const CACHE_CAP: usize = 10_000;

/// Recent token lookups by token hash: the stored token, or None for a hash no token has.
#[derive(Debug, Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<String, (Option<api_token::Model>, Instant)>>,
}

impl TokenCache {
    /// The lookup of `hash` made within [`LOOKUP_TTL`] of `now`, if any.
    pub fn get(&self, hash: &str, now: Instant) -> Option<Option<api_token::Model>> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries
            .get(hash)
            .filter(|(_, at)| now.saturating_duration_since(*at) < LOOKUP_TTL)
            .map(|(token, _)| token.clone())
    }

    /// Keeps the lookup of `hash`.
    pub fn put(&self, hash: String, token: Option<api_token::Model>, now: Instant) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= CACHE_CAP {
            entries.retain(|_, (_, at)| now.saturating_duration_since(*at) < LOOKUP_TTL);
            if entries.len() >= CACHE_CAP {
                entries.clear();
            }
        }
        entries.insert(hash, (token, now));
    }

    /// Forgets token `id` (it was just revoked here).
    pub fn forget(&self, id: i64) {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|_, (token, _)| token.as_ref().is_none_or(|token| token.id != id));
    }
}

/// Forgets the tokens of the developer or employer `owner` (`Role::Developer` / `Employer`): it
/// was just deleted here, and its tokens with it.
pub fn owner_deleted(ctx: &async_graphql::Context<'_>, owner: super::Role) {
    if let Ok(cache) = ctx.data::<Arc<TokenCache>>() {
        cache
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|_, (token, _)| {
                token.as_ref().is_none_or(|token| match owner {
                    super::Role::Developer(id) => token.developer_id != Some(id),
                    super::Role::Employer(id) => token.employer_id != Some(id),
                    super::Role::Admin => true,
                })
            });
    }
}

/// The open WebSockets of each token.
#[derive(Clone, Debug, Default)]
pub struct LiveSockets(Arc<Sockets>);

#[derive(Debug, Default)]
struct Sockets {
    next: AtomicU64,
    by_token: Mutex<HashMap<i64, OfToken>>,
}

/// The sockets of one token, by registration key: each with the switch that closes it.
type OfToken = HashMap<u64, Arc<watch::Sender<bool>>>;

/// A socket's place in [`LiveSockets`], given up when dropped (the connection ended).
#[derive(Debug)]
pub struct Registration {
    sockets: Weak<Sockets>,
    token_id: i64,
    key: u64,
}

impl LiveSockets {
    /// Records a socket of token `token_id`; `close` is set to true when the token stops being
    /// valid.
    pub fn register(&self, token_id: i64, close: Arc<watch::Sender<bool>>) -> Registration {
        let key = self.0.next.fetch_add(1, Ordering::Relaxed);
        self.0
            .by_token
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(token_id)
            .or_default()
            .insert(key, close);
        Registration {
            sockets: Arc::downgrade(&self.0),
            token_id,
            key,
        }
    }

    /// Checks the tokens of the open sockets every [`CHECK_EVERY`] until the registry is dropped.
    pub fn watch(&self, db: DatabaseConnection) {
        let sockets = Arc::downgrade(&self.0);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(CHECK_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                let Some(sockets) = sockets.upgrade() else {
                    return;
                };
                if let Err(err) = close_invalid(&sockets, &db).await {
                    tracing::warn!(error = %err, "cannot check the tokens of open WebSockets");
                }
            }
        });
    }
}

/// Closes the sockets of every token that is no longer active.
async fn close_invalid(sockets: &Sockets, db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    let ids: Vec<i64> = sockets
        .by_token
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .keys()
        .copied()
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let active: std::collections::HashSet<i64> = api_token::Entity::find()
        .filter(api_token::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .filter(|token| store::is_active(token, now))
        .map(|token| token.id)
        .collect();
    let by_token = sockets
        .by_token
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for id in ids.iter().filter(|id| !active.contains(id)) {
        for close in by_token.get(id).into_iter().flat_map(HashMap::values) {
            close.send_replace(true);
        }
    }
    Ok(())
}

impl Drop for Registration {
    fn drop(&mut self) {
        let Some(sockets) = self.sockets.upgrade() else {
            return;
        };
        let mut by_token = sockets
            .by_token
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(of_token) = by_token.get_mut(&self.token_id) {
            of_token.remove(&self.key);
            if of_token.is_empty() {
                by_token.remove(&self.token_id);
            }
        }
    }
}
