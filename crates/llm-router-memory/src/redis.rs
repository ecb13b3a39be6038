//! Conversations in Redis, shared by gateway replicas.

use std::time::Duration;

use async_trait::async_trait;
use llm_router_core::{Error, ErrorKind};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::conversation::Conversation;
use crate::store::{ConversationStore, decode, encode};

/// The key prefix used unless [`RedisStoreBuilder::prefix`] sets another.
pub const DEFAULT_REDIS_PREFIX: &str = "llm-router:conversation:";

/// Builds a [`RedisStore`].
#[derive(Debug, Clone)]
pub struct RedisStoreBuilder {
    url: String,
    prefix: String,
    ttl: Option<Duration>,
    timeout: Duration,
}

impl RedisStoreBuilder {
    /// Keys are `prefix + id` (default [`DEFAULT_REDIS_PREFIX`]).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Saved conversations expire this long after their last save (default: never).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// Connect and response timeout of each command (default 2 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The store; connects lazily on first use.
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
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1);
        let conn = client.get_connection_manager_lazy(config).map_err(|e| {
            Error::new(ErrorKind::Config, format!("Redis connection manager: {e}")).with_source(e)
        })?;
        Ok(RedisStore {
            conn,
            prefix: self.prefix,
            ttl: self.ttl,
        })
    }
}

/// Conversations as JSON strings in Redis (or Valkey) under `prefix + id`, with an optional
/// TTL. Cloning shares the connection.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    ttl: Option<Duration>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A builder for the server at `url` (`redis://host:port/db`).
    pub fn builder(url: impl Into<String>) -> RedisStoreBuilder {
        RedisStoreBuilder {
            url: url.into(),
            prefix: DEFAULT_REDIS_PREFIX.to_owned(),
            ttl: None,
            timeout: Duration::from_secs(2),
        }
    }

    fn key(&self, id: &str) -> String {
        format!("{}{id}", self.prefix)
    }

    async fn run<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, Error> {
        let mut conn = self.conn.clone();
        cmd.query_async::<T>(&mut conn).await.map_err(|e| {
            let kind = if e.is_timeout() {
                ErrorKind::Timeout
            } else if e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() {
                ErrorKind::Connection
            } else {
                ErrorKind::Cache
            };
            Error::new(kind, format!("redis conversation store: {e}")).with_source(e)
        })
    }
}

#[async_trait]
impl ConversationStore for RedisStore {
    async fn load(&self, id: &str) -> Result<Option<Conversation>, Error> {
        let mut cmd = redis::cmd("GET");
        cmd.arg(self.key(id));
        let json: Option<String> = self.run(&cmd).await?;
        json.as_deref().map(decode).transpose()
    }

    async fn save(&self, id: &str, conversation: &Conversation) -> Result<(), Error> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.key(id)).arg(encode(conversation)?);
        if let Some(ttl) = self.ttl {
            let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
            cmd.arg("PX").arg(ms);
        }
        self.run::<()>(&cmd).await
    }

    async fn delete(&self, id: &str) -> Result<(), Error> {
        let mut cmd = redis::cmd("DEL");
        cmd.arg(self.key(id));
        self.run::<()>(&cmd).await
    }
}
