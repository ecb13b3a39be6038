//! The cached providers the layer builds, and the lookup/store steps they share.
//!
//! Every store failure ends here as a miss (or a skipped write), a warning and an `errors`
//! count; the request then goes to the provider as if there were no cache.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider, EmbeddingRequest,
    EmbeddingResponse, Error, Extensions, ModelInfo, SharedChat, SharedEmbedding,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::key::{self, CacheKey};
use crate::policy::{CacheControl, CacheNamespace, CachePolicy};
use crate::stats::CacheStats;
use crate::store::CacheStore;
use crate::stream;

/// The format version of stored entries.
const ENTRY_VERSION: u32 = 1;

/// The error code stores put on "not even tried" failures (a Redis in back-off): logged at
/// debug level, since the failure that started the back-off was already a warning.
pub(crate) const CODE_UNAVAILABLE: &str = "cache_store_unavailable";

/// What a cached entry holds besides the value.
#[derive(Serialize)]
struct EntryOut<'a, T> {
    v: u32,
    stored_at_ms: u64,
    value: &'a T,
}

#[derive(Deserialize)]
struct EntryIn<T> {
    v: u32,
    stored_at_ms: u64,
    value: T,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The layer's settings and counters, shared by every provider it wrapped.
pub(crate) struct Shared {
    pub(crate) store: Arc<dyn CacheStore>,
    pub(crate) namespace: Arc<str>,
    pub(crate) ttl: Option<Duration>,
    pub(crate) policy: CachePolicy,
    pub(crate) stats: Arc<CacheStats>,
}

/// What to do for one request.
pub(crate) struct Plan {
    key: CacheKey,
    control: CacheControl,
    ttl: Option<Duration>,
}

impl Shared {
    pub(crate) fn namespace_of<'a>(&'a self, ext: &'a Extensions) -> &'a str {
        ext.get::<CacheNamespace>()
            .map_or(&*self.namespace, |n| n.0.as_str())
    }

    /// The plan for a request, or `None` when the cache stays out of it entirely.
    fn plan(
        &self,
        ext: &Extensions,
        cacheable: bool,
        key: impl FnOnce(&str) -> Result<CacheKey, Error>,
    ) -> Option<Plan> {
        let control = ext.get::<CacheControl>().copied().unwrap_or_default();
        if !cacheable || (control.skip && control.no_store) {
            self.stats.skip();
            return None;
        }
        match key(self.namespace_of(ext)) {
            Ok(key) => Some(Plan {
                key,
                control,
                ttl: control.ttl.or(self.ttl),
            }),
            Err(e) => {
                self.failed(&e, "computing the key");
                None
            }
        }
    }

    fn failed(&self, err: &Error, doing: &str) {
        self.stats.error();
        if err.code() == Some(CODE_UNAVAILABLE) {
            tracing::debug!(store = self.store.name(), error = %err, "cache {doing} skipped");
        } else {
            tracing::warn!(
                store = self.store.name(),
                error = %err,
                "cache {doing} failed; the request goes to the provider"
            );
        }
    }

    /// The cached value for the plan, counting a hit or a miss.
    async fn lookup<T: DeserializeOwned>(&self, plan: &Plan) -> Option<T> {
        if plan.control.skip {
            self.stats.skip();
            return None;
        }
        let bytes = match self.store.get(&plan.key).await {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                self.stats.miss();
                return None;
            }
            Err(e) => {
                self.failed(&e, "lookup");
                self.stats.miss();
                return None;
            }
        };
        match serde_json::from_slice::<EntryIn<T>>(&bytes) {
            Ok(entry) if entry.v == ENTRY_VERSION => {
                let too_old = plan.control.max_age.is_some_and(|max| {
                    Duration::from_millis(now_ms().saturating_sub(entry.stored_at_ms)) > max
                });
                if too_old {
                    self.stats.miss();
                    None
                } else {
                    self.stats.hit();
                    Some(entry.value)
                }
            }
            Ok(_) => {
                self.stats.miss();
                None
            }
            Err(e) => {
                let err = Error::new(
                    llm_router_core::ErrorKind::Cache,
                    format!("unreadable cache entry {} removed: {e}", plan.key),
                );
                self.failed(&err, "decoding");
                if let Err(e) = self.store.remove(&plan.key).await {
                    self.failed(&e, "removal");
                }
                self.stats.miss();
                None
            }
        }
    }

    /// Stores `value` under `key`; a failure is only counted and logged.
    pub(crate) async fn save<T: Serialize>(
        &self,
        key: &CacheKey,
        value: &T,
        ttl: Option<Duration>,
    ) {
        let entry = EntryOut {
            v: ENTRY_VERSION,
            stored_at_ms: now_ms(),
            value,
        };
        let bytes = match serde_json::to_vec(&entry) {
            Ok(b) => Bytes::from(b),
            Err(e) => {
                let err = Error::new(llm_router_core::ErrorKind::Cache, e.to_string());
                self.failed(&err, "encoding");
                return;
            }
        };
        match self.store.put(key, bytes, ttl).await {
            Ok(()) => self.stats.store(),
            Err(e) => self.failed(&e, "write"),
        }
    }
}

/// A chat provider behind the cache.
pub(crate) struct CachedChat {
    pub(crate) inner: SharedChat,
    pub(crate) shared: Arc<Shared>,
}

impl CachedChat {
    fn plan(&self, req: &ChatRequest) -> Option<Plan> {
        self.shared.plan(
            &req.extensions,
            self.shared.policy.caches_request(req),
            |ns| key::chat_key(ns, req),
        )
    }
}

#[async_trait]
impl ChatProvider for CachedChat {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let Some(plan) = self.plan(&req) else {
            return self.inner.chat(req).await;
        };
        if let Some(resp) = self.shared.lookup::<ChatResponse>(&plan).await {
            return Ok(resp);
        }
        let resp = self.inner.chat(req).await?;
        if !plan.control.no_store && self.shared.policy.caches_response(&resp) {
            self.shared.save(&plan.key, &resp, plan.ttl).await;
        }
        Ok(resp)
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let Some(plan) = self.plan(&req) else {
            return self.inner.chat_stream(req).await;
        };
        if let Some(resp) = self.shared.lookup::<ChatResponse>(&plan).await {
            return Ok(stream::replay(&resp));
        }
        let inner = self.inner.chat_stream(req).await?;
        if plan.control.no_store {
            return Ok(inner);
        }
        Ok(stream::tee(inner, self.shared.clone(), plan.key, plan.ttl))
    }

    async fn list_models(&self) -> Result<Vec<ModelInfo>, Error> {
        self.inner.list_models().await
    }
}

/// An embedding provider behind the cache.
pub(crate) struct CachedEmbedding {
    pub(crate) inner: SharedEmbedding,
    pub(crate) shared: Arc<Shared>,
}

#[async_trait]
impl EmbeddingProvider for CachedEmbedding {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        let Some(plan) = self
            .shared
            .plan(&req.extensions, true, |ns| key::embedding_key(ns, &req))
        else {
            return self.inner.embed(req).await;
        };
        if let Some(resp) = self.shared.lookup::<EmbeddingResponse>(&plan).await {
            return Ok(resp);
        }
        let resp = self.inner.embed(req).await?;
        if !plan.control.no_store && self.shared.policy.caches_embedding(&resp) {
            self.shared.save(&plan.key, &resp, plan.ttl).await;
        }
        Ok(resp)
    }
}
