//! The way a request goes out: hyper-util's pooled client directly, or reqwest.
//!
//! reqwest is the workspace's HTTP client, and every provider can use it. On the hot path,
//! though, it costs about as much CPU as the connection it drives: its redirect layer turns
//! the URI back into a string and parses it as a `Url` before sending and again on the
//! answer (~13k instructions), it copies the header map, and each request passes through
//! several boxed layers. A gateway in front of a fast upstream pays that on every request.
//! [`Transport::Direct`] sends on hyper-util's client with the same TLS (rustls with the
//! `ring` provider and the platform verifier), pool and timeout settings, and skips all of
//! that.
//!
//! reqwest stays where it does something the direct client does not:
//! - a proxy configured in the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, either
//!   case): reqwest honours them, the direct client would not;
//! - a client the caller built (their proxies, roots, identities).
//!
//! The direct client follows no redirects: APIs answer their documented URLs, and a `3xx`
//! is reported as an error naming the status.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt as _;
use http_body_util::{BodyDataStream, BodyExt as _, Full};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use llm_router_core::{ApiKey, Error, ErrorKind};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};

use crate::body::ByteStream;
use crate::classify::transport_error;
use crate::client::HttpConfig;

/// A request ready to send: the URI is parsed and the headers are final (the key among them,
/// marked sensitive).
#[derive(Debug)]
pub struct Outgoing {
    /// The method.
    pub method: Method,
    /// The full URI.
    pub uri: http::Uri,
    /// Every header but `host`, `content-length` and `user-agent`, which the transport adds.
    pub headers: HeaderMap,
    /// The body (empty for `GET`).
    pub body: Bytes,
    /// Deadline from the moment the request is sent (`None`: none). It bounds the wait for the
    /// response head and, when the body is read whole ([`Reply::bytes`],
    /// [`Transport::fetch`]), the body too: the whole answer. A body read as a stream
    /// ([`Reply::into_stream`]) is not bound by it; streams have their own idle and total
    /// limits ([`with_timeouts`](crate::with_timeouts)).
    pub timeout: Option<Duration>,
}

impl Outgoing {
    /// A request for `method` on `url`, with no headers, no body and no deadline.
    pub fn new(method: Method, url: &str) -> Result<Self, Error> {
        let uri = url.parse::<http::Uri>().map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!("invalid request URL {url:?}: {e}"),
            )
        })?;
        Ok(Self {
            method,
            uri,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            timeout: None,
        })
    }

    /// Sets a header, replacing any of the same name.
    pub fn header<N, V>(mut self, name: N, value: V) -> Result<Self, Error>
    where
        N: TryInto<header::HeaderName>,
        V: TryInto<HeaderValue>,
    {
        let name = name
            .try_into()
            .map_err(|_| Error::new(ErrorKind::Config, "invalid header name"))?;
        let value = value.try_into().map_err(|_| {
            Error::new(
                ErrorKind::Config,
                format!("invalid value for the header {name}"),
            )
        })?;
        self.headers.insert(name, value);
        Ok(self)
    }

    /// Appends `pairs` to the URL's query, form-encoded.
    pub fn query(mut self, pairs: &[(&str, &str)]) -> Result<Self, Error> {
        if pairs.is_empty() {
            return Ok(self);
        }
        let mut target = self
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
        target.push(if self.uri.query().is_some() { '&' } else { '?' });
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.extend_pairs(pairs);
        target.push_str(&form.finish());
        let mut parts = std::mem::take(&mut self.uri).into_parts();
        parts.path_and_query =
            Some(target.parse().map_err(|e| {
                Error::new(ErrorKind::Config, format!("invalid request query: {e}"))
            })?);
        self.uri = http::Uri::from_parts(parts)
            .map_err(|e| Error::new(ErrorKind::Config, format!("invalid request URL: {e}")))?;
        Ok(self)
    }

    /// `body` serialized as JSON, with `content-type: application/json`.
    pub fn json<B: serde::Serialize + ?Sized>(mut self, body: &B) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::new(
                ErrorKind::InvalidRequest,
                format!("cannot serialize the request body: {e}"),
            )
        })?;
        self.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        self.body = Bytes::from(bytes);
        Ok(self)
    }

    /// The body, as it is.
    #[must_use]
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// The deadline (see [`Outgoing::timeout`](Self#structfield.timeout)).
    #[must_use]
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }
}

