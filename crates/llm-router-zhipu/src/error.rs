//! Zhipu's business error codes → [`ErrorKind`].
//!
//! Zhipu answers `{"error": {"code": "<business code>", "message": …}}`, and the HTTP status
//! alone is ambiguous: 429 means concurrency *or* an account in arrears. The code decides
//! (docs.z.ai "Error Codes", docs.bigmodel.cn 错误码). Unknown codes fall back to the shared
//! classification by status.

use llm_router_core::{Error, ErrorKind};
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_http::{ErrorBody, error_from_body};
use serde_json::Value;

use crate::PROVIDER;

/// The kind of a Zhipu business code, if it is one we know.
pub(crate) fn kind_for_code(code: &str) -> Option<ErrorKind> {
    Some(match code {
        // Authentication: failed, missing header, invalid token, token expired.
        "1000" | "1001" | "1002" | "1003" | "1004" => ErrorKind::Authentication,
        // Account inactive, missing, locked, irregular activity.
        "1110" | "1111" | "1112" | "1121" => ErrorKind::PermissionDenied,
        // Account in arrears.
        "1113" => ErrorKind::QuotaExceeded,
        // Account temporarily unreachable; API call process error; network error.
        "1120" | "1230" | "1234" | "500" => ErrorKind::ProviderUnavailable,
        // Invalid parameters.
        "1210" | "1212" | "1213" | "1214" | "1215" => ErrorKind::InvalidRequest,
        // Model does not exist.
        "1211" => ErrorKind::ModelNotFound,
        // No permission for the API; API offline or missing.
        "1220" => ErrorKind::PermissionDenied,
        "1221" | "1222" => ErrorKind::InvalidRequest,
        // Prompt too long (code from providers.md, not in the current public table).
        "1261" => ErrorKind::ContextLengthExceeded,
        // Blocked by policy; unsafe or sensitive content.
        "1300" | "1301" => ErrorKind::ContentFiltered,
        // High concurrency; high frequency.
        "1302" | "1303" | "1305" => ErrorKind::RateLimited,
        // Usage limits of a plan reached (third-party reports of the Coding Plan).
        "1308" | "1309" | "1310" => ErrorKind::QuotaExceeded,
        _ => return None,
    })
}

/// An HTTP error response classified by its business code; `None` when the code is unknown.
pub(crate) fn map_http_error(status: u16, headers: &HeaderMap, body: &[u8]) -> Option<Error> {
    let parsed = ErrorBody::parse(body);
    let kind = kind_for_code(parsed.code.as_deref()?)?;
    Some(error_from_body(PROVIDER, kind, &parsed, status, headers))
}

/// A business error inside a 200 body or a stream event, classified by its code.
pub(crate) fn map_event_error(event: &Value) -> Option<Error> {
    event.get("error").filter(|e| e.is_object())?;
    let body = ErrorBody::from_value(event);
    let code = body.code.as_deref()?;
    let kind = kind_for_code(code)?;
    Some(
        Error::new(
            kind,
            body.message
                .clone()
                .unwrap_or_else(|| format!("Zhipu error {code}")),
        )
        .with_provider(PROVIDER)
        .with_code(code),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kind(status: u16, body: Value) -> Option<ErrorKind> {
        map_http_error(status, &HeaderMap::new(), body.to_string().as_bytes()).map(|e| e.kind())
    }

    #[test]
    fn codes_decide_over_the_status() {
        let arrears =
            json!({"error": {"code": "1113", "message": "您的账户已欠费，请充值后重试。"}});
        assert_eq!(kind(429, arrears), Some(ErrorKind::QuotaExceeded));
        let busy = json!({"error": {"code": "1302", "message": "您当前使用该API的并发数过高，请降低并发，或联系客服增加限额。"}});
        assert_eq!(kind(429, busy), Some(ErrorKind::RateLimited));
        let unsafe_ = json!({"error": {"code": "1301", "message": "系统检测到输入或生成内容可能包含不安全或敏感内容，请您避免输入易产生敏感内容的提示语，感谢您的配合。"}});
        assert_eq!(kind(400, unsafe_), Some(ErrorKind::ContentFiltered));
        assert_eq!(
            kind(
                400,
                json!({"error": {"code": "1211", "message": "模型不存在，请检查模型代码。"}})
            ),
            Some(ErrorKind::ModelNotFound)
        );
        assert_eq!(
            kind(
                401,
                json!({"error": {"code": "1003", "message": "Authentication Token expired"}})
            ),
            Some(ErrorKind::Authentication)
        );
        assert_eq!(
            kind(
                400,
                json!({"error": {"code": "1261", "message": "Prompt exceeds max length"}})
            ),
            Some(ErrorKind::ContextLengthExceeded)
        );
        // Numeric codes are read too; unknown codes are left to the shared classification.
        assert_eq!(
            kind(
                400,
                json!({"error": {"code": 1214, "message": "messages 参数非法"}})
            ),
            Some(ErrorKind::InvalidRequest)
        );
        assert_eq!(
            kind(400, json!({"error": {"code": "9999", "message": "?"}})),
            None
        );
        assert_eq!(kind(502, json!("bad gateway")), None);
    }

    #[test]
    fn errors_inside_events() {
        let e =
            map_event_error(&json!({"error": {"code": "1301", "message": "sensitive"}})).unwrap();
        assert_eq!(e.kind(), ErrorKind::ContentFiltered);
        assert_eq!(e.code(), Some("1301"));
        assert_eq!(e.provider(), Some("zhipu"));
        assert!(map_event_error(&json!({"choices": []})).is_none());
        assert!(map_event_error(&json!({"error": {"code": "42", "message": "?"}})).is_none());
    }
}
