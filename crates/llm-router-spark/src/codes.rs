//! Spark's business error codes → [`ErrorKind`].
//!
//! Both surfaces report failures as a numeric `code` (0 = success) with a `message` and a
//! session id `sid`: the WebSocket API in every frame's `header`, the HTTP API at the top level
//! of 200 bodies and stream chunks. The table is the error-code list of iFlytek's Spark
//! interface description (`https://www.xfyun.cn/doc/spark/接口说明.html`, "错误码").

use llm_router_core::{Error, ErrorKind};

use crate::PROVIDER;

/// The kind of a Spark business code. Codes not in the table are provider-side failures.
pub(crate) fn kind_for_code(code: i64) -> ErrorKind {
    match code {
        // 10013 input / 10014 output blocked by moderation; 10019 the conversation tends to
        // violate policy; 10021 input moderation (image models), 10022 generated image blocked.
        10013 | 10014 | 10019 | 10021 | 10022 => ErrorKind::ContentFiltered,
        // Token count over the limit: history + question too long.
        10907 => ErrorKind::ContextLengthExceeded,
        // The appId has no licence for the function, or its volume is exceeded.
        11200 => ErrorKind::Authentication,
        // appid blacklisted; licence errors (function or version not enabled).
        10015 | 10016 => ErrorKind::PermissionDenied,
        // Daily quota exceeded.
        11201 => ErrorKind::QuotaExceeded,
        // Per-second limit; concurrency limit; the user's previous question is still being
        // answered (10007); the same user connected twice (10006).
        11202 | 11203 | 10006 | 10007 => ErrorKind::RateLimited,
        // Malformed message, schema error, invalid parameter value, engine schema check.
        10003 | 10004 | 10005 | 10163 => ErrorKind::InvalidRequest,
        // Socket and engine failures (10000–10002, 10008–10012, 10110 busy, 10222 network) and
        // anything not in the table.
        _ => ErrorKind::ProviderUnavailable,
    }
}

/// The error for a non-zero business `code` (the `sid` is kept in the message for support).
pub(crate) fn business_error(code: i64, message: &str, sid: Option<&str>) -> Error {
    let mut text = if message.trim().is_empty() {
        format!("Spark error {code}")
    } else {
        message.trim().to_owned()
    };
    if let Some(sid) = sid.filter(|s| !s.is_empty()) {
        text.push_str(&format!(" (sid {sid})"));
    }
    Error::new(kind_for_code(code), text)
        .with_provider(PROVIDER)
        .with_code(code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_codes() {
        assert_eq!(kind_for_code(10013), ErrorKind::ContentFiltered);
        assert_eq!(kind_for_code(10014), ErrorKind::ContentFiltered);
        assert_eq!(kind_for_code(10907), ErrorKind::ContextLengthExceeded);
        assert_eq!(kind_for_code(11200), ErrorKind::Authentication);
        assert_eq!(kind_for_code(11201), ErrorKind::QuotaExceeded);
        assert_eq!(kind_for_code(11202), ErrorKind::RateLimited);
        assert_eq!(kind_for_code(11203), ErrorKind::RateLimited);
        assert_eq!(kind_for_code(10005), ErrorKind::InvalidRequest);
        assert_eq!(kind_for_code(10110), ErrorKind::ProviderUnavailable);
        assert_eq!(kind_for_code(12345), ErrorKind::ProviderUnavailable);
    }

    #[test]
    fn message_code_and_sid() {
        let e = business_error(11202, "授权错误：秒级流控超限", Some("cht000b@dx1"));
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.code(), Some("11202"));
        assert_eq!(e.provider(), Some("spark"));
        assert_eq!(e.message(), "授权错误：秒级流控超限 (sid cht000b@dx1)");
        assert_eq!(
            business_error(10222, " ", None).message(),
            "Spark error 10222"
        );
    }
}
