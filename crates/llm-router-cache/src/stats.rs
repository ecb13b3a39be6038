//! Hit, miss, store, error and skip counters for telemetry.
//!
//! Plain relaxed atomics: each counter is exact, a snapshot of several is not a transaction.

use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters of one [`CacheLayer`](crate::CacheLayer), shared by every provider it wraps.
#[derive(Debug, Default)]
pub struct CacheStats {
    hits: AtomicU64,
    misses: AtomicU64,
    stores: AtomicU64,
    errors: AtomicU64,
    skips: AtomicU64,
}

/// The counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStatsSnapshot {
    /// Requests answered from the cache.
    pub hits: u64,
    /// Lookups that found nothing usable (absent, expired, too old, unreadable, store down).
    pub misses: u64,
    /// Answers written to the store.
    pub stores: u64,
    /// Store failures (lookups, writes, corrupt entries); each one is also logged as a warning.
    pub errors: u64,
    /// Requests that did not look in the cache (a `skip` control or the policy).
    pub skips: u64,
}

impl CacheStatsSnapshot {
    /// Hits over lookups (hits + misses); 0 when there were none.
    pub fn hit_ratio(&self) -> f64 {
        let lookups = self.hits + self.misses;
        if lookups == 0 {
            0.0
        } else {
            self.hits as f64 / lookups as f64
        }
    }
}

impl CacheStats {
    /// The counters now.
    pub fn snapshot(&self) -> CacheStatsSnapshot {
        CacheStatsSnapshot {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            stores: self.stores.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            skips: self.skips.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn store(&self) {
        self.stores.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn skip(&self) {
        self.skips.fetch_add(1, Ordering::Relaxed);
    }
}
