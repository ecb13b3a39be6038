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
        let id = if n < 1 << 48 {
            HeaderValue::from_bytes(&format_id(self.prefix, n))
        } else {
            HeaderValue::from_str(&format!("req_{:016x}{:012x}", self.prefix, n))
        };
        id.unwrap_or_else(|_| HeaderValue::from_static("req_invalid"))
    }
}

/// `req_` + `prefix` as 16 hex digits + the low 48 bits of `n` as 12 hex digits (what
/// `format!("req_{:016x}{:012x}")` writes while `n` < 2^48), without the formatting machinery
/// (it runs once per request).
fn format_id(prefix: u64, n: u64) -> [u8; 32] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = *b"req_0000000000000000000000000000";
    let digits = (0..16)
        .rev()
        .map(|i| (prefix >> (i * 4)) & 0xf)
        .chain((0..12).rev().map(|i| (n >> (i * 4)) & 0xf));
    for (slot, d) in out.iter_mut().skip(4).zip(digits) {
        *slot = HEX.get(d as usize).copied().unwrap_or(b'0');
    }
    out
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

    #[test]
    fn ids_are_written_like_format() {
        for (prefix, n) in [
            (0, 0),
            (u64::MAX, 0xffff_ffff_ffff),
            (0x0123_4567_89ab_cdef, 42),
            (0xfedc_ba98_7654_3210, 0x0000_dead_beef),
        ] {
            let want = format!("req_{prefix:016x}{n:012x}");
            assert_eq!(format_id(prefix, n), want.as_bytes(), "{want}");
        }
    }
}
