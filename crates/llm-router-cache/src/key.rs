//! Cache keys: a namespace plus a SHA-256 of the parts of a request that change the answer.
//!
//! The hash is taken over a canonical JSON form that does not depend on how the request was
//! built: object keys are written sorted at every depth (whether or not serde_json's
//! `preserve_order` feature is on somewhere in the build), so `{"a":1,"b":2}` and
//! `{"b":2,"a":1}` in a tool schema or a vendor field give the same key (compact JSON with
//! sorted keys: for the pinned test request, byte for byte what Python's
//! `json.dumps(v, sort_keys=True, separators=(",", ":"))` writes). Fields that do not change
//! the answer are left out: `user`, `stream`, `stream_options`, `metadata`, `store`,
//! `service_tier`, the extra HTTP headers and the extensions. A streamed and a plain call of
//! the same request therefore share one entry.

use std::fmt;
use std::io;

use llm_router_core::{
    ChatRequest, EmbeddingInput, EmbeddingRequest, EncodingFormat, Error, ErrorKind, InputType,
    Message, ReasoningEffort, ResponseFormat, Stop, ToolChoice, ToolDefinition,
};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

/// Bumped when the canonical form or the stored format changes, so old entries are not read.
const KEY_VERSION: u32 = 1;

/// Where an entry lives: a namespace and a 256-bit content hash of the request.
///
/// Its string form, used by every store, is `<namespace>:<64 hex digits>`. The digest has a
/// fixed length and no `:`, so the form is unambiguous whatever the namespace holds.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    full: String,
    namespace_len: usize,
}

impl CacheKey {
    /// A key from a namespace and a digest.
    pub fn new(namespace: &str, digest: [u8; 32]) -> Self {
        let mut full = String::with_capacity(namespace.len() + 65);
        full.push_str(namespace);
        full.push(':');
        for b in digest {
            full.push(char::from(HEX[usize::from(b >> 4)]));
            full.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        Self {
            full,
            namespace_len: namespace.len(),
        }
    }

    /// The namespace.
    pub fn namespace(&self) -> &str {
        &self.full[..self.namespace_len]
    }

    /// The digest as 64 lowercase hex digits.
    pub fn digest_hex(&self) -> &str {
        &self.full[self.namespace_len + 1..]
    }

    /// `<namespace>:<hex digest>`.
    pub fn as_str(&self) -> &str {
        &self.full
    }
}

impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CacheKey({})", self.full)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The fields of a chat request that change the answer.
#[derive(Serialize)]
struct ChatKeyFields<'a> {
    v: u32,
    kind: &'static str,
    model: &'a str,
    messages: &'a [Message],
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    n: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop: Option<&'a Stop>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_completion_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    presence_penalty: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    frequency_penalty: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    logit_bias: Option<&'a std::collections::BTreeMap<String, f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    logprobs: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_logprobs: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<i64>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tools: &'a [ToolDefinition],
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<&'a ToolChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parallel_tool_calls: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<&'a ResponseFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasoning_effort: Option<&'a ReasoningEffort>,
    /// Vendor body fields (`top_k`, …): nested, so they cannot pose as a modelled field.
    #[serde(skip_serializing_if = "Map::is_empty")]
    extra: &'a Map<String, Value>,
}

/// The fields of an embeddings request that change the answer.
#[derive(Serialize)]
struct EmbeddingKeyFields<'a> {
    v: u32,
    kind: &'static str,
    model: &'a str,
    input: &'a EmbeddingInput,
    #[serde(skip_serializing_if = "Option::is_none")]
    dimensions: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encoding_format: Option<&'a EncodingFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    input_type: Option<&'a InputType>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    extra: &'a Map<String, Value>,
}

