//! The client: a key, a base URL, an HTTP client and the defaults; implements
//! [`ChatProvider`].

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use llm_router_core::{
    ApiKey, ChatProvider, ChatRequest, ChatResponse, ChatStream, Error, ErrorKind, ModelInfo,
};
use llm_router_http::reqwest;
use llm_router_http::{AuthScheme, Connection, ConnectionSettings, StreamTimeouts, parse_json};
use serde_json::Value;

use crate::convert::{request_body, response};
use crate::error::{event_error, http_error};
use crate::stream::chat_chunks;
use crate::wire::{MessageResponse, ModelPage};
use crate::{ANTHROPIC_VERSION, API_KEY_ENV, DEFAULT_BASE_URL, DEFAULT_MAX_TOKENS, NAME};

/// A client for Anthropic's Messages API.
///
/// Cheap to clone (the configuration is behind an `Arc`). Its `Debug` output never shows the
/// key.
#[derive(Clone)]
pub struct AnthropicClient {
    inner: Arc<Inner>,
}

struct Inner {
    conn: Connection,
    default_max_tokens: u32,
    betas: Vec<String>,
}

impl fmt::Debug for AnthropicClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("AnthropicClient")
            .field("connection", &i.conn)
            .field("default_max_tokens", &i.default_max_tokens)
            .field("betas", &i.betas)
            .finish()
    }
}

/// Builds an [`AnthropicClient`]; start from [`crate::builder`].
#[derive(Debug)]
pub struct AnthropicBuilder {
    settings: ConnectionSettings,
    default_max_tokens: u32,
    betas: Vec<String>,
}

impl Default for AnthropicBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl AnthropicBuilder {
    /// A builder with the defaults: [`DEFAULT_BASE_URL`], `max_tokens`
    /// [`DEFAULT_MAX_TOKENS`], 600 s per request, streams cut after 300 s without data.
    pub fn new() -> Self {
        Self {
            settings: ConnectionSettings::new(DEFAULT_BASE_URL),
            default_max_tokens: DEFAULT_MAX_TOKENS,
            betas: Vec::new(),
        }
    }

    /// Sets the API key (sent as `x-api-key`).
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.settings.key = Some(key.into());
        self
    }

    /// Reads the API key from `var` if it is set and not empty.
    pub fn api_key_from_env(mut self, var: &str) -> Self {
        if let Some(k) = ApiKey::from_env(var) {
            self.settings.key = Some(k);
        }
        self
    }

    /// Overrides the base URL (without `/v1`: requests go to `<base>/v1/messages`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.settings.base_url = url.into();
        self
    }

    /// Uses this HTTP client instead of the shared one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.settings.http = Some(client);
        self
    }

    /// The `max_tokens` sent when a request sets no output limit (Anthropic requires one).
    pub fn default_max_tokens(mut self, n: u32) -> Self {
        self.default_max_tokens = n;
        self
    }

    /// Turns on a beta feature: every request carries `anthropic-beta: <flags, comma-joined>`.
    pub fn beta(mut self, flag: impl Into<String>) -> Self {
        self.betas.push(flag.into());
        self
    }

    /// Adds a header sent with every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings.headers.push((name.into(), value.into()));
        self
    }

    /// Deadline of a non-streaming request (default 600 s; `None` for none).
    pub fn request_timeout(mut self, t: Option<Duration>) -> Self {
        self.settings.request_timeout = t;
        self
    }

    /// Idle and total limits of streams (default: 300 s idle, no total).
    pub fn stream_timeouts(mut self, t: StreamTimeouts) -> Self {
        self.settings.stream_timeouts = t;
        self
    }

    /// Builds the client. Fails with [`ErrorKind::Config`] without a key, with a base URL that
    /// is not a URL, or with a `default_max_tokens` of 0.
    pub fn build(mut self) -> Result<AnthropicClient, Error> {
        // Sent on every request, before the caller's own headers.
        let mut headers = vec![("anthropic-version".to_owned(), ANTHROPIC_VERSION.to_owned())];
        if !self.betas.is_empty() {
            headers.push(("anthropic-beta".to_owned(), self.betas.join(",")));
        }
        headers.append(&mut self.settings.headers);
        self.settings.headers = headers;
        let conn =
            self.settings
                .connect_with_key(NAME, AuthScheme::Header("x-api-key"), API_KEY_ENV)?;
        if self.default_max_tokens == 0 {
            return Err(
                Error::new(ErrorKind::Config, "default_max_tokens must be at least 1")
                    .with_provider(NAME),
            );
        }
        Ok(AnthropicClient {
            inner: Arc::new(Inner {
                conn,
                default_max_tokens: self.default_max_tokens,
                betas: self.betas,
            }),
        })
    }
}

