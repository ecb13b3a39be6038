//! The OpenAI-compatible HTTP API (`spark-api-open.xf-yun.com`), through the shared dialect
//! adapter.
//!
//! Auth is `Authorization: Bearer <APIPassword>` (the password shown per model in the
//! console; the older form `Bearer <APIKey>:<APISecret>` is [`Builder::api_key_and_secret`]).
//! Spark answers 200 with a top-level `code` (0 = success), `message` and `sid` beside the
//! OpenAI fields, in whole bodies and in every stream chunk: a non-zero `code` is an error of
//! the kind its number says (see the crate docs), as is an `{"error": …}` object.

use std::sync::Arc;

use llm_router_core::{ApiKey, Error, ErrorKind};
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_http::{ErrorBody, error_from_body};
use llm_router_openai_compat::{
    Dialect, DialectHooks, Endpoint, MaxTokensField, OpenAiCompatBuilder, OpenAiCompatClient,
    Quirks, env_var,
};
use serde_json::Value;

use crate::PROVIDER;
use crate::codes::business_error;

/// The HTTP client: the shared OpenAI-dialect client with Spark's dialect.
pub type Client = OpenAiCompatClient;

/// Base URL of the chat models (`lite`, `generalv3`, `pro-128k`, `generalv3.5`, `max-32k`,
/// `4.0Ultra`).
pub const DEFAULT_BASE_URL: &str = "https://spark-api-open.xf-yun.com/v1";

/// Base URL of the X1 reasoning models (`x1`; the docs call the current one X1.5). Requests for
/// model `x1` go here by themselves while the base URL is a `…/v1` one.
pub const X1_BASE_URL: &str = "https://spark-api-open.xf-yun.com/v2";

/// Base URL of Spark X2 (model `spark-x`); set it with [`Builder::base_url`].
pub const X2_BASE_URL: &str = "https://spark-api-open.xf-yun.com/x2";

/// The model whose requests are sent to [`X1_BASE_URL`]'s path.
pub const X1_MODEL: &str = "x1";

/// Spark's HTTP API as a [`Dialect`].
pub fn dialect() -> Dialect {
    Dialect::new(PROVIDER, DEFAULT_BASE_URL)
        .with_api_key_env(crate::API_PASSWORD_ENV)
        .with_quirks(Quirks {
            max_tokens_field: MaxTokensField::MaxTokens,
            // Spark puts usage in its last chunk unasked; `stream_options` is not documented.
            stream_include_usage: false,
            supports_response_format: false,
            supports_vision: false,
            supports_embeddings: false,
            supports_models: false,
            ..Quirks::default()
        })
        .with_hooks(Arc::new(SparkHttpHooks))
}

/// A builder with Spark's dialect; set the password with [`Builder::api_password`].
pub fn builder() -> Builder {
    Builder {
        inner: OpenAiCompatBuilder::new(dialect()),
    }
}

/// A client from the environment: `SPARKAI_API_PASSWORD` (required) and
/// `SPARKAI_BASE_URL` (optional, e.g. [`X2_BASE_URL`]).
pub fn from_env() -> Result<Client, Error> {
    let mut b = builder().api_password_from_env(crate::API_PASSWORD_ENV);
    if let Some(url) = env_var(crate::BASE_URL_ENV) {
        b = b.base_url(url);
    }
    b.build()
}

/// Builds a [`Client`] for Spark's HTTP API.
#[derive(Debug)]
pub struct Builder {
    inner: OpenAiCompatBuilder,
}

impl Builder {
    /// Sets the APIPassword (sent as `Authorization: Bearer <password>`).
    pub fn api_password(mut self, password: impl Into<ApiKey>) -> Self {
        self.inner = self.inner.api_key(password);
        self
    }

    /// Sends the older credential form `Bearer <APIKey>:<APISecret>` instead of a password.
    pub fn api_key_and_secret(self, api_key: &ApiKey, api_secret: &ApiKey) -> Self {
        self.api_password(format!("{}:{}", api_key.expose(), api_secret.expose()))
    }

    /// Reads the APIPassword from `var` if it is set.
    pub fn api_password_from_env(mut self, var: &str) -> Self {
        self.inner = self.inner.api_key_from_env(var);
        self
    }

    llm_router_openai_compat::forward_builder_setters! {
        inner =>
        /// Overrides the base URL ([`X1_BASE_URL`], [`X2_BASE_URL`], proxies, tests).
        base_url,
        header,
        http_client,
        request_timeout,
        stream_timeouts,
        map_dialect,
    }

