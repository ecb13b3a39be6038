//! A mock provider for testing code built on llm-router, with no network and no keys.
//!
//! [`MockProvider`] implements [`ChatProvider`](llm_router_core::ChatProvider),
//! [`EmbeddingProvider`](llm_router_core::EmbeddingProvider) and
//! [`ImageProvider`](llm_router_core::ImageProvider). It answers by rules (a substring or a
//! regex of the last user message → a reply, else a default), streams its answers word by word
//! with an optional per-chunk delay (or exactly the pieces you script), injects the failures
//! real providers produce (429 with `Retry-After`, 5xx, timeouts, bad keys, quota, a stream
//! cut mid-way), calls a tool when the request offers tools and asks for one (arguments
//! generated to fit the tool's JSON Schema), returns deterministic unit-length embeddings of
//! any dimension and a 1×1 PNG for images, and records every request it receives. Clones share
//! one state, so keep a clone to inspect what the code under test sent.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use futures_util::StreamExt as _;
//! use llm_router_core::{ChatProvider, ChatRequest, ErrorKind, Message};
//! use llm_router_mock::{MockFailure, MockProvider};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
//! rt.block_on(async {
//!     let mock = MockProvider::new()
//!         .reply("hello", "Hi there!")
//!         .reply_regex(r"weather in (\w+)", "Sunny in ${1}.")?;
//!     let ask = |text: &str| ChatRequest::new("mock-model", vec![Message::user(text)]);
//!
//!     // Reply rules, and the default reply.
//!     assert_eq!(mock.chat(ask("hello!")).await?.text(), "Hi there!");
//!     assert_eq!(mock.chat(ask("The weather in Oslo?")).await?.text(), "Sunny in Oslo.");
//!     assert_eq!(mock.chat(ask("anything")).await?.text(), "This is a mock response.");
//!
//!     // A stream: one chunk per word, then a chunk with the finish reason.
//!     let mut stream = mock.chat_stream(ask("hello")).await?;
//!     let mut text = String::new();
//!     while let Some(chunk) = stream.next().await {
//!         text.push_str(chunk?.text().unwrap_or(""));
//!     }
//!     assert_eq!(text, "Hi there!");
//!
//!     // An injected 429: the next call fails, the one after succeeds.
//!     let mock = mock.fail_next(MockFailure::RateLimited { retry_after: Duration::from_secs(2) });
//!     let err = mock.chat(ask("hello")).await.unwrap_err();
//!     assert_eq!(err.kind(), ErrorKind::RateLimited);
//!     assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
//!     assert!(mock.chat(ask("hello")).await.is_ok());
//!
//!     // Everything was recorded.
//!     assert_eq!(mock.requests().len(), 6);
//!     Ok::<_, Box<dyn std::error::Error>>(())
//! })
//! # }
//! ```

mod embed;
mod failure;
mod image;
mod provider;
mod reply;
mod schema_fill;
mod stream;

pub use failure::MockFailure;
pub use provider::{DEFAULT_REPLY, MockProvider};
