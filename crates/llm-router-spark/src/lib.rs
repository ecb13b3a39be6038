//! iFlytek Spark (讯飞星火) for llm-router, on both of its surfaces:
//!
//! - [`http`]: the OpenAI-compatible HTTP API (`https://spark-api-open.xf-yun.com/v1`), a
//!   preset of the shared [`llm_router_openai_compat`] adapter with hooks. Auth is
//!   `Authorization: Bearer <APIPassword>`. Chat, streaming and tools (Max / 4.0 Ultra); model
//!   `x1` is routed to `/v2` by itself, [`http::X2_BASE_URL`] serves `spark-x`.
//! - [`ws`]: the WebSocket API (`wss://spark-api.xf-yun.com/<version>/chat`), signed with
//!   HMAC-SHA256 (APPID, APIKey, APISecret). Streaming, function calling, usage on the last
//!   frame; the model picks the path and `domain` from a table you can extend
//!   ([`ws::Builder::route`]).
//!
//! Both implement [`ChatProvider`](llm_router_core::ChatProvider) under the name `spark` and
//! give the same [`ChatStream`](llm_router_core::ChatStream) rules: an error before the first
//! content is the `Err` of `chat_stream`, after it [`ErrorKind::StreamInterrupted`].
//!
//! # Models
//!
//! | model | WebSocket path | `domain` |
//! |---|---|---|
//! | `lite` | `/v1.1/chat` | `lite` |
//! | `generalv3` (Pro) | `/v3.1/chat` | `generalv3` |
//! | `pro-128k` | `/chat/pro-128k` | `pro-128k` |
//! | `generalv3.5` (Max) | `/v3.5/chat` | `generalv3.5` |
//! | `max-32k` | `/chat/max-32k` | `max-32k` |
//! | `4.0Ultra` | `/v4.0/chat` | `4.0Ultra` |
//!
//! # Errors
//!
//! Spark reports failures as a numeric `code` (WebSocket: `header.code` of a frame; HTTP: the
//! top-level `code` of a 200 body or stream chunk), mapped to [`ErrorKind`]:
//! `10013`/`10014`/`10019` (moderation of input/output) → `ContentFiltered`; `10907` (too many
//! tokens) → `ContextLengthExceeded`; `11200` (no licence) → `Authentication`; `11201` (daily
//! quota) → `QuotaExceeded`; `11202`/`11203` (QPS / concurrency) and `10007` → `RateLimited`;
//! `10003`–`10005` → `InvalidRequest`; others → `ProviderUnavailable`. A WebSocket upgrade refused
//! with 401/403 (bad signature, unknown key, clock skewed > 300 s) is `Authentication`; so is
//! the HTTP API's `{"error": {"message": "invalid user"}}`.
//!
//! # Credentials
//!
//! | variable | used by |
//! |---|---|
//! | `SPARKAI_API_PASSWORD` | [`http::from_env`] (the console's APIPassword) |
//! | `SPARKAI_BASE_URL` | [`http::from_env`], optional |
//! | `SPARKAI_APP_ID`, `SPARKAI_API_KEY`, `SPARKAI_API_SECRET` | [`ws::from_env`] |
//!
//! The three WebSocket names are the ones of iFlytek's Python SDK and demos. All credentials
//! are held as [`ApiKey`](llm_router_core::ApiKey)s and never shown by `Debug`; the signed URL
//! (which carries the authorization) never appears in an error.
//!
//! # Example
//!
//! ```
//! use llm_router_core::ChatProvider;
//!
//! let ws = llm_router_spark::ws::builder()
//!     .app_id("a1b2c3d4")
//!     .api_key("0123456789abcdef0123456789abcdef")
//!     .api_secret("secret-0123456789abcdef012345678")
//!     .build()?;
//! assert_eq!(ws.name(), "spark");
//! assert_eq!(ws.route("generalv3.5").map(|r| r.path.as_str()), Some("/v3.5/chat"));
//! assert!(!format!("{ws:?}").contains("secret-0123456789"));
//!
//! let http = llm_router_spark::http::builder()
//!     .api_password("password-0123456789")
//!     .base_url("http://127.0.0.1:9/v1")
//!     .build()?;
//! assert_eq!(http.name(), "spark");
//! assert!(!format!("{http:?}").contains("password-0123456789"));
//! # Ok::<(), llm_router_core::Error>(())
//! ```
//!
//! A real call (`SPARKAI_APP_ID`, `SPARKAI_API_KEY`, `SPARKAI_API_SECRET` set):
//!
//! ```no_run
//! use llm_router_core::{ChatProvider, ChatRequest, Message};
//!
//! # async fn run() -> Result<(), llm_router_core::Error> {
//! let spark = llm_router_spark::ws::from_env()?;
//! let resp = spark
//!     .chat(ChatRequest::new("4.0Ultra", vec![Message::user("你好")]))
//!     .await?;
//! println!("{}", resp.text());
//! # Ok(()) }
//! ```
//!
//! [`ErrorKind`]: llm_router_core::ErrorKind
//! [`ErrorKind::StreamInterrupted`]: llm_router_core::ErrorKind::StreamInterrupted

mod codes;
pub mod http;
pub mod ws;

use llm_router_core::{Capabilities, ProviderInfo};

pub(crate) const PROVIDER: &str = "spark";

/// The HTTP API's password (the console's APIPassword).
pub const API_PASSWORD_ENV: &str = "SPARKAI_API_PASSWORD";
/// Overrides the HTTP API's base URL.
pub const BASE_URL_ENV: &str = "SPARKAI_BASE_URL";
/// The WebSocket API's APPID.
pub const APP_ID_ENV: &str = "SPARKAI_APP_ID";
/// The WebSocket API's APIKey.
pub const API_KEY_ENV: &str = "SPARKAI_API_KEY";
/// The WebSocket API's APISecret.
pub const API_SECRET_ENV: &str = "SPARKAI_API_SECRET";

/// What this crate is and supports (the README's provider table is generated from it).
pub const INFO: ProviderInfo = ProviderInfo {
    name: "spark",
    display_name: "iFlytek Spark (讯飞星火)",
    crate_name: "llm-router-spark",
    feature: "spark",
    env_vars: &[
        API_PASSWORD_ENV,
        BASE_URL_ENV,
        APP_ID_ENV,
        API_KEY_ENV,
        API_SECRET_ENV,
    ],
    default_base_url: http::DEFAULT_BASE_URL,
    capabilities: Capabilities {
        chat: true,
        streaming: true,
        tools: true,
        vision: false,
        embeddings: false,
        images: false,
        reasoning: true,
    },
    notes: "HTTP (APIPassword) and signed WebSocket (APPID/APIKey/APISecret) surfaces; business codes in 200 bodies and frames",
};
