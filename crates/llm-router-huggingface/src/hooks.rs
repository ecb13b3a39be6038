//! What Hugging Face does that the dialect's data cannot say: the feature-extraction endpoint
//! for embeddings (its URL, body and nested-array response) and the model-loading 503.

use std::time::Duration;

use llm_router_core::{Error, ErrorKind};
use llm_router_http::classify;
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_openai_compat::{Dialect, DialectHooks, Endpoint};
use serde_json::{Map, Value, json};

use crate::PROVIDER;

pub(crate) struct HuggingFaceHooks;

/// `https://router.huggingface.co/v1` → `https://router.huggingface.co`.
fn router_root(base_url: &str) -> &str {
    let b = base_url.trim_end_matches('/');
    b.strip_suffix("/v1").unwrap_or(b)
}

fn unsupported(what: &str) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("Hugging Face feature-extraction does not support {what}"),
    )
    .with_provider(PROVIDER)
}

/// `{model, input, …}` (OpenAI's shape) → `{inputs: [..], …extra}` (feature-extraction's).
fn feature_extraction_body(body: &mut Value) -> Result<(), Error> {
    let Some(o) = body.as_object_mut() else {
        return Ok(());
    };
    if o.get("dimensions").is_some_and(|v| !v.is_null()) {
        return Err(unsupported("`dimensions`"));
    }
    if o.get("encoding_format").and_then(Value::as_str) == Some("base64") {
        return Err(unsupported("base64 output"));
    }
    let inputs = match o.remove("input") {
        Some(Value::String(s)) => vec![Value::String(s)],
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items,
        _ => return Err(unsupported("token ids as input (send text)")),
    };
    for f in [
        "model",
        "dimensions",
        "encoding_format",
        "user",
        "input_type",
    ] {
        o.remove(f);
    }
    let mut out = Map::new();
    out.insert("inputs".into(), Value::Array(inputs));
    out.append(o);
    *body = Value::Object(out);
    Ok(())
}

fn floats(v: &Value) -> Option<Vec<f32>> {
    v.as_array()?
        .iter()
        .map(|x| x.as_f64().map(|f| f as f32))
        .collect()
}

/// Feature-extraction output → OpenAI's embedding list. One vector per input (`[n][dim]`, or
/// `[dim]` for a single input); token-level output (`[n][tokens][dim]`) is refused, since how
/// to pool it depends on the model.
fn embedding_list(body: &mut Value) -> Result<(), Error> {
    let Some(rows) = body.as_array() else {
        return Ok(()); // already an object: leave it to the decoder
    };
    let vectors: Vec<Vec<f32>> = if rows.iter().all(Value::is_number) {
        floats(body).into_iter().collect()
    } else if let Some(vs) = rows.iter().map(floats).collect::<Option<Vec<_>>>() {
        vs
    } else if rows
        .iter()
        .any(|r| r.as_array().is_some_and(|t| t.iter().any(Value::is_array)))
    {
        return Err(Error::new(
            ErrorKind::Unsupported,
            "Hugging Face returned token-level features (one vector per token, not per input): \
             this model does not pool; use a sentence-embedding model \
             (e.g. sentence-transformers/…, BAAI/bge-…, intfloat/e5-…)",
        )
        .with_provider(PROVIDER));
    } else {
        return Err(Error::new(
            ErrorKind::Decode,
            "Hugging Face feature-extraction returned an array that is not a list of vectors",
        )
        .with_provider(PROVIDER));
    };
    let data: Vec<Value> = vectors
        .into_iter()
        .enumerate()
        .map(|(i, v)| json!({"object": "embedding", "index": i, "embedding": v}))
        .collect();
    *body = json!({"object": "list", "data": data});
    Ok(())
}

/// The model-loading answer (`503 {"error": "Model … is currently loading",
/// "estimated_time": 20.0}`): [`ErrorKind::ProviderUnavailable`] with the estimate as the
/// retry-after wait (a `Retry-After` header wins).
pub(crate) fn map_http_error(status: u16, headers: &HeaderMap, body: &[u8]) -> Option<Error> {
    let estimate = serde_json::from_slice::<Value>(body)
        .ok()?
        .get("estimated_time")?
        .as_f64()
        .filter(|s| s.is_finite() && *s >= 0.0)?;
    let mut e = classify(PROVIDER, status, headers, body);
    if status == 503 && e.kind() != ErrorKind::ProviderUnavailable {
        e = Error::new(ErrorKind::ProviderUnavailable, e.message().to_owned())
            .with_provider(PROVIDER)
            .with_status(status);
    }
    if e.retry_after().is_none() {
        e = e.with_retry_after(Duration::from_secs_f64(estimate.min(3600.0)));
    }
    Some(e)
}

impl DialectHooks for HuggingFaceHooks {
    /// Embeddings go to `{router}/hf-inference/models/{model}/pipeline/feature-extraction`.
    fn url(&self, dialect: &Dialect, endpoint: Endpoint, model: &str) -> Option<String> {
        (endpoint == Endpoint::Embeddings).then(|| {
            format!(
                "{}/hf-inference/models/{}/pipeline/feature-extraction",
                router_root(&dialect.base_url),
                model.trim_matches('/')
            )
        })
    }

    fn prepare_body(&self, endpoint: Endpoint, body: &mut Value) -> Result<(), Error> {
        if endpoint == Endpoint::Embeddings {
            feature_extraction_body(body)?;
        }
        Ok(())
    }

    fn normalize_response(&self, endpoint: Endpoint, body: &mut Value) -> Result<(), Error> {
        if endpoint == Endpoint::Embeddings {
            embedding_list(body)?;
        }
        Ok(())
    }

    fn map_error(&self, status: u16, headers: &HeaderMap, body: &[u8]) -> Option<Error> {
        map_http_error(status, headers, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn router_root_strips_v1() {
        assert_eq!(
            router_root("https://router.huggingface.co/v1/"),
            "https://router.huggingface.co"
        );
        assert_eq!(router_root("http://127.0.0.1:9"), "http://127.0.0.1:9");
    }

    #[test]
    fn shapes_of_feature_extraction_output() {
        let mut one = json!([0.1, 0.2]);
        embedding_list(&mut one).unwrap();
        assert_eq!(one["data"][0]["embedding"], json!([0.1f32, 0.2f32]));
        let mut tokens = json!([[[0.1, 0.2], [0.3, 0.4]]]);
        let e = embedding_list(&mut tokens).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        assert!(e.message().contains("token-level"), "{e}");
        let mut junk = json!([["a"]]);
        assert_eq!(
            embedding_list(&mut junk).unwrap_err().kind(),
            ErrorKind::Decode
        );
    }

    #[test]
    fn token_input_and_dimensions_are_refused() {
        let mut b = json!({"model": "m", "input": [1, 2]});
        assert_eq!(
            feature_extraction_body(&mut b).unwrap_err().kind(),
            ErrorKind::Unsupported
        );
        let mut b = json!({"model": "m", "input": "x", "dimensions": 8});
        assert_eq!(
            feature_extraction_body(&mut b).unwrap_err().kind(),
            ErrorKind::Unsupported
        );
    }

    #[test]
    fn loading_error_without_estimate_is_left_to_the_shared_classification() {
        assert!(map_http_error(503, &HeaderMap::new(), br#"{"error":"busy"}"#).is_none());
    }
}
