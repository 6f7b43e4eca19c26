//! Read replicas: PostgreSQL hot standbys that serve queries, and the consistency tokens that give a
//! client its own writes back.
//!
//! Queries go to a replica (round robin over those in use); mutations, what a mutation reads,
//! subscriptions and answers the response cache will keep go to the primary (see the HTTP layer).
//! A watcher asks the primary for its WAL position and every replica for the position it has
//! replayed, every [`POLL`]: a replica that does not answer, or is behind the primary by more than
//! the allowed lag, is left out until it answers and catches up again.
//!
//! **Read-your-writes.** After a mutation the primary's WAL position (which its commit is at or
//! before) is the caller's consistency token. A query that carries it is served by a replica
//! only once that replica has replayed the position: one already known to have, or the first
//! in use, asked every [`WAIT_STEP`] until it has, for at most the configured wait; then the
//! primary answers.

use std::{
    fmt,
    str::FromStr,
    sync::{
        Arc, Mutex, PoisonError, Weak,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};

use crate::{
    config::DatabaseUrl,
    db::{self, StatementCounter},
};

/// How often the watcher reads the positions of the primary and the replicas.
pub const POLL: Duration = Duration::from_millis(100);
/// How long the watcher waits for one replica's answer before counting it out.
const POLL_TIMEOUT: Duration = Duration::from_secs(1);
/// How often a query that waits for a replica to replay its token asks again.
const WAIT_STEP: Duration = Duration::from_millis(10);

/// A position in PostgreSQL's write-ahead log (`pg_lsn`), written as PostgreSQL writes it: two
/// hexadecimal halves, `16/B374D848`. It is the consistency token clients carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Lsn(u64);

impl FromStr for Lsn {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let malformed = || format!("`{text}` is not a consistency token (like `16/B374D848`)");
        let (high, low) = text.trim().split_once('/').ok_or_else(malformed)?;
        let half = |part: &str| {
            if part.is_empty() || part.len() > 8 {
                return Err(malformed());
            }
            u32::from_str_radix(part, 16).map_err(|_| malformed())
        };
        Ok(Self((u64::from(half(high)?) << 32) | u64::from(half(low)?)))
    }
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// One replica and what the watcher last saw of it.
pub struct Replica {
    /// Its URL without the password, for logs.
    label: String,
    db: DatabaseConnection,
    /// Whether it answered the last poll and was within the allowed lag.
    in_use: AtomicBool,
    /// The position it had replayed at the last poll.
    replayed: AtomicU64,
    /// The poll since which it has been behind the primary, if it is.
    behind_since: Mutex<Option<Instant>>,
}

impl Replica {
    /// The replica's pool.
    pub fn database(&self) -> &DatabaseConnection {
        &self.db
    }

    fn in_use(&self) -> bool {
        self.in_use.load(Ordering::Acquire)
    }

    fn replayed(&self) -> Lsn {
        Lsn(self.replayed.load(Ordering::Acquire))
    }

    /// Records what a poll found; logs when the replica goes in or out of use.
    fn seen(&self, usable: bool, why: &str) {
        let was = self.in_use.swap(usable, Ordering::AcqRel);
        if was && !usable {
            tracing::warn!(replica = %self.label, why, "read replica out of use");
        } else if !was && usable {
            tracing::info!(replica = %self.label, "read replica in use");
        }
    }
}

impl fmt::Debug for Replica {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Replica")
            .field("label", &self.label)
            .field("in_use", &self.in_use())
            .field("replayed", &self.replayed())
            .finish_non_exhaustive()
    }
}

/// Where queries are read from: the primary and its replicas.
pub struct Reads {
    primary: DatabaseConnection,
    replicas: Vec<Arc<Replica>>,
    max_lag: Duration,
    wait: Duration,
    next: AtomicUsize,
}

impl fmt::Debug for Reads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reads")
            .field("replicas", &self.replicas)
            .field("max_lag", &self.max_lag)
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}

impl Reads {
    /// Opens a pool on each replica in `urls` (lazily: a replica that is down at start-up is
    /// only out of use until it answers), counting their statements in `statements`, and starts
    /// watching them. Nothing when `urls` is empty.
    pub async fn start(
        primary: &DatabaseConnection,
        urls: &[DatabaseUrl],
        max_connections: u32,
        max_lag: Duration,
        wait: Duration,
        statements: &StatementCounter,
    ) -> Result<Option<Arc<Self>>, DbErr> {
        if urls.is_empty() {
            return Ok(None);
        }
        let mut replicas = Vec::with_capacity(urls.len());
        for url in urls {
            let mut db = db::connect_replica(url, max_connections).await?;
            statements.install(&mut db);
            replicas.push(Arc::new(Replica {
                label: url.to_string(),
                db,
                in_use: AtomicBool::new(false),
                replayed: AtomicU64::new(0),
                behind_since: Mutex::new(None),
            }));
        }
        let reads = Arc::new(Self {
            primary: primary.clone(),
            replicas,
            max_lag,
            wait,
            next: AtomicUsize::new(0),
        });
        reads.poll().await;
        tokio::spawn(watch(Arc::downgrade(&reads)));
        Ok(Some(reads))
    }

