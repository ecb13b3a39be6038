//! Caller keys: who may call the gateway, which models each key may use, and its limits.
//!
//! Keys are kept as SHA-256 digests, never as text. A presented key is hashed and looked up
//! by its digest; the stored digest is then compared in constant time. (The lookup itself
//! only ever sees digests, which tell an attacker nothing about a stored key.)

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use axum::http::{HeaderMap, header};
use llm_router_core::{Error, ErrorKind};
use subtle::ConstantTimeEq as _;

use crate::error::Failure;
use crate::limits::KeyLimits;

/// A key callers present as `Authorization: Bearer <key>` (or `x-api-key` on the Messages
/// route), with the models it may use and its own limits.
///
/// With no key configured the gateway asks for none. Limits of `0` mean "no limit".
///
/// ```
/// use llm_router_gateway::CallerKey;
/// let key = CallerKey::from_secret("team-a", "sk-team-a-secret")
///     .allow_models(["gpt-4o-mini", "embed"])
///     .requests_per_minute(60)
///     .tokens_per_minute(100_000)
///     .concurrency(4);
/// assert_eq!(key.name(), "team-a");
/// assert!(!format!("{key:?}").contains("sk-team-a-secret"));
/// ```
#[derive(Clone)]
pub struct CallerKey {
    pub(crate) name: String,
    pub(crate) digest: [u8; 32],
    pub(crate) models: Option<HashSet<String>>,
    pub(crate) rpm: u32,
    pub(crate) tpm: u64,
    pub(crate) concurrency: usize,
}

impl CallerKey {
    /// A key from its secret text (hashed at once; the text is not kept).
    pub fn from_secret(name: impl Into<String>, secret: &str) -> Self {
        Self::from_sha256(name, sha256(secret.as_bytes()))
    }

    /// A key from the SHA-256 digest of its secret (for configuration files that must not
    /// hold the secret).
    pub fn from_sha256(name: impl Into<String>, digest: [u8; 32]) -> Self {
        Self {
            name: name.into(),
            digest,
            models: None,
            rpm: 0,
            tpm: 0,
            concurrency: 0,
        }
    }

    /// A key from the SHA-256 digest of its secret as 64 hex digits (`sha256sum` output).
    pub fn from_sha256_hex(name: impl Into<String>, hex: &str) -> Result<Self, Error> {
        let bad = || {
            Error::new(
                ErrorKind::Config,
                "caller key digest must be 64 hex digits (SHA-256)",
            )
        };
        let hex = hex.trim().as_bytes();
        if hex.len() != 64 {
            return Err(bad());
        }
        let mut digest = [0u8; 32];
        for (out, pair) in digest.iter_mut().zip(hex.chunks_exact(2)) {
            let hi = hex_val(pair[0]).ok_or_else(bad)?;
            let lo = hex_val(pair[1]).ok_or_else(bad)?;
            *out = hi << 4 | lo;
        }
        Ok(Self::from_sha256(name, digest))
    }

    /// Restricts the key to these models (by the gateway's model names). Without a call the
    /// key may use every model. Calls add up.
    pub fn allow_models(mut self, models: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.models
            .get_or_insert_with(HashSet::new)
            .extend(models.into_iter().map(Into::into));
        self
    }

    /// At most `n` requests per minute (every route that calls a model; GCRA, so a burst of
    /// `n` and then one every `60/n` seconds).
    pub fn requests_per_minute(mut self, n: u32) -> Self {
        self.rpm = n;
        self
    }

    /// At most `n` tokens per minute on chat and embeddings (estimated before the call,
    /// settled with the provider's usage after it).
    pub fn tokens_per_minute(mut self, n: u64) -> Self {
        self.tpm = n;
        self
    }

    /// At most `n` requests in flight at once (a stream counts until it ends).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// The key's name (what logs and limiter scopes see; never the secret).
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Debug for CallerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallerKey")
            .field("name", &self.name)
            .field("models", &self.models)
            .field("requests_per_minute", &self.rpm)
            .field("tokens_per_minute", &self.tpm)
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// An authenticated caller: its name, its models, its live limits.
pub(crate) struct Caller {
    pub(crate) name: Arc<str>,
    digest: [u8; 32],
    models: Option<HashSet<String>>,
    pub(crate) limits: KeyLimits,
}

impl fmt::Debug for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Caller")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Caller {
    /// Whether the key may use `model`.
    pub(crate) fn allows(&self, model: &str) -> bool {
        self.models.as_ref().is_none_or(|m| m.contains(model))
    }
}

/// Every configured key, by digest.
#[derive(Default)]
pub(crate) struct KeyStore {
    by_digest: HashMap<[u8; 32], Arc<Caller>>,
}

