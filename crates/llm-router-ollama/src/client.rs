//! The client: base URL, optional key, HTTP client; implements the provider traits.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use llm_router_core::{
    ApiKey, ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider,
    EmbeddingRequest, EmbeddingResponse, Error, ErrorKind, ModelInfo,
};
use llm_router_http::reqwest::{self, Method, header::HeaderValue};
use llm_router_http::{
    StreamTimeouts, byte_stream, parse_json, read_body, start_stream, with_timeouts,
};
use serde::Serialize;
use serde_json::Value;

use crate::convert::{chat_request, chat_response, embed_request, embed_response, model_info};
use crate::error::{error_line, redact};
use crate::stream::chat_chunks;
use crate::{DEFAULT_BASE_URL, NAME, wire};

/// A client for Ollama's native API.
///
/// Cheap to clone. Its `Debug` output never shows the key.
#[derive(Clone)]
pub struct OllamaClient {
    base_url: String,
    key: Option<ApiKey>,
    headers: Vec<(String, String)>,
    http: reqwest::Client,
    request_timeout: Option<Duration>,
    stream_timeouts: StreamTimeouts,
}

impl fmt::Debug for OllamaClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OllamaClient")
            .field("base_url", &self.base_url)
            .field("key", &self.key)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("request_timeout", &self.request_timeout)
            .field("stream_timeouts", &self.stream_timeouts)
            .finish()
    }
}

/// Builds an [`OllamaClient`].
#[derive(Debug)]
pub struct OllamaBuilder {
    base_url: String,
    key: Option<ApiKey>,
    headers: Vec<(String, String)>,
    http: Option<reqwest::Client>,
    request_timeout: Option<Duration>,
    stream_timeouts: StreamTimeouts,
}

impl Default for OllamaBuilder {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            key: None,
            headers: Vec::new(),
            http: None,
            // Local models load on the first request; give them time.
            request_timeout: Some(Duration::from_secs(600)),
            stream_timeouts: StreamTimeouts::new(Some(Duration::from_secs(300)), None),
        }
    }
}

impl OllamaBuilder {
    /// Sets the server's base URL (default `http://localhost:11434`, no `/api`). A value
    /// without a scheme (`host:port`, as `OLLAMA_HOST` is often written) gets `http://`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = crate::normalize_host(&url.into());
        self
    }

    /// Sends `Authorization: Bearer <key>` (ollama.com, or a proxy in front of a server).
    /// A local server needs no key.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.key = Some(key.into());
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
        self.request_timeout = t;
        self
    }

    /// Idle and total limits of streams (default: 300 s idle, no total).
    pub fn stream_timeouts(mut self, t: StreamTimeouts) -> Self {
        self.stream_timeouts = t;
        self
    }

    /// Builds the client; fails with [`ErrorKind::Config`] when the base URL is not a URL.
    pub fn build(self) -> Result<OllamaClient, Error> {
        if reqwest::Url::parse(&self.base_url).is_err() {
            return Err(Error::new(
                ErrorKind::Config,
                format!("invalid base URL for ollama: {:?}", self.base_url),
            )
            .with_provider(NAME));
        }
        let http = match self.http {
            Some(c) => c,
            None => llm_router_http::shared_client()?,
        };
        Ok(OllamaClient {
            base_url: self.base_url.trim_end_matches('/').to_owned(),
            key: self.key,
            headers: self.headers,
            http,
            request_timeout: self.request_timeout,
            stream_timeouts: self.stream_timeouts,
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
        &self.base_url
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        extra_headers: &BTreeMap<String, String>,
    ) -> Result<reqwest::RequestBuilder, Error> {
        let mut rb = self
            .http
            .request(method, format!("{}{path}", self.base_url));
        if let Some(key) = &self.key {
            let mut v =
                HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
                    Error::new(
                        ErrorKind::Config,
                        "the API key for ollama is not a valid header value",
                    )
                    .with_provider(NAME)
                })?;
            v.set_sensitive(true);
            rb = rb.header("authorization", v);
        }
        for (k, v) in self
            .headers
            .iter()
            .map(|(k, v)| (k, v))
            .chain(extra_headers)
        {
            rb = rb.header(k.as_str(), v.as_str());
        }
        Ok(rb)
    }

    async fn send(&self, rb: reqwest::RequestBuilder) -> Result<reqwest::Response, Error> {
        llm_router_http::send_checked(NAME, rb, self.key.as_ref(), |status, headers, body| {
            llm_router_http::classify(NAME, status, headers, body)
        })
        .await
    }

    async fn post<B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
        extra_headers: &BTreeMap<String, String>,
        stream: bool,
    ) -> Result<reqwest::Response, Error> {
        let mut rb = self.request(Method::POST, path, extra_headers)?.json(body);
        if stream {
            rb = rb.header("accept", "application/x-ndjson");
        } else if let Some(t) = self.request_timeout {
            rb = rb.timeout(t);
        }
        self.send(rb).await
    }

    /// Reads a whole JSON body, detecting `{"error": …}` inside a 200.
    async fn read_json<T: serde::de::DeserializeOwned>(
        &self,
        resp: reqwest::Response,
    ) -> Result<T, Error> {
        let bytes = read_body(NAME, resp).await?;
        let v: Value = parse_json(NAME, &bytes)?;
        if let Some(e) = error_line(&v) {
            return Err(redact(e, self.key.as_ref()));
        }
        serde_json::from_value(v).map_err(|e| llm_router_http::decode_error(NAME, &e, &bytes))
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
        let bytes = byte_stream(NAME, resp);
        let bytes = Box::pin(with_timeouts(NAME, bytes, self.stream_timeouts));
        start_stream(NAME, chat_chunks(bytes)).await
    }

    /// The locally available models (`GET /api/tags`).
    async fn list_models(&self) -> Result<Vec<ModelInfo>, Error> {
        let rb = self.request(Method::GET, "/api/tags", &BTreeMap::new())?;
        let rb = match self.request_timeout {
            Some(t) => rb.timeout(t),
            None => rb,
        };
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