    /// The replica a query runs on: the next in use (round robin) or, with a consistency
    /// `token`, the next in use that has replayed it, waiting for one (see the module's doc).
    /// None: the primary answers.
    pub async fn choose(&self, token: Option<Lsn>) -> Option<Arc<Replica>> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let count = self.replicas.len();
        let mut in_use = (0..count)
            .map(|offset| &self.replicas[(start + offset) % count])
            .filter(|replica| replica.in_use());
        let Some(token) = token else {
            return in_use.next().cloned();
        };
        let mut first = None;
        for replica in in_use {
            if replica.replayed() >= token {
                return Some(Arc::clone(replica));
            }
            first.get_or_insert(replica);
        }
        let replica = first?;
        let deadline = tokio::time::Instant::now() + self.wait;
        loop {
            match has_replayed(&replica.db, token).await {
                Ok(true) => return Some(Arc::clone(replica)),
                Ok(false) => {}
                Err(err) => {
                    replica.seen(false, &err.to_string());
                    return None;
                }
            }
            if tokio::time::Instant::now() + WAIT_STEP > deadline {
                return None;
            }
            tokio::time::sleep(WAIT_STEP).await;
        }
    }

    /// Each replica's URL (without its password) and whether it is in use, for `/metrics`.
    pub fn states(&self) -> Vec<(String, bool)> {
        self.replicas
            .iter()
            .map(|replica| (replica.label.clone(), replica.in_use()))
            .collect()
    }

    /// The primary's current WAL position: after a commit, at or past it.
    pub async fn position(&self) -> Result<Lsn, DbErr> {
        position(&self.primary, "SELECT pg_current_wal_lsn()::text").await
    }

    /// Takes `replica` out of use after a query failed on it; the watcher brings it back when
    /// it answers again.
    pub fn failed(&self, replica: &Replica, why: &str) {
        replica.seen(false, why);
    }

    /// Reads the primary's position, then each replica's, and puts each replica in or out of use.
    async fn poll(&self) {
        let primary = match position(&self.primary, "SELECT pg_current_wal_lsn()::text").await {
            Ok(position) => Some(position),
            Err(err) => {
                tracing::warn!(error = %err, "cannot read the primary's WAL position");
                None
            }
        };
        for replica in &self.replicas {
            let seen = tokio::time::timeout(POLL_TIMEOUT, replay_state(&replica.db)).await;
            match seen {
                Ok(Ok((replayed, lag))) => {
                    replica.replayed.store(replayed.0, Ordering::Release);
                    // Caught up with the position the primary had a moment ago: no lag, however
                    // long ago its last transaction was. Behind it: at most the time since the
                    // last transaction it replayed was committed, and at most the time since the
                    // first poll that found it behind (the primary may have been idle long
                    // before the write it has yet to replay).
                    let caught_up = primary.is_some_and(|primary| replayed >= primary);
                    let since = {
                        let mut behind = replica
                            .behind_since
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner);
                        if caught_up {
                            *behind = None;
                            None
                        } else {
                            Some(*behind.get_or_insert_with(Instant::now))
                        }
                    };
                    let within = since.is_none_or(|since| {
                        let behind_for = since.elapsed() + POLL;
                        lag.map_or(behind_for, |lag| lag.min(behind_for)) <= self.max_lag
                    });
                    replica.seen(within, "behind the primary by more than the allowed lag");
                }
                Ok(Err(err)) => replica.seen(false, &err.to_string()),
                Err(_) => replica.seen(false, "no answer within 1 s"),
            }
        }
    }
}

/// Polls `reads` every [`POLL`] until it is dropped.
async fn watch(reads: Weak<Reads>) {
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(reads) = reads.upgrade() else {
            return;
        };
        reads.poll().await;
    }
}

/// The position `sql` (one `pg_lsn` as text) reads on `db`.
async fn position(db: &DatabaseConnection, sql: &str) -> Result<Lsn, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(DatabaseBackend::Postgres, sql))
        .await?
        .ok_or_else(|| DbErr::Custom("no WAL position".to_owned()))?;
    let text: String = row.try_get_by_index(0)?;
    text.parse().map_err(DbErr::Custom)
}

/// What a replica has replayed, and how long ago the last transaction it replayed was committed
/// on the primary. A server that is not in recovery (a primary named as a replica) counts as
/// caught up with its own position.
async fn replay_state(db: &DatabaseConnection) -> Result<(Lsn, Option<Duration>), DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT COALESCE(pg_last_wal_replay_lsn(), pg_current_wal_lsn())::text, \
             CASE WHEN pg_is_in_recovery() \
             THEN EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 \
             ELSE 0 END",
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("no replay position".to_owned()))?;
    let replayed: String = row.try_get_by_index(0)?;
    let lag: Option<f64> = row.try_get_by_index(1)?;
    Ok((
        replayed.parse().map_err(DbErr::Custom)?,
        lag.and_then(|seconds| Duration::try_from_secs_f64(seconds.max(0.0)).ok()),
    ))
}

/// Whether the replica behind `db` has replayed `token`.
async fn has_replayed(db: &DatabaseConnection, token: Lsn) -> Result<bool, DbErr> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT COALESCE(pg_last_wal_replay_lsn(), pg_current_wal_lsn()) >= $1::pg_lsn",
            [token.to_string().into()],
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("no replay position".to_owned()))?;
    Ok(row.try_get_by_index::<Option<bool>>(0)?.unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::Lsn;

    #[test]
    fn a_position_reads_and_writes_as_postgresql_writes_it() {
        for text in ["0/0", "16/B374D848", "FFFFFFFF/FFFFFFFF", "0/3000148"] {
            let lsn: Lsn = text.parse().expect("a position");
            assert_eq!(lsn.to_string(), text);
        }
    }

    #[test]
    fn positions_order_by_their_high_half_first() {
        let lower: Lsn = "0/FFFFFFFF".parse().expect("a position");
        let higher: Lsn = "1/0".parse().expect("a position");
        assert!(lower < higher);
    }

    #[test]
    fn a_malformed_token_is_refused_with_an_example() {
        for text in ["", "16", "16/", "/1", "G/1", "123456789/0", "1/2/3", "-1/0"] {
            let refused = text.parse::<Lsn>().expect_err(text);
            assert!(refused.contains("like `16/B374D848`"), "{refused}");
        }
    }
}
