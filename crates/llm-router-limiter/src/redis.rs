//! Budgets shared by every gateway replica, in Redis.
//!
//! Each bucket is one Redis hash, `<prefix>:<scope key>:<requests|tokens>` (prefix
//! `llm-router:limit` by default), updated by one Lua script, so a check-and-take is atomic
//! across replicas. The script is a token bucket (equivalent to GCRA: the bucket holds up to
//! `amount` units and refills `amount` per `period`) and reads the time with Redis's `TIME`,
//! so the replicas' own clocks never matter. Requests and tokens use the same script, with a
//! cost of 1 or the token estimate. Keys expire once their bucket would be full again.
//!
//! Replicas must agree on the limits of a key: the script uses the limits of whoever calls.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use llm_router_core::{Error, ErrorKind};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::backend::{Admission, Bucket, LimiterBackend};

/// The default key prefix.
pub const DEFAULT_KEY_PREFIX: &str = "llm-router:limit";

/// How long one script call may take before it counts as a backend failure.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// The bucket script. KEYS[1]: the bucket. ARGV: size (units per period, also the burst),
/// period in microseconds, cost (may be negative for `adjust`), operation (`acquire`,
/// `adjust` or `peek`). Returns `{admitted 0|1, retry_after_us, units left (floor, may be
/// negative)}`.
const SCRIPT: &str = r"
if redis.replicate_commands then pcall(redis.replicate_commands) end
local size = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local op = ARGV[4]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = size
  ts = now
end
if now > ts then
  tokens = math.min(size, tokens + (now - ts) * size / period)
  ts = now
end
local admitted = 1
local retry_us = 0
local write = false
if op == 'acquire' then
  if tokens + 0.000001 >= cost then
    tokens = tokens - cost
    write = true
  else
    admitted = 0
    retry_us = math.ceil((cost - tokens) * period / size)
  end
elseif op == 'adjust' then
  tokens = math.min(size, tokens - cost)
  write = true
end
if write then
  if tokens >= size then
    redis.call('DEL', KEYS[1])
  else
    redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', ts))
    redis.call('PEXPIRE', KEYS[1], math.ceil((size - tokens) * period / size / 1000) + 1000)
  end
end
return {admitted, retry_us, math.floor(tokens)}
";

/// Budgets in Redis, shared by every process that uses the same keys.
///
/// Cheap to clone (the connection manager is shared and reconnects by itself).
///
/// ```no_run
/// # async fn demo() -> Result<(), llm_router_core::Error> {
/// use llm_router_limiter::{RateLimitLayer, RedisBackend};
///
/// let backend = RedisBackend::connect("redis://127.0.0.1:6379").await?;
/// let layer = RateLimitLayer::builder()
///     .requests_per_minute(500)
///     .tokens_per_minute(200_000)
///     .backend(backend)
///     .build()?;
/// # let _ = layer; Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisBackend {
    conn: ConnectionManager,
    script: redis::Script,
    prefix: String,
    timeout: Duration,
}

impl fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBackend")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

fn redis_error(what: &str, err: redis::RedisError) -> Error {
    Error::new(
        ErrorKind::Connection,
        format!("rate limiter: redis {what} failed: {err}"),
    )
    .with_source(err)
}

impl RedisBackend {
    /// A backend on an existing connection manager.
    pub fn new(conn: ConnectionManager) -> Self {
        Self {
            conn,
            script: redis::Script::new(SCRIPT),
            prefix: DEFAULT_KEY_PREFIX.to_owned(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Connects to `url` (`redis://host:port/db`; TLS is not built in). Makes up to three
    /// attempts (about a second when nothing listens); later the manager reconnects by itself.
    /// For other settings build a `ConnectionManager` and use [`RedisBackend::new`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] for a bad URL, [`ErrorKind::Connection`] when Redis cannot be
    /// reached.
    pub async fn connect(url: &str) -> Result<Self, Error> {
        let client = redis::Client::open(url).map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!("rate limiter: bad redis URL: {e}"),
            )
            .with_source(e)
        })?;
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| redis_error("connect", e))?;
        Ok(Self::new(conn))
    }

    /// Puts every key under `prefix` instead of [`DEFAULT_KEY_PREFIX`].
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long one script call may take before it counts as a failure (default
    /// [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The Redis key of a bucket.
    pub fn redis_key(&self, bucket: &Bucket<'_>) -> String {
        format!("{}:{}:{}", self.prefix, bucket.key, bucket.kind.as_str())
    }

    async fn run(
        &self,
        bucket: &Bucket<'_>,
        cost: i64,
        op: &str,
    ) -> Result<(i64, i64, i64), Error> {
        let period_us = u64::try_from(bucket.rate.period.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        let mut conn = self.conn.clone();
        let mut call = self.script.key(self.redis_key(bucket));
        call.arg(bucket.rate.amount)
            .arg(period_us)
            .arg(cost)
            .arg(op);
        match tokio::time::timeout(self.timeout, call.invoke_async(&mut conn)).await {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(e)) => Err(redis_error("script", e)),
            Err(_) => Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "rate limiter: redis did not answer within {:?}",
                    self.timeout
                ),
            )),
        }
    }
}

#[async_trait]
impl LimiterBackend for RedisBackend {
    async fn acquire(&self, bucket: &Bucket<'_>, cost: u64) -> Result<Admission, Error> {
        let cost = i64::try_from(cost).unwrap_or(i64::MAX);
        let (admitted, retry_us, _) = self.run(bucket, cost, "acquire").await?;
        Ok(if admitted == 1 {
            Admission::Admitted
        } else {
            Admission::Denied {
                retry_after: Duration::from_micros(u64::try_from(retry_us).unwrap_or(0).max(1)),
            }
        })
    }

    async fn adjust(&self, bucket: &Bucket<'_>, delta: i64) -> Result<(), Error> {
        if delta != 0 {
            self.run(bucket, delta, "adjust").await?;
        }
        Ok(())
    }

    async fn available(&self, bucket: &Bucket<'_>) -> Result<Option<u64>, Error> {
        let (_, _, left) = self.run(bucket, 0, "peek").await?;
        Ok(Some(u64::try_from(left).unwrap_or(0)))
    }
}
