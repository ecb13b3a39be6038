//! Where budgets live: the [`LimiterBackend`] trait and the in-process [`InMemory`] backend.
//!
//! A backend keeps one bucket per (scope key, [`LimitKind`]). The layer asks it to take units
//! ([`acquire`](LimiterBackend::acquire), which may refuse) and, for tokens, to settle after the
//! call ([`adjust`](LimiterBackend::adjust), which never refuses: a charge may leave the bucket
//! in debt, a refund never fills it past its size).
//!
//! In memory, requests go through governor's keyed GCRA limiter and tokens through a token
//! bucket (GCRA cannot give units back). Both read time from tokio's clock, so tests under
//! `tokio::time::pause()` are deterministic.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};
use llm_router_core::{Error, ErrorKind};
use tokio::time::Instant;

use crate::policy::Rate;

/// What a bucket counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitKind {
    /// Requests (one unit per call).
    Requests,
    /// Tokens (a call's estimate, settled with its real usage).
    Tokens,
}

impl LimitKind {
    /// `requests` or `tokens` (the last part of a Redis key).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requests => "requests",
            Self::Tokens => "tokens",
        }
    }
}

/// One budget: a scope key, what it counts, and its rate.
#[derive(Debug, Clone, Copy)]
pub struct Bucket<'a> {
    /// The scope key ([`Scope::key`](crate::Scope::key)).
    pub key: &'a str,
    /// What the bucket counts.
    pub kind: LimitKind,
    /// Its size and refill.
    pub rate: Rate,
}

/// The answer to [`LimiterBackend::acquire`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Admission {
    /// The units were taken.
    Admitted,
    /// Not enough units now; nothing was taken.
    Denied {
        /// When enough units will be back (if nobody else takes them first).
        retry_after: Duration,
    },
}

/// Storage for budgets: in process ([`InMemory`]) or shared by replicas (`RedisBackend`, feature
/// `redis`).
///
/// The layer never asks for more than a bucket's size in one call (a larger request takes the
/// whole bucket and settles the rest as debt), so a backend may assume `cost <= rate.amount`.
#[async_trait]
pub trait LimiterBackend: Send + Sync + fmt::Debug {
    /// Takes `cost` units from the bucket if it has them now; otherwise takes nothing and says
    /// when it will.
    async fn acquire(&self, bucket: &Bucket<'_>, cost: u64) -> Result<Admission, Error>;

    /// Changes the bucket after the fact, never refusing: a positive `delta` takes more units
    /// (the bucket may go into debt), a negative one gives units back (up to its size).
    async fn adjust(&self, bucket: &Bucket<'_>, delta: i64) -> Result<(), Error>;

    /// The units in the bucket now (0 when in debt), or `None` when the backend cannot tell.
    async fn available(&self, bucket: &Bucket<'_>) -> Result<Option<u64>, Error>;
}

/// Governor's clock, read from tokio's time (so `tokio::time::pause()` drives it).
#[derive(Debug, Clone, Copy)]
struct TokioClock {
    start: Instant,
}

impl Clock for TokioClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        Nanos::from(Instant::now().saturating_duration_since(self.start))
    }
}

type KeyedGcra = RateLimiter<String, HashMapStateStore<String>, TokioClock, NoOpMiddleware<Nanos>>;

/// A token bucket that may go into debt.
#[derive(Debug, Clone, Copy)]
struct TokenBucket {
    tokens: f64,
    updated: Instant,
    rate: Rate,
}

/// Tolerance for float refill arithmetic: a bucket this close to `cost` admits it.
const EPSILON: f64 = 1e-6;

impl TokenBucket {
    fn full(rate: Rate, now: Instant) -> Self {
        Self {
            tokens: rate.amount as f64,
            updated: now,
            rate,
        }
    }

    fn per_sec(&self) -> f64 {
        self.rate.amount as f64 / self.rate.period.as_secs_f64().max(f64::MIN_POSITIVE)
    }

    /// Adds what came back since the last look (a changed rate applies from now on).
    fn refill(&mut self, rate: Rate, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_sec()).min(self.rate.amount as f64);
        self.updated = now;
        if rate != self.rate {
            self.rate = rate;
            self.tokens = self.tokens.min(rate.amount as f64);
        }
    }

