//! Embeddings through InvokeModel (`POST /model/{id}/invoke`, model-native bodies): Amazon
//! Titan text embeddings (one text per call) and Cohere Embed (a list of texts per call).

use llm_router_core::{
    EmbeddingData, EmbeddingInput, EmbeddingRequest, EncodingFormat, Error, ErrorKind, InputType,
};
use serde_json::{Map, Value, json};

use crate::NAME;
use crate::wire::{CohereEmbeddings, CohereVectors, TitanEmbedding};

/// Which model-native body an embedding model takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EmbeddingApi {
    /// Amazon Titan text embeddings v2 (`{inputText, dimensions, normalize}`, one text per
    /// call).
    TitanV2,
    /// Amazon Titan text embeddings v1 / G1 (`{inputText}` only).
    TitanV1,
    /// Cohere Embed (`{texts, input_type}`).
    Cohere,
}

impl EmbeddingApi {
    /// The API a model id reveals (foundation model ids and inference profiles such as
    /// `us.cohere.embed-v4:0`); `None` for ids that do not (provisioned-throughput ARNs).
    pub fn detect(model: &str) -> Option<Self> {
        let m = model.to_ascii_lowercase();
        if m.contains("titan-embed-text-v1") || m.contains("titan-embed-g1-text") {
            Some(Self::TitanV1)
        } else if m.contains("titan-embed-text") {
            Some(Self::TitanV2)
        } else if m.contains("cohere.embed") {
            Some(Self::Cohere)
        } else {
            None
        }
    }
}

/// The most texts Cohere Embed on Bedrock takes in one call; longer inputs are split.
pub(crate) const COHERE_MAX_TEXTS: usize = 96;

fn unsupported(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unsupported, msg).with_provider(NAME)
}

/// The texts of a request (token input is refused).
pub(crate) fn texts(req: &EmbeddingRequest) -> Result<Vec<String>, Error> {
    match &req.input {
        EmbeddingInput::Text(t) => Ok(vec![t.clone()]),
        EmbeddingInput::Texts(t) => Ok(t.clone()),
        _ => Err(unsupported("Bedrock embeds text, not token ids")),
    }
}

fn merge_extra(body: &mut Value, extra: &Map<String, Value>) {
    if let Value::Object(map) = body {
        for (k, v) in extra {
            map.insert(k.clone(), v.clone());
        }
    }
}

/// Titan's body for one text: v2 gets `dimensions` when asked and `normalize: true` (unit
/// vectors, as OpenAI's are; `extra.normalize` overrides); `extra` is merged in.
pub(crate) fn titan_body(
    api: EmbeddingApi,
    req: &EmbeddingRequest,
    text: &str,
) -> Result<Value, Error> {
    let mut body = json!({"inputText": text});
    if api == EmbeddingApi::TitanV2 {
        if let Some(d) = req.dimensions {
            body["dimensions"] = d.into();
        }
        body["normalize"] = true.into();
    } else if req.dimensions.is_some() {
        return Err(unsupported(
            "Titan embeddings v1 has a fixed size (no dimensions)",
        ));
    }
    merge_extra(&mut body, &req.extra);
    Ok(body)
}

/// Our [`InputType`] → Cohere's `input_type`; none given means `search_document`.
fn input_type(t: Option<&InputType>) -> String {
    match t {
        None | Some(InputType::Document) => "search_document".into(),
        Some(InputType::Query) => "search_query".into(),
        Some(InputType::Classification) => "classification".into(),
        Some(InputType::Clustering) => "clustering".into(),
        Some(other) => other.as_str().to_owned(),
    }
}

/// Cohere's body: `{texts, input_type}` (+ `output_dimension` for `dimensions`, and `extra`
/// such as `truncate`).
pub(crate) fn cohere_body(req: &EmbeddingRequest, texts: &[String]) -> Value {
    let mut body = json!({"texts": texts, "input_type": input_type(req.input_type.as_ref())});
    if let Some(d) = req.dimensions {
        body["output_dimension"] = d.into();
    }
    merge_extra(&mut body, &req.extra);
    body
}

fn decode(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Decode, msg).with_provider(NAME)
}

/// Titan's answer → its vector and token count.
pub(crate) fn titan_vector(body: &[u8]) -> Result<(Vec<f32>, Option<u64>), Error> {
    let r: TitanEmbedding = llm_router_http::parse_json(NAME, body)?;
    Ok((r.embedding, r.input_text_token_count))
}

/// Cohere's answer → its vectors, checked against the number of texts.
pub(crate) fn cohere_vectors(
    body: &[u8],
    expected: usize,
) -> Result<(Vec<Vec<f32>>, Option<String>), Error> {
    let r: CohereEmbeddings = llm_router_http::parse_json(NAME, body)?;
    let v = match r.embeddings {
        CohereVectors::Floats(v) | CohereVectors::ByType { float: v } => v,
    };
    if v.len() != expected {
        return Err(decode(format!("{} vectors for {expected} texts", v.len())));
    }
    Ok((v, r.id))
}

/// Vectors in input order → `data`, base64-encoded when asked.
pub(crate) fn data(vectors: Vec<Vec<f32>>, format: Option<&EncodingFormat>) -> Vec<EmbeddingData> {
    EmbeddingData::list(vectors, format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection() {
        assert_eq!(
            EmbeddingApi::detect("amazon.titan-embed-text-v2:0"),
            Some(EmbeddingApi::TitanV2)
        );
        assert_eq!(
            EmbeddingApi::detect("amazon.titan-embed-text-v1"),
            Some(EmbeddingApi::TitanV1)
        );
        assert_eq!(
            EmbeddingApi::detect("cohere.embed-english-v3"),
            Some(EmbeddingApi::Cohere)
        );
        assert_eq!(
            EmbeddingApi::detect("us.cohere.embed-v4:0"),
            Some(EmbeddingApi::Cohere)
        );
        assert_eq!(
            EmbeddingApi::detect("arn:aws:bedrock:us-east-1:1:provisioned-model/x"),
            None
        );
    }

    #[test]
    fn titan_bodies() {
        let mut req = EmbeddingRequest::new("amazon.titan-embed-text-v1", "a");
        assert_eq!(
            titan_body(EmbeddingApi::TitanV1, &req, "a").ok(),
            Some(json!({"inputText": "a"}))
        );
        req.dimensions = Some(512);
        assert!(titan_body(EmbeddingApi::TitanV1, &req, "a").is_err());
        assert_eq!(
            titan_body(EmbeddingApi::TitanV2, &req, "a").ok(),
            Some(json!({"inputText": "a", "dimensions": 512, "normalize": true}))
        );
    }

    #[test]
    fn cohere_shapes() {
        let (v, id) = cohere_vectors(br#"{"id":"a","embeddings":[[1.0],[2.0]],"texts":["x","y"],"response_type":"embeddings_floats"}"#, 2).unwrap_or_default();
        assert_eq!((v.len(), id.as_deref()), (2, Some("a")));
        let (v, _) = cohere_vectors(
            br#"{"embeddings":{"float":[[1.0]]},"response_type":"embeddings_by_type"}"#,
            1,
        )
        .unwrap_or_default();
        assert_eq!(v, vec![vec![1.0]]);
        assert!(cohere_vectors(br#"{"embeddings":[[1.0]]}"#, 2).is_err());
    }
}
