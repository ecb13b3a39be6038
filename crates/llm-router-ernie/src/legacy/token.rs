//! The legacy API's access token: fetched with the API key and secret key, cached, refreshed
//! before it expires, and refreshed once more when the API rejects it (codes 110/111).
//!
//! `POST <base>/oauth/2.0/token?grant_type=client_credentials&client_id=<API Key>&client_secret=<Secret Key>`
//! answers `{"access_token", "expires_in" (seconds, ≈30 days), "refresh_token", "scope", …}` or
//! `{"error", "error_description"}` (the official SDK's `resources/auth/oauth.py`).
//!
//! **One refresh at a time.** The cached token lives behind a `tokio::sync::Mutex` that is held
//! across the fetch: callers arriving while a fetch runs wait for it and then find the fresh
//! token, so any number of concurrent requests cause exactly one token request. A caller
//! whose token was rejected only fetches if the cache still holds that same token; if another
//! caller replaced it meanwhile, the replacement is used.

use std::fmt;
use std::time::{Duration, Instant};

use llm_router_core::{ApiKey, Error, ErrorKind};
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_http::{classify, read_body, reqwest, send_checked};
use serde_json::Value;
use tokio::sync::Mutex;

use super::redact::scrub;
use crate::PROVIDER;

/// The lifetime assumed when a token response has no `expires_in` (Baidu documents 30 days).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

/// How early a token is refreshed by default, before its `expires_in` runs out.
pub(crate) const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(3600);

/// The API key and secret key the token is obtained with.
pub(crate) struct Credentials {
    pub(crate) api_key: ApiKey,
    pub(crate) secret_key: ApiKey,
}

struct Cached {
    token: ApiKey,
    /// When to fetch a new one; `None` for a token given by the caller (never refreshed
    /// unless rejected).
    refresh_at: Option<Instant>,
}

impl Cached {
    fn fresh(&self, now: Instant) -> bool {
        self.refresh_at.is_none_or(|at| now < at)
    }
}

/// Hands out the current access token; shared by every request of a client.
pub(crate) struct TokenSource {
    credentials: Option<Credentials>,
    token_url: String,
    http: reqwest::Client,
    timeout: Duration,
    margin: Duration,
    cache: Mutex<Option<Cached>>,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("token_url", &self.token_url)
            .field("has_credentials", &self.credentials.is_some())
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// A source fetching with `credentials` (if any), starting from `initial` (if any).
    pub(crate) fn new(
        credentials: Option<Credentials>,
        initial: Option<ApiKey>,
        token_url: String,
        http: reqwest::Client,
        timeout: Duration,
        margin: Duration,
    ) -> Self {
        Self {
            credentials,
            token_url,
            http,
            timeout,
            margin,
            cache: Mutex::new(initial.map(|token| Cached {
                token,
                refresh_at: None,
            })),
        }
    }

    /// The token to use now: the cached one while it is fresh, else a new one.
    pub(crate) async fn current(&self) -> Result<ApiKey, Error> {
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.as_ref()
            && c.fresh(Instant::now())
        {
            return Ok(c.token.clone());
        }
        let fresh = self.fetch().await?;
        let token = fresh.token.clone();
        *cache = Some(fresh);
        Ok(token)
    }

    /// A replacement for `rejected`, which the API refused (110/111): the cached token if
    /// another caller already replaced it, else a new one. `None` when tokens cannot be
    /// fetched (a caller-given token without keys).
    pub(crate) async fn replace(&self, rejected: &ApiKey) -> Result<Option<ApiKey>, Error> {
        if self.credentials.is_none() {
            return Ok(None);
        }
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.as_ref()
            && c.token != *rejected
            && c.fresh(Instant::now())
        {
            return Ok(Some(c.token.clone()));
        }
        let fresh = self.fetch().await?;
        let token = fresh.token.clone();
        *cache = Some(fresh);
        Ok(Some(token))
    }

    /// Every secret this source knows, for redaction.
    pub(crate) fn secrets(&self) -> Vec<&ApiKey> {
        self.credentials
            .as_ref()
            .map(|c| vec![&c.api_key, &c.secret_key])
            .unwrap_or_default()
    }

