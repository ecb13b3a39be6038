//! The in-memory store: a moka cache bounded in bytes, least recently used entry evicted
//! first, each entry with its own time to live.
//!
//! moka applies evictions in batches on its own housekeeping schedule, so the size can run a
//! little over the bound for a moment; [`MemoryStore::run_pending_tasks`] applies them now.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use llm_router_core::Error;
use moka::Expiry;
use moka::future::Cache;
use moka::policy::EvictionPolicy;

use crate::key::CacheKey;
use crate::store::CacheStore;

/// Bytes counted per entry on top of its key and value (moka's node, our `Arc`s).
const ENTRY_OVERHEAD: usize = 128;

/// The default bound: 64 MiB.
pub const DEFAULT_MEMORY_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Clone)]
struct MemEntry {
    value: Bytes,
    ttl: Option<Duration>,
}

/// Each entry expires after the TTL it was stored with.
struct PerEntryTtl;

impl Expiry<Arc<str>, MemEntry> for PerEntryTtl {
    fn expire_after_create(
        &self,
        _key: &Arc<str>,
        value: &MemEntry,
        _created_at: Instant,
    ) -> Option<Duration> {
        value.ttl
    }

    fn expire_after_update(
        &self,
        _key: &Arc<str>,
        value: &MemEntry,
        _updated_at: Instant,
        _duration_until_expiry: Option<Duration>,
    ) -> Option<Duration> {
        value.ttl
    }
}

/// An in-process store (moka), bounded in bytes with LRU eviction. Cloning shares the cache.
#[derive(Clone)]
pub struct MemoryStore {
    cache: Cache<Arc<str>, MemEntry>,
    max_bytes: u64,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("max_bytes", &self.max_bytes)
            .field("entries", &self.cache.entry_count())
            .field("bytes", &self.cache.weighted_size())
            .finish()
    }
}

impl Default for MemoryStore {
    /// A 64 MiB store.
    fn default() -> Self {
        Self::new(DEFAULT_MEMORY_BYTES)
    }
}

impl MemoryStore {
    /// A store holding at most `max_bytes` of keys and values (plus a small per-entry
    /// overhead).
    pub fn new(max_bytes: u64) -> Self {
        let cache = Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|key: &Arc<str>, entry: &MemEntry| {
                u32::try_from(key.len() + entry.value.len() + ENTRY_OVERHEAD).unwrap_or(u32::MAX)
            })
            .eviction_policy(EvictionPolicy::lru())
            .expire_after(PerEntryTtl)
            .support_invalidation_closures()
            .build();
        Self { cache, max_bytes }
    }

    /// The bound in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Entries held (approximate until pending tasks run).
    pub fn entry_count(&self) -> u64 {
        self.cache.entry_count()
    }

    /// Bytes held, as weighed (approximate until pending tasks run).
    pub fn weighted_size(&self) -> u64 {
        self.cache.weighted_size()
    }

    /// Applies pending evictions and expirations now instead of on moka's schedule.
    pub async fn run_pending_tasks(&self) {
        self.cache.run_pending_tasks().await;
    }
}

#[async_trait]
impl CacheStore for MemoryStore {
    fn name(&self) -> &str {
        "memory"
    }

    async fn get(&self, key: &CacheKey) -> Result<Option<Bytes>, Error> {
        Ok(self.cache.get(key.as_str()).await.map(|e| e.value))
    }

    async fn put(&self, key: &CacheKey, value: Bytes, ttl: Option<Duration>) -> Result<(), Error> {
        let weight = (key.as_str().len() + value.len() + ENTRY_OVERHEAD) as u64;
        if weight > self.max_bytes {
            // Would evict everything else and then itself.
            tracing::debug!(
                bytes = weight,
                max = self.max_bytes,
                "cache entry larger than the memory store; not stored"
            );
            self.cache.invalidate(key.as_str()).await;
            return Ok(());
        }
        self.cache
            .insert(Arc::from(key.as_str()), MemEntry { value, ttl })
            .await;
        Ok(())
    }

    async fn remove(&self, key: &CacheKey) -> Result<(), Error> {
        self.cache.invalidate(key.as_str()).await;
        Ok(())
    }

    async fn clear_namespace(&self, namespace: &str) -> Result<(), Error> {
        let prefix = format!("{namespace}:");
        self.cache
            .invalidate_entries_if(move |k, _| {
                // `<namespace>:<64 hex>`: match the namespace exactly, not as a prefix of another.
                k.strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.len() == 64 && !rest.contains(':'))
            })
            .map_err(|e| crate::store::store_error("memory", e))?;
        Ok(())
    }
}
