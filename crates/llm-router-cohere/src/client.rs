//! The client: a key, a base URL and an HTTP client; implements [`ChatProvider`] and
//! [`EmbeddingProvider`].

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use llm_router_core::{
    ApiKey, ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider,
    EmbeddingRequest, EmbeddingResponse, Error, ErrorKind,
};
use llm_router_http::reqwest::{self, header::HeaderValue};
use llm_router_http::{AuthScheme, Connection, StreamTimeouts};
use serde_json::Value;

use crate::convert::{embed_body, embed_response, request_body, response};
use crate::error::http_error;
use crate::stream::chat_chunks;
use crate::wire;
use crate::{API_KEY_ENV, DEFAULT_BASE_URL, NAME};

/// A client for Cohere's v2 API. Cheap to clone; its `Debug` output never shows the key.
#[derive(Clone)]
pub struct CohereClient {
    inner: Arc<Inner>,
}

struct Inner {
    conn: Connection,
}

impl fmt::Debug for CohereClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CohereClient")
            .field("connection", &self.inner.conn)
            .finish()
    }
}

/// Builds a [`CohereClient`]; start from [`crate::builder`].
#[derive(Debug)]
pub struct CohereBuilder {
    key: Option<ApiKey>,
    base_url: String,
    http: Option<reqwest::Client>,
    headers: Vec<(String, String)>,
    request_timeout: Option<Duration>,
    stream_timeouts: StreamTimeouts,
}

impl Default for CohereBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl CohereBuilder {
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

    /// Overrides the base URL (without `/v2`: requests go to `<base>/v2/chat`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Uses this HTTP client instead of the shared one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Adds a header sent with every request (e.g. `X-Client-Name`).
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

    /// Builds the client. Fails with [`ErrorKind::Config`] without a key or with a base URL
    /// that is not a URL.
    pub fn build(self) -> Result<CohereClient, Error> {
        let config = |msg: String| Error::new(ErrorKind::Config, msg).with_provider(NAME);
        let Some(key) = self.key else {
            return Err(config(format!("no API key for cohere (set {API_KEY_ENV})")));
        };
        if HeaderValue::from_str(&format!("Bearer {}", key.expose())).is_err() {
            return Err(config(
                "the API key for cohere is not a valid header value".to_owned(),
            ));
        }
        if reqwest::Url::parse(&self.base_url).is_err() {
            return Err(config(format!(
                "invalid base URL for cohere: {:?}",
                self.base_url
            )));
        }
        let http = match self.http {
            Some(c) => c,
            None => llm_router_http::shared_client()?,
        };
        Ok(CohereClient {
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

impl CohereClient {
    /// A builder (the same as [`crate::builder`]).
    pub fn builder() -> CohereBuilder {
        CohereBuilder::new()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.conn.base_url
    }

    /// The JSON body this client would send to `/v2/chat` for `req`.
    pub fn request_body(&self, req: &ChatRequest, stream: bool) -> Result<Value, Error> {
        request_body(req, stream)
    }

    /// The JSON body this client would send to `/v2/embed` for `req`.
    pub fn embed_request_body(&self, req: &EmbeddingRequest) -> Result<Value, Error> {
        embed_body(req)
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
impl ChatProvider for CohereClient {
    fn name(&self) -> &str {
        NAME
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let body = request_body(&req, false)?;
        let resp = self
            .post("/v2/chat", &body, &req.extra_headers, false)
            .await?;
        let wire: wire::ChatResponse = self.read(resp).await?;
        let mut out = response(wire, &req.model);
        out.created = llm_router_http::unix_now();
        Ok(out)
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let body = request_body(&req, true)?;
        let resp = self
            .post("/v2/chat", &body, &req.extra_headers, true)
            .await?;
        let conn = &self.inner.conn;
        let chunks = chat_chunks(conn.body_stream(resp));
        conn.start_chat_stream(chunks, Some(req.model.clone()))
            .await
    }
}

#[async_trait]
impl EmbeddingProvider for CohereClient {
    fn name(&self) -> &str {
        NAME
    }

    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        let body = embed_body(&req)?;
        let resp = self
            .post("/v2/embed", &body, &req.extra_headers, false)
            .await?;
        let wire: wire::EmbedResponse = self.read(resp).await?;
        embed_response(wire, &req.model, req.encoding_format.as_ref())
    }
}
