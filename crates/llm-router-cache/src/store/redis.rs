//! The Redis store: shared by every replica of a gateway, sized and evicted by the server.
//!
//! Keys are `<prefix><namespace>:<hex digest>` (prefix `llm-router:cache:` by default), values
//! the entry bytes, written with `SET … PX <ttl>`. The size bound and eviction are the server's
//! (`maxmemory` with an `allkeys-lru` or `volatile-lru` policy).
//!
//! A dead Redis must cost little: the connection is made lazily (a server that is down at
//! start-up is a miss until it is up), every operation has a short timeout, and after a
//! connection failure or a timeout the store stops trying for a back-off period, answering
//! "unavailable" at once. The connection manager reconnects in the background.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use llm_router_core::{Error, ErrorKind};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::key::CacheKey;
use crate::service::CODE_UNAVAILABLE;
use crate::store::{CacheStore, store_error};

const NAME: &str = "redis";

/// The default key prefix.
pub const DEFAULT_REDIS_PREFIX: &str = "llm-router:cache:";

/// Settings of a [`RedisStore`].
#[derive(Clone)]
pub struct RedisStoreBuilder {
    url: String,
    prefix: String,
    op_timeout: Duration,
    connect_timeout: Duration,
    backoff: Duration,
}

impl std::fmt::Debug for RedisStoreBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password.
        f.debug_struct("RedisStoreBuilder")
            .field("prefix", &self.prefix)
            .field("op_timeout", &self.op_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

impl RedisStoreBuilder {
    /// The key prefix (default `llm-router:cache:`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The longest a get, put or remove may take (default 200 ms).
    pub fn op_timeout(mut self, timeout: Duration) -> Self {
        self.op_timeout = timeout;
        self
    }

    /// The longest a connection attempt may take (default 500 ms).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long to stop using Redis after a connection failure or a timeout (default 1 s).
    pub fn backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }

    /// The store. Makes no connection yet, but must run inside a Tokio runtime (the
    /// connection manager lives there).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] for an invalid URL or outside a Tokio runtime.
    pub fn build(self) -> Result<RedisStore, Error> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::new(
                ErrorKind::Config,
                "RedisStore must be built inside a Tokio runtime",
            ));
        }
        let client = redis::Client::open(self.url.as_str()).map_err(|e| {
            Error::new(ErrorKind::Config, format!("invalid Redis URL: {e}")).with_source(e)
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.connect_timeout))
            .set_response_timeout(Some(self.op_timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(self.backoff);
        let conn = client.get_connection_manager_lazy(config).map_err(|e| {
            Error::new(ErrorKind::Config, format!("Redis connection manager: {e}")).with_source(e)
        })?;
        Ok(RedisStore {
            inner: Arc::new(Inner {
                conn,
                prefix: self.prefix,
                op_timeout: self.op_timeout,
                backoff: self.backoff,
                epoch: Instant::now(),
                down_until_ms: AtomicU64::new(0),
            }),
        })
    }
}

/// A store in Redis (or Valkey). Cloning shares the connection.
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

struct Inner {
    conn: ConnectionManager,
    prefix: String,
    op_timeout: Duration,
    backoff: Duration,
    epoch: Instant,
    down_until_ms: AtomicU64,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.inner.prefix)
            .field("op_timeout", &self.inner.op_timeout)
            .finish_non_exhaustive()
    }
}

/// Whether a failure says the server is unreachable (worth backing off for).
fn is_transport(e: &redis::RedisError) -> bool {
    e.is_io_error()
        || e.is_connection_refusal()
        || e.is_timeout()
        || e.is_connection_dropped()
        || e.is_unrecoverable_error()
}

/// Escapes glob characters for `SCAN MATCH`.
fn escape_glob(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl RedisStore {
    /// Settings for a store at `url` (`redis://[:password@]host:port[/db]`).
    pub fn builder(url: impl Into<String>) -> RedisStoreBuilder {
        RedisStoreBuilder {
            url: url.into(),
            prefix: DEFAULT_REDIS_PREFIX.to_owned(),
            op_timeout: Duration::from_millis(200),
            connect_timeout: Duration::from_millis(500),
            backoff: Duration::from_secs(1),
        }
    }

    /// A store at `url` with the default settings.
    ///
    /// # Errors
    ///
    /// As [`RedisStoreBuilder::build`].
    pub fn new(url: impl Into<String>) -> Result<Self, Error> {
        Self::builder(url).build()
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.inner.prefix
    }

    /// The Redis key of a cache key.
    pub fn redis_key(&self, key: &CacheKey) -> String {
        format!("{}{}", self.inner.prefix, key.as_str())
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.inner.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Runs one command with the timeout and the back-off rules.
    async fn run<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, Error> {
        if self.now_ms() < self.inner.down_until_ms.load(Ordering::Relaxed) {
            return Err(
                store_error(NAME, "unavailable (backing off after a failure)")
                    .with_code(CODE_UNAVAILABLE),
            );
        }
        let mut conn = self.inner.conn.clone();
        let result =
            tokio::time::timeout(self.inner.op_timeout, cmd.query_async::<T>(&mut conn)).await;
        let back_off = || {
            let until = self
                .now_ms()
                .saturating_add(u64::try_from(self.inner.backoff.as_millis()).unwrap_or(u64::MAX));
            self.inner.down_until_ms.store(until, Ordering::Relaxed);
        };
        match result {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => {
                if is_transport(&e) {
                    back_off();
                }
                Err(store_error(NAME, &e).with_source(e))
            }
            Err(_) => {
                back_off();
                Err(store_error(
                    NAME,
                    format!("timed out after {:?}", self.inner.op_timeout),
                ))
            }
        }
    }
}

#[async_trait]
impl CacheStore for RedisStore {
    fn name(&self) -> &str {
        NAME
    }

    async fn get(&self, key: &CacheKey) -> Result<Option<Bytes>, Error> {
        let mut cmd = redis::cmd("GET");
        cmd.arg(self.redis_key(key));
        let value: Option<Vec<u8>> = self.run(&cmd).await?;
        Ok(value.map(Bytes::from))
    }

    async fn put(&self, key: &CacheKey, value: Bytes, ttl: Option<Duration>) -> Result<(), Error> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.redis_key(key)).arg(value.as_ref());
        if let Some(ttl) = ttl {
            let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
            cmd.arg("PX").arg(ms);
        }
        self.run::<()>(&cmd).await
    }

    async fn remove(&self, key: &CacheKey) -> Result<(), Error> {
        let mut cmd = redis::cmd("DEL");
        cmd.arg(self.redis_key(key));
        self.run::<()>(&cmd).await
    }

    async fn clear_namespace(&self, namespace: &str) -> Result<(), Error> {
        // `<prefix><namespace>:` then exactly 64 hex digits.
        let pattern = format!(
            "{}{}:{}",
            escape_glob(&self.inner.prefix),
            escape_glob(namespace),
            "[0-9a-f]".repeat(64)
        );
        let mut cursor: u64 = 0;
        loop {
            let mut scan = redis::cmd("SCAN");
            scan.arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000);
            let (next, keys): (u64, Vec<String>) = self.run(&scan).await?;
            if !keys.is_empty() {
                let mut del = redis::cmd("UNLINK");
                del.arg(keys);
                self.run::<()>(&del).await?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_characters_are_escaped() {
        assert_eq!(escape_glob("a*b?[c]\\d:e"), "a\\*b\\?\\[c\\]\\\\d:e");
    }
}
