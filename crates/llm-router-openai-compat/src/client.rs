//! The client: one [`Dialect`], a key, an HTTP client; implements the provider traits.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use llm_router_core::{
    ApiKey, ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider,
    EmbeddingRequest, EmbeddingResponse, Error, ErrorKind, ImageProvider, ImageRequest,
    ImageResponse, ModelInfo, ModelList,
};
use llm_router_http::http::Uri;
use llm_router_http::reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use llm_router_http::reqwest::{self, Method};
use llm_router_http::{
    Outgoing, Reply, StreamTimeouts, Transport, classify, start_stream, with_timeouts,
};
use serde_json::Value;

use crate::dialect::{Auth, Dialect, Endpoint};
use crate::request::{chat_body, embedding_body, image_body};
use crate::response::{decode, decode_chat};
use crate::stream::chat_chunks;

/// A client for one OpenAI-dialect vendor.
///
/// Cheap to clone (shared state is behind `Arc`s). Its `Debug` output never shows the key.
#[derive(Clone)]
pub struct OpenAiCompatClient {
    dialect: Arc<Dialect>,
    key: Option<ApiKey>,
    /// The caller's client, or `None` for the shared pool of the runtime each request runs on
    /// ([`llm_router_http::shared_client`]).
    http: Option<reqwest::Client>,
    request_timeout: Option<Duration>,
    stream_timeouts: StreamTimeouts,
    /// The chat URL parsed once, when no hook can change it per request and no key travels
    /// in it (parsing a URL costs more than the rest of building the request).
    chat_uri: Option<Uri>,
    /// Headers of every request: the dialect's, and the key's unless a hook makes it per
    /// request or it travels in the query.
    headers: HeaderMap,
    /// Whether `headers` holds the key's header already.
    auth_in_headers: bool,
}

impl fmt::Debug for OpenAiCompatClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiCompatClient")
            .field("provider", &self.dialect.name)
            .field("base_url", &self.dialect.base_url)
            .field("key", &self.key)
            .field("request_timeout", &self.request_timeout)
            .field("stream_timeouts", &self.stream_timeouts)
            .finish()
    }
}

/// Builds an [`OpenAiCompatClient`].
#[derive(Debug)]
pub struct OpenAiCompatBuilder {
    dialect: Dialect,
    key: Option<ApiKey>,
    http: Option<reqwest::Client>,
    request_timeout: Option<Duration>,
    stream_timeouts: StreamTimeouts,
}

