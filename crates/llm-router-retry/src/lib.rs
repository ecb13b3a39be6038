//! Retry with exponential backoff and jitter, and per-attempt and stream timeouts, as layers
//! around any llm-router provider.
//!
//! A provider is `async fn(ChatRequest) -> Result<ChatResponse, Error>` (plus `chat_stream`
//! and `embed`). [`RetryLayer`] calls it again when the error's kind is retryable
//! (`RateLimited`, `Timeout`, `Connection`, `ProviderUnavailable`), waiting an exponentially
//! growing, jittered time — or exactly the provider's `retry_after` when it sent one. It gives
//! up at once, without sleeping, when the provider asks for more than
//! [`max_delay`](RetryPolicy::with_max_delay), so a router above can fall back to another
//! target. [`TimeoutLayer`] bounds each call; for a stream it bounds the time to the first
//! chunk, the gaps between chunks and the whole stream.
//!
//! Streams are retried only before their first chunk reaches the caller. Once content has
//! been seen nothing is replayed: a later failure (a timeout included) is yielded as
//! `ErrorKind::StreamInterrupted`.
//!
//! # Order matters
//!
//! In a [`ChatStack`](llm_router_core::ChatStack) the first layer added is the outermost.
//!
//! - `.layer(RetryLayer::default()).layer(TimeoutLayer::per_attempt(t))` — the timeout is
//!   *inside* the retry: each attempt gets its own `t`, and an attempt that runs over is a
//!   retryable `Timeout`. This is the usual order.
//! - `.layer(TimeoutLayer::per_attempt(t)).layer(RetryLayer::default())` — the timeout is
//!   *outside*: `t` bounds all attempts and the waits between them together.
//!
//! In the default stack, retry sits inside the router (per target) and outside the rate
//! limiter, which sits outside the timeout, so every attempt re-acquires a permit.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use llm_router_core::{ChatProvider, ChatRequest, ChatStack, ErrorKind, Message, SharedChat};
//! use llm_router_mock::{MockFailure, MockProvider};
//! use llm_router_retry::{RetryLayer, RetryPolicy, TimeoutLayer};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Paused time: the waits below take no real time.
//! let rt = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build()?;
//! rt.block_on(async {
//!     let mock = MockProvider::new()
//!         .fail_next(MockFailure::ServerError { status: 503 })
//!         .fail_next(MockFailure::RateLimited { retry_after: Duration::from_secs(1) });
//!     let provider: SharedChat = Arc::new(mock.clone());
//!     let chat = ChatStack::new()
//!         .layer(RetryLayer::new(RetryPolicy::new().with_max_delay(Duration::from_secs(5))))
//!         .layer(TimeoutLayer::per_attempt(Duration::from_secs(30)))
//!         .build(provider);
//!     let req = ChatRequest::new("mock-model", vec![Message::user("hi")]);
//!
//!     // A 503, then a 429 asking for 1 s, then success: three attempts.
//!     let started = tokio::time::Instant::now();
//!     assert_eq!(chat.chat(req.clone()).await?.text(), llm_router_mock::DEFAULT_REPLY);
//!     assert_eq!(mock.call_count(), 3);
//!     assert!(started.elapsed() >= Duration::from_secs(1));
//!
//!     // A 429 asking for a minute is handed back at once, for a router to fall back.
//!     let _ = mock.clone().fail_next(MockFailure::RateLimited { retry_after: Duration::from_secs(60) });
//!     let started = tokio::time::Instant::now();
//!     let err = chat.chat(req).await.unwrap_err();
//!     assert_eq!(err.kind(), ErrorKind::RateLimited);
//!     assert_eq!(started.elapsed(), Duration::ZERO);
//!     Ok::<_, Box<dyn std::error::Error>>(())
//! })
//! # }
//! ```

mod retry;
mod rng;
mod timeout;

pub use retry::{Jitter, RetryLayer, RetryPolicy};
pub use timeout::TimeoutLayer;
