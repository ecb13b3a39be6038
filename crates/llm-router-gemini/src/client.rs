//! The client: key, base URL, HTTP client, image fetcher; implements the provider traits.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use llm_router_core::{
    ApiKey, ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider,
    EmbeddingRequest, EmbeddingResponse, Error, ErrorKind, ModelInfo, async_trait,
};
use llm_router_http::reqwest;
use llm_router_http::{AuthScheme, Connection, ConnectionSettings, StreamTimeouts, unix_now};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::convert::{
    self, EmbedEndpoint, InlinedImages, ResponseContext, model_id, remote_image_urls,
};
use crate::fetch::GuardedFetcher;
use crate::wire::{
    BatchEmbedContentsResponse, Blob, EmbedContentResponse, GenerateContentResponse,
    ListModelsResponse,
};
use crate::{API_KEY_ENV, DEFAULT_BASE_URL, FALLBACK_API_KEY_ENV, PROVIDER};

/// A client for the Gemini API (Generative Language API, `v1beta`).
///
/// Cheap to clone. Its `Debug` output never shows the key.
#[derive(Clone)]
pub struct GeminiClient {
    /// Its base URL is the API root (`…/v1beta`).
    conn: Arc<Connection>,
    fetcher: Option<GuardedFetcher>,
}

impl fmt::Debug for GeminiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeminiClient")
            .field("connection", &self.conn)
            .field("image_fetcher", &self.fetcher)
            .finish()
    }
}

/// Builds a [`GeminiClient`].
#[derive(Debug)]
pub struct GeminiBuilder {
    settings: ConnectionSettings,
    fetcher: Option<GuardedFetcher>,
}

impl Default for GeminiBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl GeminiBuilder {
    /// A builder with the default base URL and the default [`GuardedFetcher`].
    pub fn new() -> Self {
        Self {
            settings: ConnectionSettings::new(DEFAULT_BASE_URL),
            fetcher: Some(GuardedFetcher::new()),
        }
    }

    /// Sets the API key (sent as `x-goog-api-key`).
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.settings.key = Some(key.into());
        self
    }

    /// Reads the API key from `var` if it is set.
    pub fn api_key_from_env(mut self, var: &str) -> Self {
        if let Some(k) = ApiKey::from_env(var) {
            self.settings.key = Some(k);
        }
        self
    }

    /// Overrides the base URL (proxies, tests). Paths are `<base>/v1beta/models/…`; a base that
    /// already ends in `/v1beta`, `/v1` or `/v1alpha` is used as is.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.settings.base_url = url.into();
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

    /// How remote (`http(s)`) image URLs are downloaded and inlined.
    pub fn image_fetcher(mut self, fetcher: GuardedFetcher) -> Self {
        self.fetcher = Some(fetcher);
        self
    }

    /// Never downloads images: a remote image URL is then an
    /// [`ErrorKind::InvalidRequest`] (data URLs and File API URIs still work).
    pub fn no_image_fetching(mut self) -> Self {
        self.fetcher = None;
        self
    }

    /// Builds the client; [`ErrorKind::Config`] without a key or with a bad base URL.
    pub fn build(self) -> Result<GeminiClient, Error> {
        if self.settings.key.is_none() {
            return Err(Error::new(
                ErrorKind::Config,
                format!("no API key for gemini (set {API_KEY_ENV} or {FALLBACK_API_KEY_ENV})"),
            )
            .with_provider(PROVIDER));
        }
        let mut conn = self
            .settings
            .connect(PROVIDER, AuthScheme::Header("x-goog-api-key"))?;
        conn.base_url = api_root(&conn.base_url);
        Ok(GeminiClient {
            conn: Arc::new(conn),
            fetcher: self.fetcher,
        })
    }
}

fn api_root(base: &str) -> String {
    let base = base.trim_end_matches('/');
    if ["/v1beta", "/v1", "/v1alpha"]
        .iter()
        .any(|v| base.ends_with(v))
    {
        base.to_owned()
    } else {
        format!("{base}/v1beta")
    }
}

impl GeminiClient {
    /// A builder.
    pub fn builder() -> GeminiBuilder {
        GeminiBuilder::new()
    }

    /// The API root requests go to (`https://generativelanguage.googleapis.com/v1beta`).
    pub fn api_root(&self) -> &str {
        &self.conn.base_url
    }

    async fn send(&self, rb: llm_router_http::Outgoing) -> Result<llm_router_http::Reply, Error> {
        self.conn.send(rb, crate::error::from_response).await
    }

    /// Posts `body` to `path` (under the API root); a stream asks for SSE, other requests
    /// send no `accept`.
    async fn post_json(
        &self,
        path: &str,
        body: &Value,
        extra_headers: &BTreeMap<String, String>,
        stream: bool,
    ) -> Result<llm_router_http::Reply, Error> {
        let mut rb = self.conn.post(path, body, extra_headers, stream)?;
        if stream {
            rb = rb.header("accept", "text/event-stream")?;
        }
        self.send(rb).await
    }

    /// Reads a JSON body, turning an `{"error": …}` body into its error.
    async fn read_json<T: DeserializeOwned>(
        &self,
        resp: llm_router_http::Reply,
    ) -> Result<T, Error> {
        self.conn
            .read_json_checked(resp, crate::error::from_value)
            .await
    }

