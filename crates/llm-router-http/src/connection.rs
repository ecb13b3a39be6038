//! What every native provider client needs to send a request: base URL, key and how it is
//! sent, extra headers, the HTTP client and the timeouts. One implementation, so a fix to
//! auth, headers, timeouts, redaction or stream limits reaches every provider.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use llm_router_core::{ApiKey, Error, ErrorKind};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use futures_util::StreamExt as _;
use llm_router_core::ChatStream;

use crate::body::{ByteStream, decode_error};
use crate::stream_guard::start_stream;
use crate::timeout::{StreamTimeouts, with_timeouts};
use crate::transport::{Outgoing, Reply, Transport};

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
    /// The caller's HTTP client (requests then go out on [`Transport::Reqwest`]), or `None`
    /// for the shared transport of the runtime each request runs on ([`Transport::shared`]:
    /// direct, unless a proxy is configured in the environment).
    pub http: Option<reqwest::Client>,
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
    /// The reqwest client for requests made outside [`Connection::send`] (a token endpoint):
    /// the caller's, else the current runtime's shared one.
    pub fn client(&self) -> Result<reqwest::Client, Error> {
        match &self.http {
            Some(c) => Ok(c.clone()),
            None => crate::shared_client(),
        }
    }

    /// The transport a request sent now goes out on: the caller's client when given, else the
    /// current runtime's shared [`Transport`] (direct, unless a proxy is configured).
    pub fn transport(&self) -> Result<Transport, Error> {
        Transport::pick(self.http.as_ref())
    }

    /// A request to `<base_url><path>` with the key (header marked sensitive) and the
    /// connection's and the request's extra headers, no body and no deadline. A later header
    /// replaces an earlier one of the same name: the request's over the connection's over the
    /// key's.
    pub fn request(
        &self,
        method: Method,
        path: &str,
        extra_headers: &BTreeMap<String, String>,
    ) -> Result<Outgoing, Error> {
        let url = format!("{}{path}", self.base_url);
        let mut out =
            Outgoing::new(method, &url).map_err(|e| self.redact(e.with_provider(self.provider)))?;
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
            out = out.header(name, value)?;
        }
        for (k, v) in self
            .headers
            .iter()
            .map(|(k, v)| (k, v))
            .chain(extra_headers.iter())
        {
            out = out
                .header(k.as_str(), v.as_str())
                .map_err(|e| e.with_provider(self.provider))?;
        }
        Ok(out)
    }

    /// A `POST <base_url><path>` as [`Connection::request`] builds it, with the JSON body,
    /// `accept` for JSON or SSE, and the deadline [`Connection::post`] gives.
    pub fn post_json<B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
        extra_headers: &BTreeMap<String, String>,
        stream: bool,
    ) -> Result<Outgoing, Error> {
        let accept = if stream {
            "text/event-stream"
        } else {
            "application/json"
        };
        self.post(path, body, extra_headers, stream)?
            .header("accept", accept)
    }

    /// A `POST <base_url><path>` as [`Connection::request`] builds it, with the JSON body but
    /// no `accept` header (for providers that send none, or a different one: NDJSON streams;
    /// the transport then sends `accept: */*`). Not streaming, the deadline is the request
    /// timeout, for the whole answer; streaming, it is the stream's idle limit, for the
    /// response head (the body then runs under the stream limits).
    pub fn post<B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
        extra_headers: &BTreeMap<String, String>,
        stream: bool,
    ) -> Result<Outgoing, Error> {
        let deadline = if stream {
            self.stream_timeouts.idle
        } else {
            self.request_timeout
        };
        Ok(self
            .request(Method::POST, path, extra_headers)?
            .json(body)
            .map_err(|e| e.with_provider(self.provider))?
            .timeout(deadline))
    }

    /// A `GET <base_url><path>` as [`Connection::request`] builds it, with the request
    /// deadline (listing models and the like).
    pub fn get(
        &self,
        path: &str,
        extra_headers: &BTreeMap<String, String>,
    ) -> Result<Outgoing, Error> {
        Ok(self
            .request(Method::GET, path, extra_headers)?
            .timeout(self.request_timeout))
    }

    /// Sends `req` on [`Connection::transport`]: `classify` maps the provider's error
    /// responses, and the key is redacted from any error. The answer's head is back; read the
    /// body with [`Connection::read_json`] (within the request's deadline) or
    /// [`Connection::body_stream`].
    pub async fn send(
        &self,
        req: Outgoing,
        classify: impl FnOnce(u16, &HeaderMap, &[u8]) -> Error,
    ) -> Result<Reply, Error> {
        self.transport()
            .map_err(|e| e.with_provider(self.provider))?
            .send(self.provider, req, self.key.as_ref(), classify)
            .await
    }

    /// [`Connection::post_json`] sent with [`Connection::send`]: the successful response to a
    /// JSON `POST`, or the error `classify` makes of any other answer (key redacted).
    pub async fn send_json<B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
        extra_headers: &BTreeMap<String, String>,
        stream: bool,
        classify: impl FnOnce(u16, &HeaderMap, &[u8]) -> Error,
    ) -> Result<Reply, Error> {
        let req = self.post_json(path, body, extra_headers, stream)?;
        self.send(req, classify).await
    }

    /// Reads the whole body within the request's deadline, key redacted from any error.
    pub async fn read_body(&self, reply: Reply) -> Result<Bytes, Error> {
        reply.bytes(self.provider).await.map_err(|e| self.redact(e))
    }

    /// Reads and parses a JSON body; a decode error quotes the body's start, key redacted.
    pub async fn read_json<T: DeserializeOwned>(&self, reply: Reply) -> Result<T, Error> {
        let bytes = self.read_body(reply).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| self.redact(decode_error(self.provider, &e, &bytes)))
    }

    /// Reads a JSON body that may be an error although the status was 2xx (`{"error": …}`
    /// under a 200): `error_in` looks at the parsed document first, and the error it finds
    /// is returned; otherwise the document is parsed as `T`. Any error has the key redacted;
    /// a decode error quotes the body's start.
    pub async fn read_json_checked<T: DeserializeOwned>(
        &self,
        reply: Reply,
        error_in: impl FnOnce(&Value) -> Option<Error>,
    ) -> Result<T, Error> {
        let bytes = self.read_body(reply).await?;
        let decode = |e: serde_json::Error| self.redact(decode_error(self.provider, &e, &bytes));
        let v: Value = serde_json::from_slice(&bytes).map_err(decode)?;
        if let Some(e) = error_in(&v) {
            return Err(self.redact(e));
        }
        serde_json::from_value(v).map_err(decode)
    }

    /// The response body as a byte stream under the stream limits.
    pub fn body_stream(&self, reply: Reply) -> ByteStream {
        Box::pin(with_timeouts(
            self.provider,
            reply.into_stream(self.provider),
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
        let chunks = chunks.map(move |item| {
            item.map(|mut c| {
                c.created = created;
                if let Some(m) = &model {
                    c.model.clone_from(m);
                }
                c
            })
        });
        self.start_stream(Box::pin(chunks)).await
    }

    /// [`Connection::start_chat_stream`] without the stamping, for providers whose chunks carry
    /// their own `created` and `model`: errors are redacted and [`start_stream`] applies the
    /// first-event rule.
    pub async fn start_stream(&self, chunks: ChatStream) -> Result<ChatStream, Error> {
        let conn = self.clone();
        let chunks = chunks.map(move |item| item.map_err(|e| conn.redact(e)));
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use llm_router_core::{ChatChunk, collect_stream};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    const KEY: &str = "sk-secret-1234";

    fn conn(base_url: &str) -> Connection {
        Connection {
            provider: "p",
            base_url: base_url.to_owned(),
            key: Some(ApiKey::new(KEY)),
            auth: AuthScheme::Header("x-goog-api-key"),
            headers: vec![("x-team".into(), "a".into())],
            http: Some(crate::build_client(&crate::HttpConfig::default()).unwrap()),
            request_timeout: Some(Duration::from_secs(7)),
            stream_timeouts: StreamTimeouts::default(),
        }
    }

    #[test]
    fn post_sends_no_accept_and_the_deadline_of_its_kind() {
        let c = conn("http://h");
        let extra = BTreeMap::from([("x-req".to_owned(), "b".to_owned())]);
        let r = c.post("/v/m", &[1], &extra, false).unwrap();
        assert_eq!(r.method, Method::POST);
        assert_eq!(r.uri, "http://h/v/m");
        assert_eq!(r.headers["x-goog-api-key"], KEY);
        assert!(r.headers["x-goog-api-key"].is_sensitive());
        assert_eq!(r.headers["x-team"], "a");
        assert_eq!(r.headers["x-req"], "b");
        assert_eq!(r.headers["content-type"], "application/json");
        assert_eq!(&r.body[..], b"[1]");
        assert!(r.headers.get("accept").is_none());
        assert_eq!(r.timeout, Some(Duration::from_secs(7)));
        // A stream's head is awaited as long as the stream's idle limit.
        let r = c.post("/v/m", &[1], &extra, true).unwrap();
        assert!(r.headers.get("accept").is_none());
        assert_eq!(r.timeout, StreamTimeouts::default().idle);
        let r = c.post_json("/v/m", &[1], &extra, false).unwrap();
        assert_eq!(r.headers["accept"], "application/json");
        assert_eq!(r.timeout, Some(Duration::from_secs(7)));
        let r = c.post_json("/v/m", &[1], &extra, true).unwrap();
        assert_eq!(r.headers["accept"], "text/event-stream");
    }

    #[test]
    fn later_headers_replace_earlier_ones_of_the_same_name() {
        let mut c = conn("http://h");
        c.headers = vec![
            ("anthropic-version".into(), "2023-06-01".into()),
            ("Anthropic-Version".into(), "2099-01-01".into()),
            ("x-team".into(), "a".into()),
        ];
        let extra = BTreeMap::from([
            ("x-team".to_owned(), "b".to_owned()),
            ("x-goog-api-key".to_owned(), "per-request".to_owned()),
        ]);
        let r = c.post_json("/v/m", &[1], &extra, false).unwrap();
        let all = |name: &str| -> Vec<&str> {
            r.headers
                .get_all(name)
                .iter()
                .map(|v| v.to_str().unwrap())
                .collect()
        };
        assert_eq!(all("anthropic-version"), ["2099-01-01"]);
        assert_eq!(all("x-team"), ["b"]);
        assert_eq!(all("x-goog-api-key"), ["per-request"]);
        assert_eq!(all("accept"), ["application/json"]);
        assert_eq!(all("content-type"), ["application/json"]);
    }

    #[test]
    fn get_has_the_deadline_and_no_body() {
        let r = conn("http://h")
            .get("/models?pageSize=2", &BTreeMap::new())
            .unwrap();
        assert_eq!(r.method, Method::GET);
        assert_eq!(r.uri, "http://h/models?pageSize=2");
        assert!(r.body.is_empty());
        assert_eq!(r.timeout, Some(Duration::from_secs(7)));
        let r = r.query(&[("after id", "a&b"), ("n", "1")]).unwrap();
        assert_eq!(r.uri, "http://h/models?pageSize=2&after+id=a%26b&n=1");
    }

    #[test]
    fn bad_urls_and_headers_are_config_errors_naming_the_provider() {
        let e = conn("not a url").get("/m", &BTreeMap::new()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert_eq!(e.provider(), Some("p"));
        let extra = BTreeMap::from([("x-bad".to_owned(), "a\nb".to_owned())]);
        let e = conn("http://h").get("/m", &extra).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.message().contains("x-bad"), "{}", e.message());
    }

    /// Serves one HTTP/1.1 response with `body` on a local port; returns the base URL.
    async fn serve_once(body: &'static str) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = sock.read(&mut buf).await.unwrap();
                if n == 0 {
                    return;
                }
                req.extend_from_slice(&buf[..n]);
            }
            let resp = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            sock.write_all(resp.as_bytes()).await.unwrap();
        });
        format!("http://{addr}")
    }

    async fn read_checked(body: &'static str) -> Result<Vec<u32>, Error> {
        let c = conn(&serve_once(body).await);
        let resp = c
            .send(c.get("/", &BTreeMap::new()).unwrap(), |_, _, _| {
                panic!("a 200 is not classified")
            })
            .await
            .unwrap();
        c.read_json_checked(resp, |v| {
            v.get("error")
                .map(|e| Error::new(ErrorKind::InvalidRequest, e.to_string()))
        })
        .await
    }

    #[tokio::test]
    async fn read_json_checked_finds_errors_in_a_200_and_redacts_them() {
        assert_eq!(read_checked("[1,2]").await.unwrap(), [1, 2]);
        let e = read_checked(r#"{"error":"bad key sk-secret-1234"}"#)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert!(!e.message().contains(KEY), "{}", e.message());
        let e = read_checked(r#"{"ok":"sk-secret-1234"}"#)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(!e.message().contains(KEY), "{}", e.message());
        let e = read_checked("not json").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("not json"), "{}", e.message());
    }

    #[tokio::test]
    async fn send_json_posts_and_returns_the_success() {
        let c = conn(&serve_once("[3]").await);
        let resp = c
            .send_json("/x", &[1], &BTreeMap::new(), false, |_, _, _| {
                panic!("a 200 is not classified")
            })
            .await
            .unwrap();
        let got: Vec<u32> = c.read_json(resp).await.unwrap();
        assert_eq!(got, [3]);
        let e = conn("http://127.0.0.1:1")
            .send_json("/x", &[1], &BTreeMap::new(), false, |_, _, _| {
                panic!("no answer to classify")
            })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection);
    }

    fn chunks(items: Vec<Result<ChatChunk, Error>>) -> ChatStream {
        Box::pin(futures_util::stream::iter(items))
    }

    #[tokio::test]
    async fn start_stream_keeps_the_chunks_and_redacts_errors() {
        let mut first = ChatChunk::text_delta("c", "sent-model", "a");
        first.created = 42;
        let c = conn("http://h");
        let s = c
            .start_stream(chunks(vec![
                Ok(first),
                Err(Error::new(ErrorKind::Connection, format!("reset {KEY}"))),
            ]))
            .await
            .unwrap();
        let items: Vec<_> = s.collect().await;
        let got = items[0].as_ref().unwrap();
        assert_eq!((got.created, got.model.as_str()), (42, "sent-model"));
        let e = items[1].as_ref().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
        assert!(!e.message().contains(KEY));
        let e = c
            .start_stream(chunks(vec![Err(Error::new(
                ErrorKind::RateLimited,
                format!("slow down {KEY}"),
            ))]))
            .await
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert!(!e.message().contains(KEY));
    }

    #[tokio::test]
    async fn start_chat_stream_stamps_created_and_the_model() {
        let mut first = ChatChunk::text_delta("c", "sent-model", "a");
        first.created = 42;
        let s = conn("http://h")
            .start_chat_stream(chunks(vec![Ok(first)]), Some("asked".into()))
            .await
            .unwrap();
        let resp = collect_stream(s).await.unwrap();
        assert_eq!(resp.model, "asked");
        assert_ne!(resp.created, 42);
    }
}
