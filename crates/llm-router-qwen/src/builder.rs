//! Compatible mode: the DashScope dialect of the shared OpenAI adapter, and the builder that
//! also leads to the native client.

use std::sync::Arc;
use std::time::Duration;

use llm_router_core::{ApiKey, Error};
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_http::{ErrorBody, StreamTimeouts, reqwest};
use llm_router_openai_compat::{
    Dialect, DialectHooks, Endpoint, MaxTokensField, OpenAiCompatBuilder, Quirks,
};
use serde_json::Value;

use crate::client::NativeBuilder;
use crate::error::{event_error, http_error};
use crate::{API_KEY_ENV, NAME, QwenClient};

/// Which DashScope deployment to call. API keys work only in the region that issued them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Region {
    /// China (Beijing): `dashscope.aliyuncs.com`.
    #[default]
    China,
    /// International (Singapore): `dashscope-intl.aliyuncs.com`.
    International,
}

impl Region {
    /// The compatible-mode base URL (`…/compatible-mode/v1`).
    pub fn compatible_base_url(self) -> &'static str {
        match self {
            Region::China => crate::DEFAULT_BASE_URL,
            Region::International => crate::INTERNATIONAL_BASE_URL,
        }
    }

    /// The native API base URL (`…/api/v1`).
    pub fn native_base_url(self) -> &'static str {
        match self {
            Region::China => crate::NATIVE_BASE_URL,
            Region::International => crate::NATIVE_INTERNATIONAL_BASE_URL,
        }
    }
}

/// What compatible mode does beyond the plain dialect: DashScope's error codes, errors inside
/// stream chunks, and `encoding_format: base64` dropped from embeddings (the endpoint returns
/// floats only).
struct DashScopeHooks;

impl DialectHooks for DashScopeHooks {
    fn prepare_body(&self, endpoint: Endpoint, body: &mut Value) -> Result<(), Error> {
        if endpoint == Endpoint::Embeddings
            && let Value::Object(o) = body
            && o.get("encoding_format").and_then(Value::as_str) == Some("base64")
        {
            o.remove("encoding_format");
        }
        Ok(())
    }

    fn map_error(&self, status: u16, headers: &HeaderMap, body: &[u8]) -> Option<Error> {
        Some(http_error(status, headers, body))
    }

    fn event_error(&self, event: &Value) -> Option<Error> {
        match event.get("error") {
            None | Some(Value::Null) => None,
            Some(_) => Some(event_error(&ErrorBody::from_value(event))),
        }
    }
}

pub(crate) fn dialect_at(base_url: &str) -> Dialect {
    Dialect::new(NAME, base_url)
        .with_api_key_env(API_KEY_ENV)
        .with_quirks(Quirks {
            max_tokens_field: MaxTokensField::MaxTokens,
            ..Quirks::default()
        })
        .with_hooks(Arc::new(DashScopeHooks))
}

/// Builds a compatible-mode [`QwenClient`], or with [`QwenBuilder::native`] a
/// [`NativeClient`](crate::NativeClient).
#[derive(Debug, Default)]
pub struct QwenBuilder {
    region: Region,
    base_url: Option<String>,
    key: Option<ApiKey>,
    headers: Vec<(String, String)>,
    http: Option<reqwest::Client>,
    request_timeout: Option<Option<Duration>>,
    stream_timeouts: Option<StreamTimeouts>,
}

impl QwenBuilder {
    /// Sets the API key.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Reads the API key from `var` if it is set.
    pub fn api_key_from_env(mut self, var: &str) -> Self {
        if let Some(k) = ApiKey::from_env(var) {
            self.key = Some(k);
        }
        self
    }

    /// Picks the region's default base URL (default [`Region::China`]).
    pub fn region(mut self, region: Region) -> Self {
        self.region = region;
        self
    }

    /// Overrides the base URL, up to and including `/compatible-mode/v1`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Adds a header sent with every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Uses this HTTP client instead of the shared one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Deadline of a non-streaming request (default 600 s; `None` for none).
    pub fn request_timeout(mut self, t: Option<Duration>) -> Self {
        self.request_timeout = Some(t);
        self
    }

    /// Idle and total limits of streams (default: 300 s idle, no total).
    pub fn stream_timeouts(mut self, t: StreamTimeouts) -> Self {
        self.stream_timeouts = Some(t);
        self
    }

    /// Builds the compatible-mode client.
    pub fn build(self) -> Result<QwenClient, Error> {
        let base = self
            .base_url
            .unwrap_or_else(|| self.region.compatible_base_url().to_owned());
        let mut b = OpenAiCompatBuilder::new(dialect_at(&base));
        if let Some(k) = self.key {
            b = b.api_key(k);
        }
        for (k, v) in self.headers {
            b = b.header(k, v);
        }
        if let Some(c) = self.http {
            b = b.http_client(c);
        }
        if let Some(t) = self.request_timeout {
            b = b.request_timeout(t);
        }
        if let Some(t) = self.stream_timeouts {
            b = b.stream_timeouts(t);
        }
        b.build()
    }

    /// Switches to the native DashScope API, keeping the key, region, headers, HTTP client and
    /// timeouts. A base URL set here that ends in `/compatible-mode/v1` becomes the same host's
    /// `/api/v1`; any other one is not carried over (set it on the [`NativeBuilder`]).
    pub fn native(self) -> NativeBuilder {
        let mut n = NativeBuilder {
            region: self.region,
            base_url: self.base_url.and_then(|u| {
                u.trim_end_matches('/')
                    .strip_suffix("/compatible-mode/v1")
                    .map(|host| format!("{host}/api/v1"))
            }),
            ..NativeBuilder::default()
        };
        n.settings.key = self.key;
        n.settings.headers = self.headers;
        n.settings.http = self.http;
        if let Some(t) = self.request_timeout {
            n.settings.request_timeout = t;
        }
        if let Some(t) = self.stream_timeouts {
            n.settings.stream_timeouts = t;
        }
        n
    }
}
