//! What Azure does that the dialect's data cannot say: deployment URLs with `api-version`,
//! Entra ID tokens from a provider, and content-filter errors.

use std::collections::BTreeMap;

use llm_router_core::{ApiKey, Error, ErrorKind};
use llm_router_http::classify;
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_openai_compat::{Dialect, DialectHooks, Endpoint};
use serde_json::Value;

use crate::{ApiStyle, PROVIDER, TokenProvider};

pub(crate) struct AzureHooks {
    pub(crate) api_version: String,
    pub(crate) style: ApiStyle,
    pub(crate) deployments: BTreeMap<String, String>,
    pub(crate) token: Option<TokenProvider>,
}

impl AzureHooks {
    fn deployment<'a>(&'a self, model: &'a str) -> &'a str {
        self.deployments.get(model).map_or(model, String::as_str)
    }
}

/// The resource endpoint without a trailing `/` or `/openai` (both spellings are accepted).
fn endpoint_root(base: &str) -> &str {
    let base = base.trim_end_matches('/');
    base.strip_suffix("/openai").unwrap_or(base)
}

impl DialectHooks for AzureHooks {
    /// `{endpoint}/openai/deployments/{deployment}/…?api-version=…`, or `{endpoint}/openai/v1/…`.
    fn url(&self, dialect: &Dialect, endpoint: Endpoint, model: &str) -> Option<String> {
        let root = endpoint_root(&dialect.base_url);
        let path = endpoint.path();
        Some(match self.style {
            ApiStyle::V1 => format!("{root}/openai/v1{path}"),
            ApiStyle::Deployments => {
                let v = &self.api_version;
                if endpoint == Endpoint::Models {
                    format!("{root}/openai/models?api-version={v}")
                } else {
                    let d = self.deployment(model);
                    format!("{root}/openai/deployments/{d}{path}?api-version={v}")
                }
            }
        })
    }

    /// With a token provider: `Authorization: Bearer <token>`, asked for on every request.
    fn auth_header(&self, key: &ApiKey) -> Result<Option<(String, String)>, Error> {
        let _ = key;
        match &self.token {
            Some(provider) => {
                let token = provider()?;
                Ok(Some(("authorization".into(), format!("Bearer {token}"))))
            }
            None => Ok(None),
        }
    }

    /// The model in the body becomes the deployment name (what the v1 style routes on; the
    /// deployment style ignores it).
    fn prepare_body(&self, endpoint: Endpoint, body: &mut Value) -> Result<(), Error> {
        let _ = endpoint;
        if let Some(Value::String(model)) = body.get_mut("model")
            && let Some(d) = self.deployments.get(model.as_str())
        {
            *model = d.clone();
        }
        Ok(())
    }

    fn map_error(&self, status: u16, headers: &HeaderMap, body: &[u8]) -> Option<Error> {
        content_filter_error(status, headers, body)
    }
}

/// A prompt blocked by Azure's content filter: HTTP 400 with `error.code: content_filter`
/// (or `innererror.code: ResponsibleAIPolicyViolation`). The filtered categories are named in
/// the message.
pub(crate) fn content_filter_error(status: u16, headers: &HeaderMap, body: &[u8]) -> Option<Error> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let err = v.get("error")?;
    let code = err.get("code").and_then(Value::as_str);
    let inner = err.get("innererror");
    let inner_code = inner.and_then(|i| i.get("code")).and_then(Value::as_str);
    if code != Some("content_filter") && inner_code != Some("ResponsibleAIPolicyViolation") {
        return None;
    }
    let base = classify(PROVIDER, status, headers, body);
    let mut filtered: Vec<&str> = inner
        .and_then(|i| i.get("content_filter_result"))
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter(|(_, r)| r.get("filtered").and_then(Value::as_bool) == Some(true))
                .map(|(k, _)| k.as_str())
                .collect()
        })
        .unwrap_or_default();
    filtered.sort_unstable();
    let message = if filtered.is_empty() {
        base.message().to_owned()
    } else {
        format!("{} (filtered: {})", base.message(), filtered.join(", "))
    };
    Some(
        Error::new(ErrorKind::ContentFiltered, message)
            .with_provider(PROVIDER)
            .with_status(status)
            .with_code(code.or(inner_code).unwrap_or("content_filter")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hooks(style: ApiStyle) -> AzureHooks {
        AzureHooks {
            api_version: "2024-10-21".into(),
            style,
            deployments: [("gpt-4o".to_owned(), "prod-4o".to_owned())].into(),
            token: None,
        }
    }

    #[test]
    fn urls_of_both_styles() {
        let d = Dialect::new(PROVIDER, "https://res.openai.azure.com/openai/");
        let h = hooks(ApiStyle::Deployments);
        assert_eq!(
            h.url(&d, Endpoint::ChatCompletions, "gpt-4o").unwrap(),
            "https://res.openai.azure.com/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21"
        );
        assert_eq!(
            h.url(&d, Endpoint::Embeddings, "emb").unwrap(),
            "https://res.openai.azure.com/openai/deployments/emb/embeddings?api-version=2024-10-21"
        );
        let h = hooks(ApiStyle::V1);
        assert_eq!(
            h.url(&d, Endpoint::ChatCompletions, "gpt-4o").unwrap(),
            "https://res.openai.azure.com/openai/v1/chat/completions"
        );
    }

    #[test]
    fn body_model_becomes_the_deployment() {
        let mut b = json!({"model": "gpt-4o"});
        hooks(ApiStyle::V1)
            .prepare_body(Endpoint::ChatCompletions, &mut b)
            .unwrap();
        assert_eq!(b["model"], "prod-4o");
        let mut b = json!({"model": "other"});
        hooks(ApiStyle::V1)
            .prepare_body(Endpoint::ChatCompletions, &mut b)
            .unwrap();
        assert_eq!(b["model"], "other");
    }

    #[test]
    fn other_errors_are_left_to_the_shared_classification() {
        let body = json!({"error": {"code": "429", "message": "Requests to the ChatCompletions_Create Operation have exceeded the rate limit."}});
        assert!(
            content_filter_error(429, &HeaderMap::new(), body.to_string().as_bytes()).is_none()
        );
        assert!(content_filter_error(400, &HeaderMap::new(), b"not json").is_none());
    }
}
