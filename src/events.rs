//! Write events, fanned out to every server instance: vacancy events for subscriptions, and what
//! kinds of data each mutation wrote, for the response cache.
//!
//! Subscribers always listen on an in-process broadcast channel. How events reach it depends on the
//! database: on PostgreSQL every instance `LISTEN`s on one channel and a write `NOTIFY`s it (the
//! payload is the vacancy id and what happened, never the data: each instance loads rows itself,
//! with each subscriber's permissions), so an event written through one instance reaches the
//! subscribers of all of them; on SQLite (one instance) a write sends straight to the channel.
//!
//! A write also moves the [`Freshness`] generations of the kinds of data it changed, on its own
//! instance at once and on the others when its notification arrives; a cached response is served
//! only while the generations of every kind it read are those it was computed under. A lost
//! `LISTEN` connection moves them all when it is back, since writes may have been missed meanwhile.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

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
    /// For a publication, its number (`vacancies.publication_seq`): contiguous and in commit
    /// order, so a subscriber can tell when it missed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publication: Option<i64>,
}

/// What the subscribers of an instance hear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// An event, from this instance or another.
    Event(VacancyEvent),
    /// Events may have been missed: the instance's `LISTEN` connection was lost and is back.
    Missed,
}

/// Kinds of data, as a set: what a write changed, what a response read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Kinds(u8);

impl Kinds {
    /// No data.
    pub const NONE: Self = Self(0);
    /// Developers and their skill links.
    pub const DEVELOPERS: Self = Self(1);
    /// The skill taxonomy.
    pub const SKILLS: Self = Self(1 << 1);
    /// Employers.
    pub const EMPLOYERS: Self = Self(1 << 2);
    /// Vacancies and their required skills.
    pub const VACANCIES: Self = Self(1 << 3);
    /// Every kind.
    pub const ALL: Self = Self(0b1111);

    /// The kinds in `self` or `other`.
    #[must_use]
    pub const fn and(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether `self` holds every kind of `other`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The index of each kind in `self`.
    fn indices(self) -> impl Iterator<Item = usize> {
        (0..4).filter(move |bit| self.0 & (1 << bit) != 0)
    }
}

/// A generation per kind of data, moved by every write of that kind (see the module's doc), and
/// whether this instance hears the writes of the others.
#[derive(Debug, Default)]
pub struct Freshness {
    generations: [AtomicU64; 4],
    /// False while a PostgreSQL instance has no `LISTEN` connection: another instance's write
    /// would go unnoticed, so nothing cached may be served or kept.
    deaf: AtomicBool,
}

/// The generations of [`Freshness`] at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generations([u64; 4]);

impl Freshness {
    /// The generations now: taken before a read runs, so that a write during the read makes its
    /// answer stale.
    pub fn now(&self) -> Generations {
        Generations(
            self.generations
                .each_ref()
                .map(|generation| generation.load(Ordering::Acquire)),
        )
    }

    /// Whether no write of any of the kinds in `read` happened since `then`.
    pub fn unchanged(&self, read: Kinds, then: Generations) -> bool {
        read.indices()
            .all(|index| self.generations[index].load(Ordering::Acquire) == then.0[index])
    }

    /// Records writes of the kinds in `written`.
    pub fn moved(&self, written: Kinds) {
        for index in written.indices() {
            self.generations[index].fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Whether this instance hears every write: always on SQLite, while listening on PostgreSQL.
    pub fn hears_every_write(&self) -> bool {
        !self.deaf.load(Ordering::Acquire)
    }

    /// Records whether the instance's `LISTEN` connection is up.
    fn listening(&self, up: bool) {
        if up {
            // Whatever was written while no connection listened is unknown here.
            self.moved(Kinds::ALL);
        }
        self.deaf.store(!up, Ordering::Release);
    }
}

/// What travels on the PostgreSQL channel.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Notice {
    /// A vacancy event, for subscribers.
    Vacancy(VacancyEvent),
    /// A mutation wrote these kinds of data.
    Wrote {
        /// The kinds.
        wrote: Kinds,
    },
}

/// The event bus of one server instance.
#[derive(Clone)]
pub struct Events {
    local: broadcast::Sender<Signal>,
    freshness: Arc<Freshness>,
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
        let freshness = Arc::new(Freshness::default());
        if db.get_database_backend() == DatabaseBackend::Postgres {
            freshness.listening(false);
            tokio::spawn(listen(
                db.clone(),
                local.clone(),
                Arc::clone(&freshness),
                stopped,
            ));
        }
        Self {
            local,
            freshness,
            db: db.clone(),
            _alive: std::sync::Arc::new(alive),
        }
    }

