//! DeepSeek for llm-router: chat completions with streaming, tools, JSON output and the
//! model's reasoning (`reasoning_content`), plus chat prefix completion on the beta endpoint.
//!
//! DeepSeek speaks OpenAI's dialect, so this crate is a preset of the shared
//! [`llm_router_openai_compat`] adapter: [`dialect`] says where and how to call DeepSeek,
//! [`builder`] and [`from_env`] build a client implementing
//! [`ChatProvider`](llm_router_core::ChatProvider).
//!
//! What differs from OpenAI:
//!
//! - **Reasoning.** Thinking mode (`deepseek-reasoner`, or `"thinking": {"type": "enabled"}`
//!   in [`ChatRequest::extra`](llm_router_core::ChatRequest::extra)) returns the chain of thought
//!   in `message.reasoning_content` / `delta.reasoning_content`, which is already the canonical
//!   field. Earlier turns' `reasoning_content` *is sent back*: DeepSeek's thinking-mode guide
//!   requires it for turns that called tools (400 otherwise) and ignores it elsewhere.
//!   `reasoning_details` (other vendors' signed blocks) is never sent to DeepSeek.
//! - **Prompt cache usage.** `usage.prompt_cache_hit_tokens` is copied into
//!   `usage.prompt_tokens_details.cached_tokens`, so
//!   [`Usage::cache_read_tokens`](llm_router_core::Usage::cache_read_tokens) works; the vendor
//!   fields stay in `usage.extra`.
//! - **`insufficient_system_resource`.** DeepSeek's extra finish reason means the provider cut
//!   the answer short for lack of capacity. It is kept as
//!   [`FinishReason::Other`] (see
//!   [`FINISH_INSUFFICIENT_SYSTEM_RESOURCE`] and [`is_cut_by_provider`]): the partial answer
//!   is returned, and a stream that ends with it and `[DONE]` is a clean end. Retry it yourself
//!   if a complete answer matters.
//! - **Keep-alives.** While a request waits in DeepSeek's queue, streams carry `: keep-alive`
//!   comment lines and non-streaming responses start with blank lines; both are skipped.
//! - **Not offered:** image input, embeddings and `response_format` `json_schema` (JSON
//!   *object* output is fine) are refused with [`ErrorKind::Unsupported`] before anything is
//!   sent. FIM completion (`/beta/completions`) is not implemented.
//! - **Prefix completion (beta).** Point the client at [`BETA_BASE_URL`] and end the
//!   conversation with [`prefix_message`]; the model continues that assistant text.
//!
//! # Example
//!
//! ```
//! use llm_router_core::ChatProvider;
//!
//! let client = llm_router_deepseek::builder()
//!     .api_key("sk-test")
//!     .base_url("http://127.0.0.1:9")
//!     .build()?;
//! assert_eq!(client.name(), "deepseek");
//! assert!(!format!("{client:?}").contains("sk-test"));
//! # Ok::<(), llm_router_core::Error>(())
//! ```
//!
//! A real call (`DEEPSEEK_API_KEY` set):
//!
//! ```no_run
//! use llm_router_core::{ChatProvider, ChatRequest, Message};
//!
//! # async fn run() -> Result<(), llm_router_core::Error> {
//! let deepseek = llm_router_deepseek::from_env()?;
//! let resp = deepseek
//!     .chat(ChatRequest::new("deepseek-reasoner", vec![Message::user("9.11 or 9.8?")]))
//!     .await?;
//! println!("{:?}\n{}", resp.message().and_then(|m| m.reasoning_content.as_deref()), resp.text());
//! # Ok(()) }
//! ```
//!
//! [`ErrorKind::Unsupported`]: llm_router_core::ErrorKind::Unsupported

use std::sync::Arc;

use llm_router_core::{Capabilities, Error, FinishReason, Message, ProviderInfo};
use llm_router_openai_compat::{
    Dialect, DialectHooks, Endpoint, MaxTokensField, OpenAiCompatBuilder, Quirks,
    strip_reasoning_details,
};
use serde_json::Value;

pub use llm_router_openai_compat::OpenAiCompatClient as DeepSeekClient;

/// DeepSeek's API base URL (paths are `/chat/completions`, `/models`; `/v1` is an alias).
pub const DEFAULT_BASE_URL: &str = "https://api.deepseek.com";

/// The beta base URL, needed for chat prefix completion (and strict tools).
pub const BETA_BASE_URL: &str = "https://api.deepseek.com/beta";

/// The environment variable holding the API key.
pub const API_KEY_ENV: &str = "DEEPSEEK_API_KEY";

/// The environment variable overriding the base URL.
pub const BASE_URL_ENV: &str = "DEEPSEEK_BASE_URL";

/// DeepSeek's finish reason for an answer interrupted because the inference system ran out of
/// resources. Kept as [`FinishReason::Other`].
pub const FINISH_INSUFFICIENT_SYSTEM_RESOURCE: &str = "insufficient_system_resource";

/// What this crate is and supports (the README's provider table is generated from it).
pub const INFO: ProviderInfo = ProviderInfo {
    name: "deepseek",
    display_name: "DeepSeek",
    crate_name: "llm-router-deepseek",
    feature: "deepseek",
    env_vars: &[API_KEY_ENV, BASE_URL_ENV],
    default_base_url: DEFAULT_BASE_URL,
    capabilities: Capabilities {
        chat: true,
        streaming: true,
        tools: true,
        vision: false,
        embeddings: false,
        images: false,
        reasoning: true,
    },
    notes: "`reasoning_content` sent back for tool turns; cache hits as `cached_tokens`; prefix completion via the beta URL",
};

