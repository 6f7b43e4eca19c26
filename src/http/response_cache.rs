//! The response cache: whole answers to anonymous queries, kept in memory and served again without
//! running anything.
//!
//! An answer is kept when it has no error and its types' cache hints make it public with a max-age
//! (see [`super::negotiate`]), keyed by the SHA-256 of its document, operation name and variables,
//! in a moka cache bounded in bytes. It is served while both hold:
//! - it is younger than its max-age (moka expires each entry after its own), so it is never older
//!   than the cache hints allow a browser or CDN to keep it;
//! - no write of a kind of data it read ([`Kinds`], from its document) happened since its read
//!   began: every mutation moves the generations of the kinds it writes ([`Freshness`]), on this
//!   instance before it answers and on the others as its notification arrives;
//! - on PostgreSQL, the instance is listening for the other instances' writes: while its `LISTEN`
//!   connection is down, nothing is served from the cache or kept in it.
//!
//! Each answer says what the cache did in `Cache-Status` (RFC 9211).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use async_graphql::Request;
use axum::body::Bytes;
use sha2::{Digest, Sha256};

use crate::events::{Freshness, Generations, Kinds};

/// The bytes an entry costs beyond its body: key, tag, bookkeeping and moka's own.
const ENTRY_OVERHEAD: usize = 256;

/// An answer's key: the SHA-256 of its document, operation name and variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key([u8; 32]);

impl Key {
    /// The key of `request`; each part is length-prefixed, so no two requests share one.
    pub fn of(request: &Request) -> Self {
        let mut hash = Sha256::new();
        let mut part = |bytes: &[u8]| {
            hash.update((bytes.len() as u64).to_le_bytes());
            hash.update(bytes);
        };
        part(request.query.as_bytes());
        part(
            request
                .operation_name
                .as_deref()
                .unwrap_or_default()
                .as_bytes(),
        );
        part(&serde_json::to_vec(&request.variables).unwrap_or_default());
        Self(hash.finalize().into())
    }
}

/// A kept answer.
#[derive(Debug)]
pub struct Entry {
    /// The body, as sent.
    pub body: Bytes,
    /// Its `ETag`.
    pub etag: String,
    /// How long it may be served, from when its read began.
    pub max_age: Duration,
    /// When its read began.
    pub read_at: Instant,
    reads: Kinds,
    generations: Generations,
}

/// A read about to run whose answer may be kept: what it reads and the generations before it ran.
#[derive(Clone, Copy, Debug)]
pub struct Pending {
    /// An answer was kept, but a write of what it read came after it.
    pub stale: bool,
    key: Key,
    reads: Kinds,
    generations: Generations,
    read_at: Instant,
}

impl Pending {
    /// How `Cache-Status` says the request went on to be computed: `stale` when a write dropped
    /// its kept answer, `uri-miss` when none was kept.
    pub fn forwarded(&self) -> &'static str {
        if self.stale { "stale" } else { "uri-miss" }
    }

    /// The entry of the answer `body` (tagged `etag`, public for `max_age`) to this read.
    pub fn entry(self, body: Bytes, etag: String, max_age: Duration) -> (Key, Entry) {
        (
            self.key,
            Entry {
                body,
                etag,
                max_age,
                read_at: self.read_at,
                reads: self.reads,
                generations: self.generations,
            },
        )
    }
}

/// Expires each entry at the end of its own max-age.
struct MaxAge;

impl moka::Expiry<Key, Arc<Entry>> for MaxAge {
    fn expire_after_create(
        &self,
        _key: &Key,
        entry: &Arc<Entry>,
        created_at: Instant,
    ) -> Option<Duration> {
        Some(
            entry
                .max_age
                .saturating_sub(created_at.saturating_duration_since(entry.read_at)),
        )
    }
}

/// The cache of one server instance.
pub struct ResponseCache {
    entries: moka::sync::Cache<Key, Arc<Entry>>,
    freshness: Arc<Freshness>,
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCache")
            .field("entries", &self.entries.entry_count())
            .field("bytes", &self.entries.weighted_size())
            .finish()
    }
}

/// What a lookup found.
#[derive(Debug)]
pub enum Lookup {
    /// A fresh answer.
    Hit(Arc<Entry>),
    /// Nothing kept; the answer may be kept once computed.
    Miss(Pending),
}

