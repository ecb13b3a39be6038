//! Qianfan's numeric error codes → [`ErrorKind`].
//!
//! The legacy API answers errors with **HTTP 200** and `{"error_code": <n>, "error_msg": …}`,
//! so every body must be inspected. The codes and their meanings are the official SDK's
//! (`bce-qianfan-sdk`: `python/qianfan/consts.py` `APIErrorCode`, `go/qianfan/consts.go`);
//! the SDK retries 2, 18, 336100, 336501 and 336502, and refreshes the access token on 110 and
//! 111. Code 17 is explained by the SDK as "paid access not enabled, or the account is in
//! arrears", so it is a quota error, not a rate limit.

use llm_router_core::{Error, ErrorKind};
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_http::retry_after;
use serde_json::Value;

use crate::PROVIDER;

/// Access token invalid.
pub(crate) const TOKEN_INVALID: i64 = 110;
/// Access token expired.
pub(crate) const TOKEN_EXPIRED: i64 = 111;

/// The kind of a Qianfan error code, if it is one we know.
pub(crate) fn kind_for_code(code: i64) -> Option<ErrorKind> {
    Some(match code {
        // Unknown error; service unavailable; internal error; server high load; console
        // internal error.
        1 | 2 | 336_000 | 336_100 | 500_000 => ErrorKind::ProviderUnavailable,
        // Unsupported method; invalid request; invalid argument / JSON / param; invalid HTTP
        // method; invalid system or user-setting argument.
        3 | 100 | 336_001 | 336_002 | 336_003 | 336_101 | 336_104 | 336_105 => {
            ErrorKind::InvalidRequest
        }
        // Cluster request limit; QPS limit; RPM limit; TPM limit.
        4 | 18 | 336_501 | 336_502 => ErrorKind::RateLimited,
        // No permission to access data; no permission for the API.
        6 | 336_004 => ErrorKind::PermissionDenied,
        // Getting the service token failed; IAM certification failed; the app does not exist;
        // access token invalid or expired.
        13 | 14 | 15 | TOKEN_INVALID | TOKEN_EXPIRED => ErrorKind::Authentication,
        // Daily limit (or paid access not enabled / arrears); total request limit.
        17 | 19 => ErrorKind::QuotaExceeded,
        // The API name (model endpoint) does not exist.
        336_005 => ErrorKind::ModelNotFound,
        _ => return None,
    })
}

/// Whether `err` says the access token was rejected (codes 110 and 111).
pub(crate) fn is_token_rejection(err: &Error) -> bool {
    matches!(
        err.code().and_then(|c| c.parse::<i64>().ok()),
        Some(TOKEN_INVALID | TOKEN_EXPIRED)
    )
}

/// The `error_code` of a body, if it has a non-zero one.
fn error_code(v: &Value) -> Option<i64> {
    let code = match v.get("error_code")? {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (code != 0).then_some(code)
}

/// The error carried by a body with `{"error_code", "error_msg"}`, classified by the code
/// (an unknown code is [`ErrorKind::ProviderUnavailable`] inside a 200 body, or the shared
/// classification of `status` otherwise). `status` is kept on the error when known.
pub(crate) fn error_in_body(v: &Value, status: Option<u16>, headers: &HeaderMap) -> Option<Error> {
    let code = error_code(v)?;
    let kind = kind_for_code(code).unwrap_or_else(|| match status {
        Some(s) if s >= 400 => llm_router_http::kind_for(s, &llm_router_http::ErrorBody::default()),
        _ => ErrorKind::ProviderUnavailable,
    });
    let message = v
        .get("error_msg")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .map_or_else(|| format!("Qianfan error {code}"), str::to_owned);
    let mut err = Error::new(kind, message)
        .with_provider(PROVIDER)
        .with_code(code.to_string());
    if let Some(s) = status {
        err = err.with_status(s);
    }
    if let Some(wait) = retry_after(headers) {
        err = err.with_retry_after(wait);
    }
    Some(err)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_code_table() {
        let table: &[(i64, ErrorKind)] = &[
            (1, ErrorKind::ProviderUnavailable),
            (2, ErrorKind::ProviderUnavailable),
            (3, ErrorKind::InvalidRequest),
            (4, ErrorKind::RateLimited),
            (6, ErrorKind::PermissionDenied),
            (13, ErrorKind::Authentication),
            (14, ErrorKind::Authentication),
            (15, ErrorKind::Authentication),
            (17, ErrorKind::QuotaExceeded),
            (18, ErrorKind::RateLimited),
            (19, ErrorKind::QuotaExceeded),
            (100, ErrorKind::InvalidRequest),
            (110, ErrorKind::Authentication),
            (111, ErrorKind::Authentication),
            (336_000, ErrorKind::ProviderUnavailable),
            (336_001, ErrorKind::InvalidRequest),
            (336_002, ErrorKind::InvalidRequest),
            (336_003, ErrorKind::InvalidRequest),
            (336_004, ErrorKind::PermissionDenied),
            (336_005, ErrorKind::ModelNotFound),
            (336_100, ErrorKind::ProviderUnavailable),
            (336_101, ErrorKind::InvalidRequest),
            (336_104, ErrorKind::InvalidRequest),
            (336_105, ErrorKind::InvalidRequest),
            (336_501, ErrorKind::RateLimited),
            (336_502, ErrorKind::RateLimited),
            (500_000, ErrorKind::ProviderUnavailable),
        ];
        for (code, kind) in table {
            assert_eq!(kind_for_code(*code), Some(*kind), "code {code}");
        }
        assert_eq!(kind_for_code(42), None);
    }

    #[test]
    fn bodies_with_and_without_codes() {
        let h = HeaderMap::new();
        let e = error_in_body(
            &json!({"error_code": 336501, "error_msg": "Rate limit reached for RPM"}),
            Some(200),
            &h,
        )
        .unwrap();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.code(), Some("336501"));
        assert_eq!(e.status(), Some(200));
        assert_eq!(e.message(), "Rate limit reached for RPM");
        assert!(error_in_body(&json!({"result": "hi"}), Some(200), &h).is_none());
        assert!(error_in_body(&json!({"error_code": 0}), Some(200), &h).is_none());
        // Unknown codes: by status when there is an error status, else unavailable.
        let unknown = json!({"error_code": 999_999, "error_msg": "?"});
        assert_eq!(
            error_in_body(&unknown, Some(200), &h).unwrap().kind(),
            ErrorKind::ProviderUnavailable
        );
        assert_eq!(
            error_in_body(&unknown, Some(403), &h).unwrap().kind(),
            ErrorKind::PermissionDenied
        );
        let e = error_in_body(&json!({"error_code": "111"}), None, &h).unwrap();
        assert!(is_token_rejection(&e));
        assert_eq!(e.message(), "Qianfan error 111");
        assert!(!is_token_rejection(
            &error_in_body(&json!({"error_code": 18}), None, &h).unwrap()
        ));
    }
}
