//! The WebSocket API (`wss://spark-api.xf-yun.com`): the original Spark protocol, still the one
//! iFlytek's demos use.
//!
//! Each request opens a socket at a signed URL (HMAC-SHA256 over `host`, `date` and the
//! request line, keyed with the APISecret; the date comes from the [`Clock`]), sends one JSON
//! frame with the whole history, and reads frames with status 0 (first), 1 (middle) and 2
//! (last, with usage) until the server closes. [`Client`] exposes this as the usual
//! [`ChatStream`]; `chat` collects it.
//!
//! What is sent: `temperature`, the output-token limit as `max_tokens`, `user` as the frame's
//! `uid` (at most 32 characters), every key of [`ChatRequest::extra`] into `parameter.chat`
//! (`top_k`, `chat_id`, …), and `tools` as `payload.functions`. Refused before connecting
//! ([`ErrorKind::Unsupported`]): images, tool results or assistant tool calls in the history,
//! forced tool choice, `n > 1`, `response_format` (use the HTTP client for those). Other
//! OpenAI sampling fields (`top_p`, `stop`, penalties, `seed`) have no WebSocket equivalent and
//! are not sent.

mod frame;
mod routes;
mod sign;
mod socket;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use llm_router_core::{
    ApiKey, ChatProvider, ChatRequest, ChatResponse, ChatStream, Error, ErrorKind, collect_stream,
};
use llm_router_http::{StreamTimeouts, start_stream, unix_now, with_timeouts};
use url::Url;

pub use routes::Route;

use crate::{API_KEY_ENV, API_SECRET_ENV, APP_ID_ENV, PROVIDER};
use frame::{ChunkState, request_frame};
use routes::Routes;

/// The WebSocket API's base URL (the path comes from the model's [`Route`]).
pub const DEFAULT_BASE_URL: &str = "wss://spark-api.xf-yun.com";

/// The time source of the signature's `date` (tests pin it; skew over 300 s is refused).
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// A builder for the WebSocket client.
pub fn builder() -> Builder {
    Builder::default()
}

/// A client from the environment: `SPARKAI_APP_ID`, `SPARKAI_API_KEY` and
/// `SPARKAI_API_SECRET` (all required; the names of iFlytek's Python SDK and demos).
pub fn from_env() -> Result<Client, Error> {
    builder().credentials_from_env().build()
}

/// Spark's WebSocket API as a [`ChatProvider`]. Cheap to clone; `Debug` shows no credential.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base: Url,
    app_id: String,
    api_key: ApiKey,
    api_secret: ApiKey,
    routes: Routes,
    clock: Clock,
    connect_timeout: Duration,
    request_timeout: Option<Duration>,
    stream_timeouts: StreamTimeouts,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("spark::ws::Client")
            .field("base_url", &i.base.as_str())
            .field("models", &i.routes.models().collect::<Vec<_>>())
            .field("api_key", &i.api_key)
            .field("api_secret", &i.api_secret)
            .field("connect_timeout", &i.connect_timeout)
            .field("request_timeout", &i.request_timeout)
            .field("stream_timeouts", &i.stream_timeouts)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The route of `model`, if the table has one.
    pub fn route(&self, model: &str) -> Option<&Route> {
        self.inner.routes.get(model)
    }

    /// Connects, sends the request and returns the frames as chunks (errors keep their kinds),
    /// with the stream time limits applied.
    async fn open(&self, req: &ChatRequest) -> Result<ChatStream, Error> {
        let i = &self.inner;
        let route = i.routes.get(&req.model).ok_or_else(|| {
            Error::new(
                ErrorKind::ModelNotFound,
                format!(
                    "Spark's WebSocket API has no route for model {:?} (known: {}); add one with Builder::route",
                    req.model,
                    i.routes.models().collect::<Vec<_>>().join(", ")
                ),
            )
            .with_provider(PROVIDER)
        })?;
        let frame = request_frame(&i.app_id, &route.domain, req)?;
        let url = sign::signed_url(&i.base, &route.path, &i.api_key, &i.api_secret, (i.clock)());
        let mut socket = socket::connect(&url, i.connect_timeout).await?;
        socket::send_request(&mut socket, &frame).await?;
        let chunks = socket::frames(socket, ChunkState::new(req.model.clone(), unix_now()));
        Ok(Box::pin(with_timeouts(PROVIDER, chunks, i.stream_timeouts)))
    }
}

#[async_trait]
impl ChatProvider for Client {
    fn name(&self) -> &str {
        PROVIDER
    }

