//! The client: a key, a base URL and an HTTP client; implements [`ChatProvider`] and
//! [`EmbeddingProvider`].

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use llm_router_core::{
    ApiKey, ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider,
    EmbeddingRequest, EmbeddingResponse, Error,
};
use llm_router_http::reqwest;
use llm_router_http::{AuthScheme, Connection, ConnectionSettings, StreamTimeouts};
use serde_json::Value;

use crate::convert::{embed_body, embed_response, request_body, response};
use crate::error::http_error;
use crate::stream::chat_chunks;
use crate::wire;
use crate::{API_KEY_ENV, DEFAULT_BASE_URL, NAME};

/// A client for Cohere's v2 API. Cheap to clone; its `Debug` output never shows the key.
#[derive(Clone)]
pub struct CohereClient {
    conn: Arc<Connection>,
}

impl fmt::Debug for CohereClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CohereClient")
            .field("connection", &self.conn)
            .finish()
    }
}

/// Builds a [`CohereClient`]; start from [`crate::builder`].
#[derive(Debug)]
pub struct CohereBuilder {
    settings: ConnectionSettings,
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

    /// Overrides the base URL (without `/v2`: requests go to `<base>/v2/chat`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.settings.base_url = url.into();
        self
    }

    /// Uses this HTTP client instead of the shared one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.settings.http = Some(client);
        self
    }

    /// Adds a header sent with every request (e.g. `X-Client-Name`).
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

    /// Builds the client. Fails with [`ErrorKind::Config`](llm_router_core::ErrorKind::Config)
    /// without a key or with a base URL that is not a URL.
    pub fn build(self) -> Result<CohereClient, Error> {
        let conn = self
            .settings
            .connect_with_key(NAME, AuthScheme::Bearer, API_KEY_ENV)?;
        Ok(CohereClient {
            conn: Arc::new(conn),
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
        &self.conn.base_url
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
    ) -> Result<llm_router_http::Reply, Error> {
        self.conn
            .send_json(path, body, extra_headers, stream, http_error)
            .await
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
        let wire: wire::ChatResponse = self.conn.read_json(resp).await?;
        let mut out = response(wire, &req.model);
        out.created = llm_router_http::unix_now();
        Ok(out)
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let body = request_body(&req, true)?;
        let resp = self
            .post("/v2/chat", &body, &req.extra_headers, true)
            .await?;
        let conn = &self.conn;
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
        let wire: wire::EmbedResponse = self.conn.read_json(resp).await?;
        embed_response(wire, &req.model, req.encoding_format.as_ref())
    }
}
