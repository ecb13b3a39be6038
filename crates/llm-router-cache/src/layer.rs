//! [`CacheLayer`]: the public face of the cache.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use llm_router_core::{
    ChatProvider, ChatRequest, EmbeddingProvider, EmbeddingRequest, Error, Layer, SharedChat,
    SharedEmbedding,
};

use crate::key::{self, CacheKey};
use crate::policy::CachePolicy;
use crate::service::{CachedChat, CachedEmbedding, Shared};
use crate::stats::{CacheStats, CacheStatsSnapshot};
use crate::store::CacheStore;
use crate::store::memory::MemoryStore;

/// The namespace of requests that carry no [`CacheNamespace`](crate::CacheNamespace).
pub const DEFAULT_NAMESPACE: &str = "default";

/// The TTL of stored answers unless the layer or the request sets another: one hour.
pub const DEFAULT_TTL: Duration = Duration::from_secs(3600);

/// Caches chat and embedding responses in a [`CacheStore`].
///
/// Wrap a chat provider (`Layer<dyn ChatProvider>`) or an embedding provider
/// (`Layer<dyn EmbeddingProvider>`); every provider wrapped by one layer shares its store and
/// counters. Settings are taken when [`layer`](Layer::layer) is called.
///
/// ```
/// use std::time::Duration;
/// use llm_router_cache::{CacheLayer, CachePolicy, MemoryStore};
///
/// let cache = CacheLayer::new(MemoryStore::new(32 * 1024 * 1024))
///     .namespace("team-a")
///     .ttl(Duration::from_secs(600))
///     .policy(CachePolicy::default().skip_nondeterministic(true));
/// assert_eq!(cache.stats().hits, 0);
/// ```
#[derive(Clone)]
pub struct CacheLayer {
    store: Arc<dyn CacheStore>,
    namespace: Arc<str>,
    ttl: Option<Duration>,
    policy: CachePolicy,
    stats: Arc<CacheStats>,
}

impl Default for CacheLayer {
    /// A 64 MiB in-memory cache.
    fn default() -> Self {
        Self::new(MemoryStore::default())
    }
}

impl fmt::Debug for CacheLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CacheLayer")
            .field("store", &self.store.name())
            .field("namespace", &self.namespace)
            .field("ttl", &self.ttl)
            .field("policy", &self.policy)
            .finish()
    }
}

impl CacheLayer {
    /// A cache over `store`, with the default namespace, a one-hour TTL and the default
    /// policy.
    pub fn new(store: impl CacheStore + 'static) -> Self {
        Self::with_shared_store(Arc::new(store))
    }

    /// A cache over a store shared with other layers or code.
    pub fn with_shared_store(store: Arc<dyn CacheStore>) -> Self {
        Self {
            store,
            namespace: Arc::from(DEFAULT_NAMESPACE),
            ttl: Some(DEFAULT_TTL),
            policy: CachePolicy::default(),
            stats: Arc::new(CacheStats::default()),
        }
    }

    /// An in-memory cache bounded to `max_bytes`.
    pub fn memory(max_bytes: u64) -> Self {
        Self::new(MemoryStore::new(max_bytes))
    }

    /// The namespace of requests that carry none.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Arc::from(namespace.into());
        self
    }

    /// How long answers are kept unless a request says otherwise.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// Keep answers until they are evicted or invalidated.
    pub fn without_ttl(mut self) -> Self {
        self.ttl = None;
        self
    }

    /// What is cached.
    pub fn policy(mut self, policy: CachePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The counters now.
    pub fn stats(&self) -> CacheStatsSnapshot {
        self.stats.snapshot()
    }

    /// The live counters, for a metrics exporter to read.
    pub fn counters(&self) -> Arc<CacheStats> {
        self.stats.clone()
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn CacheStore> {
        &self.store
    }

    fn namespace_of<'a>(&'a self, ext: &'a llm_router_core::Extensions) -> &'a str {
        ext.get::<crate::CacheNamespace>()
            .map_or(&*self.namespace, |n| n.0.as_str())
    }

    /// The key `req` is cached under (its [`CacheNamespace`](crate::CacheNamespace) or the
    /// layer's).
    ///
    /// # Errors
    ///
    /// As [`chat_key`](crate::chat_key).
    pub fn chat_key(&self, req: &ChatRequest) -> Result<CacheKey, Error> {
        key::chat_key(self.namespace_of(&req.extensions), req)
    }

    /// The key an embeddings request is cached under.
    ///
    /// # Errors
    ///
    /// As [`embedding_key`](crate::embedding_key).
    pub fn embedding_key(&self, req: &EmbeddingRequest) -> Result<CacheKey, Error> {
        key::embedding_key(self.namespace_of(&req.extensions), req)
    }

    /// Removes the cached answer to `req`, if any.
    ///
    /// # Errors
    ///
    /// The store's error ([`ErrorKind::Cache`](llm_router_core::ErrorKind::Cache)).
    pub async fn invalidate(&self, req: &ChatRequest) -> Result<(), Error> {
        self.store.remove(&self.chat_key(req)?).await
    }

    /// Removes the cached answer to an embeddings request, if any.
    ///
    /// # Errors
    ///
    /// As [`invalidate`](Self::invalidate).
    pub async fn invalidate_embedding(&self, req: &EmbeddingRequest) -> Result<(), Error> {
        self.store.remove(&self.embedding_key(req)?).await
    }

    /// Removes every entry of `namespace`.
    ///
    /// # Errors
    ///
    /// As [`invalidate`](Self::invalidate).
    pub async fn clear_namespace(&self, namespace: &str) -> Result<(), Error> {
        self.store.clear_namespace(namespace).await
    }

    fn shared(&self) -> Arc<Shared> {
        Arc::new(Shared {
            store: self.store.clone(),
            namespace: self.namespace.clone(),
            ttl: self.ttl,
            policy: self.policy.clone(),
            stats: self.stats.clone(),
        })
    }
}

impl Layer<dyn ChatProvider> for CacheLayer {
    fn layer(&self, inner: SharedChat) -> SharedChat {
        Arc::new(CachedChat {
            inner,
            shared: self.shared(),
        })
    }
}

impl Layer<dyn EmbeddingProvider> for CacheLayer {
    fn layer(&self, inner: SharedEmbedding) -> SharedEmbedding {
        Arc::new(CachedEmbedding {
            inner,
            shared: self.shared(),
        })
    }
}
