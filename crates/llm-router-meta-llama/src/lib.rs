//! Meta Llama API for llm-router: Llama models at `api.llama.com` through the API's native
//! chat completions (`POST /v1/chat/completions`), or, as an option, its OpenAI-compatible
//! surface (`/compat/v1`).
//!
//! [`builder`] and [`from_env`] give a [`LlamaClient`] implementing
//! [`ChatProvider`](llm_router_core::ChatProvider); `builder().openai_compatible()` gives an
//! [`OpenAiCompatClient`] with
//! [`compat_dialect`] instead. What differs in the native shape (as in the official
//! `llama-api-python` SDK), and how it is bridged:
//!
//! - **Requests** are OpenAI-like: `messages` (`system`, `user` with `text`/`image_url` parts,
//!   `assistant`, `tool` with `tool_call_id`), `max_completion_tokens`, `temperature`,
//!   `top_p`, `tools`, `tool_choice`, `response_format` (`text` or `json_schema`; a
//!   `json_object` request is refused with `Unsupported`), `user`. `top_k`,
//!   `repetition_penalty` and anything else come from `extra`. Assistant tool calls are sent
//!   as `{id, function}` — the API's tool calls have **no `type` field**.
//! - **Responses are not OpenAI-shaped**: `{id, completion_message: {content, stop_reason,
//!   tool_calls}, metrics: [{metric, value, unit}]}`. `content` (a string or `{type: text,
//!   text}`) becomes the message text, tool calls get `type: function`, `stop_reason`
//!   (`stop`/`tool_calls`/`length`) maps 1:1, and usage comes from the `num_prompt_tokens`,
//!   `num_completion_tokens` and `num_total_tokens` metrics (all kept in `extra.metrics`).
//! - **Streams** are SSE chunks `{id, event: {event_type: start|progress|complete|metrics,
//!   delta, stop_reason, metrics}}` without a terminator; see [`chat_chunks`].
//! - **Not here:** embeddings (the API has none).
//!
//! # Example
//!
//! ```
//! use llm_router_core::{ChatProvider, ChatRequest, Message};
//!
//! let native = llm_router_meta_llama::builder()
//!     .api_key("LLM|test")
//!     .base_url("http://127.0.0.1:9/v1")
//!     .build()?;
//! assert!(!format!("{native:?}").contains("LLM|test"));
//! let body = native.request_body(
//!     &ChatRequest::new("Llama-3.3-70B-Instruct", vec![Message::user("Hi")]).with_max_tokens(64),
//!     false,
//! )?;
//! assert_eq!(body["max_completion_tokens"], 64);
//!
//! let compat = llm_router_meta_llama::builder().api_key("LLM|test").openai_compatible().build()?;
//! assert_eq!(compat.name(), "meta-llama");
//! # Ok::<(), llm_router_core::Error>(())
//! ```

mod client;
mod convert;
mod error;
mod stream;
mod wire;

use llm_router_core::{ApiKey, Capabilities, Error, ProviderInfo};
use llm_router_openai_compat::{Dialect, MaxTokensField, Quirks};

pub use client::{LlamaBuilder, LlamaClient};
pub use llm_router_http::StreamTimeouts;
pub use llm_router_openai_compat::OpenAiCompatClient;
pub use stream::chat_chunks;

/// The provider's short name.
pub(crate) const NAME: &str = "meta-llama";

/// The native API's base URL (requests go to `<base>/chat/completions`).
pub const DEFAULT_BASE_URL: &str = "https://api.llama.com/v1";

/// The OpenAI-compatible surface's base URL.
pub const COMPAT_BASE_URL: &str = "https://api.llama.com/compat/v1";

/// The environment variable holding the API key.
pub const API_KEY_ENV: &str = "LLAMA_API_KEY";

/// The environment variable that overrides the base URL.
pub const BASE_URL_ENV: &str = "LLAMA_BASE_URL";

/// The official SDK's variable for the base URL, read when [`BASE_URL_ENV`] is not set.
pub const SDK_BASE_URL_ENV: &str = "LLAMA_API_CLIENT_BASE_URL";

/// What this crate is and supports (the README's provider table is generated from it).
pub const INFO: ProviderInfo = ProviderInfo {
    name: NAME,
    display_name: "Meta Llama API",
    crate_name: "llm-router-meta-llama",
    feature: "meta-llama",
    env_vars: &[API_KEY_ENV, BASE_URL_ENV, SDK_BASE_URL_ENV],
    default_base_url: DEFAULT_BASE_URL,
    capabilities: Capabilities {
        chat: true,
        streaming: true,
        tools: true,
        vision: true,
        embeddings: false,
        images: false,
        reasoning: false,
    },
    notes: "native completion_message/metrics shape; `openai_compatible()` for /compat/v1",
};

/// The Llama API's OpenAI-compatible surface as a [`Dialect`] (`max_completion_tokens`, no
/// embeddings or images).
pub fn compat_dialect() -> Dialect {
    Dialect::new(NAME, COMPAT_BASE_URL)
        .with_api_key_env(API_KEY_ENV)
        .with_quirks(Quirks {
            max_tokens_field: MaxTokensField::MaxCompletionTokens,
            supports_embeddings: false,
            supports_images: false,
            ..Quirks::default()
        })
}

/// A builder of the native client; set the key with `.api_key(…)`, or switch to the
/// OpenAI-compatible surface with `.openai_compatible()`.
pub fn builder() -> LlamaBuilder {
    LlamaBuilder::new()
}

/// A native client configured from the environment: `LLAMA_API_KEY` (required) and
/// `LLAMA_BASE_URL` (else `LLAMA_API_CLIENT_BASE_URL`, optional).
pub fn from_env() -> Result<LlamaClient, Error> {
    let mut b = builder();
    if let Some(k) = ApiKey::from_env(API_KEY_ENV) {
        b = b.api_key(k);
    }
    if let Some(url) = [BASE_URL_ENV, SDK_BASE_URL_ENV]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.trim().is_empty()))
    {
        b = b.base_url(url.trim());
    }
    b.build()
}