    /// One token request. Errors name no secret.
    async fn fetch(&self) -> Result<Cached, Error> {
        let Some(creds) = &self.credentials else {
            return Err(Error::new(
                ErrorKind::Authentication,
                "no access token and no API key + secret key to obtain one",
            )
            .with_provider(PROVIDER));
        };
        let started = Instant::now();
        let secrets = [&creds.api_key, &creds.secret_key];
        let rb = self
            .http
            .post(&self.token_url)
            .query(&[
                ("grant_type", "client_credentials"),
                ("client_id", creds.api_key.expose()),
                ("client_secret", creds.secret_key.expose()),
            ])
            .header("accept", "application/json")
            .timeout(self.timeout);
        let resp = send_checked(PROVIDER, rb, None, oauth_http_error)
            .await
            .map_err(|e| scrub(e, &secrets))?;
        let bytes = read_body(PROVIDER, resp)
            .await
            .map_err(|e| scrub(e, &secrets))?;
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| {
            scrub(
                Error::new(
                    ErrorKind::Decode,
                    format!("the token response is not JSON: {e}"),
                )
                .with_provider(PROVIDER),
                &secrets,
            )
        })?;
        if let Some(err) = oauth_error(&v, 200) {
            return Err(scrub(err, &secrets));
        }
        let Some(token) = v
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
        else {
            return Err(
                Error::new(ErrorKind::Decode, "the token response has no access_token")
                    .with_provider(PROVIDER),
            );
        };
        let lifetime = v
            .get("expires_in")
            .and_then(Value::as_u64)
            .map_or(DEFAULT_LIFETIME, Duration::from_secs);
        Ok(Cached {
            token: ApiKey::new(token),
            refresh_at: Some(started + lifetime.saturating_sub(self.margin.min(lifetime / 2))),
        })
    }
}

/// A non-2xx token response: the OAuth error if the body has one, else the shared mapping.
fn oauth_http_error(status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| oauth_error(&v, status))
        .unwrap_or_else(|| classify(PROVIDER, status, headers, body))
}

/// `{"error": "invalid_client", "error_description": "unknown client id"}` → an error: a wrong
/// key or secret is [`ErrorKind::Authentication`], other OAuth errors
/// [`ErrorKind::InvalidRequest`] (a 5xx stays [`ErrorKind::ProviderUnavailable`]).
fn oauth_error(v: &Value, status: u16) -> Option<Error> {
    let code = v.get("error").and_then(Value::as_str)?;
    let kind = match code {
        "invalid_client" | "unauthorized_client" | "invalid_grant" => ErrorKind::Authentication,
        _ if status >= 500 => ErrorKind::ProviderUnavailable,
        _ => ErrorKind::InvalidRequest,
    };
    let description = v
        .get("error_description")
        .and_then(Value::as_str)
        .unwrap_or("no description");
    let mut err = Error::new(
        kind,
        format!("cannot obtain an access token: {code}: {description}"),
    )
    .with_provider(PROVIDER)
    .with_code(code);
    if status != 200 {
        err = err.with_status(status);
    }
    Some(err)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn oauth_errors() {
        let e = oauth_error(
            &json!({"error": "invalid_client", "error_description": "Client authentication failed"}),
            401,
        )
        .unwrap();
        assert_eq!(e.kind(), ErrorKind::Authentication);
        assert_eq!(e.code(), Some("invalid_client"));
        assert_eq!(e.status(), Some(401));
        let e = oauth_error(&json!({"error": "unsupported_grant_type"}), 200).unwrap();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert_eq!(e.status(), None);
        assert!(oauth_error(&json!({"access_token": "t"}), 200).is_none());
        let e = oauth_http_error(503, &HeaderMap::new(), b"busy");
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
    }

    #[test]
    fn freshness() {
        let now = Instant::now();
        let c = Cached {
            token: ApiKey::new("t"),
            refresh_at: Some(now + Duration::from_secs(1)),
        };
        assert!(c.fresh(now));
        assert!(!c.fresh(now + Duration::from_secs(2)));
        let given = Cached {
            token: ApiKey::new("t"),
            refresh_at: None,
        };
        assert!(given.fresh(now + DEFAULT_LIFETIME));
    }
}
