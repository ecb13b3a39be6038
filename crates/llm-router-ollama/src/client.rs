//! The client: base URL, optional key, HTTP client; implements the provider traits.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use llm_router_core::{
    ApiKey, ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider,
    EmbeddingRequest, EmbeddingResponse, Error, ModelInfo,
};
use llm_router_http::reqwest;
use llm_router_http::{AuthScheme, Connection, ConnectionSettings, StreamTimeouts};
use serde::Serialize;

use crate::convert::{chat_request, chat_response, embed_request, embed_response, model_info};
use crate::error::error_line;
use crate::stream::chat_chunks;
use crate::{DEFAULT_BASE_URL, NAME, wire};

/// A client for Ollama's native API.
///
/// Cheap to clone. Its `Debug` output never shows the key.
#[derive(Clone)]
pub struct OllamaClient {
    conn: Arc<Connection>,
}

impl fmt::Debug for OllamaClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OllamaClient")
            .field("connection", &self.conn)
            .finish()
    }
}

/// Builds an [`OllamaClient`].
#[derive(Debug)]
pub struct OllamaBuilder {
    settings: ConnectionSettings,
}

impl Default for OllamaBuilder {
    fn default() -> Self {
        // The 600 s request deadline leaves local models time to load on the first request.
        Self {
            settings: ConnectionSettings::new(DEFAULT_BASE_URL),
        }
    }
}

impl OllamaBuilder {
    /// Sets the server's base URL (default `http://localhost:11434`, no `/api`). A value
    /// without a scheme (`host:port`, as `OLLAMA_HOST` is often written) gets `http://`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.settings.base_url = crate::normalize_host(&url.into());
        self
    }

    /// Sends `Authorization: Bearer <key>` (ollama.com, or a proxy in front of a server).
    /// A local server needs no key.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.settings.key = Some(key.into());
        self
    }

    /// Adds a header sent with every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings.headers.push((name.into(), value.into()));
        self
    }

    /// Uses this HTTP client instead of the shared one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.settings.http = Some(client);
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

    /// Builds the client; fails with [`ErrorKind::Config`](llm_router_core::ErrorKind::Config) when the base URL is not a URL.
    pub fn build(self) -> Result<OllamaClient, Error> {
        Ok(OllamaClient {
            conn: Arc::new(self.settings.connect(NAME, AuthScheme::Bearer)?),
        })
    }
}

impl OllamaClient {
    /// A builder.
    pub fn builder() -> OllamaBuilder {
        OllamaBuilder::default()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.conn.base_url
    }

    async fn send(&self, rb: llm_router_http::Outgoing) -> Result<llm_router_http::Reply, Error> {
        self.conn
            .send(rb, |status, headers, body| {
                llm_router_http::classify(NAME, status, headers, body)
            })
            .await
    }

    /// Posts `body` to `path`; a stream asks for NDJSON, other requests send no `accept`.
    async fn post<B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
        extra_headers: &BTreeMap<String, String>,
        stream: bool,
    ) -> Result<llm_router_http::Reply, Error> {
        let mut rb = self.conn.post(path, body, extra_headers, stream)?;
        if stream {
            rb = rb.header("accept", "application/x-ndjson")?;
        }
        self.send(rb).await
    }

    /// Reads a whole JSON body, detecting `{"error": …}` inside a 200.
    async fn read_json<T: serde::de::DeserializeOwned>(
        &self,
        resp: llm_router_http::Reply,
    ) -> Result<T, Error> {
        self.conn.read_json_checked(resp, error_line).await
    }
}

#[async_trait]
impl ChatProvider for OllamaClient {
    fn name(&self) -> &str {
        NAME
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let body = chat_request(&req, false)?;
        let resp = self
            .post("/api/chat", &body, &req.extra_headers, false)
            .await?;
        let wire: wire::ChatResponse = self.read_json(resp).await?;
        Ok(chat_response(wire))
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let body = chat_request(&req, true)?;
        let resp = self
            .post("/api/chat", &body, &req.extra_headers, true)
            .await?;
        // Chunks carry Ollama's own `created_at` and model.
        let chunks = chat_chunks(self.conn.body_stream(resp));
        self.conn.start_stream(chunks).await
    }

    /// The locally available models (`GET /api/tags`).
    async fn list_models(&self) -> Result<Vec<ModelInfo>, Error> {
        let rb = self.conn.get("/api/tags", &BTreeMap::new())?;
        let resp = self.send(rb).await?;
        let tags: wire::TagsResponse = self.read_json(resp).await?;
        Ok(tags.models.into_iter().map(model_info).collect())
    }
}

#[async_trait]
impl EmbeddingProvider for OllamaClient {
    fn name(&self) -> &str {
        NAME
    }

    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        let body = embed_request(&req)?;
        let resp = self
            .post("/api/embed", &body, &req.extra_headers, false)
            .await?;
        let wire: wire::EmbedResponse = self.read_json(resp).await?;
        Ok(embed_response(wire, req.encoding_format.as_ref()))
    }
}
