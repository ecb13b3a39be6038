//! How long a provider asks us to wait.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// The longest wait we store; a provider asking for more is still honoured up to this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Reads `retry-after-ms` (OpenAI, milliseconds), `x-ms-retry-after-ms` (Azure), then
/// `Retry-After` (seconds, fractional allowed, or an HTTP date), clamped to
/// [`MAX_RETRY_AFTER`].
///
/// ```
/// use reqwest::header::{HeaderMap, HeaderValue};
/// use std::time::Duration;
/// let mut h = HeaderMap::new();
/// h.insert("retry-after", HeaderValue::from_static("7"));
/// assert_eq!(llm_router_http::retry_after(&h), Some(Duration::from_secs(7)));
/// ```
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    retry_after_at(headers, SystemTime::now())
}

/// [`retry_after`] with an explicit clock, for HTTP dates.
pub fn retry_after_at(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let wait = get("retry-after-ms")
        .and_then(parse_millis)
        .or_else(|| get("x-ms-retry-after-ms").and_then(parse_millis))
        .or_else(|| get("retry-after").and_then(|v| parse_retry_after_value(v, now)))?;
    Some(wait.min(MAX_RETRY_AFTER))
}

fn parse_millis(v: &str) -> Option<Duration> {
    let ms: f64 = v.parse().ok()?;
    (ms.is_finite() && ms >= 0.0).then(|| Duration::from_secs_f64(ms.min(1e12) / 1000.0))
}

/// A `Retry-After` value: delay in seconds or an HTTP date.
pub fn parse_retry_after_value(v: &str, now: SystemTime) -> Option<Duration> {
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn precedence_and_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            retry_after_at(
                &headers(&[("retry-after-ms", "1500"), ("retry-after", "9")]),
                now
            ),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            retry_after_at(&headers(&[("x-ms-retry-after-ms", "250")]), now),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            retry_after_at(&headers(&[("retry-after", "0.5")]), now),
            Some(Duration::from_millis(500))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(30));
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_str(&date).unwrap());
        assert_eq!(retry_after_at(&h, now), Some(Duration::from_secs(30)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_str(&past).unwrap());
        assert_eq!(retry_after_at(&h, now), Some(Duration::ZERO));
    }

    #[test]
    fn garbage_and_huge_values() {
        let now = SystemTime::now();
        assert_eq!(
            retry_after_at(&headers(&[("retry-after", "soon")]), now),
            None
        );
        assert_eq!(
            retry_after_at(&headers(&[("retry-after", "-3")]), now),
            None
        );
        assert_eq!(
            retry_after_at(&headers(&[("retry-after", "99999999")]), now),
            Some(MAX_RETRY_AFTER)
        );
        assert_eq!(retry_after_at(&HeaderMap::new(), now), None);
    }
}
