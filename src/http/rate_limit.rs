//! Rate limiting: a token bucket per client (its API token, or its IP address when anonymous).
//!
//! Each bucket holds up to `burst` units and refills at `rate` units a second; a query takes 1 unit,
//! a mutation more. Buckets are independent and forgotten once full again.
//!
//! Where they are kept: in memory, or, on PostgreSQL ([`RateLimiter::shared`]), in the
//! `rate_limit_buckets` table every instance reads, so that instances behind one balancer allow
//! the configured rate once, not once each. There a bucket is the time at which it is full again
//! (the generic cell rate algorithm, equivalent to the token bucket) and one upsert per request
//! takes from it, on the database's clock. The buckets of refused tokens stay in memory: they
//! exist to spare the database a lookup per random token, which a statement per token would not.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};

/// Whom a bucket belongs to.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Client {
    /// A signed-in caller, by token id.
    Token(i64),
    /// An anonymous caller, by address.
    Address(IpAddr),
    /// The tokens refused (unknown, revoked, expired) from an address: a bucket of its own, so
    /// that neither drains the other (a valid token behind a busy address still works).
    RefusedTokens(IpAddr),
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    units: f64,
    updated: Instant,
}

/// The buckets of every client.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    /// The `RateLimit-Policy` field, the same for every answer.
    policy: String,
    buckets: Mutex<HashMap<Client, Bucket>>,
    /// The database whose `rate_limit_buckets` the instances share, when they do.
    shared: Option<DatabaseConnection>,
}

/// Buckets kept before full ones are swept out.
const SWEEP_AT: usize = 10_000;

impl RateLimiter {
    /// A limiter refilling `rate` units a second up to `burst`; None when `rate` is not positive
    /// (rate limiting off).
    pub fn new(rate: f64, burst: u32) -> Option<Self> {
        (rate.is_finite() && rate > 0.0).then(|| {
            let burst = f64::from(burst.max(1));
            let window = (burst / rate).ceil().max(1.0);
            Self {
                rate,
                burst,
                policy: format!("\"default\";q={burst};w={window}"),
                buckets: Mutex::new(HashMap::new()),
                shared: None,
            }
        })
    }

    /// The limiter keeping its buckets (but those of refused tokens) in PostgreSQL database `db`,
    /// shared with every instance on it.
    #[must_use]
    pub fn shared(mut self, db: DatabaseConnection) -> Self {
        self.shared = Some(db);
        self
    }

    /// Takes `cost` units from `client`'s bucket now: from the shared table when there is one
    /// ([`Self::shared`]), else in memory ([`Self::take`]). Should the database fail, the
    /// bucket in memory answers: the limit then holds per instance rather than not at all.
    pub async fn spend(&self, client: Client, cost: u32) -> Result<f64, Duration> {
        let key = match client {
            Client::Token(id) => format!("t{id}"),
            Client::Address(address) => format!("a{address}"),
            Client::RefusedTokens(_) => return self.take(client, cost, Instant::now()),
        };
        let Some(db) = &self.shared else {
            return self.take(client, cost, Instant::now());
        };
        match self.spend_shared(db, key, cost).await {
            Ok(spent) => spent,
            Err(err) => {
                tracing::warn!(error = %err, "cannot reach the shared rate-limit buckets; limiting in memory");
                self.take(client, cost, Instant::now())
            }
        }
    }