impl OpenAiCompatBuilder {
    /// A builder for `dialect`.
    pub fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            key: None,
            http: None,
            request_timeout: Some(Duration::from_secs(600)),
            stream_timeouts: StreamTimeouts::new(Some(Duration::from_secs(300)), None),
        }
    }

    /// Sets the API key.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Reads the API key from `var` if it is set.
    pub fn api_key_from_env(mut self, var: &str) -> Self {
        if let Some(k) = ApiKey::from_env(var) {
            self.key = Some(k);
        }
        self
    }

    /// The API key set so far, if any (for preset builders that check it before building).
    pub fn configured_api_key(&self) -> Option<&ApiKey> {
        self.key.as_ref()
    }

    /// Overrides the base URL (proxies, self-hosted servers, tests).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.dialect.base_url = url.into();
        self
    }

    /// Overrides the base URL with the value of `var`, trimmed, if it is set and not blank.
    pub fn base_url_from_env(self, var: &str) -> Self {
        match crate::preset::env_var(var) {
            Some(url) => self.base_url(url),
            None => self,
        }
    }

    /// Adds a header sent with every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.dialect
            .default_headers
            .push((name.into(), value.into()));
        self
    }

    /// Uses this HTTP client instead of the shared transport (its proxies, roots and
    /// identities apply). Without one, requests go out on the runtime's shared
    /// [`Transport`](llm_router_http::Transport): hyper-util directly, or reqwest when a proxy
    /// is configured in the environment.
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

    /// Changes the dialect in place (quirks, hooks).
    pub fn map_dialect(mut self, f: impl FnOnce(Dialect) -> Dialect) -> Self {
        self.dialect = f(self.dialect);
        self
    }

    /// Builds the client. Fails with [`ErrorKind::Config`] when the dialect needs a key and
    /// none was given, or the base URL is not a URL.
    pub fn build(self) -> Result<OpenAiCompatClient, Error> {
        let d = &self.dialect;
        if self.key.is_none() && d.auth != Auth::None {
            let hint = d
                .api_key_env
                .as_deref()
                .map(|v| format!(" (set {v})"))
                .unwrap_or_default();
            return Err(Error::new(
                ErrorKind::Config,
                format!("no API key for {}{hint}", d.name),
            )
            .with_provider(d.name.as_str()));
        }
        if reqwest::Url::parse(&d.base_url).is_err() {
            return Err(Error::new(
                ErrorKind::Config,
                format!("invalid base URL for {}: {:?}", d.name, d.base_url),
            )
            .with_provider(d.name.as_str()));
        }
        if self.http.is_none() {
            // Fail here, not on the first request, when no client can be built at all.
            llm_router_http::shared_client()?;
        }
        let mut headers = HeaderMap::new();
        // Later defaults (the configuration's) replace earlier ones (a preset's).
        for (k, v) in &d.default_headers {
            let (name, value) = header_pair(k, v, d)?;
            headers.insert(name, value);
        }
        // Without hooks (which may change the URL or the key's header per request) and with
        // the key outside the URL, both are fixed: build them once.
        let fixed = d.hooks.is_none() && !matches!(d.auth, Auth::Query(_));
        if fixed && let Some((name, value)) = key_header(self.key.as_ref(), d)? {
            headers.append(name, value);
        }
        let chat_uri = fixed
            .then(|| d.url(Endpoint::ChatCompletions, "").parse::<Uri>().ok())
            .flatten();
        Ok(OpenAiCompatClient {
            dialect: Arc::new(self.dialect),
            key: self.key,
            http: self.http,
            request_timeout: self.request_timeout,
            stream_timeouts: self.stream_timeouts,
            chat_uri,
            headers,
            auth_in_headers: fixed,
        })
    }
}

/// A configuration error naming the bad header.
fn bad_header(name: &str, d: &Dialect) -> Error {
    Error::new(
        ErrorKind::Config,
        format!("invalid header {name:?} for {}", d.name),
    )
    .with_provider(d.name.as_str())
}

/// A configured header name, checked.
fn header_name(name: &str, d: &Dialect) -> Result<HeaderName, Error> {
    HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad_header(name, d))
}

/// A configured header, checked (a bad name or value is a configuration error).
fn header_pair(name: &str, value: &str, d: &Dialect) -> Result<(HeaderName, HeaderValue), Error> {
    let value = HeaderValue::from_str(value).map_err(|_| bad_header(name, d))?;
    Ok((header_name(name, d)?, value))
}

/// The key's header under the dialect's scheme (`None` without a key, or when it travels in
/// the query), marked sensitive.
fn key_header(
    key: Option<&ApiKey>,
    d: &Dialect,
) -> Result<Option<(HeaderName, HeaderValue)>, Error> {
    let Some(key) = key else { return Ok(None) };
    Ok(match &d.auth {
        Auth::Bearer => Some((
            header::AUTHORIZATION,
            sensitive(&format!("Bearer {}", key.expose()), d)?,
        )),
        Auth::Header(name) => Some((header_name(name, d)?, sensitive(key.expose(), d)?)),
        Auth::Query(_) | Auth::None => None,
    })
}

impl OpenAiCompatClient {
    /// A builder for `dialect`.
    pub fn builder(dialect: Dialect) -> OpenAiCompatBuilder {
        OpenAiCompatBuilder::new(dialect)
    }

    /// The dialect.
    pub fn dialect(&self) -> &Dialect {
        &self.dialect
    }

    /// The transport this request goes out on: the caller's client, else the runtime's
    /// shared transport.
    fn transport(&self) -> Result<Transport, Error> {
        Transport::pick(self.http.as_ref())
    }

    fn uri(&self, endpoint: Endpoint, model: &str) -> Result<Uri, Error> {
        let d = &self.dialect;
        if let (Some(uri), Endpoint::ChatCompletions) = (&self.chat_uri, endpoint) {
            return Ok(uri.clone());
        }
        let url = d.url(endpoint, model);
        let invalid = || {
            Error::new(
                ErrorKind::Config,
                format!("invalid URL for {}: {url:?}", d.name),
            )
            .with_provider(d.name.as_str())
        };
        match (&d.auth, &self.key) {
            (Auth::Query(param), Some(key)) => {
                let mut with_key = reqwest::Url::parse(&url).map_err(|_| invalid())?;
                with_key.query_pairs_mut().append_pair(param, key.expose());
                with_key.as_str().parse().map_err(|_| invalid())
            }
            _ => url.parse().map_err(|_| invalid()),
        }
    }

