//! OpenRouter for llm-router: hundreds of models (`openai/gpt-4o`, `anthropic/claude-…`) behind
//! one OpenAI-dialect API, with chat, streaming, tools, vision, structured output, reasoning
//! and embeddings.
//!
//! OpenRouter speaks OpenAI's dialect, so this crate is a preset of the shared
//! [`llm_router_openai_compat`] adapter: [`dialect`] says where and how to call OpenRouter,
//! [`builder`] and [`from_env`] build a client implementing
//! [`ChatProvider`](llm_router_core::ChatProvider) and
//! [`EmbeddingProvider`](llm_router_core::EmbeddingProvider).
//!
//! What differs from OpenAI:
//!
//! - **Model ids** are `vendor/model` and pass through unchanged.
//! - **Routing extras** — `provider` (`order`, `allow_fallbacks`, `only`, `ignore`, `sort`,
//!   `data_collection`, …), `models` (fallback list), `route`, `transforms`, `reasoning`
//!   (`effort` / `max_tokens` / `exclude`), `usage` — go in
//!   [`ChatRequest::extra`](llm_router_core::ChatRequest::extra) and are sent as given.
//! - **Reasoning** arrives as `message.reasoning` / `delta.reasoning` (moved into the canonical
//!   `reasoning_content`) and `reasoning_details` (signed, encrypted or summary blocks).
//!   Both are sent back on later turns, as OpenRouter asks for tool-calling conversations
//!   (`reasoning_content` is its documented alias of `reasoning`).
//! - **Attribution headers**: [`OpenRouterBuilder::app_url`] sends `HTTP-Referer`,
//!   [`OpenRouterBuilder::app_name`] sends `X-OpenRouter-Title` and its legacy alias `X-Title`.
//! - **Errors.** 402 (no credits) is [`ErrorKind::QuotaExceeded`]; an error after generation
//!   started arrives inside the 200 stream as a chunk with a top-level `error` and
//!   `finish_reason: "error"` — before any content it is the `Err` of `chat_stream`
//!   ([`ErrorKind::ProviderUnavailable`] for `server_error`), after content the stream ends with
//!   [`ErrorKind::StreamInterrupted`]. `: OPENROUTER PROCESSING` comment lines are skipped.
//! - **Embeddings** (`POST /embeddings`) accept an input type; [`InputType::Query`] and
//!   [`InputType::Document`] are sent as `search_query` / `search_document`.
//!
//! # Example
//!
//! ```
//! use llm_router_core::ChatProvider;
//!
//! let client = llm_router_openrouter::builder()
//!     .api_key("sk-or-v1-test")
//!     .app_url("https://example.com")
//!     .app_name("Example")
//!     .base_url("http://127.0.0.1:9/api/v1")
//!     .build()?;
//! assert_eq!(client.name(), "openrouter");
//! assert!(!format!("{client:?}").contains("sk-or-v1-test"));
//! # Ok::<(), llm_router_core::Error>(())
//! ```
//!
//! A real call with provider routing preferences (`OPENROUTER_API_KEY` set):
//!
//! ```no_run
//! use llm_router_core::{ChatProvider, ChatRequest, Message};
//! use serde_json::json;
//!
//! # async fn run() -> Result<(), llm_router_core::Error> {
//! let openrouter = llm_router_openrouter::from_env()?;
//! let req = ChatRequest::new("openai/gpt-4o-mini", vec![Message::user("Say hi")])
//!     .with_extra("provider", json!({"order": ["openai", "azure"], "allow_fallbacks": false}));
//! println!("{}", openrouter.chat(req).await?.text());
//! # Ok(()) }
//! ```
//!
//! [`ErrorKind::QuotaExceeded`]: llm_router_core::ErrorKind::QuotaExceeded
//! [`ErrorKind::ProviderUnavailable`]: llm_router_core::ErrorKind::ProviderUnavailable
//! [`ErrorKind::StreamInterrupted`]: llm_router_core::ErrorKind::StreamInterrupted
//! [`InputType::Query`]: llm_router_core::InputType::Query
//! [`InputType::Document`]: llm_router_core::InputType::Document

use std::sync::Arc;

use llm_router_core::{Capabilities, Error, ProviderInfo};
use llm_router_openai_compat::{
    Dialect, DialectHooks, Endpoint, MaxTokensField, OpenAiCompatBuilder, Quirks, env_var,
};
use serde_json::Value;

pub use llm_router_openai_compat::OpenAiCompatClient as OpenRouterClient;

/// OpenRouter's API base URL.
pub const DEFAULT_BASE_URL: &str = "https://openrouter.ai/api/v1";

/// The environment variable holding the API key.
pub const API_KEY_ENV: &str = "OPENROUTER_API_KEY";

/// The environment variable overriding the base URL.
pub const BASE_URL_ENV: &str = "OPENROUTER_BASE_URL";

