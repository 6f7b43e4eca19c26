//! Vacancy events for subscriptions, fanned out to every server instance.
//!
//! Subscribers always listen on an in-process broadcast channel. How events reach it depends on the
//! database: on PostgreSQL every instance `LISTEN`s on one channel and a write `NOTIFY`s it (the
//! payload is the vacancy id and what happened, never the data: each instance loads rows itself,
//! with each subscriber's permissions), so an event written through one instance reaches the
//! subscribers of all of them; on SQLite (one instance) a write sends straight to the channel.

use std::time::Duration;

use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, sqlx::postgres::PgListener,
};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};

/// The PostgreSQL channel the instances share.
const CHANNEL: &str = "talent_vacancy_events";
/// Events a subscriber may fall behind by before it is told it missed some and is closed.
pub const BUFFER: usize = 256;

/// What happened to a vacancy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// It became OPEN.
    Published,
    /// It was edited, given new skills, or closed.
    Updated,
    /// It was deleted.
    Deleted,
}

/// An event: vacancy `id` changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VacancyEvent {
    /// The vacancy.
    pub id: i64,
    /// What happened.
    pub change: Change,
}

/// The event bus of one server instance.
#[derive(Clone)]
pub struct Events {
    local: broadcast::Sender<VacancyEvent>,
    db: DatabaseConnection,
    /// Dropped with the last handle: stops the PostgreSQL listener.
    _alive: std::sync::Arc<watch::Sender<()>>,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events")
            .field("subscribers", &self.local.receiver_count())
            .finish_non_exhaustive()
    }
}

impl Events {
    /// The bus of this instance; on PostgreSQL, starts listening for every instance's events.
    pub fn start(db: &DatabaseConnection) -> Self {
        let (local, _) = broadcast::channel(BUFFER);
        let (alive, stopped) = watch::channel(());
        if db.get_database_backend() == DatabaseBackend::Postgres {
            tokio::spawn(listen(db.clone(), local.clone(), stopped));
        }
        Self {
            local,
            db: db.clone(),
            _alive: std::sync::Arc::new(alive),
        }
    }

    /// Tells every subscriber, on every instance, about `event`. A failure is logged, never
    /// returned: the write it reports on has happened.
    pub async fn publish(&self, event: VacancyEvent) {
        if self.db.get_database_backend() != DatabaseBackend::Postgres {
            // No subscriber is not an error.
            self.local.send(event).ok();
            return;
        }
        let payload = match serde_json::to_string(&event) {
            Ok(payload) => payload,
            Err(err) => {
                tracing::error!(error = %err, "cannot encode a vacancy event");
                return;
            }
        };
        let notify = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), payload.into()],
        );
        if let Err(err) = self.db.execute_raw(notify).await {
            tracing::warn!(vacancy.id = event.id, error = %err, "cannot publish a vacancy event");
        }
    }

    /// A receiver of this instance's events, buffering at most [`BUFFER`] of them.
    pub fn subscribe(&self) -> broadcast::Receiver<VacancyEvent> {
        self.local.subscribe()
    }
}

/// Forwards the notifications of every instance to `local` until `stopped` says the bus is gone;
/// reconnects when the connection is lost, logging that events may have been missed meanwhile.
async fn listen(
    db: DatabaseConnection,
    local: broadcast::Sender<VacancyEvent>,
    mut stopped: watch::Receiver<()>,
) {
    let pool = db.get_postgres_connection_pool().clone();
    loop {
        let connected = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sea_orm::sqlx::Error>(listener)
        };
        let mut listener = tokio::select! {
            _ = stopped.changed() => return,
            connected = connected => match connected {
                Ok(listener) => listener,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot LISTEN for vacancy events; retrying in 1 s");
                    tokio::select! {
                        _ = stopped.changed() => return,
                        () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    }
                }
            },
        };
        loop {
            let received = tokio::select! {
                _ = stopped.changed() => return,
                received = listener.try_recv() => received,
            };
            match received {
                Ok(Some(notification)) => {
                    match serde_json::from_str::<VacancyEvent>(notification.payload()) {
                        Ok(event) => {
                            local.send(event).ok();
                        }
                        Err(err) => {
                            tracing::warn!(error = %err, "ignoring a malformed vacancy event")
                        }
                    }
                }
                Ok(None) => {
                    // try_recv reconnects on the next call; what was sent meanwhile is lost.
                    tracing::warn!(
                        "lost the LISTEN connection: vacancy events published until it is back are missed"
                    );
                }
                Err(err) => {
                    tracing::warn!(error = %err, "the LISTEN connection failed; reconnecting");
                    break;
                }
            }
        }
    }
}
