//! Baidu ERNIE (Qianfan, 文心) for llm-router, on both of Baidu's API surfaces:
//!
//! - [`v2`] — **Qianfan v2**, the current OpenAI-compatible API
//!   (`https://qianfan.baidubce.com/v2`): chat with streaming, tools, image input and JSON
//!   output, and embeddings. `Authorization: Bearer <API Key>`, optional `appid` header.
//!   A preset of the shared [`llm_router_openai_compat`] adapter. Use this one.
//! - [`legacy`] — the deprecated **wenxinworkshop** API (`https://aip.baidubce.com`): an
//!   access token obtained from an API key + secret key (cached, refreshed before it expires,
//!   one refresh for all concurrent callers, refetched on error codes 110/111), its own body
//!   format (top-level `system`, strictly alternating roles, `functions`), errors as HTTP 200
//!   with `error_code`, and streams that end at `is_end: true`.
//!
//! Both clients implement [`ChatProvider`](llm_router_core::ChatProvider) and
//! [`EmbeddingProvider`](llm_router_core::EmbeddingProvider), report their name as `"ernie"`,
//! and never print keys or tokens.
//!
//! | | v2 | legacy |
//! |---|---|---|
//! | client | [`v2::Client`] via [`v2::builder`] / [`v2::from_env`] | [`legacy::Client`] via [`legacy::builder`] / [`legacy::from_env`] |
//! | credentials (env) | `QIANFAN_API_KEY` (or the SDK's `QIANFAN_BEARER_TOKEN`), `QIANFAN_APP_ID` | `QIANFAN_AK` + `QIANFAN_SK` (the SDK's names), or `QIANFAN_ACCESS_TOKEN` |
//! | base URL (env) | `QIANFAN_V2_BASE_URL` | `QIANFAN_BASE_URL` (the SDK's name) |
//! | model | the model id (`ernie-4.0-8k`, `ernie-4.5-turbo-128k`) | a model name (`ERNIE-4.0-8K` → endpoint `completions_pro`) or an endpoint name |
//!
//! [`from_env`] is [`v2::from_env`].
//!
//! # Example
//!
//! ```
//! use llm_router_core::{ChatProvider, EmbeddingProvider};
//!
//! // The current API:
//! let v2 = llm_router_ernie::v2::builder()
//!     .api_key("bce-v3/ALTAK-example/0123456789abcdef")
//!     .app_id("app-123")
//!     .base_url("http://127.0.0.1:9/v2")
//!     .build()?;
//! assert_eq!(ChatProvider::name(&v2), "ernie");
//!
//! // The legacy API: keys are exchanged for an access token on first use.
//! let legacy = llm_router_ernie::legacy::builder()
//!     .api_key("my-api-key-0123")
//!     .secret_key("my-secret-key-4567")
//!     .base_url("http://127.0.0.1:9")
//!     .build()?;
//! assert_eq!(EmbeddingProvider::name(&legacy), "ernie");
//! let shown = format!("{v2:?} {legacy:?}");
//! assert!(!shown.contains("0123456789abcdef") && !shown.contains("my-secret-key-4567"));
//! # Ok::<(), llm_router_core::Error>(())
//! ```
//!
//! A real call (`QIANFAN_API_KEY` set):
//!
//! ```no_run
//! use llm_router_core::{ChatProvider, ChatRequest, Message};
//!
//! # async fn run() -> Result<(), llm_router_core::Error> {
//! let ernie = llm_router_ernie::from_env()?;
//! let resp = ernie
//!     .chat(ChatRequest::new("ernie-4.5-turbo-128k", vec![Message::user("你好")]))
//!     .await?;
//! println!("{}", resp.text());
//! # Ok(()) }
//! ```

mod codes;
pub mod legacy;
pub mod v2;

use llm_router_core::{Capabilities, ProviderInfo};

pub(crate) const PROVIDER: &str = "ernie";

pub use v2::from_env;

/// What this crate is and supports (the README's provider table is generated from it). The
/// capabilities are the v2 API's; the legacy API has no image input.
pub const INFO: ProviderInfo = ProviderInfo {
    name: PROVIDER,
    display_name: "Baidu ERNIE (Qianfan)",
    crate_name: "llm-router-ernie",
    feature: "ernie",
    env_vars: &[
        v2::API_KEY_ENV,
        v2::SDK_API_KEY_ENV,
        v2::APP_ID_ENV,
        v2::BASE_URL_ENV,
        legacy::API_KEY_ENV,
        legacy::SECRET_KEY_ENV,
        legacy::ACCESS_TOKEN_ENV,
        legacy::BASE_URL_ENV,
    ],
    default_base_url: v2::DEFAULT_BASE_URL,
    capabilities: Capabilities {
        chat: true,
        streaming: true,
        tools: true,
        vision: true,
        embeddings: true,
        images: false,
        reasoning: true,
    },
    notes: "v2 OpenAI-compatible (bearer key, `appid`); legacy wenxinworkshop: cached access token (single-flight, 110/111 refetch), error codes in 200 bodies, `is_end` streams",
};
