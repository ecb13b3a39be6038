//! Durations (`"30s"`, `"1m30s"`, `"250ms"`) and byte sizes (`10485760`, `"10MiB"`, `"512KB"`)
//! as they are written in the file.

use std::time::Duration;

use serde::{Deserialize, Deserializer, de};

/// Parses `"30s"`, `"1m30s"`, `"250ms"`, `"2h"`, `"1d"`; units `ms s m h d`, parts added up.
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    let text = s.trim();
    if text.is_empty() {
        return Err("empty duration".into());
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(bad_duration(s));
        }
        let (num, tail) = rest.split_at(digits);
        let n: u64 = num.parse().map_err(|_| bad_duration(s))?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_len);
        let part = match unit.trim() {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n.saturating_mul(60)),
            "h" => Duration::from_secs(n.saturating_mul(3600)),
            "d" => Duration::from_secs(n.saturating_mul(86_400)),
            _ => return Err(bad_duration(s)),
        };
        total = total.saturating_add(part);
        rest = next;
    }
    Ok(total)
}

fn bad_duration(s: &str) -> String {
    format!(
        "invalid duration {s:?}: write a number and a unit (ms, s, m, h, d), like \"30s\" or \"1m30s\""
    )
}

/// Parses `"10MiB"`, `"512KB"`, `"1GiB"`, `"4096"` (bytes). `K/M/G` are powers of 1000 and
/// `Ki/Mi/Gi` of 1024; a trailing `B` is optional.
pub(crate) fn parse_bytes(s: &str) -> Result<u64, String> {
    let text = s.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let bad =
        || format!("invalid size {s:?}: write bytes as a number or like \"10MiB\", \"512KB\"");
    if digits == 0 {
        return Err(bad());
    }
    let n: u64 = text[..digits].parse().map_err(|_| bad())?;
    let unit = text[digits..].trim();
    let unit = unit.strip_suffix('B').unwrap_or(unit);
    let factor: u64 = match unit {
        "" => 1,
        "K" | "k" => 1000,
        "Ki" => 1024,
        "M" => 1000 * 1000,
        "Mi" => 1024 * 1024,
        "G" => 1000 * 1000 * 1000,
        "Gi" => 1024 * 1024 * 1024,
        _ => return Err(bad()),
    };
    n.checked_mul(factor).ok_or_else(bad)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrStr {
    Num(i64),
    Str(String),
}

/// `deserialize_with` for a required duration string.
pub(crate) fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let s = String::deserialize(d)?;
    parse_duration(&s).map_err(de::Error::custom)
}

/// `deserialize_with` for an optional duration string (use with `default`).
pub(crate) fn opt_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    duration(d).map(Some)
}

/// `deserialize_with` for a byte size: an integer or a string with a unit.
pub(crate) fn byte_size<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    match NumOrStr::deserialize(d)? {
        NumOrStr::Num(n) => u64::try_from(n)
            .map_err(|_| de::Error::custom(format!("invalid size {n}: must not be negative"))),
        NumOrStr::Str(s) => parse_bytes(&s).map_err(de::Error::custom),
    }
}

/// `deserialize_with` for a byte size that must fit in `usize`.
pub(crate) fn byte_size_usize<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let n = byte_size(d)?;
    usize::try_from(n).map_err(|_| de::Error::custom(format!("size {n} is too large")))
}

/// `deserialize_with` for an optional byte size (use with `default`).
pub(crate) fn opt_byte_size<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    byte_size(d).map(Some)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(parse_duration("1d").unwrap(), Duration::from_secs(86_400));
        for bad in ["", "30", "s", "3x", "1.5s", "-1s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_bytes("10MiB").unwrap(), 10 * 1024 * 1024);
        assert_eq!(parse_bytes("512KB").unwrap(), 512_000);
        assert_eq!(parse_bytes("1Gi").unwrap(), 1 << 30);
        assert_eq!(parse_bytes("4096").unwrap(), 4096);
        for bad in ["", "MiB", "10XB", "1.5MiB"] {
            assert!(parse_bytes(bad).is_err(), "{bad}");
        }
    }
}