/// The client a request is sent on. Cheap to clone.
///
/// [`Transport::Direct`] is hyper-util's pooled client with the TLS, pool and timeout settings
/// of the reqwest client, without reqwest's per-request layers (its redirect policy alone
/// parses the URI as a `Url` twice per request): about a fifth less CPU per proxied request.
/// [`Transport::Reqwest`] is used when a proxy is configured in the environment
/// (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, either case) or the caller brought a client. The
/// direct client follows no redirects: a `3xx` is reported as an error naming the status.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Transport {
    /// hyper-util's pooled client, without reqwest's layers.
    Direct(DirectClient),
    /// A reqwest client: the caller's, or the shared one when a proxy is configured.
    Reqwest(reqwest::Client),
}

/// hyper-util's pooled HTTP/1.1 and HTTP/2 client over rustls, as [`Transport::Direct`] uses.
/// Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct DirectClient {
    inner: Arc<DirectInner>,
}

struct DirectInner {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    user_agent: HeaderValue,
}

impl std::fmt::Debug for DirectClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectClient")
            .field("user_agent", &self.inner.user_agent)
            .finish_non_exhaustive()
    }
}

/// The process's TLS settings for direct clients: built once (loading the platform's roots
/// is the slow part), shared by every runtime's pool.
fn tls_config() -> Result<rustls::ClientConfig, Error> {
    static CONFIG: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    let built = CONFIG.get_or_init(|| {
        crate::client::ensure_crypto_provider();
        use rustls_platform_verifier::BuilderVerifierExt as _;
        rustls::ClientConfig::builder()
            .with_platform_verifier()
            .map(|b| Arc::new(b.with_no_client_auth()))
            .map_err(|e| e.to_string())
    });
    match built {
        Ok(config) => Ok(rustls::ClientConfig::clone(config)),
        Err(e) => Err(Error::new(
            ErrorKind::Config,
            format!("cannot set up TLS for the HTTP client: {e}"),
        )),
    }
}

impl DirectClient {
    /// A client with `config`'s connect timeout, pool settings and user agent.
    pub fn new(config: &HttpConfig) -> Result<Self, Error> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(config.connect_timeout));
        // TCP keep-alive as reqwest sets it: long streams through NATs and load balancers
        // that drop idle-looking flows.
        http.set_keepalive(Some(Duration::from_secs(15)));
        http.set_keepalive_interval(Some(Duration::from_secs(15)));
        http.set_keepalive_retries(Some(3));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config()?)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .build(https);
        let user_agent = HeaderValue::from_str(&config.user_agent).map_err(|_| {
            Error::new(
                ErrorKind::Config,
                format!("invalid user agent {:?}", config.user_agent),
            )
        })?;
        Ok(Self {
            inner: Arc::new(DirectInner { client, user_agent }),
        })
    }

    async fn send(&self, provider: &str, req: Outgoing) -> Result<Reply, Error> {
        let Outgoing {
            method,
            uri,
            mut headers,
            body,
            timeout,
        } = req;
        headers
            .entry(header::USER_AGENT)
            .or_insert_with(|| self.inner.user_agent.clone());
        // reqwest's default, so that both transports send the same headers.
        headers
            .entry(header::ACCEPT)
            .or_insert_with(|| HeaderValue::from_static("*/*"));
        let deadline = deadline_after(timeout);
        let mut request = http::Request::new(Full::new(body));
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        let sent = self.inner.client.request(request);
        let resp = within(provider, timeout, "no response", sent).await?;
        resp.map(|r| Reply::new(Answer::Direct(r), deadline))
            .map_err(|e| {
                let kind = ErrorKind::Connection;
                Error::new(kind, describe(&e))
                    .with_provider(provider)
                    .with_source(e)
            })
    }
}