impl AnthropicClient {
    /// A builder (the same as [`crate::builder`]).
    pub fn builder() -> AnthropicBuilder {
        AnthropicBuilder::new()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.conn.base_url
    }

    /// The `max_tokens` sent when a request sets none.
    pub fn default_max_tokens(&self) -> u32 {
        self.inner.default_max_tokens
    }

    /// The connection settings and request plumbing (for the batch module).
    pub(crate) fn connection(&self) -> &Connection {
        &self.inner.conn
    }

    /// The JSON body this client would send for `req` (for logging, debugging and tests).
    pub fn request_body(&self, req: &ChatRequest, stream: bool) -> Result<Value, Error> {
        request_body(req, self.inner.default_max_tokens, stream)
    }

    async fn post_messages(
        &self,
        req: &ChatRequest,
        stream: bool,
    ) -> Result<llm_router_http::Reply, Error> {
        let body = self.request_body(req, stream)?;
        self.inner
            .conn
            .send_json(
                "/v1/messages",
                &body,
                &req.extra_headers,
                stream,
                http_error,
            )
            .await
    }
}

/// A whole response body → the canonical response (an error object in a 200 body is an
/// error).
fn decode_message(bytes: &[u8]) -> Result<ChatResponse, Error> {
    let m: MessageResponse = parse_json(NAME, bytes)?;
    if m.kind == "error" {
        // Rare: read the body again, as the error object it is.
        let v: Value = parse_json(NAME, bytes)?;
        return Err(event_error(&v));
    }
    Ok(response(m))
}

#[async_trait]
impl ChatProvider for AnthropicClient {
    fn name(&self) -> &str {
        NAME
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let resp = self.post_messages(&req, false).await?;
        let bytes = self.inner.conn.read_body(resp).await?;
        let mut out = decode_message(&bytes).map_err(|e| self.inner.conn.redact(e))?;
        out.created = llm_router_http::unix_now();
        Ok(out)
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let resp = self.post_messages(&req, true).await?;
        let conn = &self.inner.conn;
        conn.start_chat_stream(chat_chunks(conn.body_stream(resp)), None)
            .await
    }

    /// Every model of `GET /v1/models` (all pages), `owned_by: "anthropic"`, with
    /// `display_name` and `created_at` kept in `extra`.
    async fn list_models(&self) -> Result<Vec<ModelInfo>, Error> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let conn = &self.inner.conn;
            let mut rb = conn
                .get("/v1/models", &BTreeMap::new())?
                .query(&[("limit", "1000")])?;
            if let Some(a) = &after {
                rb = rb.query(&[("after_id", a.as_str())])?;
            }
            let resp = conn.send(rb, http_error).await?;
            let page: ModelPage = conn.read_json(resp).await?;
            for mut m in page.data {
                let Some(Value::String(id)) = m.remove("id") else {
                    continue;
                };
                m.remove("type");
                let mut info = ModelInfo::new(id, "anthropic");
                info.extra = m;
                out.push(info);
            }
            match page.last_id {
                Some(last) if page.has_more && after.as_deref() != Some(last.as_str()) => {
                    after = Some(last);
                }
                _ => return Ok(out),
            }
        }
    }
}