    fn request(
        &self,
        method: Method,
        endpoint: Endpoint,
        model: &str,
        extra_headers: &std::collections::BTreeMap<String, String>,
        body: Bytes,
    ) -> Result<Outgoing, Error> {
        let d = &self.dialect;
        let mut headers = self.headers.clone();
        if !self.auth_in_headers {
            let custom = match (&self.key, &d.hooks) {
                (Some(k), Some(h)) => h.auth_header(k)?,
                _ => None,
            };
            let auth = match custom {
                Some((name, value)) => Some((header_name(&name, d)?, sensitive(&value, d)?)),
                None => key_header(self.key.as_ref(), d)?,
            };
            if let Some((name, value)) = auth {
                headers.append(name, value);
            }
        }
        // The request's headers replace the configured ones of the same name.
        for (k, v) in extra_headers {
            let (name, value) = header_pair(k, v, d)?;
            headers.insert(name, value);
        }
        if !body.is_empty() {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        Ok(Outgoing {
            method,
            uri: self.uri(endpoint, model)?,
            headers,
            body,
            timeout: None,
        })
    }

    fn classify(&self, status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
        let d = &self.dialect;
        d.hooks
            .as_ref()
            .and_then(|h| h.map_error(status, headers, body))
            .unwrap_or_else(|| classify(&d.name, status, headers, body))
    }

    /// A JSON `POST` of `body` that accepts `accept`, with deadline `timeout`.
    fn json_post(
        &self,
        endpoint: Endpoint,
        model: &str,
        body: &Value,
        extra_headers: &std::collections::BTreeMap<String, String>,
        accept: &'static str,
        timeout: Option<Duration>,
    ) -> Result<Outgoing, Error> {
        let body = json_bytes(body)?;
        let mut req = self.request(Method::POST, endpoint, model, extra_headers, body)?;
        req.headers
            .insert(header::ACCEPT, HeaderValue::from_static(accept));
        req.timeout = timeout;
        Ok(req)
    }

    /// A JSON `POST`, its whole answer read within the request timeout.
    async fn post_json(
        &self,
        endpoint: Endpoint,
        model: &str,
        body: &Value,
        extra_headers: &std::collections::BTreeMap<String, String>,
    ) -> Result<Bytes, Error> {
        let accept = "application/json";
        let req = self.json_post(
            endpoint,
            model,
            body,
            extra_headers,
            accept,
            self.request_timeout,
        )?;
        self.transport()?
            .fetch(&self.dialect.name, req, self.key.as_ref(), |s, h, b| {
                self.classify(s, h, b)
            })
            .await
    }

    /// A streaming JSON `POST`: the answer once its head arrives (within the stream's idle
    /// timeout).
    async fn post_stream(
        &self,
        endpoint: Endpoint,
        model: &str,
        body: &Value,
        extra_headers: &std::collections::BTreeMap<String, String>,
    ) -> Result<Reply, Error> {
        let accept = "text/event-stream";
        let idle = self.stream_timeouts.idle;
        let req = self.json_post(endpoint, model, body, extra_headers, accept, idle)?;
        self.transport()?
            .send(&self.dialect.name, req, self.key.as_ref(), |s, h, b| {
                self.classify(s, h, b)
            })
            .await
    }

    /// Generates images (`POST /images/generations`), where the dialect serves it.
    pub async fn generate_images(&self, req: ImageRequest) -> Result<ImageResponse, Error> {
        let body = image_body(&self.dialect, &req)?;
        let model = req.model.clone().unwrap_or_default();
        let bytes = self
            .post_json(
                Endpoint::ImageGenerations,
                &model,
                &body,
                &Default::default(),
            )
            .await?;
        decode(&self.dialect, Endpoint::ImageGenerations, &bytes)
    }
}

/// A JSON body's bytes.
fn json_bytes(body: &Value) -> Result<Bytes, Error> {
    serde_json::to_vec(body).map(Bytes::from).map_err(|e| {
        Error::new(
            ErrorKind::InvalidRequest,
            format!("cannot encode the request: {e}"),
        )
    })
}

fn sensitive(value: &str, d: &Dialect) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        Error::new(
            ErrorKind::Config,
            format!("the API key for {} is not a valid header value", d.name),
        )
        .with_provider(d.name.as_str())
    })?;
    v.set_sensitive(true);
    Ok(v)
}