    /// Tells every subscriber, on every instance, about `event`. A failure is logged, never
    /// returned: the write it reports on has happened.
    pub async fn publish(&self, event: VacancyEvent) {
        if self.db.get_database_backend() != DatabaseBackend::Postgres {
            // No subscriber is not an error.
            self.local.send(Signal::Event(event)).ok();
            return;
        }
        self.notify(&Notice::Vacancy(event)).await;
    }

    /// Records that a mutation wrote the kinds of data in `written`: on this instance before it
    /// returns (so its caller's next read here sees the write), on the others when the
    /// notification reaches them.
    pub async fn wrote(&self, written: Kinds) {
        if written == Kinds::NONE {
            return;
        }
        self.freshness.moved(written);
        if self.db.get_database_backend() == DatabaseBackend::Postgres {
            self.notify(&Notice::Wrote { wrote: written }).await;
        }
    }

    /// Waits, at most `limit`, until this instance hears every write ([`Freshness`]): at start-up,
    /// so that its response cache works from the first request. False if it still does not.
    pub async fn listening_within(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while !self.freshness.hears_every_write() {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        true
    }

    /// The generations writes move, which the response cache checks its entries against.
    pub fn freshness(&self) -> &Arc<Freshness> {
        &self.freshness
    }

    /// Sends `notice` to every instance (this one included). A failure is logged, never returned.
    async fn notify(&self, notice: &Notice) {
        let payload = match serde_json::to_string(notice) {
            Ok(payload) => payload,
            Err(err) => {
                tracing::error!(error = %err, "cannot encode an event");
                return;
            }
        };
        let notify = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), payload.into()],
        );
        if let Err(err) = self.db.execute_raw(notify).await {
            tracing::warn!(?notice, error = %err, "cannot publish an event");
        }
    }

    /// A receiver of this instance's events, buffering at most [`BUFFER`] of them.
    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.local.subscribe()
    }
}

/// Forwards the notifications of every instance to `local` and `freshness` until `stopped` says
/// the bus is gone; reconnects when the connection is lost, logging that events may have been
/// missed meanwhile and moving every generation once listening again.
async fn listen(
    db: DatabaseConnection,
    local: broadcast::Sender<Signal>,
    freshness: Arc<Freshness>,
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
        freshness.listening(true);
        // Subscribers that came while no connection listened (at start-up, or since it was lost)
        // may have missed events. No subscriber is not an error.
        local.send(Signal::Missed).ok();
        loop {
            let received = tokio::select! {
                _ = stopped.changed() => return,
                received = listener.try_recv() => received,
            };
            match received {
                Ok(Some(notification)) => {
                    match serde_json::from_str::<Notice>(notification.payload()) {
                        Ok(Notice::Vacancy(event)) => {
                            local.send(Signal::Event(event)).ok();
                        }
                        Ok(Notice::Wrote { wrote }) => freshness.moved(wrote),
                        Err(err) => {
                            tracing::warn!(error = %err, "ignoring a malformed event")
                        }
                    }
                }
                Ok(None) => {
                    // What is sent until a new connection listens is lost.
                    tracing::warn!(
                        "lost the LISTEN connection: events published until it is back are missed"
                    );
                    freshness.listening(false);
                    break;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "the LISTEN connection failed; reconnecting");
                    freshness.listening(false);
                    break;
                }
            }
        }
    }
}
