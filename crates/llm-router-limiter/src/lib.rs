//! Rate limits as a layer: requests per minute, tokens per minute and concurrent requests,
//! for any chat or embedding provider.
//!
//! [`RateLimitLayer`] wraps a provider (`async fn(ChatRequest) -> Result<ChatResponse, Error>`)
//! in another that first takes a concurrency permit, then the call's token estimate, then one
//! request from the budgets of the request's [`Scope`] (global, per provider, per model, per
//! [`CallerKey`] or a function of your own). When a budget is spent it refuses at once with
//! `ErrorKind::RateLimited` and `retry_after` set to when capacity returns ([`Mode::Reject`],
//! the default, for retry and routing layers to act on) or sleeps until then, up to a limit
//! ([`Mode::Wait`]). Token estimates come from [`llm_router_tokens`] and are settled with the
//! real usage after the call, or when a stream's usage chunk arrives.
//!
//! Budgets live in a [`LimiterBackend`]: [`InMemory`] (governor's GCRA for requests, a token
//! bucket for tokens, on tokio's clock so `tokio::time::pause()` drives it) or, with the
//! `redis` feature, `RedisBackend`: one atomic Lua script keyed `llm-router:limit:<scope key>`
//! that reads Redis's own clock, so several gateway replicas share one limit. When Redis
//! fails, the layer admits the call and logs a warning ([`OnBackendError::FailOpen`], the
//! default) or refuses it ([`OnBackendError::FailClosed`]). Concurrency is always counted per
//! process.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use llm_router_core::{ChatRequest, ChatStack, ErrorKind, Message, SharedChat};
//! use llm_router_limiter::{CallerKey, RateLimitLayer, Scope};
//! use llm_router_mock::MockProvider;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let rt = tokio::runtime::Builder::new_current_thread()
//!     .enable_time()
//!     .start_paused(true) // the limiter reads tokio's clock: no real waiting here
//!     .build()?;
//! rt.block_on(async {
//!     let layer = RateLimitLayer::builder()
//!         .requests_per_minute(2)
//!         .scope(Scope::CallerKey)
//!         .build()?;
//!     let provider: SharedChat = ChatStack::new().layer(layer).build(Arc::new(MockProvider::new()));
//!     let ask = |caller: &str| {
//!         let mut req = ChatRequest::new("mock-model", vec![Message::user("hi")]);
//!         req.extensions.insert(CallerKey(caller.into()));
//!         req
//!     };
//!
//!     provider.chat(ask("team-a")).await?;
//!     provider.chat(ask("team-a")).await?;
//!     let err = provider.chat(ask("team-a")).await.unwrap_err();
//!     assert_eq!(err.kind(), ErrorKind::RateLimited);
//!     assert_eq!(err.retry_after(), Some(Duration::from_secs(30))); // one request per 30 s
//!
//!     // Another caller has a budget of its own.
//!     assert!(provider.chat(ask("team-b")).await.is_ok());
//!
//!     tokio::time::advance(Duration::from_secs(30)).await;
//!     assert!(provider.chat(ask("team-a")).await.is_ok());
//!     Ok(())
//! })
//! # }
//! ```

mod backend;
mod layer;
mod policy;
#[cfg(feature = "redis")]
mod redis;
mod service;

pub use backend::{Admission, Bucket, InMemory, LimitKind, LimiterBackend};
pub use layer::{RateLimitLayer, RateLimitLayerBuilder};
pub use policy::{CallerKey, Mode, OnBackendError, Rate, RequestInfo, Scope, ScopeFn};
#[cfg(feature = "redis")]
pub use redis::{DEFAULT_KEY_PREFIX, DEFAULT_TIMEOUT, RedisBackend};
