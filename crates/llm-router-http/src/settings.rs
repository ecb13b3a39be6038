//! What a native client's builder collects before it has a [`Connection`]: key, base URL,
//! headers, HTTP client and timeouts, with the defaults every native client uses. The builder
//! keeps its own setters (their docs say how its provider uses each value) and its own checks
//! (whether a key is required; [`ConnectionSettings::connect_with_key`] is the usual one); the
//! settings hold the values and make the connection.

use std::time::Duration;

use llm_router_core::{ApiKey, Error, ErrorKind};
use reqwest::header::HeaderValue;

use crate::client::shared_client;
use crate::connection::{AuthScheme, Connection};
use crate::timeout::StreamTimeouts;

/// A native client's connection settings, before they are checked.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConnectionSettings {
    /// The key, if one was given.
    pub key: Option<ApiKey>,
    /// Base URL; request paths are appended to it.
    pub base_url: String,
    /// Headers sent with every request.
    pub headers: Vec<(String, String)>,
    /// An HTTP client of the caller's; the shared client otherwise.
    pub http: Option<reqwest::Client>,
    /// Deadline of a non-streaming request.
    pub request_timeout: Option<Duration>,
    /// Idle and total limits of streams.
    pub stream_timeouts: StreamTimeouts,
}

impl ConnectionSettings {
    /// Settings for `base_url` with the defaults of the native clients: no key, no extra
    /// headers, the shared client, 600 s per request, streams cut after 300 s without data
    /// and no total limit.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            key: None,
            base_url: base_url.into(),
            headers: Vec::new(),
            http: None,
            request_timeout: Some(Duration::from_secs(600)),
            stream_timeouts: StreamTimeouts::new(Some(Duration::from_secs(300)), None),
        }
    }

    /// The connection for `provider`, sending the key as `auth` says. Fails with
    /// [`ErrorKind::Config`] when the base URL is not a URL; its trailing `/` is dropped.
    pub fn connect(self, provider: &'static str, auth: AuthScheme) -> Result<Connection, Error> {
        if reqwest::Url::parse(&self.base_url).is_err() {
            return Err(Error::new(
                ErrorKind::Config,
                format!("invalid base URL for {provider}: {:?}", self.base_url),
            )
            .with_provider(provider));
        }
        if self.http.is_none() {
            // Fail here, not on the first request, when no client can be built at all.
            shared_client()?;
        }
        let http = self.http;
        Ok(Connection {
            provider,
            base_url: self.base_url.trim_end_matches('/').to_owned(),
            key: self.key,
            auth,
            headers: self.headers,
            http,
            request_timeout: self.request_timeout,
            stream_timeouts: self.stream_timeouts,
        })
    }

    /// [`ConnectionSettings::connect`] for a client that cannot work without a key: fails with
    /// [`ErrorKind::Config`] when there is none (`no API key for <provider> (set <key_env>)`)
    /// or when it cannot be sent as `auth` says (not a valid header value), before the base
    /// URL is checked.
    pub fn connect_with_key(
        self,
        provider: &'static str,
        auth: AuthScheme,
        key_env: &str,
    ) -> Result<Connection, Error> {
        let config = |msg: String| Error::new(ErrorKind::Config, msg).with_provider(provider);
        let Some(key) = &self.key else {
            return Err(config(format!("no API key for {provider} (set {key_env})")));
        };
        let value = match &auth {
            AuthScheme::Bearer => HeaderValue::from_str(&format!("Bearer {}", key.expose())),
            AuthScheme::Header(_) => HeaderValue::from_str(key.expose()),
        };
        if value.is_err() {
            return Err(config(format!(
                "the API key for {provider} is not a valid header value"
            )));
        }
        self.connect(provider, auth)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn connect_checks_the_url_and_keeps_the_settings() {
        let mut s = ConnectionSettings::new("http://h:1/api/");
        s.key = Some(ApiKey::new("k"));
        s.headers.push(("x-a".into(), "1".into()));
        s.request_timeout = None;
        let c = s.connect("p", AuthScheme::Bearer).unwrap();
        assert_eq!(c.base_url, "http://h:1/api");
        assert_eq!(c.provider, "p");
        assert_eq!(c.key.as_ref().map(ApiKey::expose), Some("k"));
        assert_eq!(c.headers, [("x-a".to_owned(), "1".to_owned())]);
        assert_eq!(c.request_timeout, None);
        assert_eq!(c.stream_timeouts.idle, Some(Duration::from_secs(300)));

        let e = ConnectionSettings::new("not a url")
            .connect("p", AuthScheme::Bearer)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert_eq!(e.message(), "invalid base URL for p: \"not a url\"");
        assert_eq!(e.provider(), Some("p"));
    }

    #[test]
    fn connect_with_key_requires_a_sendable_key_before_the_url() {
        let e = ConnectionSettings::new("not a url")
            .connect_with_key("p", AuthScheme::Bearer, "P_KEY")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert_eq!(e.message(), "no API key for p (set P_KEY)");
        assert_eq!(e.provider(), Some("p"));

        for auth in [AuthScheme::Bearer, AuthScheme::Header("x-api-key")] {
            let mut s = ConnectionSettings::new("not a url");
            s.key = Some(ApiKey::new("bad\nkey"));
            let e = s.connect_with_key("p", auth, "P_KEY").unwrap_err();
            assert_eq!(e.message(), "the API key for p is not a valid header value");
            assert!(!e.message().contains("bad"));
        }

        let mut s = ConnectionSettings::new("not a url");
        s.key = Some(ApiKey::new("k"));
        let e = s
            .clone()
            .connect_with_key("p", AuthScheme::Bearer, "P_KEY")
            .unwrap_err();
        assert_eq!(e.message(), "invalid base URL for p: \"not a url\"");
        s.base_url = "http://h/".into();
        let c = s
            .connect_with_key("p", AuthScheme::Header("x-api-key"), "P_KEY")
            .unwrap();
        assert_eq!(c.base_url, "http://h");
        assert_eq!(c.auth, AuthScheme::Header("x-api-key"));
    }
}
