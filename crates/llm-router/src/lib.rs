//! llm-router: every major LLM provider behind one OpenAI-shaped interface.
//!
//! The mental model is one function, `async fn(ChatRequest) -> Result<ChatResponse, Error>`,
//! implemented by every provider client and by every layer (cache, retry, rate limit, routing)
//! that wraps one. This crate only re-exports: the canonical types and traits of
//! [`llm_router_core`] at the root, and each provider or feature crate as a module behind a
//! cargo feature of the same name.
//!
//! | feature | module | what it is |
//! |---|---|---|
//! | `openai` | [`openai`] | OpenAI: chat, streaming, tools, vision, embeddings, images |
//! | `openai-compat` | [`openai_compat`] | any OpenAI-compatible endpoint, declared as a `Dialect` |
//! | `mock` | [`mock`] | `MockProvider` for your tests (not in `full`) |
//! | `all-providers` | | every provider |
//! | `full` | | everything except `mock` |
//!
//! # Example
//!
//! ```
//! # #[cfg(feature = "mock")] {
//! use llm_router::{ChatProvider, ChatRequest, Message};
//! use llm_router::mock::MockProvider;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let provider = MockProvider::new().reply("Hello", "Hi there!");
//! let resp = provider
//!     .chat(ChatRequest::new("mock-model", vec![Message::user("Hello!")]))
//!     .await?;
//! assert_eq!(resp.text(), "Hi there!");
//! # Ok::<(), llm_router::Error>(())
//! # }).unwrap();
//! # }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use llm_router_core::*;

/// OpenAI (`features = ["openai"]`).
#[cfg(feature = "openai")]
#[cfg_attr(docsrs, doc(cfg(feature = "openai")))]
pub mod openai {
    pub use llm_router_openai::*;
}

/// Any OpenAI-compatible endpoint (`features = ["openai-compat"]`).
#[cfg(feature = "openai-compat")]
#[cfg_attr(docsrs, doc(cfg(feature = "openai-compat")))]
pub mod openai_compat {
    pub use llm_router_openai_compat::*;
}

/// The mock provider for tests (`features = ["mock"]`).
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock {
    pub use llm_router_mock::*;
}

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../../../README.md")]
#[cfg(all(doctest, feature = "mock", feature = "openai"))]
pub struct ReadmeDoctests;
