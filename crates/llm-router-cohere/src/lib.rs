//! Cohere for llm-router: Command models through Cohere's native v2 API — `POST /v2/chat`
//! (documents and citations, tools, SSE streaming) and `POST /v2/embed`.
//!
//! [`builder`] and [`from_env`] give a [`CohereClient`] implementing
//! [`ChatProvider`](llm_router_core::ChatProvider) and
//! [`EmbeddingProvider`](llm_router_core::EmbeddingProvider). What differs from the OpenAI
//! dialect, and how it is bridged:
//!
//! - **Messages.** `system`/`developer` → `system`; user content parts → `text` /
//!   `image_url` parts (vision models); assistant tool calls keep their ids; tool results are
//!   `{role: tool, tool_call_id, content}`. An assistant message's `extra.tool_plan` and
//!   `extra.citations` are sent back.
//! - **Fields.** `max_completion_tokens`/`max_tokens` → `max_tokens`, `top_p` → `p`, `stop` →
//!   `stop_sequences`, `seed`, penalties, `response_format` (`json_schema` → `{type:
//!   json_object, json_schema}`); `tool_choice` `required` → `REQUIRED`, `none` → `NONE`, a
//!   named function → only that tool plus `REQUIRED`. Everything in `extra` reaches the body
//!   (`documents`, `citation_options`, `k`, `safety_mode`, `strict_tools`, `thinking`, …).
//! - **Responses.** Text parts are joined, `thinking` parts (reasoning models, `thinking` in
//!   `extra`) become `reasoning_content` (not sent back in later turns); the
//!   message's `citations` and `tool_plan` are kept in `choices[0].message.extra`.
//!   `finish_reason`: `COMPLETE`/`STOP_SEQUENCE` → `stop`, `MAX_TOKENS` → `length`,
//!   `TOOL_CALL` → `tool_calls`, `ERROR`/`TIMEOUT` → `error`/`timeout`. Usage comes from
//!   `usage.tokens`, with `usage.billed_units` in `usage.extra.billed_units`.
//! - **Streams.** Typed SSE events (`message-start` … `message-end`), no `[DONE]`; see
//!   [`chat_chunks`]. Citations and the tool plan arrive whole on the finishing chunk.
//! - **Embeddings.** `input_type` is required by Cohere for v3+ models: our
//!   `InputType` maps to `search_query`/`search_document`/`classification`/`clustering`, and
//!   none given means **`search_document`**. Floats are always requested (`embedding_types:
//!   ["float"]`); `encoding_format: base64` is produced locally from them. `dimensions` →
//!   `output_dimension`; `truncate` and the rest from `extra`.
//! - **Errors.** `{"message"}` bodies; 498 → `Authentication`, 499 → `ProviderUnavailable`,
//!   402 and a trial key's monthly limit → `QuotaExceeded`, `too many tokens` →
//!   `ContextLengthExceeded`.
//!
//! # Example
//!
//! ```
//! use llm_router_core::{ChatRequest, Message};
//!
//! let client = llm_router_cohere::builder()
//!     .api_key("co-test")
//!     .base_url("http://127.0.0.1:9")
//!     .build()?;
//! assert!(!format!("{client:?}").contains("co-test"));
//! let req = ChatRequest::new("command-a-03-2025", vec![Message::user("Hi")])
//!     .with_extra("documents", serde_json::json!([{"data": {"text": "Paris is in France."}}]));
//! let body = client.request_body(&req, false)?;
//! assert_eq!(body["messages"][0]["content"], "Hi");
//! assert_eq!(body["documents"][0]["data"]["text"], "Paris is in France.");
//! # Ok::<(), llm_router_core::Error>(())
//! ```

mod client;
mod convert;
mod error;
mod stream;
mod wire;

use llm_router_core::{ApiKey, Capabilities, Error, ProviderInfo};

pub use client::{CohereBuilder, CohereClient};
pub use llm_router_http::StreamTimeouts;
pub use stream::chat_chunks;

/// The provider's short name.
pub(crate) const NAME: &str = "cohere";

/// Cohere's API base URL (requests go to `<base>/v2/chat` and `<base>/v2/embed`).
pub const DEFAULT_BASE_URL: &str = "https://api.cohere.com";

/// The environment variable holding the API key.
pub const API_KEY_ENV: &str = "COHERE_API_KEY";

/// The Cohere SDKs' name for the key, read when [`API_KEY_ENV`] is not set.
pub const SDK_API_KEY_ENV: &str = "CO_API_KEY";

/// The environment variable that overrides the base URL.
pub const BASE_URL_ENV: &str = "COHERE_BASE_URL";

/// What this crate is and supports (the README's provider table is generated from it).
pub const INFO: ProviderInfo = ProviderInfo {
    name: NAME,
    display_name: "Cohere",
    crate_name: "llm-router-cohere",
    feature: "cohere",
    env_vars: &[API_KEY_ENV, SDK_API_KEY_ENV, BASE_URL_ENV],
    default_base_url: DEFAULT_BASE_URL,
    capabilities: Capabilities {
        chat: true,
        streaming: true,
        tools: true,
        vision: true,
        embeddings: true,
        images: false,
        reasoning: true,
    },
    notes: "native v2 chat + embed; citations in message extra; embed input_type defaults to search_document",
};

/// A builder; set the key with `.api_key(…)`.
pub fn builder() -> CohereBuilder {
    CohereBuilder::new()
}

/// A client configured from the environment: `COHERE_API_KEY` (else `CO_API_KEY`) and
/// `COHERE_BASE_URL` (optional).
pub fn from_env() -> Result<CohereClient, Error> {
    let mut b = builder();
    if let Some(k) = ApiKey::from_env(API_KEY_ENV).or_else(|| ApiKey::from_env(SDK_API_KEY_ENV)) {
        b = b.api_key(k);
    }
    if let Ok(url) = std::env::var(BASE_URL_ENV)
        && !url.trim().is_empty()
    {
        b = b.base_url(url.trim());
    }
    b.build()
}
