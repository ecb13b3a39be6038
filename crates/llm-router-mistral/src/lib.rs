//! Mistral AI for llm-router: chat completions with streaming, tools, image input and JSON
//! output, plus embeddings (`mistral-embed`, `codestral-embed`).
//!
//! Mistral's API speaks OpenAI's dialect, so this crate is a preset of the shared
//! [`llm_router_openai_compat`] adapter plus hooks: [`builder`] and [`from_env`] build a client
//! implementing [`ChatProvider`](llm_router_core::ChatProvider) and
//! [`EmbeddingProvider`](llm_router_core::EmbeddingProvider).
//!
//! What differs from OpenAI (checked against Mistral's OpenAPI spec in the tests):
//!
//! - **Tool-call ids** must be 9 ASCII letters or digits (`^[a-zA-Z0-9]{9}$`; other ids are
//!   answered with 400). Ids in earlier turns that do not fit — e.g. OpenAI's `call_…` from a
//!   conversation started elsewhere — are mapped by [`mistral_tool_call_id`], in both the
//!   assistant's `tool_calls[].id` and the tool message's `tool_call_id`. The mapping is
//!   deterministic (a hash, base62), so the same original id always gives the same Mistral id
//!   and the pairs stay consistent across turns without any state. Responses keep the ids
//!   Mistral generated: they are valid everywhere, and the hooks see one request or response
//!   at a time, so there is nothing to map back (a response never refers to an id of the
//!   request). Your own history keeps its original ids.
//! - **Renamed fields.** `seed` is sent as `random_seed`, `tool_choice: "required"` as
//!   `"any"`, `max_completion_tokens` as `max_tokens`; embeddings' `dimensions` as
//!   `output_dimension` (`output_dtype` goes in
//!   [`EmbeddingRequest::extra`](llm_router_core::EmbeddingRequest::extra)).
//! - **Dropped fields.** Mistral rejects unknown fields, so OpenAI's `user`, `logit_bias`,
//!   `logprobs`, `top_logprobs`, `store`, `service_tier` and `stream_options` are not sent
//!   (streams carry usage in their last chunk anyway), nor `name` on non-tool messages,
//!   `refusal` or reasoning of earlier turns; a `developer` message is sent as `system`. `safe_prompt`, `prompt_mode`, `prediction`,
//!   `guardrails` go in [`ChatRequest::extra`](llm_router_core::ChatRequest::extra).
//!   `reasoning_effort` is sent unchanged; Mistral's spec accepts only `high` and `none`.
//! - **Finish reasons.** `model_length` (the context window is full) becomes
//!   [`FinishReason::Length`], with the raw value in the
//!   choice's `native_finish_reason`. `error` (generation failed) is an error,
//!   [`ErrorKind::ProviderUnavailable`] (retryable): the `Err` of `chat`, or of `chat_stream`
//!   before any content, or [`ErrorKind::StreamInterrupted`] after content.
//! - **Images** are sent in OpenAI's `{"type": "image_url", "image_url": {"url": …}}` form,
//!   which Mistral accepts besides its plain-string form.
//!
//! # Example
//!
//! ```
//! use llm_router_core::ChatProvider;
//!
//! let client = llm_router_mistral::builder()
//!     .api_key("mistral-test-key")
//!     .base_url("http://127.0.0.1:9/v1")
//!     .build()?;
//! assert_eq!(client.name(), "mistral");
//! assert!(!format!("{client:?}").contains("mistral-test-key"));
//! assert_eq!(llm_router_mistral::mistral_tool_call_id("D681PevKs"), "D681PevKs");
//! assert_eq!(llm_router_mistral::mistral_tool_call_id("call_abc123").len(), 9);
//! # Ok::<(), llm_router_core::Error>(())
//! ```
//!
//! A real call (`MISTRAL_API_KEY` set):
//!
//! ```no_run
//! use llm_router_core::{ChatProvider, ChatRequest, Message};
//!
//! # async fn run() -> Result<(), llm_router_core::Error> {
//! let mistral = llm_router_mistral::from_env()?;
//! let resp = mistral
//!     .chat(ChatRequest::new("mistral-small-latest", vec![Message::user("Bonjour !")]))
//!     .await?;
//! println!("{}", resp.text());
//! # Ok(()) }
//! ```
//!
//! [`ErrorKind::ProviderUnavailable`]: llm_router_core::ErrorKind::ProviderUnavailable
//! [`ErrorKind::StreamInterrupted`]: llm_router_core::ErrorKind::StreamInterrupted

mod hooks;

use std::sync::Arc;

use llm_router_core::{Capabilities, Error, FinishReason, ProviderInfo};
use llm_router_openai_compat::{Dialect, MaxTokensField, OpenAiCompatBuilder, Quirks};

use crate::hooks::MistralHooks;

pub use llm_router_openai_compat::OpenAiCompatClient as MistralClient;