impl ResponseCache {
    /// A cache of at most `bytes` of answers, checked against `freshness`; None when `bytes` is 0.
    pub fn new(bytes: u64, freshness: Arc<Freshness>) -> Option<Self> {
        (bytes > 0).then(|| Self {
            entries: moka::sync::Cache::builder()
                .max_capacity(bytes)
                .weigher(|_: &Key, entry: &Arc<Entry>| {
                    u32::try_from(entry.body.len() + entry.etag.len() + ENTRY_OVERHEAD)
                        .unwrap_or(u32::MAX)
                })
                .expire_after(MaxAge)
                .build(),
            freshness,
        })
    }

    /// The fresh answer kept for `key`, or what to keep its answer under: `reads` (the kinds of
    /// data the request reads) and the generations now, taken before the read runs so that a
    /// write during it leaves its answer stale.
    pub fn lookup(&self, key: Key, reads: impl FnOnce() -> Kinds) -> Lookup {
        let mut stale = false;
        if !self.freshness.hears_every_write() {
            // Another instance's write may have been missed: nothing kept can be trusted.
            self.entries.invalidate_all();
        } else if let Some(entry) = self.entries.get(&key) {
            if self.freshness.unchanged(entry.reads, entry.generations) {
                return Lookup::Hit(entry);
            }
            self.entries.invalidate(&key);
            stale = true;
        }
        Lookup::Miss(Pending {
            stale,
            key,
            generations: self.freshness.now(),
            reads: reads(),
            read_at: Instant::now(),
        })
    }

    /// Keeps `entry` under `key`, unless a write it read happened while it ran.
    pub fn keep(&self, key: Key, entry: Entry) -> bool {
        if entry.max_age.is_zero()
            || !self.freshness.hears_every_write()
            || !self.freshness.unchanged(entry.reads, entry.generations)
        {
            return false;
        }
        self.entries.insert(key, Arc::new(entry));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> (ResponseCache, Arc<Freshness>) {
        let freshness = Arc::new(Freshness::default());
        let cache = ResponseCache::new(1 << 20, Arc::clone(&freshness)).expect("a cache");
        (cache, freshness)
    }

    fn keep(cache: &ResponseCache, request: &Request, reads: Kinds, max_age: Duration) {
        let Lookup::Miss(pending) = cache.lookup(Key::of(request), || reads) else {
            panic!("a miss first");
        };
        let (key, entry) = pending.entry(Bytes::from_static(b"{}"), "\"t\"".into(), max_age);
        assert!(cache.keep(key, entry));
    }

    #[test]
    fn requests_differing_in_name_or_variables_have_different_keys() {
        let plain = Request::new("query A { a } query B { a }");
        let named = Request::new("query A { a } query B { a }").operation_name("A");
        let other = Request::new("query A { a } query B { a }").operation_name("B");
        let variables = Request::new("query A { a } query B { a }")
            .operation_name("A")
            .variables(async_graphql::Variables::from_json(
                serde_json::json!({ "x": 1 }),
            ));
        let keys = [&plain, &named, &other, &variables].map(Key::of);
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
        let again = Request::new("query A { a } query B { a }").operation_name("A");
        assert_eq!(Key::of(&named), Key::of(&again));
    }

    #[test]
    fn a_write_of_a_kind_read_drops_the_answer_and_others_keep_it() {
        let (cache, freshness) = cache();
        let request = Request::new("{ skills { name } }");
        keep(&cache, &request, Kinds::SKILLS, Duration::from_secs(60));
        freshness.moved(Kinds::VACANCIES);
        assert!(matches!(
            cache.lookup(Key::of(&request), || Kinds::SKILLS),
            Lookup::Hit(_)
        ));
        freshness.moved(Kinds::SKILLS);
        assert!(matches!(
            cache.lookup(Key::of(&request), || Kinds::SKILLS),
            Lookup::Miss(_)
        ));
    }

    #[test]
    fn an_answer_read_while_a_write_ran_is_not_kept() {
        let (cache, freshness) = cache();
        let request = Request::new("{ skills { name } }");
        let Lookup::Miss(pending) = cache.lookup(Key::of(&request), || Kinds::SKILLS) else {
            panic!("a miss first");
        };
        freshness.moved(Kinds::SKILLS);
        let (key, entry) = pending.entry(Bytes::new(), String::new(), Duration::from_secs(60));
        assert!(!cache.keep(key, entry));
    }

    #[test]
    fn an_answer_is_not_served_past_its_max_age() {
        let (cache, _) = cache();
        let request = Request::new("{ skills { name } }");
        keep(&cache, &request, Kinds::SKILLS, Duration::from_millis(50));
        std::thread::sleep(Duration::from_millis(80));
        assert!(matches!(
            cache.lookup(Key::of(&request), || Kinds::SKILLS),
            Lookup::Miss(_)
        ));
    }
}