    /// `/models/{id}:{method}`, under the API root.
    fn model_path(model: &str, method: &str) -> Result<String, Error> {
        Ok(format!("/models/{}:{method}", model_id(model)?))
    }

    /// Downloads the request's remote images through the fetcher (none without one).
    async fn inline_images(&self, req: &ChatRequest) -> Result<InlinedImages, Error> {
        let urls = remote_image_urls(req);
        let Some(fetcher) = &self.fetcher else {
            return Ok(InlinedImages::new());
        };
        if urls.is_empty() {
            return Ok(InlinedImages::new());
        }
        let fetched =
            futures_util::future::try_join_all(urls.iter().map(|u| fetcher.fetch_image(u))).await?;
        Ok(urls
            .into_iter()
            .zip(fetched)
            .map(|(u, img)| {
                let blob = Blob {
                    mime_type: img.mime_type,
                    data: base64::engine::general_purpose::STANDARD.encode(img.bytes),
                };
                (u, blob)
            })
            .collect())
    }

    async fn chat_request(
        &self,
        req: &ChatRequest,
        stream: bool,
    ) -> Result<llm_router_http::Reply, Error> {
        let images = self.inline_images(req).await?;
        let body = convert::chat_body(req, &images)?;
        let path = if stream {
            format!(
                "{}?alt=sse",
                Self::model_path(&req.model, "streamGenerateContent")?
            )
        } else {
            Self::model_path(&req.model, "generateContent")?
        };
        self.post_json(&path, &body, &req.extra_headers, stream)
            .await
    }
}

#[async_trait]
impl ChatProvider for GeminiClient {
    fn name(&self) -> &str {
        PROVIDER
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let resp = self.chat_request(&req, false).await?;
        let body: GenerateContentResponse = self.read_json(resp).await?;
        convert::chat_response(body, ResponseContext::for_request(&req, unix_now()))
    }

    /// Chunks name the model Gemini reports (`modelVersion`), or the requested one.
    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let resp = self.chat_request(&req, true).await?;
        let ctx = ResponseContext::for_request(&req, unix_now());
        let chunks = crate::stream::chat_chunks_with(ctx, self.conn.body_stream(resp));
        self.conn.start_chat_stream(chunks, None).await
    }

    /// `GET /v1beta/models` (all pages); ids without the `models/` prefix.
    async fn list_models(&self) -> Result<Vec<ModelInfo>, Error> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..20 {
            let mut path = "/models?pageSize=1000".to_owned();
            if let Some(t) = &token {
                path.push_str("&pageToken=");
                path.push_str(
                    &url::form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>(),
                );
            }
            let rb = self.conn.get(&path, &BTreeMap::new())?;
            let page: ListModelsResponse = self.read_json(self.send(rb).await?).await?;
            for m in page.models {
                let id = m.name.strip_prefix("models/").unwrap_or(&m.name).to_owned();
                let mut info = ModelInfo::new(id, "google");
                if let Some(n) = m.display_name {
                    info.extra.insert("display_name".into(), n.into());
                }
                if let Some(n) = m.input_token_limit {
                    info.extra.insert("input_token_limit".into(), n.into());
                }
                if let Some(n) = m.output_token_limit {
                    info.extra.insert("output_token_limit".into(), n.into());
                }
                if !m.supported_generation_methods.is_empty() {
                    info.extra.insert(
                        "supported_generation_methods".into(),
                        m.supported_generation_methods.into(),
                    );
                }
                out.push(info);
            }
            token = page.next_page_token.filter(|t| !t.is_empty());
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl EmbeddingProvider for GeminiClient {
    fn name(&self) -> &str {
        PROVIDER
    }

    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        let (endpoint, body) = convert::embed_body(&req)?;
        let method = match endpoint {
            EmbedEndpoint::Single => "embedContent",
            EmbedEndpoint::Batch => "batchEmbedContents",
        };
        let path = Self::model_path(&req.model, method)?;
        let resp = self
            .post_json(&path, &body, &req.extra_headers, false)
            .await?;
        let vectors = match endpoint {
            EmbedEndpoint::Single => {
                let r: EmbedContentResponse = self.read_json(resp).await?;
                vec![r.embedding.values]
            }
            EmbedEndpoint::Batch => {
                let r: BatchEmbedContentsResponse = self.read_json(resp).await?;
                r.embeddings.into_iter().map(|e| e.values).collect()
            }
        };
        if vectors.len() != req.input.len() {
            return Err(Error::new(
                ErrorKind::Decode,
                format!(
                    "Gemini returned {} embeddings for {} inputs",
                    vectors.len(),
                    req.input.len()
                ),
            )
            .with_provider(PROVIDER));
        }
        Ok(convert::embedding_response(&req, vectors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_roots() {
        assert_eq!(
            api_root("https://generativelanguage.googleapis.com"),
            "https://generativelanguage.googleapis.com/v1beta"
        );
        assert_eq!(api_root("http://h:1/"), "http://h:1/v1beta");
        assert_eq!(api_root("http://h:1/v1beta/"), "http://h:1/v1beta");
        assert_eq!(api_root("http://h:1/proxy/v1"), "http://h:1/proxy/v1");
    }
}