/// Where a route reads the key from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeySource {
    /// `Authorization: Bearer`.
    Bearer,
    /// `x-api-key`, else `Authorization: Bearer` (Anthropic clients).
    ApiKeyOrBearer,
}

impl KeyStore {
    /// The store; a later key with the same secret replaces an earlier one.
    pub(crate) fn new(keys: Vec<CallerKey>) -> Self {
        let by_digest = keys
            .into_iter()
            .map(|k| {
                let limits = KeyLimits::new(&k);
                let caller = Caller {
                    name: Arc::from(k.name),
                    digest: k.digest,
                    models: k.models,
                    limits,
                };
                (k.digest, Arc::new(caller))
            })
            .collect();
        Self { by_digest }
    }

    /// Whether keys are required.
    pub(crate) fn is_enabled(&self) -> bool {
        !self.by_digest.is_empty()
    }

    /// The caller behind the request's key: `Ok(None)` when no keys are configured, a 401 when
    /// the key is missing or unknown.
    pub(crate) fn authenticate(
        &self,
        headers: &HeaderMap,
        source: KeySource,
    ) -> Result<Option<Arc<Caller>>, Failure> {
        if !self.is_enabled() {
            return Ok(None);
        }
        let presented = match source {
            KeySource::ApiKeyOrBearer => headers
                .get("x-api-key")
                .map(|v| v.as_bytes())
                .or_else(|| bearer(headers)),
            KeySource::Bearer => bearer(headers),
        };
        let Some(presented) = presented.filter(|k| !k.is_empty()) else {
            return Err(Failure::new(
                ErrorKind::Authentication,
                "missing_api_key",
                "No API key provided. Send it as `Authorization: Bearer <key>`.",
            ));
        };
        let digest = sha256(presented);
        match self.by_digest.get(&digest) {
            Some(caller) if bool::from(caller.digest.ct_eq(&digest)) => {
                Ok(Some(Arc::clone(caller)))
            }
            _ => Err(Failure::new(
                ErrorKind::Authentication,
                "invalid_api_key",
                "Incorrect API key provided.",
            )),
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<&[u8]> {
    let v = headers.get(header::AUTHORIZATION)?.as_bytes();
    let scheme = v.get(..7)?;
    scheme
        .eq_ignore_ascii_case(b"bearer ")
        .then(|| v[7..].trim_ascii())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(name: &'static str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn bearer_and_api_key() {
        let store = KeyStore::new(vec![CallerKey::from_secret("a", "sk-a")]);
        let ok = store
            .authenticate(&headers("authorization", "Bearer sk-a"), KeySource::Bearer)
            .unwrap();
        assert_eq!(ok.unwrap().name.as_ref(), "a");
        assert!(
            store
                .authenticate(
                    &headers("authorization", "bearer  sk-a "),
                    KeySource::Bearer
                )
                .is_ok()
        );
        let err = store
            .authenticate(&headers("authorization", "Bearer sk-b"), KeySource::Bearer)
            .unwrap_err();
        assert_eq!(err.error.code(), Some("invalid_api_key"));
        assert!(!err.error.message().contains("sk-b"));
        let err = store
            .authenticate(&HeaderMap::new(), KeySource::Bearer)
            .unwrap_err();
        assert_eq!(err.error.code(), Some("missing_api_key"));
        assert!(
            store
                .authenticate(&headers("x-api-key", "sk-a"), KeySource::Bearer)
                .is_err()
        );
        assert!(
            store
                .authenticate(&headers("x-api-key", "sk-a"), KeySource::ApiKeyOrBearer)
                .is_ok()
        );
    }

    #[test]
    fn no_keys_no_auth() {
        let store = KeyStore::new(Vec::new());
        assert!(
            store
                .authenticate(&HeaderMap::new(), KeySource::Bearer)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn hex_digests() {
        // sha256("abc")
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let k = CallerKey::from_sha256_hex("k", hex).unwrap();
        assert_eq!(k.digest, CallerKey::from_secret("k", "abc").digest);
        assert!(CallerKey::from_sha256_hex("k", "abc").is_err());
        assert!(CallerKey::from_sha256_hex("k", &"zz".repeat(32)).is_err());
    }

    #[test]
    fn allowed_models() {
        let store = KeyStore::new(vec![
            CallerKey::from_secret("a", "sk-a").allow_models(["m1"]),
        ]);
        let c = store
            .authenticate(&headers("authorization", "Bearer sk-a"), KeySource::Bearer)
            .unwrap()
            .unwrap();
        assert!(c.allows("m1"));
        assert!(!c.allows("m2"));
    }
}