    fn is_full(&self) -> bool {
        self.tokens >= self.rate.amount as f64
    }
}

/// How many calls between sweeps of idle buckets.
const SWEEP_EVERY: u64 = 4096;

/// Budgets in this process: governor's keyed GCRA for requests, token buckets for tokens,
/// all on tokio's clock.
///
/// Clones share the buckets, so one `InMemory` can back several layers. Idle buckets (full
/// again) are dropped from time to time, so many short-lived caller keys do not grow memory.
#[derive(Clone, Default)]
pub struct InMemory {
    inner: Arc<Inner>,
}

struct Inner {
    clock: TokioClock,
    gcra: Mutex<HashMap<(u32, Duration), Arc<KeyedGcra>>>,
    tokens: Mutex<HashMap<(LimitKind, String), TokenBucket>>,
    calls: AtomicU64,
}

impl Default for Inner {
    fn default() -> Self {
        Self {
            clock: TokioClock {
                start: Instant::now(),
            },
            gcra: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
            calls: AtomicU64::new(0),
        }
    }
}

impl fmt::Debug for InMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemory")
            .field("token_buckets", &lock(&self.inner.tokens).len())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl InMemory {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn gcra(&self, rate: Rate) -> Result<Arc<KeyedGcra>, Error> {
        let burst = u32::try_from(rate.amount)
            .ok()
            .and_then(NonZeroU32::new)
            .ok_or_else(|| invalid_rate(rate))?;
        let mut map = lock(&self.inner.gcra);
        if let Some(limiter) = map.get(&(burst.get(), rate.period)) {
            return Ok(Arc::clone(limiter));
        }
        let quota = Quota::with_period(rate.period / burst.get())
            .ok_or_else(|| invalid_rate(rate))?
            .allow_burst(burst);
        let limiter = Arc::new(RateLimiter::hashmap_with_clock(quota, self.inner.clock));
        map.insert((burst.get(), rate.period), Arc::clone(&limiter));
        Ok(limiter)
    }

    fn sweep_now_and_then(&self) {
        if self.inner.calls.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY != SWEEP_EVERY - 1 {
            return;
        }
        for limiter in lock(&self.inner.gcra).values() {
            limiter.retain_recent();
        }
        // A bucket that has refilled is the same as no bucket.
        let now = Instant::now();
        lock(&self.inner.tokens).retain(|_, b| {
            b.refill(b.rate, now);
            !b.is_full()
        });
    }

    fn with_bucket<T>(&self, bucket: &Bucket<'_>, f: impl FnOnce(&mut TokenBucket) -> T) -> T {
        let now = Instant::now();
        let mut map = lock(&self.inner.tokens);
        let entry = map
            .entry((bucket.kind, bucket.key.to_owned()))
            .or_insert_with(|| TokenBucket::full(bucket.rate, now));
        entry.refill(bucket.rate, now);
        let out = f(entry);
        if entry.is_full() {
            map.remove(&(bucket.kind, bucket.key.to_owned()));
        }
        out
    }
}

fn invalid_rate(rate: Rate) -> Error {
    Error::new(
        ErrorKind::Config,
        format!(
            "rate limiter: invalid rate {} per {:?} (need 1..=4294967295 requests and a period of at least 1ns per request)",
            rate.amount, rate.period
        ),
    )
}

