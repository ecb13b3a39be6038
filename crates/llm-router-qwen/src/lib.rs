//! Qwen (Alibaba Cloud Model Studio / DashScope) for llm-router: chat, streaming, tools,
//! vision (qwen-vl), reasoning and embeddings through DashScope's OpenAI-compatible mode, plus a
//! lean client for the native DashScope API for what compatible mode does not return.
//!
//! # Two APIs
//!
//! **Compatible mode** (the default, [`builder`]`().build()`, [`from_env`]) is the shared OpenAI
//! adapter ([`QwenClient`] is an [`OpenAiCompatClient`]) at
//! `https://dashscope.aliyuncs.com/compatible-mode/v1` (China) or
//! `https://dashscope-intl.aliyuncs.com/compatible-mode/v1` (International, pick it with
//! [`QwenBuilder::region`]). DashScope's own body fields — `enable_thinking`,
//! `thinking_budget`, `enable_search`, `search_options`, `top_k`, `repetition_penalty`,
//! `enable_code_interpreter` — go in the request's `extra` and are sent as top-level fields;
//! thinking models answer with `reasoning_content`; qwen-vl models take `image_url` parts;
//! `/embeddings` serves text-embedding-v3/v4 with `dimensions`. DashScope's error codes are
//! mapped (`Arrearage` → quota, `DataInspectionFailed` → content filter, `Throttling*` → rate
//! limit, `InvalidApiKey` → authentication).
//!
//! **The native API** ([`builder`]`().native().build()`, [`native_from_env`], a
//! [`NativeClient`]) at `https://dashscope.aliyuncs.com/api/v1` exists because Model Studio's
//! documentation lists things its OpenAI-compatible protocol does not return or accept:
//!
//! - **web-search sources**: with `enable_search` and `search_options.enable_source`, the
//!   native API returns `output.search_info` (the sources, for citations and "sources first"
//!   display); compatible mode answers with the text only (web-search guide, feature table).
//!   The native client puts it in the response's `extra["search_info"]`;
//! - **code-interpreter code**: with `enable_code_interpreter`, the code the model ran comes
//!   back in `output.tool_info`; "the OpenAI-compatible protocol does not return the code
//!   executed by the interpreter" (code-interpreter guide). Kept in `extra["tool_info"]`;
//! - **embeddings for retrieval**: the native text-embedding endpoint takes `text_type`
//!   (`query`/`document`, set from the request's `input_type`), `output_type` (sparse vectors
//!   for hybrid search) and `instruct`; compatible-mode `/embeddings` takes only `model`,
//!   `input`, `dimensions` and float `encoding_format`;
//! - **the cumulative stream**: native streams repeat the whole output in every event unless
//!   `incremental_output` is set. The native client asks for incremental output (as the
//!   official SDK now does) but parses both; with
//!   [`NativeBuilder::incremental_output`]`(false)` (or `incremental_output: false` in a
//!   request's `extra`) it turns the cumulative events into deltas. See [`native_chat_chunks`].
//!
//! For plain chat, compatible mode covers everything; the native client sends text only (use
//! compatible mode for images).
//!
//! # Example
//!
//! ```
//! use llm_router_core::ChatProvider;
//! use llm_router_qwen::Region;
//!
//! let client = llm_router_qwen::builder()
//!     .api_key("sk-test")
//!     .region(Region::International)
//!     .build()?;
//! assert_eq!(client.dialect().base_url, "https://dashscope-intl.aliyuncs.com/compatible-mode/v1");
//! assert!(!format!("{client:?}").contains("sk-test"));
//!
//! let native = llm_router_qwen::builder().api_key("sk-test").native().build()?;
//! assert_eq!(native.base_url(), "https://dashscope.aliyuncs.com/api/v1");
//! assert_eq!(native.name(), "qwen");
//! # Ok::<(), llm_router_core::Error>(())
//! ```
//!
//! A real call with thinking turned on:
//!
//! ```no_run
//! use llm_router_core::{ChatProvider, ChatRequest, Message};
//!
//! # async fn run() -> Result<(), llm_router_core::Error> {
//! let qwen = llm_router_qwen::from_env()?; // DASHSCOPE_API_KEY
//! let req = ChatRequest::new("qwen-plus", vec![Message::user("9.9 or 9.11: which is larger?")])
//!     .with_extra("enable_thinking", true);
//! let resp = qwen.chat(req).await?;
//! println!("{:?}\n{}", resp.message().and_then(|m| m.reasoning_content.clone()), resp.text());
//! # Ok(()) }
//! ```

