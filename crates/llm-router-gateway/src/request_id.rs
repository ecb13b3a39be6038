//! Request ids: the client's `x-request-id` when it is sane, else a fresh one.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderMap, HeaderName, HeaderValue};

/// The header that carries the request id, in and out.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest client id accepted; longer ones are replaced (they end up in logs).
const MAX_LEN: usize = 128;

/// Makes ids unique within a process (counter) and across restarts (random prefix).
#[derive(Debug)]
pub(crate) struct IdGen {
    prefix: u64,
    counter: AtomicU64,
}

impl IdGen {
    pub(crate) fn new() -> Self {
        let mut seed = [0u8; 8];
        let prefix =
            match ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut seed) {
                Ok(()) => u64::from_le_bytes(seed),
                Err(_) => std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos() as u64),
            };
        Self {
            prefix,
            counter: AtomicU64::new(0),
        }
    }

    /// The client's id if it is 1..=128 visible ASCII characters, else a new `req_…` id.
    pub(crate) fn for_request(&self, headers: &HeaderMap) -> HeaderValue {
        if let Some(v) = headers.get(&REQUEST_ID) {
            let b = v.as_bytes();
            if !b.is_empty() && b.len() <= MAX_LEN && b.iter().all(|c| c.is_ascii_graphic()) {
                return v.clone();
            }
        }
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let id = format!("req_{:016x}{:012x}", self.prefix, n);
        HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("req_invalid"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_sane_ids_and_replaces_others() {
        let ids = IdGen::new();
        let mut h = HeaderMap::new();
        let a = ids.for_request(&h);
        let b = ids.for_request(&h);
        assert_ne!(a, b);
        assert!(a.to_str().is_ok_and(|s| s.starts_with("req_")));
        h.insert(REQUEST_ID, HeaderValue::from_static("client-id-1"));
        assert_eq!(ids.for_request(&h), "client-id-1");
        h.insert(REQUEST_ID, HeaderValue::from_static("has space"));
        assert_ne!(ids.for_request(&h), "has space");
        let long = "x".repeat(MAX_LEN + 1);
        h.insert(
            REQUEST_ID,
            HeaderValue::from_str(&long).unwrap_or(HeaderValue::from_static("x")),
        );
        assert_eq!(ids.for_request(&h).len(), 32);
    }
}
