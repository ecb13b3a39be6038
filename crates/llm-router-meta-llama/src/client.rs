//! The native client: a key, a base URL and an HTTP client; implements [`ChatProvider`].

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use llm_router_core::{ApiKey, ChatProvider, ChatRequest, ChatResponse, ChatStream, Error};
use llm_router_http::reqwest;
use llm_router_http::{AuthScheme, Connection, ConnectionSettings, StreamTimeouts};
use serde_json::Value;

use crate::convert::{request_body, response};
use crate::error::http_error;
use crate::stream::chat_chunks;
use crate::wire;
use crate::{API_KEY_ENV, COMPAT_BASE_URL, DEFAULT_BASE_URL, NAME};
use llm_router_openai_compat::OpenAiCompatBuilder;

/// A client for the Llama API's native chat completions. Cheap to clone; its `Debug` output never shows the key.
#[derive(Clone)]
pub struct LlamaClient {
    conn: Arc<Connection>,
}

impl fmt::Debug for LlamaClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlamaClient")
            .field("connection", &self.conn)
            .finish()
    }
}

/// Builds a [`LlamaClient`]; start from [`crate::builder`].
#[derive(Debug)]
pub struct LlamaBuilder {
    settings: ConnectionSettings,
}

impl Default for LlamaBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl LlamaBuilder {
    /// A builder with the defaults: [`DEFAULT_BASE_URL`], 600 s per request, streams cut
    /// after 300 s without data.
    pub fn new() -> Self {
        Self {
            settings: ConnectionSettings::new(DEFAULT_BASE_URL),
        }
    }

    /// Sets the API key (sent as a bearer token).
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.settings.key = Some(key.into());
        self
    }

    /// Reads the API key from `var` if it is set and not empty (an earlier key is kept
    /// otherwise).
    pub fn api_key_from_env(mut self, var: &str) -> Self {
        if let Some(k) = ApiKey::from_env(var) {
            self.settings.key = Some(k);
        }
        self
    }

    /// Overrides the base URL (with `/v1`: requests go to `<base>/chat/completions`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.settings.base_url = url.into();
        self
    }

    /// Uses this HTTP client instead of the shared one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.settings.http = Some(client);
        self
    }

    /// Adds a header sent with every request .
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

    /// Switches to the Llama API's OpenAI-compatible surface: a builder of an
    /// [`OpenAiCompatClient`](llm_router_openai_compat::OpenAiCompatClient) with
    /// [`crate::compat_dialect`] at [`COMPAT_BASE_URL`] (or this builder's base URL if one was
    /// set), carrying over the key, the HTTP client and the headers.
    pub fn openai_compatible(self) -> OpenAiCompatBuilder {
        let s = self.settings;
        let mut b = OpenAiCompatBuilder::new(crate::compat_dialect());
        if let Some(k) = s.key {
            b = b.api_key(k);
        }
        if s.base_url != DEFAULT_BASE_URL {
            b = b.base_url(s.base_url);
        } else {
            b = b.base_url(COMPAT_BASE_URL);
        }
        if let Some(h) = s.http {
            b = b.http_client(h);
        }
        for (k, v) in s.headers {
            b = b.header(k, v);
        }
        b
    }

    /// Builds the client. Fails with [`ErrorKind::Config`](llm_router_core::ErrorKind::Config)
    /// without a key or with a base URL that is not a URL.
    pub fn build(self) -> Result<LlamaClient, Error> {
        let conn = self
            .settings
            .connect_with_key(NAME, AuthScheme::Bearer, API_KEY_ENV)?;
        Ok(LlamaClient {
            conn: Arc::new(conn),
        })
    }
}

impl LlamaClient {
    /// A builder (the same as [`crate::builder`]).
    pub fn builder() -> LlamaBuilder {
        LlamaBuilder::new()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.conn.base_url
    }

    /// The JSON body this client would send to `/chat/completions` for `req`.
    pub fn request_body(&self, req: &ChatRequest, stream: bool) -> Result<Value, Error> {
        request_body(req, stream)
    }

    async fn post(
        &self,
        path: &str,
        body: &Value,
        extra_headers: &BTreeMap<String, String>,
        stream: bool,
    ) -> Result<llm_router_http::Reply, Error> {
        self.conn
            .send_json(path, body, extra_headers, stream, http_error)
            .await
    }
}

#[async_trait]
impl ChatProvider for LlamaClient {
    fn name(&self) -> &str {
        NAME
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let body = request_body(&req, false)?;
        let resp = self
            .post("/chat/completions", &body, &req.extra_headers, false)
            .await?;
        let wire: wire::ChatResponse = self.conn.read_json(resp).await?;
        let mut out = response(wire, &req.model);
        out.created = llm_router_http::unix_now();
        Ok(out)
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let body = request_body(&req, true)?;
        let resp = self
            .post("/chat/completions", &body, &req.extra_headers, true)
            .await?;
        let conn = &self.conn;
        let chunks = chat_chunks(conn.body_stream(resp));
        conn.start_chat_stream(chunks, Some(req.model.clone()))
            .await
    }
}
