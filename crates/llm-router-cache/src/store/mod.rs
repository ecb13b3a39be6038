//! Where entries live: the [`CacheStore`] trait and its backends.
//!
//! A store maps a [`CacheKey`] to opaque bytes with an optional time to live. It knows nothing
//! of chat or embeddings, so a new backend (memcached, S3, a database) is four small methods.
//! Stores report failures as errors; the layer turns every one of them into a miss and a
//! warning, so a broken store never fails a request.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use llm_router_core::{Error, ErrorKind};

use crate::key::CacheKey;

#[cfg(feature = "disk")]
pub(crate) mod disk;
pub(crate) mod memory;
#[cfg(feature = "redis")]
pub(crate) mod redis;

/// A key–value store for cache entries.
#[async_trait]
pub trait CacheStore: Send + Sync {
    /// A short name for logs: `"memory"`, `"disk"`, `"redis"`.
    fn name(&self) -> &str;

    /// The value under `key`, or `None` when there is none or it expired.
    async fn get(&self, key: &CacheKey) -> Result<Option<Bytes>, Error>;

    /// Stores `value` under `key`, replacing any earlier value; `ttl: None` keeps it until it
    /// is evicted or removed.
    async fn put(&self, key: &CacheKey, value: Bytes, ttl: Option<Duration>) -> Result<(), Error>;

    /// Removes the entry under `key`, if any.
    async fn remove(&self, key: &CacheKey) -> Result<(), Error>;

    /// Removes every entry of `namespace`.
    async fn clear_namespace(&self, namespace: &str) -> Result<(), Error>;
}

#[async_trait]
impl<T: CacheStore + ?Sized> CacheStore for Arc<T> {
    fn name(&self) -> &str {
        (**self).name()
    }
    async fn get(&self, key: &CacheKey) -> Result<Option<Bytes>, Error> {
        (**self).get(key).await
    }
    async fn put(&self, key: &CacheKey, value: Bytes, ttl: Option<Duration>) -> Result<(), Error> {
        (**self).put(key, value, ttl).await
    }
    async fn remove(&self, key: &CacheKey) -> Result<(), Error> {
        (**self).remove(key).await
    }
    async fn clear_namespace(&self, namespace: &str) -> Result<(), Error> {
        (**self).clear_namespace(namespace).await
    }
}

/// An [`ErrorKind::Cache`] error naming the store.
pub(crate) fn store_error(store: &str, message: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Cache, format!("cache store {store}: {message}"))
}
