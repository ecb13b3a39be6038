//! The legacy ERNIE API ("wenxinworkshop", `https://aip.baidubce.com`): deprecated by Baidu in
//! favour of [v2](crate::v2), still found in older accounts and deployments.
//!
//! - **Auth.** An access token obtained from the API key and secret key
//!   (`POST /oauth/2.0/token?grant_type=client_credentials&client_id=…&client_secret=…`), sent
//!   as the `access_token` query parameter. It is cached, refreshed [a margin](Builder::token_refresh_margin)
//!   before its `expires_in` runs out, fetched **once** for any number of concurrent callers,
//!   and fetched again — with the call retried once — when the API answers 110 (token
//!   invalid) or 111 (token expired). A token obtained elsewhere can be given with
//!   [`Builder::access_token`].
//! - **Chat.** `POST /rpc/2.0/ai_custom/v1/wenxinworkshop/chat/{endpoint}`, the endpoint
//!   derived from the model (`ERNIE-4.0-8K` → `completions_pro`, `ERNIE-Speed-128K` →
//!   `ernie-speed-128k`, a custom deployment's endpoint as given). The body rules (top-level
//!   `system`, alternating roles, merged same-role messages, `function` results, temperature
//!   in (0, 1]) are described in the request module; what cannot be expressed (images,
//!   several tool calls in one turn, `tool_choice: required`, `json_schema`) is refused
//!   before sending.
//! - **Errors** come with HTTP 200 and `{"error_code", "error_msg"}`; every body is inspected
//!   and the code decides the kind (4/18/336501/336502 rate limited, 17/19 quota, 110/111
//!   authentication, 6/336004 permission, 100/336001–336003 invalid request, 1/2/336000/336100
//!   provider unavailable, 336005 model not found).
//! - **Streams** end at the event with `is_end: true` (no `[DONE]`); one that ends without it
//!   is [`ErrorKind::StreamInterrupted`].
//! - **Embeddings.** `POST /rpc/2.0/ai_custom/v1/wenxinworkshop/embeddings/{model}`
//!   (`embedding-v1`, `bge_large_zh`, `bge_large_en`, `tao_8k`), at most 16 texts per call.
//! - **Secrets** (keys and tokens) are [`ApiKey`]s, never printed by `Debug`, and removed
//!   from every error message, including any `access_token=`/`client_secret=` query value.

mod endpoints;
mod redact;
mod request;
mod response;
mod stream;
mod token;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt as _;
use llm_router_core::{
    ApiKey, ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider,
    EmbeddingRequest, EmbeddingResponse, Error, ErrorKind,
};
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_http::{
    AuthScheme, Connection, ConnectionSettings, Outgoing, Reply, StreamTimeouts, classify, reqwest,
    start_stream,
};
use serde_json::Value;

use self::redact::scrub;
use self::token::{Credentials, DEFAULT_REFRESH_MARGIN, TokenSource};
use crate::PROVIDER;
use crate::codes::{error_in_body, is_token_rejection};

/// The legacy API's base URL (also the token endpoint's host).
pub const DEFAULT_BASE_URL: &str = "https://aip.baidubce.com";

/// The path of the token endpoint below the base URL.
pub const TOKEN_PATH: &str = "/oauth/2.0/token";

/// The path prefix of the model APIs below the base URL.
pub const API_PREFIX: &str = "/rpc/2.0/ai_custom/v1/wenxinworkshop";

/// The environment variable holding the API key (the official SDK's name).
pub const API_KEY_ENV: &str = "QIANFAN_AK";

/// The environment variable holding the secret key (the official SDK's name).
pub const SECRET_KEY_ENV: &str = "QIANFAN_SK";

/// The environment variable holding an access token obtained elsewhere (the SDK's name).
pub const ACCESS_TOKEN_ENV: &str = "QIANFAN_ACCESS_TOKEN";

/// The environment variable overriding the base URL (the SDK's name).
pub const BASE_URL_ENV: &str = "QIANFAN_BASE_URL";

/// The temperature sent for a requested temperature of 0 or less: the legacy API takes values
/// in (0, 1] and rejects 0, so "as deterministic as possible" becomes this smallest value.
pub const MIN_TEMPERATURE: f64 = 0.01;

/// The legacy chat stream parser: raw body bytes → chunks for `model`. A pure function (the
/// client uses it on the response body), exposed for tests that replay transcripts.
pub fn parse_stream(bytes: llm_router_http::ByteStream, model: &str) -> ChatStream {
    stream::chat_chunks(bytes, model.to_owned())
}

/// A builder for the legacy client; give `.api_key(…)` and `.secret_key(…)`, or an
/// `.access_token(…)`.
pub fn builder() -> Builder {
    Builder {
        settings: ConnectionSettings::new(DEFAULT_BASE_URL),
        token_url: None,
        api_key: None,
        secret_key: None,
        access_token: None,
        margin: DEFAULT_REFRESH_MARGIN,
        token_timeout: Duration::from_secs(10),
    }
}

