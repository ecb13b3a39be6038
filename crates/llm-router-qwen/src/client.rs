//! The native DashScope client (`/api/v1/services/...`).

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
use llm_router_http::{
    AuthScheme, Connection, ConnectionSettings, ErrorBody, StreamTimeouts, unix_now,
};
use serde::Serialize;
use serde_json::Value;

use crate::convert::{
    body_error, chat_response, embedding_request, embedding_response, generation_request,
};
use crate::error::{event_error, http_error};
use crate::stream::native_chat_chunks;
use crate::{API_KEY_ENV, NAME, Region, wire};

const GENERATION_PATH: &str = "/services/aigc/text-generation/generation";
const EMBEDDING_PATH: &str = "/services/embeddings/text-embedding/text-embedding";

/// A client for the native DashScope API: text generation (with the cumulative or incremental
/// stream) and text embedding. Build one with [`crate::builder`]`().native()`.
///
/// Cheap to clone. Its `Debug` output never shows the key.
#[derive(Clone)]
pub struct NativeClient {
    conn: Arc<Connection>,
    incremental: bool,
}

impl fmt::Debug for NativeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeClient")
            .field("connection", &self.conn)
            .field("incremental_output", &self.incremental)
            .finish()
    }
}

/// Builds a [`NativeClient`].
#[derive(Debug)]
pub struct NativeBuilder {
    /// Key, headers, client and timeouts; the base URL is chosen by `build` (the one set
    /// with `base_url`, or the region's).
    pub(crate) settings: ConnectionSettings,
    pub(crate) base_url: Option<String>,
    pub(crate) region: Region,
    pub(crate) incremental: bool,
}

impl Default for NativeBuilder {
    fn default() -> Self {
        Self {
            settings: ConnectionSettings::new(Region::China.native_base_url()),
            base_url: None,
            region: Region::China,
            incremental: true,
        }
    }
}

impl NativeBuilder {
    /// Sets the API key.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.settings.key = Some(key.into());
        self
    }

    /// Picks the default base URL of a region (China: `dashscope.aliyuncs.com`,
    /// International: `dashscope-intl.aliyuncs.com`). Keys work only in their own region.
    pub fn region(mut self, region: Region) -> Self {
        self.region = region;
        self
    }

    /// Overrides the base URL, up to and including `/api/v1`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Adds a header sent with every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings.headers.push((name.into(), value.into()));
        self
    }

    /// Sends `X-DashScope-WorkSpace` (calls billed to a workspace other than the default).
    pub fn workspace(self, id: impl Into<String>) -> Self {
        self.header("X-DashScope-WorkSpace", id)
    }

    /// Whether streams ask for incremental output (default `true`, as the official SDK does).
    /// With `false` the API sends cumulative output and the client turns it into deltas. A
    /// request's own `incremental_output` (in `extra`) wins.
    pub fn incremental_output(mut self, on: bool) -> Self {
        self.incremental = on;
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

    /// Builds the client; [`ErrorKind::Config`] without a key or with a bad base URL.
    pub fn build(self) -> Result<NativeClient, Error> {
        let mut settings = self.settings;
        let Some(key) = &settings.key else {
            return Err(Error::new(
                ErrorKind::Config,
                format!("no API key for qwen (set {API_KEY_ENV})"),
            )
            .with_provider(NAME));
        };
        let bearer_ok = HeaderValue::from_str(&format!("Bearer {}", key.expose())).is_ok();
        settings.base_url = self
            .base_url
            .unwrap_or_else(|| self.region.native_base_url().to_owned());
        // The base URL is checked first, then the key's form.
        let conn = settings.connect(NAME, AuthScheme::Bearer)?;
        if !bearer_ok {
            return Err(Error::new(
                ErrorKind::Config,
                "the API key for qwen is not a valid header value",
            )
            .with_provider(NAME));
        }
        Ok(NativeClient {
            conn: Arc::new(conn),
            incremental: self.incremental,
        })
    }
}

impl NativeClient {
    /// The base URL requests go to (`…/api/v1`).
    pub fn base_url(&self) -> &str {
        &self.conn.base_url
    }

    /// Posts `body` to `path`; a stream asks for SSE with DashScope's `X-DashScope-SSE`,
    /// other requests send no `accept`.
    async fn post<B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
        extra_headers: &BTreeMap<String, String>,
        stream: bool,
    ) -> Result<llm_router_http::Reply, Error> {
        let mut rb = self.conn.post(path, body, extra_headers, stream)?;
        if stream {
            rb = rb
                .header("accept", "text/event-stream")?
                .header("X-DashScope-SSE", "enable")?;
        }
        self.conn.send(rb, http_error).await
    }
}

#[async_trait]
impl ChatProvider for NativeClient {
    fn name(&self) -> &str {
        NAME
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let (body, _) = generation_request(&req, false, self.incremental)?;
        let resp = self
            .post(GENERATION_PATH, &body, &req.extra_headers, false)
            .await?;
        let wire: wire::GenerationResponse = self.conn.read_json(resp).await?;
        if let Some(e) = body_error(&wire) {
            return Err(self.conn.redact(e));
        }
        Ok(chat_response(wire, &req.model, unix_now()))
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let (body, mode) = generation_request(&req, true, self.incremental)?;
        let resp = self
            .post(GENERATION_PATH, &body, &req.extra_headers, true)
            .await?;
        let chunks = native_chat_chunks(self.conn.body_stream(resp), mode);
        self.conn
            .start_chat_stream(chunks, Some(req.model.clone()))
            .await
    }
}

#[async_trait]
impl EmbeddingProvider for NativeClient {
    fn name(&self) -> &str {
        NAME
    }

    /// Text embedding with `text_type` from the request's `input_type` (query/document), which
    /// compatible mode cannot send.
    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        let body = embedding_request(&req)?;
        let resp = self
            .post(EMBEDDING_PATH, &body, &req.extra_headers, false)
            .await?;
        let wire: wire::EmbeddingResponse = self
            .conn
            .read_json_checked(resp, |v: &Value| {
                let failed = v
                    .get("code")
                    .and_then(Value::as_str)
                    .is_some_and(|c| !c.is_empty())
                    && v.get("output").is_none_or(Value::is_null);
                failed.then(|| event_error(&ErrorBody::from_value(v)))
            })
            .await?;
        Ok(embedding_response(
            wire,
            &req.model,
            req.encoding_format.as_ref(),
        ))
    }
}
