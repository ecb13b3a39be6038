//! Qianfan v2: Baidu's OpenAI-compatible API at `https://qianfan.baidubce.com/v2`.
//!
//! A preset of the shared [`llm_router_openai_compat`] adapter: `POST /chat/completions`
//! (streaming with `stream_options.include_usage`, tools, image input for the vision models,
//! `response_format`) and `POST /embeddings`, authenticated with `Authorization: Bearer <API
//! Key>` (keys look like `bce-v3/ALTAK-…/…`) and an optional `appid` header naming the Qianfan
//! application.
//!
//! What differs from OpenAI:
//!
//! - The output limit is sent as `max_completion_tokens` (the field Baidu's SDK sends).
//! - `finish_reason: "normal"` (Qianfan's "the model finished on its own") becomes `stop`, the
//!   raw value kept in the choice's `native_finish_reason`.
//! - Error bodies carrying one of the legacy numeric codes (`336501`, `17`, …) are classified by
//!   that code, as on the [legacy](crate::legacy) surface; other errors (`{"error": {"code":
//!   "rate_limit_exceeded", …}}` with HTTP 429, …) use the shared classification.
//! - Qianfan extras (`penalty_score`, `web_search`, `user_id`, …) go in
//!   [`ChatRequest::extra`](llm_router_core::ChatRequest::extra). `GET /models` is not served.

use std::sync::Arc;

use llm_router_core::Error;
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_http::{ErrorBody, error_from_body};
use llm_router_openai_compat::{
    Dialect, DialectHooks, Endpoint, MaxTokensField, OpenAiCompatBuilder, Quirks, env_var,
    rename_finish_reason,
};
use serde_json::Value;

use crate::PROVIDER;
use crate::codes::kind_for_code;

/// The v2 client: the shared OpenAI-dialect client with Qianfan's dialect.
pub use llm_router_openai_compat::OpenAiCompatClient as Client;

/// Qianfan v2's base URL.
pub const DEFAULT_BASE_URL: &str = "https://qianfan.baidubce.com/v2";

/// The environment variable holding the v2 API key (`bce-v3/ALTAK-…`).
pub const API_KEY_ENV: &str = "QIANFAN_API_KEY";

/// The official SDK's name for the same key (`Qianfan(api_key=…)` reads it), read when
/// [`API_KEY_ENV`] is unset.
pub const SDK_API_KEY_ENV: &str = "QIANFAN_BEARER_TOKEN";

/// The environment variable holding the optional application id (the SDK's name), sent as the
/// `appid` header.
pub const APP_ID_ENV: &str = "QIANFAN_APP_ID";

/// The environment variable overriding the v2 base URL.
pub const BASE_URL_ENV: &str = "QIANFAN_V2_BASE_URL";

/// Qianfan's finish reason for an answer the model ended on its own.
pub const FINISH_NORMAL: &str = "normal";

/// Qianfan v2 as a [`Dialect`].
pub fn dialect() -> Dialect {
    Dialect::new(PROVIDER, DEFAULT_BASE_URL)
        .with_api_key_env(API_KEY_ENV)
        .with_quirks(Quirks {
            max_tokens_field: MaxTokensField::MaxCompletionTokens,
            supports_models: false,
            ..Quirks::default()
        })
        .with_hooks(Arc::new(QianfanV2Hooks))
}

/// A builder with Qianfan v2's dialect; set the key with `.api_key(…)`.
pub fn builder() -> Builder {
    Builder {
        inner: OpenAiCompatBuilder::new(dialect()),
    }
}

/// A client configured from the environment: [`API_KEY_ENV`] (or the SDK's
/// [`SDK_API_KEY_ENV`]; required), [`APP_ID_ENV`] and [`BASE_URL_ENV`] (optional).
pub fn from_env() -> Result<Client, Error> {
    let mut b = builder()
        .api_key_from_env(SDK_API_KEY_ENV)
        .api_key_from_env(API_KEY_ENV);
    if let Some(id) = env_var(APP_ID_ENV) {
        b = b.app_id(id);
    }
    if let Some(url) = env_var(BASE_URL_ENV) {
        b = b.base_url(url);
    }
    b.build()
}

