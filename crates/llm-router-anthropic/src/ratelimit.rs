//! How long to wait when a 429/529 carries no `retry-after`: read from Anthropic's rate-limit
//! headers.
//!
//! Every response carries, per limit (`requests`, `tokens`, `input-tokens`, `output-tokens`),
//! `anthropic-ratelimit-<limit>-remaining` and `anthropic-ratelimit-<limit>-reset`, the time
//! the limit is fully replenished as an RFC 3339 timestamp (docs "Rate limits" → "Response
//! headers", <https://docs.claude.com/en/api/rate-limits>).
//!
//! The rule: a request needs room in every limit, so the wait lasts until the **latest**
//! reset among the exhausted limits (`remaining: 0`). When no limit says how much remains
//! (reset headers without their `-remaining`), it cannot be told which one is exhausted, and
//! the latest reset given is used. When every limit reports room left, the headers say
//! nothing about this error (an overload, an acceleration limit) and no wait is derived. The
//! wait is measured from the response's `date` header (the server's clock, so local clock skew
//! does not matter), or from now without one, and clamped to
//! [`MAX_RETRY_AFTER`](llm_router_http::MAX_RETRY_AFTER) like `llm_router_http::retry_after`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use llm_router_http::MAX_RETRY_AFTER;
use llm_router_http::reqwest::header::HeaderMap;