pub(crate) const PROVIDER: &str = "mistral";

/// Mistral's API base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.mistral.ai/v1";

/// The environment variable holding the API key.
pub const API_KEY_ENV: &str = "MISTRAL_API_KEY";

/// The environment variable overriding the base URL.
pub const BASE_URL_ENV: &str = "MISTRAL_BASE_URL";

/// Mistral's finish reason for an answer cut because the model's context window is full;
/// reported as [`FinishReason::Length`] with this value in the choice's `native_finish_reason`.
pub const FINISH_MODEL_LENGTH: &str = "model_length";

/// Mistral's finish reason for a failed generation; reported as an error.
pub const FINISH_ERROR: &str = "error";

/// The length of Mistral's tool-call ids.
pub const TOOL_CALL_ID_LEN: usize = 9;

/// What this crate is and supports (the README's provider table is generated from it).
pub const INFO: ProviderInfo = ProviderInfo {
    name: PROVIDER,
    display_name: "Mistral AI",
    crate_name: "llm-router-mistral",
    feature: "mistral",
    env_vars: &[API_KEY_ENV, BASE_URL_ENV],
    default_base_url: DEFAULT_BASE_URL,
    capabilities: Capabilities {
        chat: true,
        streaming: true,
        tools: true,
        vision: true,
        embeddings: true,
        images: false,
        reasoning: false,
    },
    notes: "foreign tool-call ids mapped to 9 alphanumerics; `seed` → `random_seed`, `required` → `any`; `model_length` → length",
};

/// Mistral as a [`Dialect`].
pub fn dialect() -> Dialect {
    Dialect::new(PROVIDER, DEFAULT_BASE_URL)
        .with_api_key_env(API_KEY_ENV)
        .with_quirks(Quirks {
            max_tokens_field: MaxTokensField::MaxTokens,
            stream_include_usage: false,
            send_reasoning: false,
            send_input_type: false,
            ..Quirks::default()
        })
        .with_hooks(Arc::new(MistralHooks))
}

/// A builder with Mistral's dialect; set the key with `.api_key(…)`.
pub fn builder() -> OpenAiCompatBuilder {
    OpenAiCompatBuilder::new(dialect())
}

/// A client configured from the environment: `MISTRAL_API_KEY` (required) and
/// `MISTRAL_BASE_URL` (optional).
pub fn from_env() -> Result<MistralClient, Error> {
    builder()
        .api_key_from_env(API_KEY_ENV)
        .base_url_from_env(BASE_URL_ENV)
        .build()
}

/// Whether `id` is a valid Mistral tool-call id: exactly 9 ASCII letters or digits.
pub fn is_mistral_tool_call_id(id: &str) -> bool {
    id.len() == TOOL_CALL_ID_LEN && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The id Mistral receives for a tool call whose id is `id`: `id` itself when it is already
/// valid ([`is_mistral_tool_call_id`]), otherwise 9 base62 characters of a 64-bit FNV-1a hash
/// of `id`. Deterministic (stable across processes and versions), so an assistant's
/// `tool_calls[].id` and the matching tool message's `tool_call_id` always agree.
pub fn mistral_tool_call_id(id: &str) -> String {
    if is_mistral_tool_call_id(id) {
        return id.to_owned();
    }
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut out = String::with_capacity(TOOL_CALL_ID_LEN);
    for _ in 0..TOOL_CALL_ID_LEN {
        let digit = (h % 62) as usize;
        out.push(char::from(ALPHABET[digit]));
        h /= 62;
    }
    out
}

/// Whether `reason` is Mistral's `model_length` (read from the choice's
/// `native_finish_reason`, since the finish reason itself is [`FinishReason::Length`]).
pub fn is_model_length(reason: &FinishReason, native: Option<&str>) -> bool {
    *reason == FinishReason::Length && native == Some(FINISH_MODEL_LENGTH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_ids_are_kept_and_others_mapped_deterministically() {
        assert!(is_mistral_tool_call_id("D681PevKs"));
        assert!(!is_mistral_tool_call_id("call_abc1"));
        assert!(!is_mistral_tool_call_id("abcdefgh"));
        assert!(!is_mistral_tool_call_id("ééééééééé"));
        let a = mistral_tool_call_id("call_abc123xyz");
        assert!(is_mistral_tool_call_id(&a), "{a}");
        assert_eq!(a, mistral_tool_call_id("call_abc123xyz"));
        assert_ne!(a, mistral_tool_call_id("call_abc123xyw"));
        assert!(is_mistral_tool_call_id(&mistral_tool_call_id("")));
        assert_eq!(mistral_tool_call_id("D681PevKs"), "D681PevKs");
    }

    #[test]
    fn model_length_is_recognised() {
        assert!(is_model_length(&FinishReason::Length, Some("model_length")));
        assert!(!is_model_length(&FinishReason::Length, None));
    }
}
