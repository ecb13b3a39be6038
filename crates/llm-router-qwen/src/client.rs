//! The native DashScope client (`/api/v1/services/...`).

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use futures_util::StreamExt as _;
use llm_router_core::{
    ApiKey, ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider,
    EmbeddingRequest, EmbeddingResponse, Error, ErrorKind,
};
use llm_router_http::reqwest::{self, header::HeaderValue};
use llm_router_http::{
    ErrorBody, StreamTimeouts, byte_stream, parse_json, read_body, start_stream, with_timeouts,
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
    base_url: String,
    key: ApiKey,
    headers: Vec<(String, String)>,
    http: reqwest::Client,
    request_timeout: Option<Duration>,
    stream_timeouts: StreamTimeouts,
    incremental: bool,
}

impl fmt::Debug for NativeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeClient")
            .field("base_url", &self.base_url)
            .field("key", &self.key)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("incremental_output", &self.incremental)
            .field("request_timeout", &self.request_timeout)
            .field("stream_timeouts", &self.stream_timeouts)
            .finish()
    }
}

/// Builds a [`NativeClient`].
#[derive(Debug)]
pub struct NativeBuilder {
    pub(crate) base_url: Option<String>,
    pub(crate) region: Region,
    pub(crate) key: Option<ApiKey>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) http: Option<reqwest::Client>,
    pub(crate) request_timeout: Option<Duration>,
    pub(crate) stream_timeouts: StreamTimeouts,
    pub(crate) incremental: bool,
}

impl Default for NativeBuilder {
    fn default() -> Self {
        Self {
            base_url: None,
            region: Region::China,
            key: None,
            headers: Vec::new(),
            http: None,
            request_timeout: Some(Duration::from_secs(600)),
            stream_timeouts: StreamTimeouts::new(Some(Duration::from_secs(300)), None),
            incremental: true,
        }
    }
}

impl NativeBuilder {
    /// Sets the API key.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.key = Some(key.into());
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
        self.headers.push((name.into(), value.into()));
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

    /// Builds the client; [`ErrorKind::Config`] without a key or with a bad base URL.
    pub fn build(self) -> Result<NativeClient, Error> {
        let Some(key) = self.key else {
            return Err(Error::new(
                ErrorKind::Config,
                format!("no API key for qwen (set {API_KEY_ENV})"),
            )
            .with_provider(NAME));
        };
        let base_url = self
            .base_url
            .unwrap_or_else(|| self.region.native_base_url().to_owned());
        if reqwest::Url::parse(&base_url).is_err() {
            return Err(Error::new(
                ErrorKind::Config,
                format!("invalid base URL for qwen: {base_url:?}"),
            )
            .with_provider(NAME));
        }
        if HeaderValue::from_str(&format!("Bearer {}", key.expose())).is_err() {
            return Err(Error::new(
                ErrorKind::Config,
                "the API key for qwen is not a valid header value",
            )
            .with_provider(NAME));
        }
        let http = match self.http {
            Some(c) => c,
            None => llm_router_http::shared_client()?,
        };
        Ok(NativeClient {
            base_url: base_url.trim_end_matches('/').to_owned(),
            key,
            headers: self.headers,
            http,
            request_timeout: self.request_timeout,
            stream_timeouts: self.stream_timeouts,
            incremental: self.incremental,
        })
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl NativeClient {
    /// The base URL requests go to (`…/api/v1`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    async fn post<B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
        extra_headers: &BTreeMap<String, String>,
        stream: bool,
    ) -> Result<reqwest::Response, Error> {
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", self.key.expose())).map_err(|_| {
                Error::new(
                    ErrorKind::Config,
                    "the API key for qwen is not a valid header value",
                )
                .with_provider(NAME)
            })?;
        auth.set_sensitive(true);
        let mut rb = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header("authorization", auth)
            .json(body);
        for (k, v) in self
            .headers
            .iter()
            .map(|(k, v)| (k, v))
            .chain(extra_headers)
        {
            rb = rb.header(k.as_str(), v.as_str());
        }
        if stream {
            rb = rb
                .header("accept", "text/event-stream")
                .header("X-DashScope-SSE", "enable");
        } else if let Some(t) = self.request_timeout {
            rb = rb.timeout(t);
        }
        llm_router_http::send_checked(NAME, rb, Some(&self.key), http_error).await
    }

    /// Reads a whole JSON body.
    async fn read<T: serde::de::DeserializeOwned>(
        &self,
        resp: reqwest::Response,
    ) -> Result<T, Error> {
        let bytes = read_body(NAME, resp).await?;
        parse_json(NAME, &bytes)
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
        let wire: wire::GenerationResponse = self.read(resp).await?;
        if let Some(e) = body_error(&wire) {
            return Err(e.redact(self.key.expose()));
        }
        Ok(chat_response(wire, &req.model, now()))
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let (body, mode) = generation_request(&req, true, self.incremental)?;
        let resp = self
            .post(GENERATION_PATH, &body, &req.extra_headers, true)
            .await?;
        let bytes = byte_stream(NAME, resp);
        let bytes = Box::pin(with_timeouts(NAME, bytes, self.stream_timeouts));
        let (model, created) = (req.model.clone(), now());
        let chunks = native_chat_chunks(bytes, mode).map(move |item| {
            item.map(|mut c| {
                c.model.clone_from(&model);
                c.created = created;
                c
            })
        });
        start_stream(NAME, Box::pin(chunks)).await
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
        let bytes = read_body(NAME, resp).await?;
        let v: Value = parse_json(NAME, &bytes)?;
        if v.get("code")
            .and_then(Value::as_str)
            .is_some_and(|c| !c.is_empty())
            && v.get("output").is_none_or(Value::is_null)
        {
            return Err(event_error(&ErrorBody::from_value(&v)).redact(self.key.expose()));
        }
        let wire: wire::EmbeddingResponse = serde_json::from_value(v)
            .map_err(|e| llm_router_http::decode_error(NAME, &e, &bytes))?;
        Ok(embedding_response(
            wire,
            &req.model,
            req.encoding_format.as_ref(),
        ))
    }
}