/// `work`'s output, or a [`ErrorKind::Timeout`] error ("`what` within N ms") once `limit`
/// passes (`None`: no limit). A plain function rather than an `async fn`: an `async fn` would
/// keep `work` both as its argument and inside the timeout, doubling the size of every
/// request future built on it.
fn within<'a, F>(
    provider: &'a str,
    limit: Option<Duration>,
    what: &'a str,
    work: F,
) -> impl std::future::Future<Output = Result<F::Output, Error>> + 'a
where
    F: std::future::Future + 'a,
{
    use futures_util::FutureExt as _;
    use futures_util::future::Either;
    match limit {
        None => Either::Left(work.map(Ok)),
        Some(t) => Either::Right(tokio::time::timeout(t, work).map(move |r| {
            r.map_err(|_| {
                Error::new(
                    ErrorKind::Timeout,
                    format!("{what} within {} ms", t.as_millis()),
                )
                .with_provider(provider)
            })
        })),
    }
}

/// An error's text followed by its causes' ("client error (Connect): tcp connect error:
/// Connection refused"), each said once.
pub(crate) fn describe(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = c.source();
    }
    message
}

/// Whether the environment configures a proxy that reqwest would use (the variables it reads,
/// in either case, non-empty). `var` looks a variable up (the process environment in
/// [`Transport::shared`]).
pub fn proxy_configured(var: impl Fn(&str) -> Option<String>) -> bool {
    [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ]
    .into_iter()
    .any(|name| var(name).is_some_and(|v| !v.trim().is_empty()))
}

impl Transport {
    /// The shared transport of the current runtime (one pool per runtime, as
    /// [`shared_client`](crate::shared_client)): direct, unless a proxy is configured in the
    /// environment.
    pub fn shared() -> Result<Self, Error> {
        crate::client::shared_transport()
    }

    /// `custom` (a caller's reqwest client) when given, else [`Transport::shared`].
    pub fn pick(custom: Option<&reqwest::Client>) -> Result<Self, Error> {
        match custom {
            Some(c) => Ok(Self::Reqwest(c.clone())),
            None => Self::shared(),
        }
    }

    /// Sends `req`. A transport failure becomes an [`Error`] of its kind; a non-2xx answer is
    /// read and handed to `classify` (the provider's own error mapping); `key` is redacted
    /// from whatever error comes out (some vendors echo the key in their 401 text).
    pub async fn send(
        &self,
        provider: &str,
        req: Outgoing,
        key: Option<&ApiKey>,
        classify: impl FnOnce(u16, &HeaderMap, &[u8]) -> Error,
    ) -> Result<Reply, Error> {
        let redact = |e: Error| match key {
            Some(k) => e.redact(k.expose()),
            None => e,
        };
        // reqwest's future is several kilobytes: boxed, so that it does not size every
        // direct request's future (each layer above moves those bytes).
        let reply = match self {
            Self::Direct(d) => d.send(provider, req).await,
            Self::Reqwest(c) => Box::pin(send_reqwest(c, provider, req)).await,
        }
        .map_err(redact)?;
        let status = reply.status();
        if status.is_success() {
            return Ok(reply);
        }
        let headers = reply.headers().clone();
        let body = reply.bytes(provider).await.unwrap_or_default();
        Err(redact(classify(status.as_u16(), &headers, &body)))
    }
}

