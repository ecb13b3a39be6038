//! The disk store: cacache underneath, a size bound, LRU eviction and TTLs on top.
//!
//! cacache (npm's cache format, in Rust) does the parts that are easy to get wrong: values are
//! content-addressed files written to a temporary file and renamed into place, so a crash
//! mid-write leaves either the old state or the new one; every read checks the content against
//! its SHA-256 integrity string, and index lines carry their own hash, so a torn or damaged
//! index line is skipped. A read that fails its check is treated as corrupt: the entry is
//! removed and the read reported as an error, which the layer turns into a miss. Damaged bytes
//! are never served.
//!
//! On top, this store keeps an in-memory index of its entries (key, integrity, size, expiry,
//! last use), rebuilt from cacache's index when the store opens, so a restart keeps the cache.
//! The expiry time travels in each entry's cacache metadata. After each write, entries are
//! evicted least recently used first until the values fit the byte bound (index files, about
//! 300 bytes an entry, are not counted). Recency is kept in memory only: after a restart, the
//! order is that of the writes. Expired entries are removed when read, when the store opens, or
//! when eviction reaches them. Several processes may share a directory safely, but each
//! enforces the bound only over the entries it knows of.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use cacache::{Integrity, RemoveOpts, WriteOpts};
use llm_router_core::Error;
use serde_json::json;

use crate::key::CacheKey;
use crate::store::{CacheStore, store_error};

const NAME: &str = "disk";

/// A store on the local disk (cacache), bounded in bytes with LRU eviction; survives restarts.
/// Cloning shares the store.
#[derive(Clone)]
pub struct DiskStore {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    max_bytes: u64,
    index: Mutex<Index>,
}

#[derive(Default)]
struct Index {
    entries: HashMap<String, Entry>,
    /// Use order: tick → key.
    lru: BTreeMap<u64, String>,
    /// How many keys point at each content (identical values share one file).
    refs: HashMap<String, usize>,
    bytes: u64,
    tick: u64,
}

struct Entry {
    integrity: Integrity,
    size: u64,
    expires_at_ms: Option<u64>,
    tick: u64,
}

enum Lookup {
    Absent,
    Expired(Option<Doomed>),
    Found(Integrity),
}

/// An entry to delete from disk: its key, and whether its content file is still used.
struct Doomed {
    key: String,
    content_shared: bool,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Index {
    fn next_tick(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }

    fn insert(&mut self, key: String, integrity: Integrity, size: u64, expires: Option<u64>) {
        let tick = self.next_tick();
        *self.refs.entry(integrity.to_string()).or_insert(0) += 1;
        self.lru.insert(tick, key.clone());
        self.bytes += size;
        let entry = Entry {
            integrity,
            size,
            expires_at_ms: expires,
            tick,
        };
        if let Some(old) = self.entries.insert(key, entry) {
            self.lru.remove(&old.tick);
            self.bytes -= old.size;
            self.unref(&old.integrity);
        }
    }

    /// Drops one reference; tells whether others remain.
    fn unref(&mut self, integrity: &Integrity) -> bool {
        let id = integrity.to_string();
        match self.refs.get_mut(&id) {
            Some(n) if *n > 1 => {
                *n -= 1;
                true
            }
            _ => {
                self.refs.remove(&id);
                false
            }
        }
    }

    fn take(&mut self, key: &str) -> Option<Doomed> {
        let entry = self.entries.remove(key)?;
        self.lru.remove(&entry.tick);
        self.bytes -= entry.size;
        let content_shared = self.unref(&entry.integrity);
        Some(Doomed {
            key: key.to_owned(),
            content_shared,
        })
    }

    fn touch(&mut self, key: &str) {
        let tick = self.next_tick();
        if let Some(entry) = self.entries.get_mut(key) {
            self.lru.remove(&entry.tick);
            entry.tick = tick;
            self.lru.insert(tick, key.to_owned());
        }
    }

    /// Least recently used first, until the values fit; `keep` is never chosen.
    fn evict(&mut self, max_bytes: u64, keep: &str) -> Vec<Doomed> {
        let mut doomed = Vec::new();
        while self.bytes > max_bytes {
            let victim = self.lru.values().find(|k| k.as_str() != keep).cloned();
            match victim.and_then(|k| self.take(&k)) {
                Some(d) => doomed.push(d),
                None => break,
            }
        }
        doomed
    }
}

impl std::fmt::Debug for DiskStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiskStore")
            .field("dir", &self.inner.dir)
            .field("max_bytes", &self.inner.max_bytes)
            .field("entries", &self.len())
            .finish()
    }
}