/// A client configured from the environment: [`API_KEY_ENV`] and [`SECRET_KEY_ENV`], and/or
/// [`ACCESS_TOKEN_ENV`]; [`BASE_URL_ENV`] optional.
pub fn from_env() -> Result<Client, Error> {
    let mut b = builder();
    if let Some(k) = ApiKey::from_env(API_KEY_ENV) {
        b = b.api_key(k);
    }
    if let Some(k) = ApiKey::from_env(SECRET_KEY_ENV) {
        b = b.secret_key(k);
    }
    if let Some(t) = ApiKey::from_env(ACCESS_TOKEN_ENV) {
        b = b.access_token(t);
    }
    if let Some(url) = std::env::var(BASE_URL_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        b = b.base_url(url.trim());
    }
    b.build()
}

/// Builds a legacy [`Client`].
pub struct Builder {
    /// No key (the token goes in the query); the base URL is the host, without the API prefix.
    settings: ConnectionSettings,
    token_url: Option<String>,
    api_key: Option<ApiKey>,
    secret_key: Option<ApiKey>,
    access_token: Option<ApiKey>,
    margin: Duration,
    token_timeout: Duration,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("base_url", &self.settings.base_url)
            .field("token_url", &self.token_url)
            .field("api_key", &self.api_key)
            .field("secret_key", &self.secret_key)
            .field("access_token", &self.access_token)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// Sets the API key (the `client_id` of the token request).
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Sets the secret key (the `client_secret` of the token request).
    pub fn secret_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.secret_key = Some(key.into());
        self
    }

    /// Starts from an access token obtained elsewhere. With keys too, it is replaced when the
    /// API rejects it; without keys, a rejection is an [`ErrorKind::Authentication`] error.
    pub fn access_token(mut self, token: impl Into<ApiKey>) -> Self {
        self.access_token = Some(token.into());
        self
    }

    /// Overrides the base URL (proxies, tests); the token endpoint moves with it unless set
    /// with [`Builder::token_url`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.settings.base_url = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// Overrides the token endpoint's full URL.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// How long before its `expires_in` runs out a token is replaced (default one hour;
    /// at most half the token's lifetime is used, so short-lived tokens are still reused).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Deadline of a token request (default 10 s).
    pub fn token_timeout(mut self, t: Duration) -> Self {
        self.token_timeout = t;
        self
    }

    /// Adds a header sent with every model request.
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

    /// Builds the client. Fails with [`ErrorKind::Config`] without an API key + secret key
    /// pair or an access token, with only one of the pair, or with an invalid URL.
    pub fn build(mut self) -> Result<Client, Error> {
        let config = |m: String| Error::new(ErrorKind::Config, m).with_provider(PROVIDER);
        let credentials = match (self.api_key, self.secret_key) {
            (Some(api_key), Some(secret_key)) => Some(Credentials {
                api_key,
                secret_key,
            }),
            (None, None) => None,
            _ => {
                return Err(config(format!(
                    "the legacy ERNIE API needs both the API key and the secret key \
                     ({API_KEY_ENV}, {SECRET_KEY_ENV})"
                )));
            }
        };
        if credentials.is_none() && self.access_token.is_none() {
            return Err(config(format!(
                "no credentials for the legacy ERNIE API (set {API_KEY_ENV} and \
                 {SECRET_KEY_ENV}, or {ACCESS_TOKEN_ENV})"
            )));
        }
        let token_url = self
            .token_url
            .unwrap_or_else(|| format!("{}{TOKEN_PATH}", self.settings.base_url));
        for url in [&self.settings.base_url, &token_url] {
            if reqwest::Url::parse(url).is_err() {
                return Err(config(format!("invalid URL for ernie: {url:?}")));
            }
        }
        self.settings.base_url.push_str(API_PREFIX);
        let conn = self.settings.connect(PROVIDER, AuthScheme::Bearer)?;
        let tokens = TokenSource::new(
            credentials,
            self.access_token,
            token_url,
            conn.client()?,
            self.token_timeout,
            self.margin,
        );
        Ok(Client {
            inner: Arc::new(Inner { conn, tokens }),
        })
    }
}

/// The legacy ERNIE client. Cheap to clone: clones share the token cache. Its `Debug` output
/// shows no key, secret or token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    conn: Connection,
    tokens: TokenSource,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ernie::legacy::Client")
            .field("base_url", &self.inner.conn.base_url)
            .field("tokens", &self.inner.tokens)
            .finish_non_exhaustive()
    }
}

/// What a call sends: the path below the API prefix and the JSON body.
struct Call<'a> {
    path: String,
    body: &'a Value,
    extra_headers: &'a BTreeMap<String, String>,
    stream: bool,
}