#[async_trait]
impl LimiterBackend for InMemory {
    async fn acquire(&self, bucket: &Bucket<'_>, cost: u64) -> Result<Admission, Error> {
        self.sweep_now_and_then();
        if cost == 0 {
            return Ok(Admission::Admitted);
        }
        if bucket.kind == LimitKind::Requests {
            let gcra = self.gcra(bucket.rate)?;
            let key = bucket.key.to_owned();
            let decision = match NonZeroU32::new(u32::try_from(cost).unwrap_or(u32::MAX)) {
                Some(n) if n.get() > 1 => gcra.check_key_n(&key, n).map_err(|_| {
                    Error::new(
                        ErrorKind::Config,
                        format!("rate limiter: a cost of {cost} exceeds the bucket"),
                    )
                })?,
                _ => gcra.check_key(&key),
            };
            return Ok(match decision {
                Ok(()) => Admission::Admitted,
                Err(not_until) => Admission::Denied {
                    retry_after: not_until.wait_time_from(self.inner.clock.now()),
                },
            });
        }
        Ok(self.with_bucket(bucket, |b| {
            let cost = cost as f64;
            if b.tokens + EPSILON >= cost {
                b.tokens -= cost;
                Admission::Admitted
            } else {
                let secs = (cost - b.tokens) / b.per_sec();
                Admission::Denied {
                    retry_after: Duration::from_secs_f64(secs.max(0.0))
                        .max(Duration::from_nanos(1)),
                }
            }
        }))
    }

    /// Token buckets only: governor's GCRA for requests cannot give cells back, so adjusting a
    /// requests bucket does nothing.
    async fn adjust(&self, bucket: &Bucket<'_>, delta: i64) -> Result<(), Error> {
        if bucket.kind == LimitKind::Requests || delta == 0 {
            return Ok(());
        }
        let cap = bucket.rate.amount as f64;
        self.with_bucket(bucket, |b| b.tokens = (b.tokens - delta as f64).min(cap));
        Ok(())
    }

    /// Token buckets only (`None` for requests: governor does not expose its state).
    async fn available(&self, bucket: &Bucket<'_>) -> Result<Option<u64>, Error> {
        if bucket.kind == LimitKind::Requests {
            return Ok(None);
        }
        let tokens = self.with_bucket(bucket, |b| b.tokens);
        Ok(Some(if tokens <= 0.0 {
            0
        } else {
            (tokens + EPSILON).floor() as u64
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(kind: LimitKind, rate: Rate) -> Bucket<'static> {
        Bucket {
            key: "k",
            kind,
            rate,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn gcra_admits_the_burst_then_says_when() {
        let mem = InMemory::new();
        let b = bucket(LimitKind::Requests, Rate::per_minute(3));
        for _ in 0..3 {
            assert_eq!(mem.acquire(&b, 1).await.unwrap(), Admission::Admitted);
        }
        assert_eq!(
            mem.acquire(&b, 1).await.unwrap(),
            Admission::Denied {
                retry_after: Duration::from_secs(20)
            }
        );
        tokio::time::advance(Duration::from_secs(20)).await;
        assert_eq!(mem.acquire(&b, 1).await.unwrap(), Admission::Admitted);
        assert_eq!(mem.available(&b).await.unwrap(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn token_bucket_takes_refunds_charges_and_refills() {
        let mem = InMemory::new();
        let b = bucket(LimitKind::Tokens, Rate::per_minute(600)); // 10 per second
        assert_eq!(mem.available(&b).await.unwrap(), Some(600));
        assert_eq!(mem.acquire(&b, 500).await.unwrap(), Admission::Admitted);
        assert_eq!(mem.available(&b).await.unwrap(), Some(100));
        assert_eq!(
            mem.acquire(&b, 150).await.unwrap(),
            Admission::Denied {
                retry_after: Duration::from_secs(5)
            }
        );
        mem.adjust(&b, -200).await.unwrap(); // refund
        assert_eq!(mem.available(&b).await.unwrap(), Some(300));
        mem.adjust(&b, 400).await.unwrap(); // charge into debt
        assert_eq!(mem.available(&b).await.unwrap(), Some(0));
        tokio::time::advance(Duration::from_secs(15)).await; // -100 + 150
        assert_eq!(mem.available(&b).await.unwrap(), Some(50));
        mem.adjust(&b, -10_000).await.unwrap(); // never past the size
        assert_eq!(mem.available(&b).await.unwrap(), Some(600));
    }

    #[tokio::test]
    async fn invalid_rates_are_config_errors() {
        let mem = InMemory::new();
        let zero = bucket(LimitKind::Requests, Rate::per_minute(0));
        assert_eq!(
            mem.acquire(&zero, 1).await.unwrap_err().kind(),
            ErrorKind::Config
        );
    }
}