    /// Builds the client; [`ErrorKind::Config`] without a password or with an invalid URL.
    pub fn build(self) -> Result<Client, Error> {
        self.inner.build()
    }
}

/// The message Spark's HTTP API sends in an `{"error": …}` object when the password is wrong.
const INVALID_USER: &str = "invalid user";

struct SparkHttpHooks;

impl DialectHooks for SparkHttpHooks {
    /// Model `x1` lives under `/v2`: a `…/v1` base URL is switched for it.
    fn url(&self, dialect: &Dialect, endpoint: Endpoint, model: &str) -> Option<String> {
        if endpoint != Endpoint::ChatCompletions || model != X1_MODEL {
            return None;
        }
        let base = dialect.base_url.trim_end_matches('/');
        let prefix = base.strip_suffix("/v1")?;
        Some(format!("{prefix}/v2{}", endpoint.path()))
    }

    /// Spark's non-streaming body has `sid` but no `id`: the sid becomes the id.
    fn normalize_response(&self, endpoint: Endpoint, body: &mut Value) -> Result<(), Error> {
        if endpoint == Endpoint::ChatCompletions
            && let Some(obj) = body.as_object_mut()
            && !obj.contains_key("id")
            && let Some(sid) = obj.get("sid").cloned()
        {
            obj.insert("id".into(), sid);
        }
        Ok(())
    }

    fn map_error(&self, status: u16, headers: &HeaderMap, body: &[u8]) -> Option<Error> {
        let v: Value = serde_json::from_slice(body).ok()?;
        if let Some(e) = code_error(&v) {
            return Some(e.with_status(status));
        }
        let parsed = ErrorBody::from_value(&v);
        invalid_user(&parsed).then(|| {
            error_from_body(
                PROVIDER,
                ErrorKind::Authentication,
                &parsed,
                status,
                headers,
            )
        })
    }

    fn event_error(&self, event: &Value) -> Option<Error> {
        if let Some(e) = code_error(event) {
            return Some(e);
        }
        event.get("error").filter(|e| e.is_object())?;
        let parsed = ErrorBody::from_value(event);
        invalid_user(&parsed).then(|| {
            Error::new(
                ErrorKind::Authentication,
                parsed.message.unwrap_or_default(),
            )
            .with_provider(PROVIDER)
        })
    }
}

fn invalid_user(body: &ErrorBody) -> bool {
    body.message
        .as_deref()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case(INVALID_USER))
}

/// A non-zero top-level `code` (number or numeric string) as an error.
fn code_error(v: &Value) -> Option<Error> {
    let code = match v.get("code")? {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    if code == 0 {
        return None;
    }
    let message = v.get("message").and_then(Value::as_str).unwrap_or_default();
    let sid = v.get("sid").and_then(Value::as_str);
    Some(business_error(code, message, sid))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn x1_goes_to_v2_only_from_a_v1_base() {
        let d = dialect();
        assert_eq!(
            d.url(Endpoint::ChatCompletions, "x1"),
            "https://spark-api-open.xf-yun.com/v2/chat/completions"
        );
        assert_eq!(
            d.url(Endpoint::ChatCompletions, "lite"),
            "https://spark-api-open.xf-yun.com/v1/chat/completions"
        );
        let mut x2 = dialect();
        x2.base_url = X2_BASE_URL.into();
        assert_eq!(
            x2.url(Endpoint::ChatCompletions, "x1"),
            "https://spark-api-open.xf-yun.com/x2/chat/completions"
        );
    }

    #[test]
    fn codes_inside_bodies() {
        let h = SparkHttpHooks;
        assert!(
            h.event_error(&json!({"code": 0, "message": "Success", "choices": []}))
                .is_none()
        );
        let e = h
            .event_error(&json!({"code": 10013, "message": "input moderation", "sid": "s1"}))
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::ContentFiltered);
        assert_eq!(e.code(), Some("10013"));
        let e = h
            .event_error(&json!({"code": "11201", "message": "daily"}))
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::QuotaExceeded);
        let e = h
            .event_error(&json!({"error": {"message": "invalid user", "type": "api_error", "param": null, "code": null}}))
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::Authentication);
        assert!(
            h.event_error(&json!({"error": {"message": "other"}}))
                .is_none()
        );
    }
}
