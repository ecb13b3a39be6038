//! The one adapter for the OpenAI chat/embeddings dialect.
//!
//! Many vendors (DeepSeek, OpenRouter, Mistral, Zhipu, DashScope, Ollama's `/v1`, vLLM, …)
//! speak OpenAI's dialect with small differences. Each is a [`Dialect`] value — base URL,
//! [`Auth`], [`Quirks`] as plain fields, and optional [`DialectHooks`] for what data cannot
//! say — handed to this crate's [`OpenAiCompatClient`]. The canonical types already are the
//! OpenAI wire format, so a request body is the canonical request serialized and then adjusted
//! by the quirks; responses and stream chunks decode straight into the canonical types.
//!
//! Vendor preset crates build on a few shared pieces: [`env_var`] for optional settings,
//! [`forward_builder_setters!`] for the setters of a preset builder wrapping
//! [`OpenAiCompatBuilder`], and hook helpers such as [`rename_finish_reason`],
//! [`has_finish_reason`] and [`strip_reasoning_details`].
//!
//! # Example
//!
//! ```
//! use llm_router_openai_compat::{Auth, Dialect, OpenAiCompatClient};
//! use llm_router_core::ChatProvider;
//!
//! // Any OpenAI-compatible server, no new code:
//! let dialect = Dialect::new("vllm", "http://127.0.0.1:8000/v1").with_auth(Auth::None);
//! let client = OpenAiCompatClient::builder(dialect).build()?;
//! assert_eq!(client.name(), "vllm");
//! # Ok::<(), llm_router_core::Error>(())
//! ```

mod client;
mod dialect;
mod hook_helpers;
mod preset;
mod request;
mod response;
mod stream;

pub use client::{OpenAiCompatBuilder, OpenAiCompatClient};
pub use dialect::{Auth, Dialect, DialectHooks, Endpoint, MaxTokensField, Quirks};
pub use hook_helpers::{has_finish_reason, rename_finish_reason, strip_reasoning_details};
pub use preset::env_var;
pub use request::{chat_body, embedding_body, image_body};
pub use response::{decode, decode_chat, decode_chunk};
pub use stream::chat_chunks;

/// What [`forward_builder_setters!`] names in the code it writes; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use llm_router_core::ApiKey;
    pub use llm_router_http::{StreamTimeouts, reqwest};
}
