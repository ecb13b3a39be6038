//! A response cache for llm-router: a [`CacheLayer`] that wraps any chat or embedding provider
//! and answers repeated requests from a [`CacheStore`].
//!
//! The mental model: `async fn(ChatRequest) -> Result<ChatResponse, Error>`, memoised on a
//! content hash of the request. What is different about this layer:
//!
//! - **Keys** are a SHA-256 of the canonical request (model, messages, tools, the parameters
//!   that change the answer; not `user`, `stream` or `metadata`) under a namespace, so
//!   tenants never see each other's entries ([`CacheNamespace`] in `req.extensions`).
//! - **Streams** are teed on a miss (chunks pass through as they arrive; the accumulated
//!   response is stored only after a clean finish) and replayed on a hit with the same chunk
//!   shape, usage included. A plain call and a streamed call share one entry.
//! - **A broken store never fails a request**: Redis down is a miss, a warning and an
//!   `errors` count, and the provider answers.
//! - **Per-request controls** ([`CacheControl`] in `req.extensions`): skip the lookup, don't
//!   store, a TTL or a maximum age of its own. A [`CachePolicy`] says what is stored: by
//!   default complete, successful answers only, optionally only deterministic requests.
//!
//! Backends: [`MemoryStore`] (moka, bounded in bytes, LRU; always on), `DiskStore` (cacache:
//! atomic, integrity-checked files; feature `disk`) and `RedisStore` (feature `redis`).
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use llm_router_cache::{CacheControl, CacheLayer};
//! use llm_router_core::{ChatProvider, ChatRequest, Layer, Message, SharedChat};
//! use llm_router_mock::MockProvider;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! rt.block_on(async {
//!     let mock = MockProvider::new().reply("capital", "Paris.");
//!     let cache = CacheLayer::memory(16 * 1024 * 1024);
//!     let chat: SharedChat = cache.layer(Arc::new(mock.clone()));
//!
//!     let ask = || ChatRequest::new("mock-model", vec![Message::user("The capital of France?")]);
//!     assert_eq!(chat.chat(ask()).await?.text(), "Paris.");
//!     assert_eq!(chat.chat(ask()).await?.text(), "Paris."); // from the cache
//!     assert_eq!(mock.call_count(), 1);
//!
//!     // A request can opt out.
//!     let mut fresh = ask();
//!     fresh.extensions.insert(CacheControl::bypass());
//!     chat.chat(fresh).await?;
//!     assert_eq!(mock.call_count(), 2);
//!
//!     let stats = cache.stats();
//!     assert_eq!((stats.hits, stats.misses, stats.stores, stats.skips), (1, 1, 1, 1));
//!     Ok::<_, llm_router_core::Error>(())
//! })?;
//! # Ok(())
//! # }
//! ```

mod key;
mod layer;
mod policy;
mod service;
mod stats;
mod store;
mod stream;

pub use key::{CacheKey, chat_key, embedding_key};
pub use layer::{CacheLayer, DEFAULT_NAMESPACE, DEFAULT_TTL};
pub use policy::{CacheControl, CacheNamespace, CachePolicy};
pub use stats::{CacheStats, CacheStatsSnapshot};
pub use store::CacheStore;
#[cfg(feature = "disk")]
pub use store::disk::DiskStore;
pub use store::memory::{DEFAULT_MEMORY_BYTES, MemoryStore};
#[cfg(feature = "redis")]
pub use store::redis::{DEFAULT_REDIS_PREFIX, RedisStore, RedisStoreBuilder};
