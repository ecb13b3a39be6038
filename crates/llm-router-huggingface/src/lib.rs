//! Hugging Face for llm-router: chat through the OpenAI-compatible Inference Providers router
//! (`router.huggingface.co/v1`) and embeddings through the `hf-inference` feature-extraction
//! pipeline.
//!
//! The router speaks OpenAI's dialect, so this crate is a preset of the shared
//! [`llm_router_openai_compat`] adapter plus hooks: [`builder`] and [`from_env`] build a client
//! implementing [`ChatProvider`](llm_router_core::ChatProvider) and
//! [`EmbeddingProvider`](llm_router_core::EmbeddingProvider).
//!
//! What differs from OpenAI:
//!
//! - **Model ids** are Hub ids, optionally with a provider suffix that picks who serves them
//!   (`meta-llama/Llama-3.1-8B-Instruct:novita`, `…:fastest`, `…:cheapest`); they are sent
//!   unchanged. Tools, vision and JSON output depend on the provider behind the model.
//!   The output limit is sent as `max_tokens` (the Hub's chat-completion spec), also when set
//!   as `max_completion_tokens`.
//! - **Embeddings** do not use `/embeddings`: they are `POST
//!   {router}/hf-inference/models/{model}/pipeline/feature-extraction` with
//!   `{"inputs": [...]}` (plus `normalize`, `truncate`, `prompt_name`,
//!   `truncation_direction` from [`EmbeddingRequest::extra`](llm_router_core::EmbeddingRequest::extra)),
//!   answered with bare nested arrays, turned into OpenAI's embedding list (no usage, no
//!   model name). `{router}` is the base URL without its `/v1`. Models that do not pool
//!   (token-level `[n][tokens][dim]` output) are refused with [`ErrorKind::Unsupported`];
//!   `dimensions`, base64 output and token-id input too, before sending.
//! - **Model loading.** `503 {"error": "Model … is currently loading", "estimated_time": 20.0}`
//!   is [`ErrorKind::ProviderUnavailable`] with the estimate as
//!   [`Error::retry_after`](llm_router_core::Error::retry_after), so retry layers wait for
//!   the model.
//!
//! # Example
//!
//! ```
//! use llm_router_core::ChatProvider;
//!
//! let client = llm_router_huggingface::builder()
//!     .api_key("hf_test_token")
//!     .base_url("http://127.0.0.1:9/v1")
//!     .build()?;
//! assert_eq!(client.name(), "huggingface");
//! assert!(!format!("{client:?}").contains("hf_test_token"));
//! # Ok::<(), llm_router_core::Error>(())
//! ```
//!
//! A real call (`HF_TOKEN` set):
//!
//! ```no_run
//! use llm_router_core::{ChatProvider, ChatRequest, Message};
//!
//! # async fn run() -> Result<(), llm_router_core::Error> {
//! let hf = llm_router_huggingface::from_env()?;
//! let resp = hf
//!     .chat(ChatRequest::new(
//!         "meta-llama/Llama-3.1-8B-Instruct:novita",
//!         vec![Message::user("Hello!")],
//!     ))
//!     .await?;
//! println!("{}", resp.text());
//! # Ok(()) }
//! ```
//!
//! [`ErrorKind::Unsupported`]: llm_router_core::ErrorKind::Unsupported
//! [`ErrorKind::ProviderUnavailable`]: llm_router_core::ErrorKind::ProviderUnavailable

mod hooks;

use std::sync::Arc;

use llm_router_core::{Capabilities, Error, ProviderInfo};
use llm_router_openai_compat::{Dialect, MaxTokensField, OpenAiCompatBuilder, Quirks};

use crate::hooks::HuggingFaceHooks;

pub use llm_router_openai_compat::OpenAiCompatClient as HuggingFaceClient;

pub(crate) const PROVIDER: &str = "huggingface";

/// The Inference Providers router's OpenAI-compatible base URL.
pub const DEFAULT_BASE_URL: &str = "https://router.huggingface.co/v1";

/// The environment variable holding the access token (the Hub's own name).
pub const API_KEY_ENV: &str = "HF_TOKEN";

/// Another name for the token, read when [`API_KEY_ENV`] is unset.
pub const ALT_API_KEY_ENV: &str = "HUGGINGFACE_API_KEY";

/// The environment variable overriding the base URL.
pub const BASE_URL_ENV: &str = "HF_BASE_URL";

/// What this crate is and supports (the README's provider table is generated from it).
pub const INFO: ProviderInfo = ProviderInfo {
    name: PROVIDER,
    display_name: "Hugging Face (Inference Providers)",
    crate_name: "llm-router-huggingface",
    feature: "huggingface",
    env_vars: &[API_KEY_ENV, ALT_API_KEY_ENV, BASE_URL_ENV],
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
    notes: "`model:provider` ids pass through; embeddings via hf-inference feature-extraction; loading 503 → retry_after",
};

/// Hugging Face's router as a [`Dialect`].
pub fn dialect() -> Dialect {
    Dialect::new(PROVIDER, DEFAULT_BASE_URL)
        .with_api_key_env(API_KEY_ENV)
        .with_quirks(Quirks {
            // The Hub's chat-completion task spec names the limit `max_tokens`.
            max_tokens_field: MaxTokensField::MaxTokens,
            ..Quirks::default()
        })
        .with_hooks(Arc::new(HuggingFaceHooks))
}

/// A builder with Hugging Face's dialect; set the token with `.api_key(…)`.
pub fn builder() -> OpenAiCompatBuilder {
    OpenAiCompatBuilder::new(dialect())
}

/// A client configured from the environment: `HF_TOKEN` (or `HUGGINGFACE_API_KEY`; required)
/// and `HF_BASE_URL` (optional; embeddings use the same host without `/v1`).
pub fn from_env() -> Result<HuggingFaceClient, Error> {
    builder()
        .api_key_from_env(ALT_API_KEY_ENV)
        .api_key_from_env(API_KEY_ENV)
        .base_url_from_env(BASE_URL_ENV)
        .build()
}