impl Client {
    /// A builder (same as [`builder`]).
    pub fn builder() -> Builder {
        builder()
    }

    /// `err` without any secret of this client (keys, `token`, query values).
    fn scrub(&self, err: Error, token: &ApiKey) -> Error {
        let mut known = self.inner.tokens.secrets();
        known.push(token);
        scrub(err, &known)
    }

    fn request(&self, call: &Call<'_>, token: &ApiKey) -> Result<Outgoing, Error> {
        self.inner
            .conn
            .post_json(&call.path, call.body, call.extra_headers, call.stream)?
            .query(&[("access_token", token.expose())])
    }

    /// Sends `call` with the current token; a 110/111 answer (in the status line, a JSON body or
    /// the first stream event) gets a new token and one retry. `finish` reads a successful
    /// response; the token that succeeded is returned with its result.
    async fn with_token<T, F, Fut>(&self, call: &Call<'_>, finish: F) -> Result<(T, ApiKey), Error>
    where
        F: Fn(Reply) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let mut token = self.inner.tokens.current().await?;
        let mut retried = false;
        loop {
            let result = self.send_once(call, &token, &finish).await;
            match result {
                Err(e) if !retried && is_token_rejection(&e) => {
                    match self.inner.tokens.replace(&token).await? {
                        Some(next) => {
                            token = next;
                            retried = true;
                        }
                        None => return Err(self.scrub(e, &token)),
                    }
                }
                Err(e) => return Err(self.scrub(e, &token)),
                Ok(t) => return Ok((t, token)),
            }
        }
    }

    async fn send_once<T, F, Fut>(
        &self,
        call: &Call<'_>,
        token: &ApiKey,
        finish: &F,
    ) -> Result<T, Error>
    where
        F: Fn(Reply) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let rb = self.request(call, token)?;
        let resp = self.inner.conn.send(rb, http_error).await?;
        finish(resp).await
    }

    /// Reads a JSON body; an `error_code` in it is the error.
    async fn read_json(resp: Reply) -> Result<(Value, Vec<u8>), Error> {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes(PROVIDER).await?;
        let v: Value = llm_router_http::parse_json(PROVIDER, &bytes)?;
        if let Some(e) = error_in_body(&v, Some(status), &headers) {
            return Err(e);
        }
        Ok((v, bytes.to_vec()))
    }

    /// Starts a chat stream from a successful response: a JSON body is an error (or an
    /// unexpected answer); otherwise the event stream, whose first event may be an error too.
    async fn start(&self, resp: Reply, model: String) -> Result<ChatStream, Error> {
        let is_json = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.contains("json"));
        if is_json {
            Self::read_json(resp).await?;
            return Err(Error::new(
                ErrorKind::Decode,
                "expected an event stream, got a JSON body without an error",
            )
            .with_provider(PROVIDER));
        }
        let bytes = self.inner.conn.body_stream(resp);
        start_stream(PROVIDER, stream::chat_chunks(bytes, model)).await
    }
}

/// A non-2xx answer: the `error_code` body if there is one, else the shared classification.
fn http_error(status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| error_in_body(&v, Some(status), headers))
        .unwrap_or_else(|| classify(PROVIDER, status, headers, body))
}

#[async_trait]
impl ChatProvider for Client {
    fn name(&self) -> &str {
        PROVIDER
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let body = request::chat_body(&req, false)?;
        let call = Call {
            path: format!("/chat/{}", endpoints::chat_endpoint(&req.model)),
            body: &body,
            extra_headers: &req.extra_headers,
            stream: false,
        };
        let ((v, raw), _) = self.with_token(&call, Self::read_json).await?;
        Ok(response::parse_chat(v, &raw)?.into_response(&req.model))
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let body = request::chat_body(&req, true)?;
        let call = Call {
            path: format!("/chat/{}", endpoints::chat_endpoint(&req.model)),
            body: &body,
            extra_headers: &req.extra_headers,
            stream: true,
        };
        let model = req.model.clone();
        let (stream, token) = self
            .with_token(&call, |resp| self.start(resp, model.clone()))
            .await?;
        // Errors after the first chunk are scrubbed too (a stream event could echo a token).
        let this = self.clone();
        Ok(Box::pin(
            stream.map(move |item| item.map_err(|e| this.scrub(e, &token))),
        ))
    }
}

#[async_trait]
impl EmbeddingProvider for Client {
    fn name(&self) -> &str {
        PROVIDER
    }

    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        let body = request::embedding_body(&req)?;
        let call = Call {
            path: format!("/embeddings/{}", endpoints::embedding_endpoint(&req.model)),
            body: &body,
            extra_headers: &req.extra_headers,
            stream: false,
        };
        let ((v, raw), _) = self.with_token(&call, Self::read_json).await?;
        response::embeddings(v, &raw, &req.model)
    }
}