impl Transport {
    /// Sends `req` as [`Transport::send`] does and reads the whole body, all within
    /// `req.timeout`.
    pub async fn fetch(
        &self,
        provider: &str,
        mut req: Outgoing,
        key: Option<&ApiKey>,
        classify: impl FnOnce(u16, &HeaderMap, &[u8]) -> Error,
    ) -> Result<Bytes, Error> {
        let deadline = req.timeout.take();
        let exchange = async {
            self.send(provider, req, key, classify)
                .await?
                .bytes(provider)
                .await
        };
        within(provider, deadline, "no complete answer", exchange).await?
    }
}

async fn send_reqwest(
    client: &reqwest::Client,
    provider: &str,
    req: Outgoing,
) -> Result<Reply, Error> {
    let Outgoing {
        method,
        uri,
        headers,
        body,
        timeout,
    } = req;
    let deadline = deadline_after(timeout);
    let sent = client
        .request(method, uri.to_string())
        .headers(headers)
        .body(body)
        .send();
    let resp = within(provider, timeout, "no response", sent).await?;
    resp.map(|r| Reply::new(Answer::Reqwest(r), deadline))
        .map_err(|e| transport_error(provider, e))
}

/// When a request sent now with `timeout` is due.
fn deadline_after(timeout: Option<Duration>) -> Option<tokio::time::Instant> {
    timeout.map(|t| tokio::time::Instant::now() + t)
}

/// A response whose head has arrived; the body is still to be read.
#[derive(Debug)]
pub struct Reply {
    answer: Answer,
    /// The request's deadline: [`Reply::bytes`] finishes by then.
    deadline: Option<tokio::time::Instant>,
}

#[derive(Debug)]
enum Answer {
    Direct(http::Response<Incoming>),
    Reqwest(reqwest::Response),
}

impl Reply {
    fn new(answer: Answer, deadline: Option<tokio::time::Instant>) -> Self {
        Self { answer, deadline }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        match &self.answer {
            Answer::Direct(r) => r.status(),
            Answer::Reqwest(r) => r.status(),
        }
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        match &self.answer {
            Answer::Direct(r) => r.headers(),
            Answer::Reqwest(r) => r.headers(),
        }
    }

    /// Reads the whole body, by the request's deadline ([`ErrorKind::Timeout`] after it); a
    /// broken connection is an [`ErrorKind::Connection`] error.
    pub async fn bytes(self, provider: &str) -> Result<Bytes, Error> {
        let read = async {
            match self.answer {
                Answer::Direct(r) => r
                    .into_body()
                    .collect()
                    .await
                    .map(|c| c.to_bytes())
                    .map_err(|e| body_error(provider, e)),
                Answer::Reqwest(r) => Box::pin(crate::body::read_body(provider, r)).await,
            }
        };
        match self.deadline {
            None => read.await,
            Some(at) => {
                let left = at.saturating_duration_since(tokio::time::Instant::now());
                within(provider, Some(left), "no complete answer", read).await?
            }
        }
    }

    /// The body as a byte stream, not bound by the request's deadline (streams have their own
    /// limits); a broken connection is an [`ErrorKind::Connection`] error (the stream layer
    /// above turns it into `StreamInterrupted` once content has been delivered).
    pub fn into_stream(self, provider: &str) -> ByteStream {
        match self.answer {
            Answer::Direct(r) => {
                let provider = provider.to_owned();
                Box::pin(
                    BodyDataStream::new(r.into_body())
                        .map(move |item| item.map_err(|e| body_error(&provider, e))),
                )
            }
            Answer::Reqwest(r) => crate::body::byte_stream(provider, r),
        }
    }
}

