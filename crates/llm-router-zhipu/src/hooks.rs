//! What Zhipu does that the dialect's data cannot say: the optional JWT, business error codes,
//! its finish reasons, and reasoning sent back without other vendors' blocks.

use llm_router_core::{ApiKey, Error, ErrorKind};
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_openai_compat::{
    DialectHooks, Endpoint, has_finish_reason, rename_finish_reason, strip_reasoning_details,
};
use serde_json::Value;

use crate::PROVIDER;
use crate::error::{map_event_error, map_http_error};
use crate::jwt::JwtSigner;

/// Zhipu's finish reason for an answer blocked by its content moderation.
pub(crate) const FINISH_SENSITIVE: &str = "sensitive";
/// Zhipu's finish reason for an inference failure.
pub(crate) const FINISH_NETWORK_ERROR: &str = "network_error";

pub(crate) struct ZhipuHooks {
    jwt: Option<JwtSigner>,
}

impl ZhipuHooks {
    pub(crate) fn new(use_jwt: bool) -> Self {
        Self {
            jwt: use_jwt.then(JwtSigner::new),
        }
    }
}

impl DialectHooks for ZhipuHooks {
    /// With JWT auth: `Authorization: Bearer <jwt>`, one token per three minutes.
    fn auth_header(&self, key: &ApiKey) -> Result<Option<(String, String)>, Error> {
        match &self.jwt {
            Some(signer) => Ok(Some((
                "authorization".into(),
                format!("Bearer {}", signer.token(key)?),
            ))),
            None => Ok(None),
        }
    }

    /// `reasoning_details` is another vendor's shape; Zhipu takes `reasoning_content` back.
    fn prepare_body(&self, endpoint: Endpoint, body: &mut Value) -> Result<(), Error> {
        strip_reasoning_details(endpoint, body);
        Ok(())
    }

    /// `finish_reason: "sensitive"` → `content_filter`, the raw value kept in the choice's
    /// `native_finish_reason`.
    fn normalize_response(&self, endpoint: Endpoint, body: &mut Value) -> Result<(), Error> {
        rename_finish_reason(endpoint, body, FINISH_SENSITIVE, "content_filter");
        Ok(())
    }

    fn map_error(&self, status: u16, headers: &HeaderMap, body: &[u8]) -> Option<Error> {
        map_http_error(status, headers, body)
    }

    /// Business errors inside 200 bodies and stream events, and `finish_reason:
    /// "network_error"` (the model's inference failed: the answer is incomplete, so it is an
    /// error — retryable — rather than a finish).
    fn event_error(&self, event: &Value) -> Option<Error> {
        if let Some(e) = map_event_error(event) {
            return Some(e);
        }
        has_finish_reason(event, FINISH_NETWORK_ERROR).then(|| {
            Error::new(
                ErrorKind::ProviderUnavailable,
                "Zhipu's model inference failed (finish_reason network_error)",
            )
            .with_provider(PROVIDER)
            .with_code(FINISH_NETWORK_ERROR)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sensitive_becomes_content_filter_and_keeps_the_raw_value() {
        let mut v = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "sensitive"},
                                       {"index": 1, "delta": {}, "finish_reason": "stop"}]});
        ZhipuHooks::new(false)
            .normalize_response(Endpoint::ChatCompletions, &mut v)
            .unwrap();
        assert_eq!(v["choices"][0]["finish_reason"], "content_filter");
        assert_eq!(v["choices"][0]["native_finish_reason"], "sensitive");
        assert_eq!(v["choices"][1]["finish_reason"], "stop");
        assert!(v["choices"][1].get("native_finish_reason").is_none());
    }

    #[test]
    fn network_error_is_a_retryable_error() {
        let h = ZhipuHooks::new(false);
        let e = h
            .event_error(&json!({"choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "network_error"}]}))
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
        assert!(e.is_retryable());
        assert!(
            h.event_error(&json!({"choices": [{"finish_reason": "stop"}]}))
                .is_none()
        );
    }

    #[test]
    fn plain_bearer_unless_jwt() {
        let key = ApiKey::new("keyid.thesecretpart0123456789");
        assert_eq!(ZhipuHooks::new(false).auth_header(&key).unwrap(), None);
        let (name, value) = ZhipuHooks::new(true).auth_header(&key).unwrap().unwrap();
        assert_eq!(name, "authorization");
        assert!(value.starts_with("Bearer eyJ"));
        assert!(!value.contains("thesecretpart0123456789"));
    }
}
