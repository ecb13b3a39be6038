//! The layers around the router: per-target retry and timeout, and the cache and global
//! limiter in front (with their Redis readiness checks).

use llm_router_cache::{CacheLayer, DEFAULT_MEMORY_BYTES, DEFAULT_TTL, MemoryStore};
use llm_router_core::{ChatProvider, EmbeddingProvider, Layer, SharedChat, SharedEmbedding};
use llm_router_limiter::{Mode, OnBackendError, RateLimitLayer};
use llm_router_retry::{Jitter, RetryLayer, RetryPolicy, TimeoutLayer};

use crate::model::{
    CacheBackend, CacheConfig, Config, JitterConfig, LimitBackend, LimitMode, LimitsConfig,
};
use crate::runtime::ReadinessCheck;

/// Per-target layers: retry outside the timeout.
pub(super) struct TargetLayers {
    retry: Option<RetryLayer>,
    timeout: Option<TimeoutLayer>,
}

impl TargetLayers {
    pub(super) fn from_config(cfg: &Config) -> Self {
        let r = &cfg.retry;
        let mut policy = RetryPolicy::new();
        if let Some(n) = r.max_attempts {
            policy = policy.with_max_attempts(n);
        }
        if let Some(d) = r.base_delay {
            policy = policy.with_base_delay(d);
        }
        if let Some(d) = r.max_delay {
            policy = policy.with_max_delay(d);
        }
        if let Some(m) = r.multiplier {
            policy = policy.with_multiplier(m);
        }
        if let Some(j) = r.jitter {
            policy = policy.with_jitter(match j {
                JitterConfig::None => Jitter::None,
                JitterConfig::Full => Jitter::Full,
                JitterConfig::Equal => Jitter::Equal,
            });
        }
        if let Some(b) = r.budget {
            policy = policy.with_budget(b);
        }
        let retry = (policy.max_attempts() > 1).then(|| RetryLayer::new(policy));
        let t = &cfg.timeouts;
        let timeout = (t.per_attempt.is_some()
            || t.stream_idle.is_some()
            || t.stream_total.is_some())
        .then(|| {
            let mut l = TimeoutLayer::new();
            if let Some(d) = t.per_attempt {
                l = l.with_per_attempt(d);
            }
            if let Some(d) = t.stream_idle {
                l = l.with_stream_idle(d);
            }
            if let Some(d) = t.stream_total {
                l = l.with_stream_total(d);
            }
            l
        });
        Self { retry, timeout }
    }

    pub(super) fn chat(&self, mut p: SharedChat) -> SharedChat {
        if let Some(t) = &self.timeout {
            p = Layer::<dyn ChatProvider>::layer(t, p);
        }
        if let Some(r) = &self.retry {
            p = Layer::<dyn ChatProvider>::layer(r, p);
        }
        p
    }

    pub(super) fn embeddings(&self, mut p: SharedEmbedding) -> SharedEmbedding {
        if let Some(t) = &self.timeout {
            p = Layer::<dyn EmbeddingProvider>::layer(t, p);
        }
        if let Some(r) = &self.retry {
            p = Layer::<dyn EmbeddingProvider>::layer(r, p);
        }
        p
    }
}

/// The layers in front of the router: cache outside the global limiter.
pub(super) struct FrontLayers {
    pub(super) cache: Option<CacheLayer>,
    pub(super) limiter: Option<RateLimitLayer>,
}

impl FrontLayers {
    pub(super) fn chat(&self, mut p: SharedChat) -> SharedChat {
        if let Some(l) = &self.limiter {
            p = Layer::<dyn ChatProvider>::layer(l, p);
        }
        if let Some(c) = &self.cache {
            p = Layer::<dyn ChatProvider>::layer(c, p);
        }
        p
    }

    pub(super) fn embeddings(&self, mut p: SharedEmbedding) -> SharedEmbedding {
        if let Some(l) = &self.limiter {
            p = Layer::<dyn EmbeddingProvider>::layer(l, p);
        }
        if let Some(c) = &self.cache {
            p = Layer::<dyn EmbeddingProvider>::layer(c, p);
        }
        p
    }
}