#[async_trait]
impl ChatProvider for OpenAiCompatClient {
    fn name(&self) -> &str {
        &self.dialect.name
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let body = chat_body(&self.dialect, &req, false)?;
        let bytes = self
            .post_json(
                Endpoint::ChatCompletions,
                &req.model,
                &body,
                &req.extra_headers,
            )
            .await?;
        decode_chat(&self.dialect, &bytes)
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let body = chat_body(&self.dialect, &req, true)?;
        let reply = self
            .post_stream(
                Endpoint::ChatCompletions,
                &req.model,
                &body,
                &req.extra_headers,
            )
            .await?;
        let bytes = reply.into_stream(&self.dialect.name);
        let bytes = Box::pin(with_timeouts(
            &self.dialect.name,
            bytes,
            self.stream_timeouts,
        ));
        start_stream(&self.dialect.name, chat_chunks(self.dialect.clone(), bytes)).await
    }

    async fn list_models(&self) -> Result<Vec<ModelInfo>, Error> {
        if !self.dialect.quirks.supports_models {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!("{} cannot list models", self.dialect.name),
            ));
        }
        let mut req = self.request(
            Method::GET,
            Endpoint::Models,
            "",
            &Default::default(),
            Bytes::new(),
        )?;
        req.timeout = self.request_timeout;
        let name = &self.dialect.name;
        let bytes = self
            .transport()?
            .fetch(name, req, self.key.as_ref(), |s, h, b| {
                self.classify(s, h, b)
            })
            .await?;
        let list: ModelList = decode(&self.dialect, Endpoint::Models, &bytes)?;
        Ok(list.data)
    }
}

#[async_trait]
impl EmbeddingProvider for OpenAiCompatClient {
    fn name(&self) -> &str {
        &self.dialect.name
    }

    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        let body = embedding_body(&self.dialect, &req)?;
        let bytes = self
            .post_json(Endpoint::Embeddings, &req.model, &body, &req.extra_headers)
            .await?;
        decode(&self.dialect, Endpoint::Embeddings, &bytes)
    }
}

#[async_trait]
impl ImageProvider for OpenAiCompatClient {
    fn name(&self) -> &str {
        &self.dialect.name
    }

    async fn generate(&self, req: ImageRequest) -> Result<ImageResponse, Error> {
        self.generate_images(req).await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use llm_router_core::{ChatProvider as _, ChatRequest, Message};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use crate::{Dialect, OpenAiCompatClient};

    const COMPLETION: &str = r#"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}"#;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// Without a client of its own, each request takes the pool of the runtime it runs on. A
    /// pooled connection is driven by the runtime that opened it: here the first runtime
    /// is alive but idle (nothing runs `block_on` on it), so a request on the second runtime
    /// that borrowed its connection would wait forever. The same rule keeps every request of
    /// the gateway's event loops on its own thread.
    #[test]
    fn requests_use_the_pool_of_the_runtime_they_run_on() {
        let first = runtime();
        let (server, client) = first.block_on(async {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path("/v1/chat/completions"))
                .respond_with(
                    ResponseTemplate::new(200).set_body_raw(COMPLETION, "application/json"),
                )
                .expect(2)
                .mount(&server)
                .await;
            let client =
                OpenAiCompatClient::builder(Dialect::new("acme", format!("{}/v1", server.uri())))
                    .api_key("k")
                    .build()
                    .unwrap();
            let req = ChatRequest::new("m", vec![Message::user("hi")]);
            client.chat(req).await.unwrap();
            (server, client)
        });
        let second = runtime();
        second.block_on(async {
            let req = ChatRequest::new("m", vec![Message::user("hi")]);
            let resp = tokio::time::timeout(std::time::Duration::from_secs(5), client.chat(req))
                .await
                .expect("the request waited on the idle runtime's connection")
                .unwrap();
            assert_eq!(resp.text(), "hi");
            server.verify().await;
        });
        drop(first);
    }
}
