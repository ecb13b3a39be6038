//! Zhipu GLM for llm-router (BigModel `open.bigmodel.cn`, international Z.ai `api.z.ai`): chat
//! completions with streaming, tools, image input (GLM-4V / 4.5V), reasoning, and embeddings
//! (`embedding-3` with `dimensions`).
//!
//! Zhipu's v4 API speaks OpenAI's dialect, so this crate is a preset of the shared
//! [`llm_router_openai_compat`] adapter plus hooks: [`builder`] and [`from_env`] build a client
//! implementing [`ChatProvider`](llm_router_core::ChatProvider) and
//! [`EmbeddingProvider`](llm_router_core::EmbeddingProvider).
//!
//! What differs from OpenAI:
//!
//! - **Auth.** The `{id}.{secret}` key is sent as `Authorization: Bearer <key>` (Zhipu accepts
//!   it as is, the SDK's default). [`ZhipuBuilder::use_jwt`] sends a short-lived HS256 JWT
//!   instead, signed with the secret as the official SDK does (millisecond `exp`/`timestamp`,
//!   header `sign_type: SIGN`), cached and renewed 30 s before it expires.
//! - **Business error codes** decide the kind where the status cannot: `1113` (arrears, sent
//!   with 429) is [`ErrorKind::QuotaExceeded`], `1301` [`ErrorKind::ContentFiltered`],
//!   `1302`/`1303` [`ErrorKind::RateLimited`], `1211` [`ErrorKind::ModelNotFound`], `1261`
//!   [`ErrorKind::ContextLengthExceeded`], `1000`–`1004` [`ErrorKind::Authentication`]; also
//!   inside 200 bodies and stream events.
//! - **Finish reasons.** `sensitive` (the answer was blocked by Zhipu's moderation) becomes
//!   [`FinishReason::ContentFilter`](llm_router_core::FinishReason::ContentFilter), with the
//!   raw value kept in the choice's `native_finish_reason`. `network_error` (the model's
//!   inference failed) is an error, [`ErrorKind::ProviderUnavailable`] (retryable): as the
//!   `Err` of `chat`, or of `chat_stream` before any content, or
//!   [`ErrorKind::StreamInterrupted`] after content.
//! - **Reasoning.** GLM-4.5+ return `reasoning_content`; it is sent back on later turns, as
//!   Zhipu requires for interleaved thinking with tools. `thinking`, `do_sample`,
//!   `request_id`, `user_id` go in [`ChatRequest::extra`](llm_router_core::ChatRequest::extra).
//! - Streams are not sent `stream_options` (Zhipu puts usage in the last chunk anyway);
//!   `response_format` `json_schema` and `GET /models` are refused as
//!   [`ErrorKind::Unsupported`].
//!
//! # Example
//!
//! ```
//! use llm_router_core::ChatProvider;
//!
//! let client = llm_router_zhipu::builder()
//!     .api_key("0123456789abcdef.0123456789abcdef")
//!     .use_jwt(true)
//!     .base_url("http://127.0.0.1:9/api/paas/v4")
//!     .build()?;
//! assert_eq!(client.name(), "zhipu");
//! assert!(!format!("{client:?}").contains("0123456789abcdef"));
//! # Ok::<(), llm_router_core::Error>(())
//! ```
//!
//! A real call (`ZHIPU_API_KEY` set; `ZHIPU_BASE_URL=https://api.z.ai/api/paas/v4` for Z.ai):
//!
//! ```no_run
//! use llm_router_core::{ChatProvider, ChatRequest, Message};
//!
//! # async fn run() -> Result<(), llm_router_core::Error> {
//! let zhipu = llm_router_zhipu::from_env()?;
//! let resp = zhipu
//!     .chat(ChatRequest::new("glm-4.5", vec![Message::user("你好")]))
//!     .await?;
//! println!("{}", resp.text());
//! # Ok(()) }
//! ```
//!
//! [`ErrorKind::QuotaExceeded`]: llm_router_core::ErrorKind::QuotaExceeded
//! [`ErrorKind::ContentFiltered`]: llm_router_core::ErrorKind::ContentFiltered
//! [`ErrorKind::RateLimited`]: llm_router_core::ErrorKind::RateLimited
//! [`ErrorKind::ModelNotFound`]: llm_router_core::ErrorKind::ModelNotFound
//! [`ErrorKind::ContextLengthExceeded`]: llm_router_core::ErrorKind::ContextLengthExceeded
//! [`ErrorKind::Authentication`]: llm_router_core::ErrorKind::Authentication
//! [`ErrorKind::ProviderUnavailable`]: llm_router_core::ErrorKind::ProviderUnavailable
//! [`ErrorKind::StreamInterrupted`]: llm_router_core::ErrorKind::StreamInterrupted
//! [`ErrorKind::Unsupported`]: llm_router_core::ErrorKind::Unsupported