fn body_error(provider: &str, e: hyper::Error) -> Error {
    let message = format!("error reading the response body: {}", describe(&e));
    Error::new(ErrorKind::Connection, message)
        .with_provider(provider)
        .with_source(e)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::client::build_client;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    const KEY: &str = "sk-transport-secret";

    fn both() -> [(&'static str, Transport); 2] {
        let config = HttpConfig::default();
        [
            (
                "direct",
                Transport::Direct(DirectClient::new(&config).unwrap()),
            ),
            (
                "reqwest",
                Transport::Reqwest(build_client(&config).unwrap()),
            ),
        ]
    }

    /// Accepts one connection, reads one request (head and `content-length` body), answers
    /// with `answer` (nothing when `None`: the connection stays open and silent) and returns
    /// the request's bytes.
    async fn serve_once(
        answer: Option<&'static str>,
    ) -> (String, tokio::task::JoinHandle<Vec<u8>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = sock.read(&mut buf).await.unwrap();
                req.extend_from_slice(&buf[..n]);
                let Some(end) = req.windows(4).position(|w| w == b"\r\n\r\n") else {
                    assert!(n > 0, "the request ended early");
                    continue;
                };
                let head = String::from_utf8_lossy(&req[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .map_or(0, |v| v.trim().parse::<usize>().unwrap());
                if req.len() >= end + 4 + length || n == 0 {
                    break;
                }
            }
            match answer {
                Some(a) => sock.write_all(a.as_bytes()).await.unwrap(),
                None => tokio::time::sleep(Duration::from_secs(30)).await,
            }
            req
        });
        (format!("http://{addr}"), task)
    }

    fn post(base: &str, timeout: Option<Duration>) -> Outgoing {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        let mut auth = HeaderValue::from_str(&format!("Bearer {KEY}")).unwrap();
        auth.set_sensitive(true);
        headers.insert(header::AUTHORIZATION, auth);
        headers.append("x-team", HeaderValue::from_static("a"));
        headers.append("x-team", HeaderValue::from_static("b"));
        Outgoing {
            method: Method::POST,
            uri: format!("{base}/v1/chat/completions?api-version=1")
                .parse()
                .unwrap(),
            headers,
            body: Bytes::from_static(br#"{"model":"m"}"#),
            timeout,
        }
    }

    fn never(_: u16, _: &HeaderMap, _: &[u8]) -> Error {
        panic!("a success is not classified")
    }

    /// The request line, the headers (sorted, `host` without its port) and the body.
    fn normalized(raw: &[u8]) -> (String, Vec<String>, Vec<u8>) {
        let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&raw[..end]).into_owned();
        let mut lines = head.lines();
        let first = lines.next().unwrap().to_owned();
        let mut headers: Vec<String> = lines
            .map(|l| l.to_ascii_lowercase())
            .map(|l| {
                if l.starts_with("host: ") {
                    "host".to_owned()
                } else {
                    l
                }
            })
            .collect();
        headers.sort();
        (first, headers, raw[end + 4..].to_vec())
    }

    const OK: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 7\r\nconnection: close\r\n\r\n{\"a\":1}";

    #[tokio::test]
    async fn both_transports_send_the_same_bytes() {
        let mut seen = Vec::new();
        for (name, t) in both() {
            let (base, server) = serve_once(Some(OK)).await;
            let body = t.fetch("p", post(&base, None), None, never).await.unwrap();
            assert_eq!(&body[..], br#"{"a":1}"#, "{name}");
            seen.push(normalized(&server.await.unwrap()));
        }
        let (line, headers, body) = &seen[0];
        assert_eq!(line, "POST /v1/chat/completions?api-version=1 HTTP/1.1");
        assert_eq!(body, br#"{"model":"m"}"#);
        for h in [
            "accept: application/json",
            "content-type: application/json",
            "content-length: 13",
            "x-team: a",
            "x-team: b",
            concat!("user-agent: llm-router/", env!("CARGO_PKG_VERSION")),
        ] {
            assert!(headers.iter().any(|l| l == h), "{h} missing: {headers:?}");
        }
        assert!(
            headers
                .iter()
                .any(|l| l == &format!("authorization: bearer {KEY}").to_ascii_lowercase())
        );
        assert_eq!(seen[0], seen[1], "direct and reqwest differ");
    }

    #[tokio::test]
    async fn a_built_get_without_accept_is_the_same_on_both() {
        let mut seen = Vec::new();
        for (name, t) in both() {
            let (base, server) = serve_once(Some(OK)).await;
            let req = Outgoing::new(Method::GET, &format!("{base}/v1/models?limit=5"))
                .unwrap()
                .query(&[("after_id", "m 1&2")])
                .unwrap()
                .header("x-team", "a")
                .unwrap();
            let reply = t.send("p", req, None, never).await.unwrap();
            assert_eq!(reply.status(), StatusCode::OK, "{name}");
            assert_eq!(reply.headers()["content-type"], "application/json");
            assert_eq!(&reply.bytes("p").await.unwrap()[..], br#"{"a":1}"#);
            seen.push(normalized(&server.await.unwrap()));
        }
        let (line, headers, body) = &seen[0];
        assert_eq!(line, "GET /v1/models?limit=5&after_id=m+1%262 HTTP/1.1");
        assert!(body.is_empty());
        assert!(headers.iter().any(|l| l == "accept: */*"), "{headers:?}");
        assert!(headers.iter().any(|l| l == "x-team: a"), "{headers:?}");
        assert_eq!(seen[0], seen[1], "direct and reqwest differ");
    }

    #[test]
    fn builder_errors_are_config_errors() {
        let e = Outgoing::new(Method::GET, "http://h/a b").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        let req = Outgoing::new(Method::GET, "http://h/").unwrap();
        let e = req.header("x-a", "line\nbreak").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.message().contains("x-a"), "{e}");
        let req = Outgoing::new(Method::GET, "http://h").unwrap();
        let req = req.query(&[("q", "1")]).unwrap();
        assert_eq!(req.uri, "http://h/?q=1");
    }

    /// Answers one request with a head and half the body at once, the other half 300 ms later.
    async fn serve_slow_body() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let mut seen = Vec::new();
            while !seen.ends_with(br#"{"model":"m"}"#) {
                let n = sock.read(&mut buf).await.unwrap();
                assert!(n > 0, "the request ended early");
                seen.extend_from_slice(&buf[..n]);
            }
            let head = "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhello";
            sock.write_all(head.as_bytes()).await.unwrap();
            tokio::time::sleep(Duration::from_millis(300)).await;
            sock.write_all(b"world").await.unwrap();
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn the_deadline_bounds_a_whole_body_but_not_a_stream() {
        for (name, t) in both() {
            let req = post(&serve_slow_body().await, Some(Duration::from_millis(100)));
            let reply = t.send("p", req, None, never).await.unwrap();
            let e = reply.bytes("p").await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Timeout, "{name}: {e}");
            assert!(e.message().contains("no complete answer"), "{name}: {e}");

            let req = post(&serve_slow_body().await, Some(Duration::from_millis(100)));
            let reply = t.send("p", req, None, never).await.unwrap();
            let parts: Vec<Bytes> = reply
                .into_stream("p")
                .map(|item| item.unwrap())
                .collect()
                .await;
            assert_eq!(parts.concat(), b"helloworld", "{name}");
        }
    }

    #[tokio::test]
    async fn a_silent_upstream_is_a_timeout() {
        /// A request with a 100 ms deadline to a server that never answers.
        async fn to_silence() -> (Outgoing, tokio::task::JoinHandle<Vec<u8>>) {
            let (base, server) = serve_once(None).await;
            (post(&base, Some(Duration::from_millis(100))), server)
        }
        for (name, t) in both() {
            let (req, _server) = to_silence().await;
            let e = t.fetch("p", req, None, never).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Timeout, "{name}: {e}");
            let (req, _server) = to_silence().await;
            let e = t.send("p", req, None, never).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Timeout, "{name}: {e}");
        }
    }

    #[tokio::test]
    async fn errors_are_classified_with_the_key_redacted() {
        const DENIED: &str = "HTTP/1.1 401 Unauthorized\r\nx-request-id: r1\r\ncontent-length: 36\r\nconnection: close\r\n\r\nIncorrect API key sk-transport-secret";
        for (name, t) in both() {
            let (base, _server) = serve_once(Some(DENIED)).await;
            let e = t
                .fetch(
                    "p",
                    post(&base, None),
                    Some(&ApiKey::new(KEY)),
                    |status, headers, body| {
                        assert_eq!(status, 401);
                        assert_eq!(headers["x-request-id"], "r1");
                        Error::new(ErrorKind::Authentication, String::from_utf8_lossy(body))
                    },
                )
                .await
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Authentication, "{name}");
            assert!(e.message().contains("Incorrect API key"), "{name}: {e}");
            assert!(!e.to_string().contains(KEY), "{name}: {e}");
        }
    }

    #[tokio::test]
    async fn a_body_cut_short_is_a_connection_error() {
        const SHORT: &str =
            "HTTP/1.1 200 OK\r\ncontent-length: 100\r\nconnection: close\r\n\r\ndata: {}\n\n";
        for (name, t) in both() {
            let (base, _server) = serve_once(Some(SHORT)).await;
            let e = t
                .fetch("p", post(&base, None), None, never)
                .await
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Connection, "{name}: {e}");
            let (base, _server) = serve_once(Some(SHORT)).await;
            let reply = t.send("p", post(&base, None), None, never).await.unwrap();
            let items: Vec<_> = reply.into_stream("p").collect().await;
            assert!(
                items.iter().any(|i| i.is_ok()),
                "{name}: the first bytes arrive"
            );
            let last = items.last().unwrap().as_ref().unwrap_err();
            assert_eq!(last.kind(), ErrorKind::Connection, "{name}: {last}");
        }
    }

    #[tokio::test]
    async fn refused_connections_are_connection_errors() {
        for (name, t) in both() {
            let e = t
                .fetch("p", post("http://127.0.0.1:9", None), None, never)
                .await
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Connection, "{name}: {e}");
            assert_eq!(e.provider(), Some("p"));
            assert!(
                e.message().to_ascii_lowercase().contains("connect"),
                "{name}: {e}"
            );
        }
    }

    #[tokio::test]
    async fn https_goes_through_tls() {
        // A plain-text server behind an https URL: the TLS handshake fails, as a connection
        // error (not a panic, not a plain-text request).
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut hello = [0u8; 512];
            let _ = sock.read(&mut hello).await;
            let _ = sock.write_all(OK.as_bytes()).await;
        });
        let base = format!("https://{addr}");
        let t = Transport::Direct(DirectClient::new(&HttpConfig::default()).unwrap());
        let e = t
            .fetch("p", post(&base, None), None, never)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
    }

    #[test]
    fn proxies_in_the_environment_are_seen_in_either_case() {
        let env = |set: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                set.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert!(!proxy_configured(env(&[])));
        assert!(!proxy_configured(env(&[("NO_PROXY", "localhost")])));
        assert!(!proxy_configured(env(&[("HTTPS_PROXY", "  ")])));
        assert!(proxy_configured(env(&[("https_proxy", "http://p:3128")])));
        assert!(proxy_configured(env(&[("ALL_PROXY", "socks5://p:1080")])));
        assert!(proxy_configured(env(&[("http_proxy", "http://p:3128")])));
    }

    #[test]
    fn causes_are_listed_once() {
        #[derive(Debug)]
        struct Layer(&'static str, Option<Box<Layer>>);
        impl std::fmt::Display for Layer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
        impl std::error::Error for Layer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.1.as_deref().map(|l| l as _)
            }
        }
        let refused = Layer("Connection refused", None);
        let tcp = Layer(
            "tcp connect error: Connection refused",
            Some(Box::new(refused)),
        );
        let top = Layer("client error (Connect)", Some(Box::new(tcp)));
        assert_eq!(
            describe(&top),
            "client error (Connect): tcp connect error: Connection refused"
        );
    }
}