/// The limits that have a `-remaining` / `-reset` pair.
const LIMITS: [&str; 4] = ["requests", "tokens", "input-tokens", "output-tokens"];

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// The wait the rate-limit headers imply (see the module docs), or `None`.
pub(crate) fn reset_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let base = header(headers, "date")
        .and_then(|d| httpdate::parse_http_date(d).ok())
        .unwrap_or(now);
    let mut exhausted: Option<SystemTime> = None;
    let mut unknown: Option<SystemTime> = None;
    for limit in LIMITS {
        let Some(reset) =
            header(headers, &format!("anthropic-ratelimit-{limit}-reset")).and_then(parse_rfc3339)
        else {
            continue;
        };
        let remaining = header(headers, &format!("anthropic-ratelimit-{limit}-remaining"))
            .and_then(|r| r.parse::<u64>().ok());
        let slot = match remaining {
            Some(0) => &mut exhausted,
            Some(_) => continue,
            None => &mut unknown,
        };
        *slot = Some(slot.map_or(reset, |t| t.max(reset)));
    }
    let at = exhausted.or(unknown)?;
    Some(
        at.duration_since(base)
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

/// An RFC 3339 timestamp (`2025-08-21T12:41:00Z`, `…T12:41:00.5+02:00`; `t`, `z` and a space
/// separator accepted as RFC 3339 allows), or `None` when malformed or before 1970.
pub(crate) fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0_i64, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let at = |i: usize, allowed: &[u8]| b.get(i).is_some_and(|c| allowed.contains(c));
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut nanos: u32 = 0;
    if at(i, b".") {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 9 {
                nanos += u32::from(b[i] - b'0') * 10_u32.pow(8 - u32::try_from(i - start).ok()?);
            }
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset = match b.get(i..)? {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = h * 60 + m;
            if *sign == b'+' { minutes } else { -minutes }
        }
        _ => return None,
    };
    // A leap second (`:60`) is read as the last second of its minute.
    let secs =
        days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second.min(59)
            - offset * 60;
    let secs = u64::try_from(secs).ok()?;
    UNIX_EPOCH.checked_add(Duration::new(secs, nanos))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_http::reqwest::header::HeaderValue;

    fn at(secs: u64, nanos: u32) -> SystemTime {
        UNIX_EPOCH + Duration::new(secs, nanos)
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn rfc3339_timestamps() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(at(0, 0)));
        assert_eq!(
            parse_rfc3339("2025-08-21T12:41:00Z"),
            Some(at(1_755_780_060, 0))
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T23:59:59.5+01:00"),
            Some(at(1_709_247_599, 500_000_000))
        );
        assert_eq!(
            parse_rfc3339("2025-02-24t22:25:47.123456789123z"),
            Some(at(1_740_435_947, 123_456_789))
        );
        assert_eq!(
            parse_rfc3339("2025-02-24 17:25:47-05:00"),
            Some(at(1_740_435_947, 0))
        );
        assert_eq!(
            parse_rfc3339("2016-12-31T23:59:60Z"),
            parse_rfc3339("2016-12-31T23:59:59Z")
        );
        for bad in [
            "",
            "2025-08-21",
            "2025-08-21T12:41:00",
            "2025-08-21T12:41Z",
            "2025-02-29T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-08-21T24:00:00Z",
            "2025-08-21T12:41:00.Z",
            "2025-08-21T12:41:00+0100",
            "2025-08-21T12:41:00Z ",
            "1969-12-31T23:59:59Z",
            "Thu, 21 Aug 2025 12:41:00 GMT",
            "+025-08-21T12:41:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
    }

    const DATE: &str = "Thu, 21 Aug 2025 12:40:00 GMT";

    #[test]
    fn the_latest_reset_of_the_exhausted_limits_relative_to_date() {
        let h = headers(&[
            ("date", DATE),
            ("anthropic-ratelimit-requests-remaining", "0"),
            ("anthropic-ratelimit-requests-reset", "2025-08-21T12:40:07Z"),
            ("anthropic-ratelimit-input-tokens-remaining", "0"),
            (
                "anthropic-ratelimit-input-tokens-reset",
                "2025-08-21T12:40:20Z",
            ),
            // Not exhausted: its later reset does not count.
            ("anthropic-ratelimit-output-tokens-remaining", "1500"),
            (
                "anthropic-ratelimit-output-tokens-reset",
                "2025-08-21T12:41:00Z",
            ),
        ]);
        // The local clock does not matter when `date` is there.
        assert_eq!(
            reset_wait(&h, SystemTime::now()),
            Some(Duration::from_secs(20))
        );
    }

    #[test]
    fn unknown_remaining_uses_the_latest_reset_and_room_everywhere_gives_none() {
        let h = headers(&[
            ("date", DATE),
            ("anthropic-ratelimit-tokens-reset", "2025-08-21T12:40:30Z"),
            ("anthropic-ratelimit-requests-reset", "2025-08-21T12:40:05Z"),
        ]);
        assert_eq!(reset_wait(&h, UNIX_EPOCH), Some(Duration::from_secs(30)));
        let h = headers(&[
            ("date", DATE),
            ("anthropic-ratelimit-requests-remaining", "3"),
            ("anthropic-ratelimit-requests-reset", "2025-08-21T12:40:05Z"),
        ]);
        assert_eq!(reset_wait(&h, UNIX_EPOCH), None);
        assert_eq!(reset_wait(&HeaderMap::new(), UNIX_EPOCH), None);
        // An unparseable reset is ignored.
        let h = headers(&[
            ("anthropic-ratelimit-requests-remaining", "0"),
            ("anthropic-ratelimit-requests-reset", "soon"),
        ]);
        assert_eq!(reset_wait(&h, UNIX_EPOCH), None);
    }

    #[test]
    fn without_date_now_is_used_and_the_wait_is_clamped() {
        let h = headers(&[
            ("anthropic-ratelimit-tokens-remaining", "0"),
            ("anthropic-ratelimit-tokens-reset", "2025-08-21T12:41:00Z"),
        ]);
        let now = at(1_755_780_060 - 42, 0);
        assert_eq!(reset_wait(&h, now), Some(Duration::from_secs(42)));
        // A reset already past: no wait.
        assert_eq!(
            reset_wait(&h, at(1_755_780_060 + 5, 0)),
            Some(Duration::ZERO)
        );
        // A reset days away: at most an hour.
        assert_eq!(reset_wait(&h, at(0, 0)), Some(MAX_RETRY_AFTER));
        // An unparseable `date` falls back to now.
        let mut h = h;
        h.insert("date", HeaderValue::from_static("yesterday"));
        assert_eq!(reset_wait(&h, now), Some(Duration::from_secs(42)));
    }
}