#[cfg(any(feature = "cache-redis", feature = "limits-redis"))]
fn redis_ping(name: &str, url: &str) -> Result<ReadinessCheck, llm_router_core::Error> {
    use llm_router_core::{Error, ErrorKind};
    let client = redis::Client::open(url).map_err(|e| {
        Error::new(ErrorKind::Config, format!("invalid Redis URL: {e}")).with_source(e)
    })?;
    Ok(ReadinessCheck {
        name: name.to_owned(),
        check: std::sync::Arc::new(move || {
            let client = client.clone();
            Box::pin(async move {
                let ping = async {
                    let mut conn = client
                        .get_multiplexed_async_connection()
                        .await
                        .map_err(|e| format!("cannot connect: {e}"))?;
                    redis::cmd("PING")
                        .query_async::<String>(&mut conn)
                        .await
                        .map_err(|e| format!("PING failed: {e}"))
                };
                match tokio::time::timeout(std::time::Duration::from_secs(2), ping).await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) => Err(e),
                    Err(_) => Err("PING timed out after 2s".to_owned()),
                }
            })
        }),
    })
}

pub(super) async fn build_cache(
    c: &CacheConfig,
    readiness: &mut Vec<ReadinessCheck>,
) -> Result<CacheLayer, llm_router_core::Error> {
    let layer = match c.backend {
        CacheBackend::Memory => CacheLayer::new(MemoryStore::new(
            c.max_bytes.unwrap_or(DEFAULT_MEMORY_BYTES),
        )),
        #[cfg(feature = "cache-disk")]
        CacheBackend::Disk => {
            let dir = c.path.clone().unwrap_or_default();
            let store =
                llm_router_cache::DiskStore::open(dir, c.max_bytes.unwrap_or(DEFAULT_MEMORY_BYTES))
                    .await?;
            CacheLayer::new(store)
        }
        #[cfg(feature = "cache-redis")]
        CacheBackend::Redis => {
            let url = c.redis_url.clone().unwrap_or_default();
            readiness.push(redis_ping("redis (cache)", &url)?);
            CacheLayer::new(llm_router_cache::RedisStore::new(url)?)
        }
        #[allow(unreachable_patterns)]
        other => {
            let _ = &readiness;
            return Err(llm_router_core::Error::new(
                llm_router_core::ErrorKind::Config,
                format!("cache backend {other:?} is not compiled in"),
            ));
        }
    };
    let mut layer = layer.ttl(c.ttl.unwrap_or(DEFAULT_TTL));
    if let Some(ns) = &c.namespace {
        layer = layer.namespace(ns.clone());
    }
    Ok(layer)
}

pub(super) async fn build_limiter(
    l: &LimitsConfig,
    readiness: &mut Vec<ReadinessCheck>,
) -> Result<RateLimitLayer, llm_router_core::Error> {
    let mut b = RateLimitLayer::builder();
    if let Some(n) = l.requests_per_minute {
        b = b.requests_per_minute(n);
    }
    if let Some(n) = l.tokens_per_minute {
        b = b.tokens_per_minute(n);
    }
    if let Some(n) = l.concurrency {
        b = b.concurrency(n);
    }
    if l.mode == LimitMode::Wait {
        b = b.mode(Mode::Wait {
            max_wait: l.max_wait.unwrap_or(std::time::Duration::from_secs(10)),
        });
    }
    b = b.on_backend_error(if l.fail_closed {
        OnBackendError::FailClosed
    } else {
        OnBackendError::FailOpen
    });
    match l.backend {
        LimitBackend::Memory => {}
        #[cfg(feature = "limits-redis")]
        LimitBackend::Redis => {
            let url = l.redis_url.clone().unwrap_or_default();
            readiness.push(redis_ping("redis (limits)", &url)?);
            let mut backend = llm_router_limiter::RedisBackend::connect(&url).await?;
            if let Some(prefix) = &l.key_prefix {
                backend = backend.key_prefix(prefix.clone());
            }
            b = b.backend(backend);
        }
        #[allow(unreachable_patterns)]
        other => {
            let _ = &readiness;
            return Err(llm_router_core::Error::new(
                llm_router_core::ErrorKind::Config,
                format!("limiter backend {other:?} is not compiled in"),
            ));
        }
    }
    b.build()
}