/// DeepSeek as a [`Dialect`].
pub fn dialect() -> Dialect {
    Dialect::new("deepseek", DEFAULT_BASE_URL)
        .with_api_key_env(API_KEY_ENV)
        .with_quirks(Quirks {
            max_tokens_field: MaxTokensField::MaxTokens,
            supports_vision: false,
            supports_embeddings: false,
            supports_response_format: false,
            send_reasoning: true,
            ..Quirks::default()
        })
        .with_hooks(Arc::new(DeepSeekHooks))
}

/// A builder with DeepSeek's dialect; set the key with `.api_key(…)`.
pub fn builder() -> OpenAiCompatBuilder {
    OpenAiCompatBuilder::new(dialect())
}

/// A client configured from the environment: `DEEPSEEK_API_KEY` (required) and
/// `DEEPSEEK_BASE_URL` (optional; [`BETA_BASE_URL`] for prefix completion).
pub fn from_env() -> Result<DeepSeekClient, Error> {
    builder()
        .api_key_from_env(API_KEY_ENV)
        .base_url_from_env(BASE_URL_ENV)
        .build()
}

/// The last message of a chat prefix completion: an assistant message with `"prefix": true`,
/// whose text the model continues. Needs a client at [`BETA_BASE_URL`].
pub fn prefix_message(text: impl Into<String>) -> Message {
    let mut m = Message::assistant(text.into());
    m.extra.insert("prefix".into(), Value::Bool(true));
    m
}

/// Whether `reason` says DeepSeek cut the answer short (`insufficient_system_resource`).
pub fn is_cut_by_provider(reason: &FinishReason) -> bool {
    reason.as_str() == FINISH_INSUFFICIENT_SYSTEM_RESOURCE
}

/// DeepSeek's differences that data cannot express.
struct DeepSeekHooks;

impl DialectHooks for DeepSeekHooks {
    /// `reasoning_details` is another vendor's shape; DeepSeek only knows `reasoning_content`.
    fn prepare_body(&self, endpoint: Endpoint, body: &mut Value) -> Result<(), Error> {
        strip_reasoning_details(endpoint, body);
        Ok(())
    }

    /// `usage.prompt_cache_hit_tokens` → `usage.prompt_tokens_details.cached_tokens`.
    fn normalize_response(&self, endpoint: Endpoint, body: &mut Value) -> Result<(), Error> {
        if endpoint != Endpoint::ChatCompletions {
            return Ok(());
        }
        let Some(usage) = body.get_mut("usage").and_then(Value::as_object_mut) else {
            return Ok(());
        };
        let Some(hits) = usage.get("prompt_cache_hit_tokens").and_then(Value::as_u64) else {
            return Ok(());
        };
        let details = usage
            .entry("prompt_tokens_details")
            .or_insert_with(|| Value::Object(Default::default()));
        if !details.is_object() {
            *details = Value::Object(Default::default());
        }
        if let Some(d) = details.as_object_mut() {
            d.insert("cached_tokens".into(), Value::from(hits));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_openai_compat::{chat_body, decode_chat};
    use serde_json::json;

    #[test]
    fn cache_hits_become_cached_tokens_and_vendor_fields_stay() {
        let body = json!({"id": "x", "object": "chat.completion", "created": 1, "model": "deepseek-chat",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12,
                      "prompt_cache_hit_tokens": 8, "prompt_cache_miss_tokens": 2}});
        let r = decode_chat(&dialect(), body.to_string().as_bytes()).unwrap();
        let u = r.usage.unwrap();
        assert_eq!(u.cache_read_tokens(), 8);
        assert_eq!(u.extra["prompt_cache_miss_tokens"], 2);
    }

    #[test]
    fn a_null_details_object_is_replaced() {
        let mut v = json!({"usage": {"prompt_cache_hit_tokens": 3, "prompt_tokens_details": null}});
        DeepSeekHooks
            .normalize_response(Endpoint::ChatCompletions, &mut v)
            .unwrap();
        assert_eq!(v["usage"]["prompt_tokens_details"]["cached_tokens"], 3);
        let mut v = json!({"choices": []});
        DeepSeekHooks
            .normalize_response(Endpoint::ChatCompletions, &mut v)
            .unwrap();
        assert_eq!(v, json!({"choices": []}));
    }

    #[test]
    fn reasoning_details_never_reach_deepseek() {
        let mut m = Message::assistant("42");
        m.reasoning_content = Some("because".into());
        m.reasoning_details = vec![llm_router_core::ReasoningDetail::text("because", None)];
        let req = llm_router_core::ChatRequest::new("deepseek-reasoner", vec![m]);
        let b = chat_body(&dialect(), &req, false).unwrap();
        assert_eq!(b["messages"][0]["reasoning_content"], "because");
        assert!(b["messages"][0].get("reasoning_details").is_none());
    }

    #[test]
    fn cut_by_provider() {
        assert!(is_cut_by_provider(&FinishReason::Other(
            FINISH_INSUFFICIENT_SYSTEM_RESOURCE.into()
        )));
        assert!(!is_cut_by_provider(&FinishReason::Stop));
    }
}