impl DiskStore {
    /// Opens (or creates) the store in `dir`, holding at most `max_bytes` of values. Reads
    /// the existing index; expired entries are removed, and the oldest go if the directory
    /// holds more than the bound.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Cache`](llm_router_core::ErrorKind::Cache) when the directory cannot be
    /// created or read.
    pub async fn open(dir: impl AsRef<Path>, max_bytes: u64) -> Result<Self, Error> {
        let dir = dir.as_ref().to_path_buf();
        let scan_dir = dir.clone();
        let listed = tokio::task::spawn_blocking(move || scan(&scan_dir))
            .await
            .map_err(|e| store_error(NAME, format!("index scan failed: {e}")))??;
        let now = now_ms();
        let mut index = Index::default();
        let mut expired = Vec::new();
        for e in listed {
            if e.expires_at_ms.is_some_and(|t| t <= now) {
                expired.push(e.key.clone());
            }
            index.insert(e.key, e.integrity, e.size, e.expires_at_ms);
        }
        let mut doomed: Vec<Doomed> = expired.iter().filter_map(|k| index.take(k)).collect();
        doomed.extend(index.evict(max_bytes, ""));
        let store = Self {
            inner: Arc::new(Inner {
                dir,
                max_bytes,
                index: Mutex::new(index),
            }),
        };
        store.delete(doomed).await;
        Ok(store)
    }

    fn index(&self) -> MutexGuard<'_, Index> {
        self.inner
            .index
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The bound in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.inner.max_bytes
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.index().entries.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of values held.
    pub fn bytes(&self) -> u64 {
        self.index().bytes
    }

    /// Removes entries from disk (outside the index lock).
    async fn delete(&self, doomed: Vec<Doomed>) {
        for d in doomed {
            let dir = &self.inner.dir;
            if !d.content_shared
                && RemoveOpts::new()
                    .remove_fully(true)
                    .remove(dir, &d.key)
                    .await
                    .is_ok()
            {
                continue;
            }
            // Content still used by another key, or already gone: drop the index entry only.
            if let Err(e) = cacache::remove(dir, &d.key).await {
                tracing::warn!(key = %d.key, error = %e, "disk cache: could not remove an entry");
            }
        }
    }
}

/// One live entry of the cacache index.
struct Listed {
    time: u128,
    key: String,
    integrity: Integrity,
    size: u64,
    expires_at_ms: Option<u64>,
}

/// Every live entry of the cacache index, oldest write first.
fn scan(dir: &Path) -> Result<Vec<Listed>, Error> {
    std::fs::create_dir_all(dir)
        .map_err(|e| store_error(NAME, format!("cannot create {}: {e}", dir.display())))?;
    if !dir.join("index-v5").exists() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for item in cacache::list_sync(dir) {
        match item {
            Ok(meta) => out.push(Listed {
                time: meta.time,
                expires_at_ms: meta.metadata.get("expires_at_ms").and_then(|v| v.as_u64()),
                key: meta.key,
                integrity: meta.integrity,
                size: meta.size as u64,
            }),
            Err(e) => tracing::warn!(error = %e, "disk cache: skipping an unreadable index entry"),
        }
    }
    out.sort_by_key(|e| e.time);
    Ok(out)
}

#[async_trait]
impl CacheStore for DiskStore {
    fn name(&self) -> &str {
        NAME
    }

