//! Google Gemini for llm-router, through the native Generative Language API (`v1beta`):
//! chat (`generateContent`), streaming (`streamGenerateContent?alt=sse`), tools, vision,
//! thinking with thought signatures, and embeddings (`embedContent`, `batchEmbedContents`).
//!
//! Gemini is not an OpenAI dialect, so this crate translates: messages become `contents` of
//! `parts` with the roles `user` and `model`, system messages become `systemInstruction`, tool
//! results become `functionResponse` parts, and tool-call arguments are JSON objects. What is
//! different, and how it is handled:
//!
//! - **Tool-call ids** are often absent: they are synthesized as `call_<n>_<name>`, unique
//!   within the conversation, and never sent back; Gemini's own ids are kept and sent back.
//! - **Thought signatures** must be echoed on the next turn (Gemini 3 refuses function-calling
//!   turns without them). They travel in the message's `reasoning_details` with
//!   `format: "google-gemini-v1"` ([`SIGNATURE_FORMAT`]), which also works for streams (a
//!   tool-call delta has no room for them): a thought part is a `reasoning.text` block (its
//!   text also in `reasoning_content`, its signature as `signature`); a signature on a function
//!   call is a `reasoning.encrypted` block with the signature as `data` and the tool call's
//!   `id`; a signature on a text part is a `reasoning.encrypted` block without `id`. Sending the
//!   assistant message back puts each on its part again; blocks of other formats are dropped.
//! - **Remote images** are downloaded and sent inline through a [`GuardedFetcher`], which
//!   refuses private and loopback addresses unless allowed and caps the size.
//! - **Streams have no terminator**: a stream is complete when every candidate sent a
//!   `finishReason`; otherwise it ends with `StreamInterrupted`.
//! - **Errors** are classified by their gRPC `status`; `RetryInfo.retryDelay` becomes
//!   [`retry_after`](llm_router_core::Error::retry_after). A prompt blocked by safety filters
//!   (no candidates) is [`ErrorKind::ContentFiltered`](llm_router_core::ErrorKind::ContentFiltered).
//!
//! Request mapping: `temperature`, `top_p`, `n` → `candidateCount`, `max_completion_tokens` /
//! `max_tokens` → `maxOutputTokens`, `stop` → `stopSequences`, `seed`, `presence_penalty`,
//! `frequency_penalty`, `extra["top_k"]` → `topK`; `response_format` `json_object` →
//! `responseMimeType: application/json`, `json_schema` → that plus `responseJsonSchema`
//! (function parameters go as `parametersJsonSchema`: both take JSON Schema as OpenAI clients
//! write it, where `responseSchema`/`parameters` take only Gemini's OpenAPI subset);
//! `reasoning_effort` → `thinkingConfig` (`none` → `thinkingBudget: 0`, otherwise
//! `thinkingLevel` `MINIMAL`/`LOW`/`MEDIUM`/`HIGH` — `xhigh` → `HIGH` — with
//! `includeThoughts: true`; Gemini 2.5 models take no `thinkingLevel`, so for them pass
//! `extra["generationConfig"] = {"thinkingConfig": {"thinkingBudget": …}}`, which replaces the
//! derived config); `tool_choice` `auto`/`required`/`none`/a function →
//! `functionCallingConfig.mode` `AUTO`/`ANY`/`NONE`/`ANY` + `allowedFunctionNames`. The `extra`
//! keys `generationConfig`, `safetySettings`, `toolConfig` and `cachedContent` are merged into
//! the body as Gemini fields; other `extra` keys, `user`, `metadata`, `logit_bias`, `logprobs`,
//! `parallel_tool_calls`, `store` and `service_tier` are not sent.
//!
//! Usage: input = `promptTokenCount` + `toolUsePromptTokenCount`; output =
//! `candidatesTokenCount` + `thoughtsTokenCount` (thoughts are also `reasoning_tokens`);
//! `cachedContentTokenCount` → cached tokens.
//!
//! # Example
//!
//! ```
//! let client = llm_router_gemini::builder()
//!     .api_key("AIza-test-key")
//!     .base_url("http://127.0.0.1:9")
//!     .build()?;
//! assert_eq!(client.api_root(), "http://127.0.0.1:9/v1beta");
//! assert!(!format!("{client:?}").contains("AIza-test-key"));
//! # Ok::<(), llm_router_core::Error>(())
//! ```
//!
//! A real call (`GEMINI_API_KEY` set):
//!
//! ```no_run
//! use llm_router_core::{ChatProvider, ChatRequest, Message};
//!
//! # async fn run() -> Result<(), llm_router_core::Error> {
//! let gemini = llm_router_gemini::from_env()?;
//! let resp = gemini
//!     .chat(ChatRequest::new("gemini-2.5-flash", vec![Message::user("Say hi")]))
//!     .await?;
//! println!("{}", resp.text());
//! # Ok(()) }
//! ```

mod client;
mod convert;
mod error;
mod fetch;
mod stream;
mod wire;

use llm_router_core::{ApiKey, Capabilities, Error, ProviderInfo};

pub use client::{GeminiBuilder, GeminiClient};
pub use convert::SIGNATURE_FORMAT;
pub use fetch::{DEFAULT_MAX_IMAGE_BYTES, FetchedImage, GuardedFetcher, is_public_address};
pub use stream::chat_chunks;

/// The provider's short name.
pub(crate) const PROVIDER: &str = "gemini";

/// The Gemini API host; requests go to `<base>/v1beta/models/{model}:…`.
pub const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com";

/// The environment variable holding the API key.
pub const API_KEY_ENV: &str = "GEMINI_API_KEY";

/// Read when [`API_KEY_ENV`] is not set (the name Google's SDKs also accept).
pub const FALLBACK_API_KEY_ENV: &str = "GOOGLE_API_KEY";

/// The environment variable overriding the base URL.
pub const BASE_URL_ENV: &str = "GEMINI_BASE_URL";

/// What this crate is and supports (the README's provider table is generated from it).
pub const INFO: ProviderInfo = ProviderInfo {
    name: PROVIDER,
    display_name: "Google Gemini",
    crate_name: "llm-router-gemini",
    feature: "gemini",
    env_vars: &[API_KEY_ENV, FALLBACK_API_KEY_ENV, BASE_URL_ENV],
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
    notes: "native API; thought signatures round-trip in `reasoning_details`; remote images fetched through an SSRF guard",
};

/// A builder; set the key with `.api_key(…)`.
pub fn builder() -> GeminiBuilder {
    GeminiBuilder::new()
}

/// A client configured from the environment: `GEMINI_API_KEY` (or `GOOGLE_API_KEY`) and
/// `GEMINI_BASE_URL`.
pub fn from_env() -> Result<GeminiClient, Error> {
    let mut b = builder();
    if let Some(key) =
        ApiKey::from_env(API_KEY_ENV).or_else(|| ApiKey::from_env(FALLBACK_API_KEY_ENV))
    {
        b = b.api_key(key);
    }
    if let Some(url) = std::env::var(BASE_URL_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        b = b.base_url(url.trim());
    }
    b.build()
}
