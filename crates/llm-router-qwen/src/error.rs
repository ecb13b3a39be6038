//! DashScope's error codes → [`ErrorKind`], for both APIs.
//!
//! The native API answers `{"request_id", "code", "message"}` (and, in a stream, an
//! `event:error` whose data has the same fields); compatible mode answers OpenAI's
//! `{"error": {"code", "message", "type"}}` with the same codes (`Arrearage`) or snake_case
//! ones (`data_inspection_failed`, `invalid_api_key`). The documented codes
//! (Model Studio "Status codes"): 400 `InvalidParameter`, 400 `DataInspectionFailed` (content
//! moderation), 400 `Arrearage` (overdue payment), 401 `InvalidApiKey`, 403 `AccessDenied*`,
//! 429 `Throttling`, `Throttling.RateQuota`, `Throttling.AllocationQuota`, 500
//! `InternalError*`. The shared classification would read a 400 `Arrearage` as a bad request;
//! it is a quota problem (not retryable, but another account may work).

use llm_router_core::{Error, ErrorKind};
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_http::{ErrorBody, error_from_body, kind_for, kind_for_event};

use crate::NAME;

/// The kind a DashScope error code names, when it names one.
pub(crate) fn kind_for_code(code: &str) -> Option<ErrorKind> {
    let c = code.to_ascii_lowercase();
    let kind = if c.starts_with("throttling") || c == "limit_requests" {
        ErrorKind::RateLimited
    } else if c == "arrearage" {
        ErrorKind::QuotaExceeded
    } else if c == "invalidapikey" || c == "invalid_api_key" {
        ErrorKind::Authentication
    } else if c == "datainspectionfailed" || c == "data_inspection_failed" {
        ErrorKind::ContentFiltered
    } else if c.starts_with("accessdenied") || c == "access_denied" {
        ErrorKind::PermissionDenied
    } else if c == "modelnotfound" || c == "model_not_found" {
        ErrorKind::ModelNotFound
    } else if c == "requesttimeout" {
        ErrorKind::Timeout
    } else if c.starts_with("internalerror") || c == "internal_error" {
        ErrorKind::ProviderUnavailable
    } else {
        return None;
    };
    Some(kind)
}

fn body_kind(body: &ErrorBody) -> Option<ErrorKind> {
    [&body.code, &body.kind]
        .into_iter()
        .flatten()
        .find_map(|c| kind_for_code(c))
}

/// The error for an HTTP error response of either API. A streaming request's error may come
/// as an event (`event:error` / `data:{…}`) under the error status; its `data:` line is read.
pub(crate) fn http_error(status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    let text = String::from_utf8_lossy(body);
    let data = text
        .lines()
        .find_map(|l| l.strip_prefix("data:"))
        .filter(|_| !text.trim_start().starts_with('{'));
    let parsed = ErrorBody::parse(data.map_or(body, str::as_bytes));
    let kind = body_kind(&parsed).unwrap_or_else(|| kind_for(status, &parsed));
    error_from_body(NAME, kind, &parsed, status, headers)
}

/// The error of a stream `event:error`, or of an error object inside a 200 body.
pub(crate) fn event_error(body: &ErrorBody) -> Error {
    let kind = body_kind(body).unwrap_or_else(|| kind_for_event(body));
    let mut err = Error::new(
        kind,
        body.message
            .clone()
            .unwrap_or_else(|| "DashScope reported an error".to_owned()),
    )
    .with_provider(NAME);
    if let Some(code) = body.code.clone().or_else(|| body.kind.clone()) {
        err = err.with_code(code);
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(status: u16, body: &str) -> ErrorKind {
        http_error(status, &HeaderMap::new(), body.as_bytes()).kind()
    }

    #[test]
    fn documented_native_codes() {
        assert_eq!(
            kind(
                400,
                r#"{"request_id":"r","code":"Arrearage","message":"Access denied, plesase make sure your account is in good standing."}"#
            ),
            ErrorKind::QuotaExceeded
        );
        assert_eq!(
            kind(
                400,
                r#"{"code":"DataInspectionFailed","message":"Input or output data may contain inappropriate content."}"#
            ),
            ErrorKind::ContentFiltered
        );
        assert_eq!(
            kind(
                400,
                r#"{"code":"InvalidParameter","message":"Range of input length should be [1, 30720]"}"#
            ),
            ErrorKind::InvalidRequest
        );
        assert_eq!(
            kind(
                401,
                r#"{"code":"InvalidApiKey","message":"Invalid API-key provided."}"#
            ),
            ErrorKind::Authentication
        );
        assert_eq!(
            kind(
                403,
                r#"{"code":"AccessDenied.Unpurchased","message":"Access to model denied."}"#
            ),
            ErrorKind::PermissionDenied
        );
        assert_eq!(
            kind(
                429,
                r#"{"code":"Throttling.AllocationQuota","message":"Allocated quota exceeded, please increase your quota limit."}"#
            ),
            ErrorKind::RateLimited
        );
        assert_eq!(
            kind(
                500,
                r#"{"code":"InternalError.Algo","message":"An internal error has occured during execution."}"#
            ),
            ErrorKind::ProviderUnavailable
        );
    }

    #[test]
    fn compatible_mode_codes() {
        assert_eq!(
            kind(
                400,
                r#"{"error":{"message":"Access denied, please make sure your account is in good standing.","type":"Arrearage","param":null,"code":"Arrearage"}}"#
            ),
            ErrorKind::QuotaExceeded
        );
        assert_eq!(
            kind(
                400,
                r#"{"error":{"code":"data_inspection_failed","param":null,"message":"Input data may contain inappropriate content.","type":"data_inspection_failed"}}"#
            ),
            ErrorKind::ContentFiltered
        );
        assert_eq!(
            kind(
                401,
                r#"{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#
            ),
            ErrorKind::Authentication
        );
        assert_eq!(
            kind(
                404,
                r#"{"error":{"message":"The model `qwen-x` does not exist","type":"invalid_request_error","code":"model_not_found"}}"#
            ),
            ErrorKind::ModelNotFound
        );
    }

    #[test]
    fn an_error_status_with_an_event_body() {
        let body = "id:1\nevent:error\n:HTTP_STATUS/401\ndata:{\"code\":\"InvalidApiKey\",\"message\":\"Invalid API-key provided.\",\"request_id\":\"r\"}\n\n";
        let e = http_error(401, &HeaderMap::new(), body.as_bytes());
        assert_eq!(e.kind(), ErrorKind::Authentication);
        assert_eq!(e.message(), "Invalid API-key provided.");
    }

    #[test]
    fn stream_error_events() {
        let e = event_error(&ErrorBody::parse(br#"{"code":"Throttling.RateQuota","message":"Requests rate limit exceeded, please try again later.","request_id":"r"}"#));
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.code(), Some("Throttling.RateQuota"));
        let e = event_error(&ErrorBody::parse(
            br#"{"code":"SomethingNew","message":"?"}"#,
        ));
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
    }
}
