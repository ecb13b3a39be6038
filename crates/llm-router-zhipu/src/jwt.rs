//! Zhipu's optional JWT auth: an HS256 token signed with the secret half of the
//! `{id}.{secret}` key, cached and renewed shortly before it expires.
//!
//! The token is what the official SDK (`zhipuai` `_jwt_token.py`, PyJWT) produces: JOSE header
//! `{"alg":"HS256","sign_type":"SIGN","typ":"JWT"}`, payload
//! `{"api_key":<id>,"exp":<ms>,"timestamp":<ms>}` — both times in **milliseconds** — valid for
//! 210 s and reused for 180 s, so one token is signed per three minutes, not per request.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use llm_router_core::{ApiKey, Error, ErrorKind};

/// How long a token is valid (the SDK's `API_TOKEN_TTL_SECONDS`).
pub(crate) const TOKEN_TTL: Duration = Duration::from_secs(210);
/// How long a token is reused (the SDK's `CACHE_TTL_SECONDS`): 30 s before it expires.
pub(crate) const REUSE_FOR: Duration = Duration::from_secs(180);

const HEADER: &str = r#"{"alg":"HS256","sign_type":"SIGN","typ":"JWT"}"#;

struct Cached {
    /// The key id the token was signed for.
    id: String,
    token: String,
    signed_at_ms: u64,
}

/// Signs and caches tokens; shared by every request of a client (thread-safe).
pub(crate) struct JwtSigner {
    cache: Mutex<Option<Cached>>,
}

impl JwtSigner {
    pub(crate) fn new() -> Self {
        Self {
            cache: Mutex::new(None),
        }
    }

    /// The token for `key` now.
    pub(crate) fn token(&self, key: &ApiKey) -> Result<String, Error> {
        self.token_at(key, now_ms())
    }

    /// The token for `key` at `now_ms`: the cached one while it is younger than [`REUSE_FOR`],
    /// else a new one.
    pub(crate) fn token_at(&self, key: &ApiKey, now_ms: u64) -> Result<String, Error> {
        let (id, secret) = split_key(key)?;
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = cache.as_ref()
            && c.id == id
            && now_ms >= c.signed_at_ms
            && now_ms - c.signed_at_ms < millis(REUSE_FOR)
        {
            return Ok(c.token.clone());
        }
        let token = sign(id, secret, now_ms, millis(TOKEN_TTL));
        *cache = Some(Cached {
            id: id.to_owned(),
            token: token.clone(),
            signed_at_ms: now_ms,
        });
        Ok(token)
    }
}

/// `{id}.{secret}` → (`id`, `secret`). The error never contains the key.
pub(crate) fn split_key(key: &ApiKey) -> Result<(&str, &str), Error> {
    match key.expose().split_once('.') {
        Some((id, secret)) if !id.is_empty() && !secret.is_empty() && !secret.contains('.') => {
            Ok((id, secret))
        }
        _ => Err(Error::new(
            ErrorKind::Config,
            "JWT auth needs a Zhipu API key of the form <id>.<secret>",
        )
        .with_provider("zhipu")),
    }
}

/// An HS256 JWT for key `id`, signed with `secret`, issued at `now_ms`, valid `ttl_ms`.
pub(crate) fn sign(id: &str, secret: &str, now_ms: u64, ttl_ms: u64) -> String {
    let payload = format!(
        r#"{{"api_key":{},"exp":{},"timestamp":{}}}"#,
        serde_json::Value::from(id),
        now_ms.saturating_add(ttl_ms),
        now_ms
    );
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(HEADER),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = ring::hmac::sign(&key, signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(millis)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(part: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    #[test]
    fn token_has_the_sdk_header_and_millisecond_payload() {
        let t = sign("12345678", "abcdefg", 1_700_000_000_000, 210_000);
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(
            decode(parts[0]),
            serde_json::json!({"alg": "HS256", "sign_type": "SIGN", "typ": "JWT"})
        );
        assert_eq!(
            decode(parts[1]),
            serde_json::json!({"api_key": "12345678", "exp": 1_700_000_210_000u64, "timestamp": 1_700_000_000_000u64})
        );
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"abcdefg");
        let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        ring::hmac::verify(&key, format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig).unwrap();
    }

    /// A known-answer check: the same token computed independently with Python's standard
    /// library (`json.dumps(..., separators=(",", ":"), sort_keys=True)` for the header, as
    /// PyJWT does, `hmac`/`hashlib.sha256`, URL-safe base64 without padding).
    #[test]
    fn token_matches_an_independently_computed_one() {
        assert_eq!(
            sign("id", "secret", 1000, 210_000),
            "eyJhbGciOiJIUzI1NiIsInNpZ25fdHlwZSI6IlNJR04iLCJ0eXAiOiJKV1QifQ.eyJhcGlfa2V5IjoiaWQiLCJleHAiOjIxMTAwMCwidGltZXN0YW1wIjoxMDAwfQ.uyOX78Pk4Ugg9xskWv26PYxWb9m-Cse96Ixm7a1gH9I"
        );
    }

    #[test]
    fn tokens_are_reused_until_shortly_before_expiry() {
        let s = JwtSigner::new();
        let key = ApiKey::new("id1.secret1");
        let t0 = s.token_at(&key, 1_000_000).unwrap();
        assert_eq!(s.token_at(&key, 1_000_000 + 179_999).unwrap(), t0);
        let t1 = s.token_at(&key, 1_000_000 + 180_000).unwrap();
        assert_ne!(t1, t0);
        assert_eq!(s.token_at(&key, 1_000_000 + 200_000).unwrap(), t1);
        // A different key id is never served the cached token.
        let other = s
            .token_at(&ApiKey::new("id2.secret2"), 1_000_000 + 200_001)
            .unwrap();
        assert_ne!(other, t1);
        // A clock that went backwards re-signs rather than trusting the cache.
        assert_ne!(s.token_at(&ApiKey::new("id2.secret2"), 5).unwrap(), other);
    }

    #[test]
    fn malformed_keys_are_config_errors_without_the_key() {
        for k in ["no-dot-secret-key", ".onlysecret", "onlyid.", "a.b.c"] {
            let e = split_key(&ApiKey::new(k)).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config);
            assert!(!e.to_string().contains(k), "{e}");
        }
    }
}
