//! The one adapter for the OpenAI chat/embeddings dialect.
//!
//! Many vendors (DeepSeek, OpenRouter, Mistral, Zhipu, DashScope, Ollama's `/v1`, vLLM, …)
//! speak OpenAI's dialect with small differences. Each is a [`Dialect`] value — base URL,
//! [`Auth`], [`Quirks`] as plain fields, and optional [`DialectHooks`] for what data cannot
//! say — handed to this crate's [`OpenAiCompatClient`]. The canonical types already are the
//! OpenAI wire format, so a request body is the canonical request serialized and then adjusted
//! by the quirks; responses and stream chunks decode straight into the canonical types.
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
mod request;
mod response;
mod stream;

pub use client::{OpenAiCompatBuilder, OpenAiCompatClient};
pub use dialect::{Auth, Dialect, DialectHooks, Endpoint, MaxTokensField, Quirks};
pub use request::{chat_body, embedding_body, image_body};
pub use response::{decode, decode_chat, decode_chunk};
pub use stream::chat_chunks;