mod builder;
mod client;
mod convert;
mod error;
mod stream;
mod wire;

use llm_router_core::{ApiKey, Capabilities, Error, ProviderInfo};
use llm_router_openai_compat::{Dialect, OpenAiCompatClient};

pub use builder::{QwenBuilder, Region};
pub use client::{NativeBuilder, NativeClient};
pub use stream::{OutputMode, native_chat_chunks};

/// A compatible-mode client: the shared OpenAI-dialect client with DashScope's dialect.
pub type QwenClient = OpenAiCompatClient;

/// The provider's name in errors, logs and model ids.
pub(crate) const NAME: &str = "qwen";

/// Compatible mode, China (Beijing).
pub const DEFAULT_BASE_URL: &str = "https://dashscope.aliyuncs.com/compatible-mode/v1";

/// Compatible mode, International (Singapore).
pub const INTERNATIONAL_BASE_URL: &str = "https://dashscope-intl.aliyuncs.com/compatible-mode/v1";

/// The native API, China (Beijing).
pub const NATIVE_BASE_URL: &str = "https://dashscope.aliyuncs.com/api/v1";

/// The native API, International (Singapore).
pub const NATIVE_INTERNATIONAL_BASE_URL: &str = "https://dashscope-intl.aliyuncs.com/api/v1";

/// The environment variable holding the API key (DashScope's own name).
pub const API_KEY_ENV: &str = "DASHSCOPE_API_KEY";

/// Read when [`API_KEY_ENV`] is not set.
pub const API_KEY_ENV_ALT: &str = "QWEN_API_KEY";

/// The environment variable holding the compatible-mode base URL.
pub const BASE_URL_ENV: &str = "DASHSCOPE_BASE_URL";

/// The environment variable holding the native API base URL (the official SDK's name).
pub const NATIVE_BASE_URL_ENV: &str = "DASHSCOPE_HTTP_BASE_URL";

/// What this crate is and supports (the README's provider table is generated from it).
pub const INFO: ProviderInfo = ProviderInfo {
    name: NAME,
    display_name: "Qwen (Alibaba DashScope)",
    crate_name: "llm-router-qwen",
    feature: "qwen",
    env_vars: &[
        API_KEY_ENV,
        API_KEY_ENV_ALT,
        BASE_URL_ENV,
        NATIVE_BASE_URL_ENV,
    ],
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
    notes: "compatible mode; `builder().native()` for search sources, code-interpreter output, embedding text_type",
};

/// DashScope's compatible mode (China region) as a [`Dialect`].
pub fn dialect() -> Dialect {
    builder::dialect_at(DEFAULT_BASE_URL)
}

/// A builder (China region, compatible mode); set the key with `.api_key(…)`, switch to the
/// native API with `.native()`.
pub fn builder() -> QwenBuilder {
    QwenBuilder::default()
}

/// A compatible-mode client from the environment: `DASHSCOPE_API_KEY` (or `QWEN_API_KEY`),
/// `DASHSCOPE_BASE_URL`.
pub fn from_env() -> Result<QwenClient, Error> {
    let mut b = builder_with_env_key();
    if let Some(url) = env(BASE_URL_ENV) {
        b = b.base_url(url);
    }
    b.build()
}

/// A native-API client from the environment: `DASHSCOPE_API_KEY` (or `QWEN_API_KEY`),
/// `DASHSCOPE_HTTP_BASE_URL`.
pub fn native_from_env() -> Result<NativeClient, Error> {
    let mut b = builder_with_env_key().native();
    if let Some(url) = env(NATIVE_BASE_URL_ENV) {
        b = b.base_url(url);
    }
    b.build()
}

fn builder_with_env_key() -> QwenBuilder {
    match ApiKey::from_env(API_KEY_ENV).or_else(|| ApiKey::from_env(API_KEY_ENV_ALT)) {
        Some(k) => builder().api_key(k),
        None => builder(),
    }
}

fn env(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}