/// The key of a chat request in `namespace`.
///
/// # Errors
///
/// [`ErrorKind::Cache`] if the request cannot be serialized (it always can with the canonical
/// types; a custom `Serialize` in `extra` could fail).
pub fn chat_key(namespace: &str, req: &ChatRequest) -> Result<CacheKey, Error> {
    let fields = ChatKeyFields {
        v: KEY_VERSION,
        kind: "chat",
        model: &req.model,
        messages: &req.messages,
        temperature: req.temperature,
        top_p: req.top_p,
        n: req.n,
        stop: req.stop.as_ref(),
        max_tokens: req.max_tokens,
        max_completion_tokens: req.max_completion_tokens,
        presence_penalty: req.presence_penalty,
        frequency_penalty: req.frequency_penalty,
        logit_bias: req.logit_bias.as_ref(),
        logprobs: req.logprobs,
        top_logprobs: req.top_logprobs,
        seed: req.seed,
        tools: &req.tools,
        tool_choice: req.tool_choice.as_ref(),
        parallel_tool_calls: req.parallel_tool_calls,
        response_format: req.response_format.as_ref(),
        reasoning_effort: req.reasoning_effort.as_ref(),
        extra: &req.extra,
    };
    Ok(CacheKey::new(namespace, digest(&fields)?))
}

/// The key of an embeddings request in `namespace`.
///
/// # Errors
///
/// As [`chat_key`].
pub fn embedding_key(namespace: &str, req: &EmbeddingRequest) -> Result<CacheKey, Error> {
    let fields = EmbeddingKeyFields {
        v: KEY_VERSION,
        kind: "embedding",
        model: &req.model,
        input: &req.input,
        dimensions: req.dimensions,
        encoding_format: req.encoding_format.as_ref(),
        input_type: req.input_type.as_ref(),
        extra: &req.extra,
    };
    Ok(CacheKey::new(namespace, digest(&fields)?))
}

fn digest(fields: &impl Serialize) -> Result<[u8; 32], Error> {
    let value = serde_json::to_value(fields).map_err(|e| {
        Error::new(
            ErrorKind::Cache,
            format!("cache: cannot serialize the request for its key: {e}"),
        )
        .with_source(e)
    })?;
    // One buffer, hashed once: cheaper than many small hash updates.
    let mut canonical = Vec::with_capacity(1024);
    write_canonical(&value, &mut canonical).map_err(|e| {
        Error::new(
            ErrorKind::Cache,
            format!("cache: cannot hash the request: {e}"),
        )
        .with_source(e)
    })?;
    Ok(Sha256::digest(&canonical).into())
}

/// Compact JSON with object keys sorted at every depth.
pub(crate) fn write_canonical(value: &Value, out: &mut impl io::Write) -> io::Result<()> {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.write_all(b"{")?;
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                serde_json::to_writer(&mut *out, k)?;
                out.write_all(b":")?;
                write_canonical(v, out)?;
            }
            out.write_all(b"}")
        }
        Value::Array(items) => {
            out.write_all(b"[")?;
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                write_canonical(v, out)?;
            }
            out.write_all(b"]")
        }
        scalar => Ok(serde_json::to_writer(out, scalar)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canonical(v: &Value) -> String {
        let mut out = Vec::new();
        write_canonical(v, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn canonical_form_sorts_keys_at_every_depth() {
        let mut inner = Map::new();
        inner.insert("z".into(), json!(1));
        inner.insert("a".into(), json!([{"y": 1, "b": "é\"\n"}]));
        let mut outer = Map::new();
        outer.insert("m".into(), Value::Object(inner));
        outer.insert("b".into(), json!(1.5));
        assert_eq!(
            canonical(&Value::Object(outer)),
            r#"{"b":1.5,"m":{"a":[{"b":"é\"\n","y":1}],"z":1}}"#
        );
    }

    #[test]
    fn key_string_form() {
        let k = CacheKey::new("tenant:a", [0xab; 32]);
        assert_eq!(k.namespace(), "tenant:a");
        assert_eq!(k.digest_hex(), "ab".repeat(32));
        assert_eq!(k.as_str(), format!("tenant:a:{}", "ab".repeat(32)));
    }
}