mod error;
mod hooks;
mod jwt;

use std::sync::Arc;

use llm_router_core::{Capabilities, Error, ErrorKind, ProviderInfo};
use llm_router_openai_compat::{Dialect, MaxTokensField, OpenAiCompatBuilder, Quirks, env_var};

use crate::hooks::ZhipuHooks;

pub use llm_router_openai_compat::OpenAiCompatClient as ZhipuClient;

pub(crate) const PROVIDER: &str = "zhipu";

/// BigModel's (mainland China) API base URL.
pub const DEFAULT_BASE_URL: &str = "https://open.bigmodel.cn/api/paas/v4";

/// Z.ai's (international) API base URL; keys of one platform do not work on the other.
pub const INTERNATIONAL_BASE_URL: &str = "https://api.z.ai/api/paas/v4";

/// The environment variable holding the API key.
pub const API_KEY_ENV: &str = "ZHIPU_API_KEY";

/// The official SDK's name for the key variable, read when [`API_KEY_ENV`] is unset.
pub const SDK_API_KEY_ENV: &str = "ZHIPUAI_API_KEY";

/// The environment variable overriding the base URL.
pub const BASE_URL_ENV: &str = "ZHIPU_BASE_URL";

/// What this crate is and supports (the README's provider table is generated from it).
pub const INFO: ProviderInfo = ProviderInfo {
    name: "zhipu",
    display_name: "Zhipu GLM (BigModel / Z.ai)",
    crate_name: "llm-router-zhipu",
    feature: "zhipu",
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
    notes: "bearer key or optional JWT; business error codes; `sensitive` → content_filter, `network_error` → error",
};

/// Zhipu as a [`Dialect`] (plain bearer key; see [`ZhipuBuilder::use_jwt`] for JWT).
pub fn dialect() -> Dialect {
    Dialect::new(PROVIDER, DEFAULT_BASE_URL)
        .with_api_key_env(API_KEY_ENV)
        .with_quirks(Quirks {
            max_tokens_field: MaxTokensField::MaxTokens,
            stream_include_usage: false,
            supports_response_format: false,
            supports_models: false,
            send_reasoning: true,
            ..Quirks::default()
        })
        .with_hooks(Arc::new(ZhipuHooks::new(false)))
}

/// A builder with Zhipu's dialect; set the key with `.api_key(…)`.
pub fn builder() -> ZhipuBuilder {
    ZhipuBuilder {
        inner: OpenAiCompatBuilder::new(dialect()),
        use_jwt: false,
    }
}

/// A client configured from the environment: `ZHIPU_API_KEY` (or the SDK's
/// `ZHIPUAI_API_KEY`; required) and `ZHIPU_BASE_URL` (optional, e.g.
/// [`INTERNATIONAL_BASE_URL`]).
pub fn from_env() -> Result<ZhipuClient, Error> {
    let mut b = builder()
        .api_key_from_env(SDK_API_KEY_ENV)
        .api_key_from_env(API_KEY_ENV);
    if let Some(url) = env_var(BASE_URL_ENV) {
        b = b.base_url(url);
    }
    b.build()
}

/// Builds a [`ZhipuClient`]: the shared builder plus the choice of JWT auth.
#[derive(Debug)]
pub struct ZhipuBuilder {
    inner: OpenAiCompatBuilder,
    use_jwt: bool,
}

impl ZhipuBuilder {
    /// Sends a signed JWT instead of the key itself (default `false`: the key as a bearer
    /// token, which Zhipu accepts). The key must then be `{id}.{secret}`.
    pub fn use_jwt(mut self, yes: bool) -> Self {
        self.use_jwt = yes;
        self
    }

    llm_router_openai_compat::forward_builder_setters! {
        inner =>
        /// Sets the API key (`{id}.{secret}`).
        api_key,
        api_key_from_env,
        /// Overrides the base URL ([`INTERNATIONAL_BASE_URL`], proxies, tests).
        base_url,
        header,
        http_client,
        request_timeout,
        stream_timeouts,
        /// Changes the dialect in place (quirks, hooks). Applied before the JWT choice.
        map_dialect,
    }

    /// Builds the client. Fails with [`ErrorKind::Config`] without a key, with an invalid
    /// base URL, or — with JWT auth — with a key that is not `{id}.{secret}`.
    pub fn build(self) -> Result<ZhipuClient, Error> {
        let Some(key) = self.inner.configured_api_key() else {
            return Err(Error::new(
                ErrorKind::Config,
                format!("no API key for zhipu (set {API_KEY_ENV} or {SDK_API_KEY_ENV})"),
            )
            .with_provider(PROVIDER));
        };
        if !self.use_jwt {
            return self.inner.build();
        }
        jwt::split_key(key)?;
        self.inner
            .map_dialect(|d| d.with_hooks(Arc::new(ZhipuHooks::new(true))))
            .build()
    }
}
