//! OpenAI for llm-router: chat completions (streaming, tools, vision, structured output),
//! embeddings (float and base64) and image generation.
//!
//! OpenAI is the reference dialect, so this crate is a preset of the shared
//! [`llm_router_openai_compat`] adapter: [`dialect`] says where and how to call OpenAI,
//! [`builder`] and [`from_env`] build a client that implements
//! [`ChatProvider`](llm_router_core::ChatProvider),
//! [`EmbeddingProvider`](llm_router_core::EmbeddingProvider) and
//! [`ImageProvider`](llm_router_core::ImageProvider).
//!
//! Differences from the plain dialect: `max_tokens` is sent as `max_completion_tokens` (the
//! field every current OpenAI model accepts, reasoning models included); streams ask for usage.
//!
//! # Example
//!
//! ```no_run
//! use llm_router_core::{ChatProvider, ChatRequest, Message};
//!
//! # async fn run() -> Result<(), llm_router_core::Error> {
//! let openai = llm_router_openai::from_env()?; // OPENAI_API_KEY
//! let resp = openai
//!     .chat(ChatRequest::new("gpt-4o-mini", vec![Message::user("Say hi")]))
//!     .await?;
//! println!("{}", resp.text());
//! # Ok(()) }
//! ```
//!
//! Batches (half price, results within 24 hours) go through [`OpenAiBatchClient`], which
//! implements [`BatchProvider`](llm_router_core::BatchProvider): see [`batch_builder`] and
//! [`batch_from_env`].
//!
//! Building a client without the environment:
//!
//! ```
//! let client = llm_router_openai::builder()
//!     .api_key("sk-test")
//!     .base_url("http://127.0.0.1:9/v1")
//!     .build()?;
//! assert!(!format!("{client:?}").contains("sk-test"));
//! # Ok::<(), llm_router_core::Error>(())
//! ```

mod batch;

pub use batch::{
    BATCH_ENDPOINT, COMPLETION_WINDOW, INPUT_FILE_NAME, OpenAiBatchBuilder, OpenAiBatchClient,
    batch_builder, batch_from_env,
};

use llm_router_core::{Capabilities, Error, ProviderInfo};
use llm_router_openai_compat::{Dialect, MaxTokensField, OpenAiCompatBuilder, Quirks};

pub use llm_router_openai_compat::OpenAiCompatClient as OpenAiClient;

/// OpenAI's API base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// The environment variable holding the API key.
pub const API_KEY_ENV: &str = "OPENAI_API_KEY";

/// What this crate is and supports (the README's provider table is generated from it).
pub const INFO: ProviderInfo = ProviderInfo {
    name: "openai",
    display_name: "OpenAI",
    crate_name: "llm-router-openai",
    feature: "openai",
    env_vars: &[
        API_KEY_ENV,
        "OPENAI_BASE_URL",
        "OPENAI_ORG_ID",
        "OPENAI_PROJECT_ID",
    ],
    default_base_url: DEFAULT_BASE_URL,
    capabilities: Capabilities {
        chat: true,
        streaming: true,
        tools: true,
        vision: true,
        embeddings: true,
        images: true,
        reasoning: false,
    },
    notes: "reference dialect; `max_tokens` sent as `max_completion_tokens`",
};

/// OpenAI as a [`Dialect`].
pub fn dialect() -> Dialect {
    Dialect::new("openai", DEFAULT_BASE_URL)
        .with_api_key_env(API_KEY_ENV)
        .with_quirks(Quirks {
            max_tokens_field: MaxTokensField::MaxCompletionTokens,
            supports_images: true,
            ..Quirks::default()
        })
}

/// A builder with OpenAI's dialect; set the key with `.api_key(…)`.
pub fn builder() -> OpenAiCompatBuilder {
    OpenAiCompatBuilder::new(dialect())
}

/// A client configured from the environment: `OPENAI_API_KEY` (required), `OPENAI_BASE_URL`,
/// `OPENAI_ORG_ID` (sent as `OpenAI-Organization`), `OPENAI_PROJECT_ID` (`OpenAI-Project`).
pub fn from_env() -> Result<OpenAiClient, Error> {
    let mut b = builder().api_key_from_env(API_KEY_ENV);
    if let Some(url) = env("OPENAI_BASE_URL") {
        b = b.base_url(url);
    }
    if let Some(org) = env("OPENAI_ORG_ID") {
        b = b.header("OpenAI-Organization", org);
    }
    if let Some(project) = env("OPENAI_PROJECT_ID") {
        b = b.header("OpenAI-Project", project);
    }
    b.build()
}

fn env(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}