    async fn get(&self, key: &CacheKey) -> Result<Option<Bytes>, Error> {
        let k = key.as_str();
        let looked_up = {
            let mut index = self.index();
            match index.entries.get(k) {
                None => Lookup::Absent,
                Some(entry) if entry.expires_at_ms.is_some_and(|t| t <= now_ms()) => {
                    Lookup::Expired(index.take(k))
                }
                Some(entry) => {
                    let integrity = entry.integrity.clone();
                    index.touch(k);
                    Lookup::Found(integrity)
                }
            }
        };
        let integrity = match looked_up {
            Lookup::Absent => return Ok(None),
            Lookup::Expired(doomed) => {
                self.delete(doomed.into_iter().collect()).await;
                return Ok(None);
            }
            Lookup::Found(integrity) => integrity,
        };
        match cacache::read_hash(&self.inner.dir, &integrity).await {
            Ok(data) => Ok(Some(Bytes::from(data))),
            Err(e) => {
                // Damaged or missing content: never serve it, and forget the entry (unless a
                // write replaced it meanwhile).
                let doomed = {
                    let mut index = self.index();
                    let same = index
                        .entries
                        .get(k)
                        .is_some_and(|en| en.integrity == integrity);
                    if same { index.take(k) } else { None }
                };
                self.delete(doomed.into_iter().collect()).await;
                Err(store_error(NAME, format!("corrupt entry {k} removed: {e}")))
            }
        }
    }

    async fn put(&self, key: &CacheKey, value: Bytes, ttl: Option<Duration>) -> Result<(), Error> {
        let size = value.len() as u64;
        if size > self.inner.max_bytes {
            tracing::debug!(
                bytes = size,
                max = self.inner.max_bytes,
                "cache entry larger than the disk store; not stored"
            );
            return Ok(());
        }
        let dir = &self.inner.dir;
        let k = key.as_str();
        let expires =
            ttl.map(|t| now_ms().saturating_add(u64::try_from(t.as_millis()).unwrap_or(u64::MAX)));
        let integrity = cacache::write_hash(dir, &value)
            .await
            .map_err(|e| store_error(NAME, format!("write failed: {e}")))?;
        let metadata = match expires {
            Some(t) => json!({ "expires_at_ms": t }),
            None => json!({}),
        };
        let opts = WriteOpts::new()
            .integrity(integrity.clone())
            .size(value.len())
            .metadata(metadata);
        cacache::index::insert_async(dir, k, opts)
            .await
            .map_err(|e| store_error(NAME, format!("index write failed: {e}")))?;
        let doomed = {
            let mut index = self.index();
            index.insert(k.to_owned(), integrity, size, expires);
            index.evict(self.inner.max_bytes, k)
        };
        self.delete(doomed).await;
        Ok(())
    }

    async fn remove(&self, key: &CacheKey) -> Result<(), Error> {
        let doomed = self.index().take(key.as_str());
        match doomed {
            Some(d) => self.delete(vec![d]).await,
            // Not known here: maybe written by another process since this one opened.
            None => {
                let dir = &self.inner.dir;
                let found = cacache::metadata(dir, key.as_str())
                    .await
                    .map_err(|e| store_error(NAME, format!("remove failed: {e}")))?;
                if found.is_some() {
                    self.delete(vec![Doomed {
                        key: key.as_str().to_owned(),
                        content_shared: true,
                    }])
                    .await;
                }
            }
        }
        Ok(())
    }

    async fn clear_namespace(&self, namespace: &str) -> Result<(), Error> {
        let prefix = format!("{namespace}:");
        let doomed: Vec<Doomed> = {
            let mut index = self.index();
            let keys: Vec<String> = index
                .entries
                .keys()
                .filter(|k| {
                    k.strip_prefix(prefix.as_str())
                        .is_some_and(|rest| rest.len() == 64 && !rest.contains(':'))
                })
                .cloned()
                .collect();
            keys.iter().filter_map(|k| index.take(k)).collect()
        };
        self.delete(doomed).await;
        Ok(())
    }
}
