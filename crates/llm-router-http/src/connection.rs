//! What every native provider client needs to send a request: base URL, key and how it is
//! sent, extra headers, the HTTP client and the timeouts. One implementation, so a fix to
//! auth, headers, timeouts, redaction or stream limits reaches every provider.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use llm_router_core::{ApiKey, Error, ErrorKind};
use reqwest::header::{HeaderMap, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use futures_util::StreamExt as _;
use llm_router_core::ChatStream;

use crate::body::{ByteStream, byte_stream, decode_error, read_body, send_checked};
use crate::stream_guard::start_stream;
use crate::timeout::{StreamTimeouts, with_timeouts};

/// How the key is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthScheme {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// `<header>: <key>` (`x-api-key`, `x-goog-api-key`).
    Header(&'static str),
}

/// A provider's connection settings and the request plumbing built on them.
#[derive(Clone)]
pub struct Connection {
    /// Provider name, for errors.
    pub provider: &'static str,
    /// Base URL; request paths are appended to it.
    pub base_url: String,
    /// The key, if any.
    pub key: Option<ApiKey>,
    /// How the key is sent.
    pub auth: AuthScheme,
    /// Headers sent with every request.
    pub headers: Vec<(String, String)>,
    /// The HTTP client.
    pub http: reqwest::Client,
    /// Deadline of a non-streaming request.
    pub request_timeout: Option<Duration>,
    /// Idle and total limits of streams.
    pub stream_timeouts: StreamTimeouts,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .field("key", &self.key)
            .field("request_timeout", &self.request_timeout)
            .field("stream_timeouts", &self.stream_timeouts)
            .finish()
    }
}

impl Connection {
    /// A request to `<base_url><path>` with the key (header marked sensitive) and the
    /// connection's and the request's extra headers.
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        extra_headers: &BTreeMap<String, String>,
    ) -> Result<reqwest::RequestBuilder, Error> {
        let mut rb = self
            .http
            .request(method, format!("{}{path}", self.base_url));
        if let Some(key) = &self.key {
            let (name, value) = match &self.auth {
                AuthScheme::Bearer => ("authorization", format!("Bearer {}", key.expose())),
                AuthScheme::Header(name) => (*name, key.expose().to_owned()),
            };
            let mut value = HeaderValue::from_str(&value).map_err(|_| {
                Error::new(
                    ErrorKind::Config,
                    format!(
                        "the API key for {} is not a valid header value",
                        self.provider
                    ),
                )
                .with_provider(self.provider)
            })?;
            value.set_sensitive(true);
            rb = rb.header(name, value);
        }
        for (k, v) in self
            .headers
            .iter()
            .map(|(k, v)| (k, v))
            .chain(extra_headers.iter())
        {
            rb = rb.header(k.as_str(), v.as_str());
        }
        Ok(rb)
    }

    /// A `POST <base_url><path>` as [`Connection::request`] builds it, with the JSON body,
    /// `accept` for JSON or SSE, and the request deadline when not streaming.
    pub fn post_json<B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
        extra_headers: &BTreeMap<String, String>,
        stream: bool,
    ) -> Result<reqwest::RequestBuilder, Error> {
        let mut rb = self
            .request(reqwest::Method::POST, path, extra_headers)?
            .json(body);
        if stream {
            rb = rb.header("accept", "text/event-stream");
        } else {
            rb = rb.header("accept", "application/json");
            if let Some(t) = self.request_timeout {
                rb = rb.timeout(t);
            }
        }
        Ok(rb)
    }

    /// Sends `rb` with [`send_checked`]: `classify` maps the provider's error responses, and
    /// the key is redacted from any error.
    pub async fn send(
        &self,
        rb: reqwest::RequestBuilder,
        classify: impl FnOnce(u16, &HeaderMap, &[u8]) -> Error,
    ) -> Result<reqwest::Response, Error> {
        send_checked(self.provider, rb, self.key.as_ref(), classify).await
    }

    /// Reads and parses a JSON body; a decode error quotes the body's start, key redacted.
    pub async fn read_json<T: DeserializeOwned>(
        &self,
        resp: reqwest::Response,
    ) -> Result<T, Error> {
        let bytes = read_body(self.provider, resp).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| self.redact(decode_error(self.provider, &e, &bytes)))
    }

    /// The response body as a byte stream under the stream limits.
    pub fn body_stream(&self, resp: reqwest::Response) -> ByteStream {
        Box::pin(with_timeouts(
            self.provider,
            byte_stream(self.provider, resp),
            self.stream_timeouts,
        ))
    }

    /// Finishes a provider's parsed chunk stream the same way for every native client: each
    /// chunk gets `created` (now) and, when given, the requested `model`; errors are redacted;
    /// and [`start_stream`] applies the first-event rule.
    pub async fn start_chat_stream(
        &self,
        chunks: ChatStream,
        model: Option<String>,
    ) -> Result<ChatStream, Error> {
        let created = unix_now();
        let conn = self.clone();
        let chunks = chunks.map(move |item| match item {
            Ok(mut c) => {
                c.created = created;
                if let Some(m) = &model {
                    c.model.clone_from(m);
                }
                Ok(c)
            }
            Err(e) => Err(conn.redact(e)),
        });
        start_stream(self.provider, Box::pin(chunks)).await
    }

    /// `err` with the key removed from its message.
    pub fn redact(&self, err: Error) -> Error {
        match &self.key {
            Some(k) => err.redact(k.expose()),
            None => err,
        }
    }
}

/// Seconds since the Unix epoch (0 if the clock is before it): the `created` of responses from
/// providers that do not send one.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