/// Builds a v2 [`Client`].
#[derive(Debug)]
pub struct Builder {
    inner: OpenAiCompatBuilder,
}

impl Builder {
    /// Sends `appid: <id>` with every request (the Qianfan application to bill and to take
    /// quotas from; without it Baidu uses the account's default application).
    pub fn app_id(mut self, id: impl Into<String>) -> Self {
        self.inner = self.inner.header("appid", id);
        self
    }

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

    /// Builds the client. Fails with [`ErrorKind::Config`](llm_router_core::ErrorKind::Config)
    /// without a key or with an invalid base URL.
    pub fn build(self) -> Result<Client, Error> {
        if self.inner.configured_api_key().is_none() {
            return Err(Error::new(
                llm_router_core::ErrorKind::Config,
                format!("no API key for ernie (set {API_KEY_ENV} or {SDK_API_KEY_ENV})"),
            )
            .with_provider(PROVIDER));
        }
        self.inner.build()
    }
}

/// Qianfan v2's differences that data cannot express.
struct QianfanV2Hooks;

impl DialectHooks for QianfanV2Hooks {
    /// `finish_reason: "normal"` → `stop`, the raw value kept in `native_finish_reason`.
    fn normalize_response(&self, endpoint: Endpoint, body: &mut Value) -> Result<(), Error> {
        rename_finish_reason(endpoint, body, FINISH_NORMAL, "stop");
        Ok(())
    }

    /// An error body with a numeric Qianfan code (`{"error": {"code": "336501", …}}` or the
    /// legacy `{"error_code": 336501, "error_msg": …}`) is classified by the code.
    fn map_error(&self, status: u16, headers: &HeaderMap, body: &[u8]) -> Option<Error> {
        let v: Value = serde_json::from_slice(body).ok()?;
        if let Some(e) = crate::codes::error_in_body(&v, Some(status), headers) {
            return Some(e);
        }
        let parsed = ErrorBody::from_value(&v);
        let code = parsed.code.as_deref()?.parse::<i64>().ok()?;
        let kind = kind_for_code(code)?;
        Some(error_from_body(PROVIDER, kind, &parsed, status, headers))
    }

    /// A legacy-shaped `{"error_code", "error_msg"}` inside a 200 body or a stream event.
    fn event_error(&self, event: &Value) -> Option<Error> {
        crate::codes::error_in_body(event, None, &HeaderMap::new())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use llm_router_core::ErrorKind;
    use serde_json::json;

    #[test]
    fn normal_becomes_stop_and_keeps_the_raw_value() {
        let mut v = json!({"choices": [{"index": 0, "finish_reason": "normal"},
                                       {"index": 1, "finish_reason": "length"}]});
        QianfanV2Hooks
            .normalize_response(Endpoint::ChatCompletions, &mut v)
            .unwrap();
        assert_eq!(v["choices"][0]["finish_reason"], "stop");
        assert_eq!(v["choices"][0]["native_finish_reason"], "normal");
        assert_eq!(v["choices"][1]["finish_reason"], "length");
        assert!(v["choices"][1].get("native_finish_reason").is_none());
    }

    #[test]
    fn numeric_codes_decide_and_others_fall_through() {
        let h = QianfanV2Hooks;
        let tpm =
            json!({"error": {"code": "336502", "message": "tpm limit", "type": "rate_limit"}});
        let e = h
            .map_error(429, &HeaderMap::new(), tpm.to_string().as_bytes())
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.status(), Some(429));
        let daily = json!({"error_code": 17, "error_msg": "Open api daily request limit reached"});
        let e = h
            .map_error(400, &HeaderMap::new(), daily.to_string().as_bytes())
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::QuotaExceeded);
        let named =
            json!({"error": {"code": "rate_limit_exceeded", "message": "rpm_rate_limit_exceeded"}});
        assert!(
            h.map_error(429, &HeaderMap::new(), named.to_string().as_bytes())
                .is_none()
        );
        assert!(
            h.map_error(502, &HeaderMap::new(), b"bad gateway")
                .is_none()
        );
        let e = h
            .event_error(&json!({"error_code": 336100, "error_msg": "high load"}))
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
    }
}