    /// [`Self::spend`] on the shared table: one upsert moves the time at which the bucket is full
    /// again by the cost, unless that would put it more than a burst ahead of now (refused). A
    /// refusal reads how long until the cost fits.
    async fn spend_shared(
        &self,
        db: &DatabaseConnection,
        key: String,
        cost: u32,
    ) -> Result<Result<f64, Duration>, sea_orm::DbErr> {
        let cost = f64::from(cost).min(self.burst) / self.rate;
        let burst = self.burst / self.rate;
        let taken = db
            .query_one_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "INSERT INTO rate_limit_buckets AS b (client, full_at) \
                 VALUES ($1, now() + make_interval(secs => $2)) \
                 ON CONFLICT (client) DO UPDATE \
                 SET full_at = GREATEST(b.full_at, now()) + make_interval(secs => $2) \
                 WHERE GREATEST(b.full_at, now()) + make_interval(secs => $2) \
                 <= now() + make_interval(secs => $3) \
                 RETURNING EXTRACT(EPOCH FROM b.full_at - now())::float8",
                [key.clone().into(), cost.into(), burst.into()],
            ))
            .await?;
        if let Some(row) = taken {
            let owed: f64 = row.try_get_by_index(0)?;
            return Ok(Ok((self.burst - owed * self.rate).max(0.0)));
        }
        let wait = db
            .query_one_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT EXTRACT(EPOCH FROM GREATEST(full_at, now()) + make_interval(secs => $2) \
                 - now() - make_interval(secs => $3))::float8 FROM rate_limit_buckets WHERE client = $1",
                [key.into(), cost.into(), burst.into()],
            ))
            .await?
            .map(|row| row.try_get_by_index::<f64>(0))
            .transpose()?
            .unwrap_or(0.0);
        Ok(Err(Duration::from_secs_f64(wait.max(0.001))))
    }

    /// Deletes the shared buckets that are full again (a client absent for a burst's time), so
    /// that the table holds only recent clients. Run now and then by one of the instances.
    pub async fn sweep_shared(&self) -> Result<u64, sea_orm::DbErr> {
        let Some(db) = &self.shared else {
            return Ok(0);
        };
        let done = db
            .execute_raw(Statement::from_string(
                DatabaseBackend::Postgres,
                "DELETE FROM rate_limit_buckets WHERE full_at < now()",
            ))
            .await?;
        Ok(done.rows_affected())
    }

    /// Whether `client` has a unit left at `now` (taking none), or how long until it has.
    pub fn has_left(&self, client: Client, now: Instant) -> Result<(), Duration> {
        let buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(bucket) = buckets.get(&client) else {
            return Ok(());
        };
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        let units = (bucket.units + elapsed * self.rate).min(self.burst);
        if units >= 1.0 {
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - units) / self.rate))
        }
    }

    /// The `RateLimit-Policy` field (draft-ietf-httpapi-ratelimit-headers): a quota of the burst,
    /// over the seconds an empty bucket takes to fill again.
    pub fn policy(&self) -> &str {
        &self.policy
    }

    /// The `RateLimit` field for a bucket holding `left` units: those left (whole), and the
    /// seconds until it is full again.
    pub fn state(&self, left: f64) -> String {
        let reset = ((self.burst - left).max(0.0) / self.rate).ceil();
        format!("\"default\";r={};t={reset}", left.max(0.0).floor())
    }

    /// The `RateLimit` field of a refused request: nothing left, and the seconds to `wait` until
    /// it could be served.
    pub fn refused_state(wait: Duration) -> String {
        format!("\"default\";r=0;t={}", wait.as_secs_f64().ceil())
    }

    /// Takes `cost` units from `client`'s bucket at `now` and says how many are left, or says how
    /// long to wait until they are there. A cost above the burst is charged as the whole burst.
    pub fn take(&self, client: Client, cost: u32, now: Instant) -> Result<f64, Duration> {
        let cost = f64::from(cost).min(self.burst);
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= SWEEP_AT {
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, bucket| {
                bucket.units + now.duration_since(bucket.updated).as_secs_f64() * rate < burst
            });
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            units: self.burst,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.units = (bucket.units + elapsed * self.rate).min(self.burst);
        bucket.updated = now;
        if bucket.units >= cost {
            bucket.units -= cost;
            Ok(bucket.units)
        } else {
            Err(Duration::from_secs_f64((cost - bucket.units) / self.rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: Client = Client::Token(1);
    const TWO: Client = Client::Token(2);

    #[test]
    fn a_client_may_spend_its_burst_at_once_and_no_more() -> Result<(), &'static str> {
        let limiter = RateLimiter::new(1.0, 3).ok_or("on")?;
        let now = Instant::now();
        for _ in 0..3 {
            assert!(limiter.take(ONE, 1, now).is_ok());
        }
        let wait = limiter.take(ONE, 1, now).err().ok_or("refused")?;
        assert_eq!(wait, Duration::from_secs(1));
        Ok(())
    }

    #[test]
    fn buckets_refill_at_the_rate() -> Result<(), &'static str> {
        let limiter = RateLimiter::new(2.0, 2).ok_or("on")?;
        let now = Instant::now();
        assert!(limiter.take(ONE, 2, now).is_ok());
        assert!(limiter.take(ONE, 1, now).is_err());
        assert!(
            limiter
                .take(ONE, 1, now + Duration::from_millis(500))
                .is_ok()
        );
        Ok(())
    }

    #[test]
    fn clients_have_buckets_of_their_own() -> Result<(), &'static str> {
        let limiter = RateLimiter::new(1.0, 1).ok_or("on")?;
        let now = Instant::now();
        assert!(limiter.take(ONE, 1, now).is_ok());
        assert!(limiter.take(ONE, 1, now).is_err());
        assert!(limiter.take(TWO, 1, now).is_ok());
        Ok(())
    }

    #[test]
    fn has_left_takes_nothing() -> Result<(), &'static str> {
        let limiter = RateLimiter::new(1.0, 1).ok_or("on")?;
        let now = Instant::now();
        assert!(limiter.has_left(ONE, now).is_ok());
        assert!(limiter.has_left(ONE, now).is_ok());
        assert!(limiter.take(ONE, 1, now).is_ok());
        assert!(limiter.has_left(ONE, now).is_err());
        assert!(limiter.has_left(ONE, now + Duration::from_secs(1)).is_ok());
        Ok(())
    }

    #[test]
    fn the_headers_say_the_quota_what_is_left_and_when_it_is_full_again() -> Result<(), &'static str>
    {
        let limiter = RateLimiter::new(10.0, 100).ok_or("a limiter")?;
        assert_eq!(limiter.policy(), "\"default\";q=100;w=10");
        assert_eq!(limiter.state(100.0), "\"default\";r=100;t=0");
        assert_eq!(limiter.state(49.5), "\"default\";r=49;t=6");
        assert_eq!(
            RateLimiter::refused_state(Duration::from_millis(1_500)),
            "\"default\";r=0;t=2"
        );
        Ok(())
    }

    #[test]
    fn a_zero_rate_turns_limiting_off() {
        assert!(RateLimiter::new(0.0, 10).is_none());
    }
}
