//! The native client: a key, a base URL and an HTTP client; implements [`ChatProvider`].

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use llm_router_core::{
    ApiKey, ChatProvider, ChatRequest, ChatResponse, ChatStream, Error, ErrorKind,
};
use llm_router_http::reqwest::{self, header::HeaderValue};
use llm_router_http::{AuthScheme, Connection, StreamTimeouts};
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
    inner: Arc<Inner>,
}

struct Inner {
    conn: Connection,
}

impl fmt::Debug for LlamaClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlamaClient")
            .field("connection", &self.inner.conn)
            .finish()
    }
}

/// Builds a [`LlamaClient`]; start from [`crate::builder`].
#[derive(Debug)]
pub struct LlamaBuilder {
    key: Option<ApiKey>,
    base_url: String,
    http: Option<reqwest::Client>,
    headers: Vec<(String, String)>,
    request_timeout: Option<Duration>,
    stream_timeouts: StreamTimeouts,
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
            key: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            http: None,
            headers: Vec::new(),
            request_timeout: Some(Duration::from_secs(600)),
            stream_timeouts: StreamTimeouts::new(Some(Duration::from_secs(300)), None),
        }
    }

    /// Sets the API key (sent as a bearer token).
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Reads the API key from `var` if it is set and not empty (an earlier key is kept
    /// otherwise).
    pub fn api_key_from_env(mut self, var: &str) -> Self {
        if let Some(k) = ApiKey::from_env(var) {
            self.key = Some(k);
        }
        self
    }

    /// Overrides the base URL (with `/v1`: requests go to `<base>/chat/completions`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Uses this HTTP client instead of the shared one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Adds a header sent with every request .
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Deadline of a non-streaming request (default 600 s; `None` for none).
    pub fn request_timeout(mut self, t: Option<Duration>) -> Self {
        self.request_timeout = t;
        self
    }

    /// Idle and total limits of streams (default: 300 s idle, no total).
    pub fn stream_timeouts(mut self, t: StreamTimeouts) -> Self {
        self.stream_timeouts = t;
        self
    }

    /// Switches to the Llama API's OpenAI-compatible surface: a builder of an
    /// [`OpenAiCompatClient`](llm_router_openai_compat::OpenAiCompatClient) with
    /// [`crate::compat_dialect`] at [`COMPAT_BASE_URL`] (or this builder's base URL if one was
    /// set), carrying over the key, the HTTP client and the headers.
    pub fn openai_compatible(self) -> OpenAiCompatBuilder {
        let mut b = OpenAiCompatBuilder::new(crate::compat_dialect());
        if let Some(k) = self.key {
            b = b.api_key(k);
        }
        if self.base_url != DEFAULT_BASE_URL {
            b = b.base_url(self.base_url);
        } else {
            b = b.base_url(COMPAT_BASE_URL);
        }
        if let Some(h) = self.http {
            b = b.http_client(h);
        }
        for (k, v) in self.headers {
            b = b.header(k, v);
        }
        b
    }

    /// Builds the client. Fails with [`ErrorKind::Config`] without a key or with a base URL
    /// that is not a URL.
    pub fn build(self) -> Result<LlamaClient, Error> {
        let config = |msg: String| Error::new(ErrorKind::Config, msg).with_provider(NAME);
        let Some(key) = self.key else {
            return Err(config(format!(
                "no API key for meta-llama (set {API_KEY_ENV})"
            )));
        };
        if HeaderValue::from_str(&format!("Bearer {}", key.expose())).is_err() {
            return Err(config(
                "the API key for meta-llama is not a valid header value".to_owned(),
            ));
        }
        if reqwest::Url::parse(&self.base_url).is_err() {
            return Err(config(format!(
                "invalid base URL for meta-llama: {:?}",
                self.base_url
            )));
        }
        let http = match self.http {
            Some(c) => c,
            None => llm_router_http::shared_client()?,
        };
        Ok(LlamaClient {
            inner: Arc::new(Inner {
                conn: Connection {
                    provider: NAME,
                    base_url: self.base_url.trim_end_matches('/').to_owned(),
                    key: Some(key),
                    auth: AuthScheme::Bearer,
                    headers: self.headers,
                    http,
                    request_timeout: self.request_timeout,
                    stream_timeouts: self.stream_timeouts,
                },
            }),
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
        &self.inner.conn.base_url
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
    ) -> Result<reqwest::Response, Error> {
        let c = &self.inner.conn;
        c.send(c.post_json(path, body, extra_headers, stream)?, http_error)
            .await
    }

    async fn read<T: serde::de::DeserializeOwned>(
        &self,
        resp: reqwest::Response,
    ) -> Result<T, Error> {
        self.inner.conn.read_json(resp).await
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
        let wire: wire::ChatResponse = self.read(resp).await?;
        let mut out = response(wire, &req.model);
        out.created = llm_router_http::unix_now();
        Ok(out)
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let body = request_body(&req, true)?;
        let resp = self
            .post("/chat/completions", &body, &req.extra_headers, true)
            .await?;
        let conn = &self.inner.conn;
        let chunks = chat_chunks(conn.body_stream(resp));
        conn.start_chat_stream(chunks, Some(req.model.clone()))
            .await
    }
}