/// The environment variable with your app's URL (sent as `HTTP-Referer`).
pub const APP_URL_ENV: &str = "OPENROUTER_APP_URL";

/// The environment variable with your app's name (sent as `X-OpenRouter-Title` / `X-Title`).
pub const APP_NAME_ENV: &str = "OPENROUTER_APP_NAME";

/// What this crate is and supports (the README's provider table is generated from it).
pub const INFO: ProviderInfo = ProviderInfo {
    name: "openrouter",
    display_name: "OpenRouter",
    crate_name: "llm-router-openrouter",
    feature: "openrouter",
    env_vars: &[API_KEY_ENV, BASE_URL_ENV, APP_URL_ENV, APP_NAME_ENV],
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
    notes: "routing extras (`provider`, `models`, `route`, `transforms`) pass through; errors inside 200 streams; 402 = quota",
};

/// OpenRouter as a [`Dialect`].
pub fn dialect() -> Dialect {
    Dialect::new("openrouter", DEFAULT_BASE_URL)
        .with_api_key_env(API_KEY_ENV)
        .with_quirks(Quirks {
            max_tokens_field: MaxTokensField::MaxTokens,
            reasoning_field: Some("reasoning".into()),
            send_reasoning: true,
            send_input_type: true,
            ..Quirks::default()
        })
        .with_hooks(Arc::new(OpenRouterHooks))
}

/// A builder with OpenRouter's dialect; set the key with `.api_key(…)`.
pub fn builder() -> OpenRouterBuilder {
    OpenRouterBuilder {
        inner: OpenAiCompatBuilder::new(dialect()),
    }
}

/// A client configured from the environment: `OPENROUTER_API_KEY` (required),
/// `OPENROUTER_BASE_URL`, `OPENROUTER_APP_URL` and `OPENROUTER_APP_NAME` (optional).
pub fn from_env() -> Result<OpenRouterClient, Error> {
    let mut b = builder().api_key_from_env(API_KEY_ENV);
    if let Some(url) = env_var(BASE_URL_ENV) {
        b = b.base_url(url);
    }
    if let Some(url) = env_var(APP_URL_ENV) {
        b = b.app_url(url);
    }
    if let Some(name) = env_var(APP_NAME_ENV) {
        b = b.app_name(name);
    }
    b.build()
}

/// Builds an [`OpenRouterClient`]: the shared builder plus OpenRouter's attribution headers.
#[derive(Debug)]
pub struct OpenRouterBuilder {
    inner: OpenAiCompatBuilder,
}

impl OpenRouterBuilder {
    llm_router_openai_compat::forward_builder_setters! {
        inner =>
        api_key,
        api_key_from_env,
        base_url,
        header,
        http_client,
        request_timeout,
        stream_timeouts,
        map_dialect,
    }

    /// Your app's URL, sent as `HTTP-Referer` so OpenRouter attributes usage to it.
    pub fn app_url(self, url: impl Into<String>) -> Self {
        self.header("HTTP-Referer", url)
    }

    /// Your app's name, sent as `X-OpenRouter-Title` and its legacy alias `X-Title`.
    pub fn app_name(self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.header("X-OpenRouter-Title", name.clone())
            .header("X-Title", name)
    }

    /// The shared builder underneath.
    pub fn into_inner(self) -> OpenAiCompatBuilder {
        self.inner
    }

    /// Builds the client. Fails with [`ErrorKind::Config`](llm_router_core::ErrorKind::Config)
    /// without a key or with an invalid base URL.
    pub fn build(self) -> Result<OpenRouterClient, Error> {
        self.inner.build()
    }
}

/// OpenRouter's differences that data cannot express.
struct OpenRouterHooks;

impl DialectHooks for OpenRouterHooks {
    /// Embeddings: our `query` / `document` input types are OpenRouter's `search_query` /
    /// `search_document`.
    fn prepare_body(&self, endpoint: Endpoint, body: &mut Value) -> Result<(), Error> {
        if endpoint == Endpoint::Embeddings
            && let Some(t) = body.get_mut("input_type")
        {
            let mapped = match t.as_str() {
                Some("query") => "search_query",
                Some("document") => "search_document",
                _ => return Ok(()),
            };
            *t = Value::from(mapped);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_core::{EmbeddingRequest, InputType};
    use llm_router_openai_compat::embedding_body;

    #[test]
    fn input_types_use_openrouter_names() {
        let mut req = EmbeddingRequest::new("openai/text-embedding-3-small", "x");
        for (t, wire) in [
            (InputType::Query, "search_query"),
            (InputType::Document, "search_document"),
            (InputType::Clustering, "clustering"),
        ] {
            req.input_type = Some(t);
            let b = embedding_body(&dialect(), &req).unwrap();
            assert_eq!(b["input_type"], wire);
        }
        req.input_type = None;
        let b = embedding_body(&dialect(), &req).unwrap();
        assert!(b.get("input_type").is_none());
    }
}