    /// The collected stream. An error after some content keeps its own kind here (a 10014
    /// output moderation is [`ErrorKind::ContentFiltered`]).
    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let run = async { collect_stream(self.open(&req).await?).await };
        match self.inner.request_timeout {
            None => run.await,
            Some(t) => tokio::time::timeout(t, run).await.unwrap_or_else(|_| {
                Err(Error::new(
                    ErrorKind::Timeout,
                    format!("no complete answer within {t:?}"),
                )
                .with_provider(PROVIDER))
            }),
        }
    }

    /// Returns after the first frame: an error before any content is this `Err`; after it,
    /// failures are [`ErrorKind::StreamInterrupted`].
    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        start_stream(PROVIDER, self.open(&req).await?).await
    }
}

/// Builds a [`Client`].
pub struct Builder {
    app_id: Option<String>,
    api_key: Option<ApiKey>,
    api_secret: Option<ApiKey>,
    base_url: String,
    routes: Routes,
    clock: Clock,
    connect_timeout: Duration,
    request_timeout: Option<Duration>,
    stream_timeouts: StreamTimeouts,
}

impl Default for Builder {
    fn default() -> Self {
        Self {
            app_id: None,
            api_key: None,
            api_secret: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            routes: Routes::default(),
            clock: Arc::new(SystemTime::now),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Some(Duration::from_secs(600)),
            stream_timeouts: StreamTimeouts::new(Some(Duration::from_secs(300)), None),
        }
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("spark::ws::Builder")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key)
            .field("api_secret", &self.api_secret)
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// Sets the APPID (sent in every request frame's `header.app_id`).
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// Sets the APIKey (named in the authorization).
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Sets the APISecret (the HMAC key; never sent).
    pub fn api_secret(mut self, secret: impl Into<ApiKey>) -> Self {
        self.api_secret = Some(secret.into());
        self
    }

    /// Reads whichever of `SPARKAI_APP_ID`, `SPARKAI_API_KEY`, `SPARKAI_API_SECRET` are set.
    pub fn credentials_from_env(mut self) -> Self {
        if let Some(id) = std::env::var(APP_ID_ENV)
            .ok()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
        {
            self.app_id = Some(id);
        }
        if let Some(k) = ApiKey::from_env(API_KEY_ENV) {
            self.api_key = Some(k);
        }
        if let Some(s) = ApiKey::from_env(API_SECRET_ENV) {
            self.api_secret = Some(s);
        }
        self
    }

    /// Overrides the base URL (`ws://` or `wss://`, no path: proxies, tests).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Serves `model` at `route` (a new model, or another path/domain for a known one).
    pub fn route(mut self, model: impl Into<String>, route: Route) -> Self {
        self.routes.set(model.into(), route);
        self
    }

    /// The clock the signature's date is read from (default: the system clock).
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Time to open the socket, TLS and upgrade included (default 10 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// Deadline of `chat` (the whole answer; default 600 s; `None` for none).
    pub fn request_timeout(mut self, t: Option<Duration>) -> Self {
        self.request_timeout = t;
        self
    }

    /// Idle and total limits of streams (default: 300 s idle, no total).
    pub fn stream_timeouts(mut self, t: StreamTimeouts) -> Self {
        self.stream_timeouts = t;
        self
    }

    /// Builds the client: [`ErrorKind::Config`] when a credential is missing or the base URL
    /// is not a `ws://`/`wss://` URL.
    pub fn build(self) -> Result<Client, Error> {
        let missing = |what: &str, var: &str| {
            Error::new(
                ErrorKind::Config,
                format!("no {what} for Spark's WebSocket API (set {var})"),
            )
            .with_provider(PROVIDER)
        };
        let app_id = self.app_id.ok_or_else(|| missing("APPID", APP_ID_ENV))?;
        let api_key = self.api_key.ok_or_else(|| missing("APIKey", API_KEY_ENV))?;
        let api_secret = self
            .api_secret
            .ok_or_else(|| missing("APISecret", API_SECRET_ENV))?;
        let base = Url::parse(&self.base_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "ws" | "wss") && u.host_str().is_some())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Config,
                    format!("invalid WebSocket base URL for Spark: {:?}", self.base_url),
                )
                .with_provider(PROVIDER)
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                base,
                app_id,
                api_key,
                api_secret,
                routes: self.routes,
                clock: self.clock,
                connect_timeout: self.connect_timeout,
                request_timeout: self.request_timeout,
                stream_timeouts: self.stream_timeouts,
            }),
        })
    }
}
