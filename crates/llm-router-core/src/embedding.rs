//! Embeddings: OpenAI's `/embeddings` request and response, plus an input-type hint for
//! providers that embed queries and documents differently (Cohere, Gemini).

use base64::Engine as _;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::chat::Usage;
use crate::extensions::Extensions;
use crate::{Error, ErrorKind};

/// An embeddings request.
///
/// ```
/// use llm_router_core::{EmbeddingRequest, EmbeddingInput};
/// let req = EmbeddingRequest::new("text-embedding-3-small", vec!["a".to_owned(), "b".to_owned()]);
/// assert_eq!(req.input.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingRequest {
    /// Model id.
    pub model: String,
    /// What to embed.
    pub input: EmbeddingInput,
    /// Output dimensions (models that support shortening).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<u32>,
    /// `float` or `base64`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding_format: Option<EncodingFormat>,
    /// End-user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Query or document (ours; OpenAI ignores it, Cohere and Gemini need it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_type: Option<InputType>,
    /// Other body fields, sent on.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// Extra HTTP headers (never serialized).
    #[serde(skip)]
    pub extra_headers: std::collections::BTreeMap<String, String>,
    /// Out-of-band values for layers (never serialized).
    #[serde(skip)]
    pub extensions: Extensions,
}

impl EmbeddingRequest {
    /// A request embedding `input` with `model`.
    pub fn new(model: impl Into<String>, input: impl Into<EmbeddingInput>) -> Self {
        Self {
            model: model.into(),
            input: input.into(),
            ..Self::default()
        }
    }
}

/// The input of an embeddings request: a string, strings, or token arrays.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EmbeddingInput {
    /// One text.
    Text(String),
    /// Several texts.
    Texts(Vec<String>),
    /// One token array.
    Tokens(Vec<u32>),
    /// Several token arrays.
    TokenBatches(Vec<Vec<u32>>),
}

impl Default for EmbeddingInput {
    fn default() -> Self {
        EmbeddingInput::Texts(Vec::new())
    }
}

impl EmbeddingInput {
    /// How many vectors the request asks for.
    pub fn len(&self) -> usize {
        match self {
            Self::Text(_) | Self::Tokens(_) => 1,
            Self::Texts(v) => v.len(),
            Self::TokenBatches(v) => v.len(),
        }
    }

    /// Whether there is nothing to embed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The texts, or `None` for token input.
    pub fn texts(&self) -> Option<Vec<&str>> {
        match self {
            Self::Text(t) => Some(vec![t.as_str()]),
            Self::Texts(v) => Some(v.iter().map(String::as_str).collect()),
            _ => None,
        }
    }
}

impl From<String> for EmbeddingInput {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}
impl From<&str> for EmbeddingInput {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}
impl From<Vec<String>> for EmbeddingInput {
    fn from(v: Vec<String>) -> Self {
        Self::Texts(v)
    }
}
impl From<Vec<&str>> for EmbeddingInput {
    fn from(v: Vec<&str>) -> Self {
        Self::Texts(v.into_iter().map(str::to_owned).collect())
    }
}

impl Serialize for EmbeddingInput {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Text(t) => s.serialize_str(t),
            Self::Texts(v) => v.serialize(s),
            Self::Tokens(v) => v.serialize(s),
            Self::TokenBatches(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for EmbeddingInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let err =
            || de::Error::custom("input must be a string, an array of strings, or token arrays");
        match Value::deserialize(d)? {
            Value::String(s) => Ok(Self::Text(s)),
            Value::Array(items) => match items.first() {
                None => Ok(Self::Texts(Vec::new())),
                Some(Value::String(_)) => serde_json::from_value(Value::Array(items))
                    .map(Self::Texts)
                    .map_err(|_| err()),
                Some(Value::Number(_)) => serde_json::from_value(Value::Array(items))
                    .map(Self::Tokens)
                    .map_err(|_| err()),
                Some(Value::Array(_)) => serde_json::from_value(Value::Array(items))
                    .map(Self::TokenBatches)
                    .map_err(|_| err()),
                Some(_) => Err(err()),
            },
            _ => Err(err()),
        }
    }
}

crate::open_enum! {
    /// How vectors are encoded in the response.
    pub enum EncodingFormat {
        /// JSON arrays of numbers.
        Float = "float",
        /// Base64 of little-endian `f32`s (the official OpenAI SDKs ask for this by default).
        Base64 = "base64",
    }
}

crate::open_enum! {
    /// What the embedded text is for.
    pub enum InputType {
        /// A search query.
        Query = "query",
        /// A document to be searched.
        Document = "document",
        /// Input for classification.
        Classification = "classification",
        /// Input for clustering.
        Clustering = "clustering",
    }
}

/// An embeddings response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingResponse {
    /// Always `list`.
    #[serde(default = "list")]
    pub object: String,
    /// One entry per input, in input order.
    pub data: Vec<EmbeddingData>,
    /// The model that embedded.
    #[serde(default)]
    pub model: String,
    /// Token usage (`prompt_tokens`, `total_tokens`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// Other fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn list() -> String {
    "list".to_owned()
}

fn embedding_object() -> String {
    "embedding".to_owned()
}

/// One vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingData {
    /// Always `embedding`.
    #[serde(default = "embedding_object")]
    pub object: String,
    /// Position of the input.
    #[serde(default)]
    pub index: u32,
    /// The vector.
    pub embedding: Embedding,
}

impl EmbeddingData {
    /// An entry for `vector` at `index`.
    pub fn new(index: u32, vector: Vec<f32>) -> Self {
        Self {
            object: embedding_object(),
            index,
            embedding: Embedding::Float(vector),
        }
    }

    /// An entry for `vector` at `index`, base64-encoded when `format` asks for it.
    pub fn encoded(index: u32, vector: Vec<f32>, format: Option<&EncodingFormat>) -> Self {
        let embedding = if matches!(format, Some(EncodingFormat::Base64)) {
            Embedding::Base64(Embedding::encode_base64(&vector))
        } else {
            Embedding::Float(vector)
        };
        Self {
            object: embedding_object(),
            index,
            embedding,
        }
    }

    /// Entries for vectors in input order (the index is the position), each encoded as
    /// `format` asks.
    ///
    /// ```
    /// use llm_router_core::{Embedding, EmbeddingData, EncodingFormat};
    /// let data = EmbeddingData::list(vec![vec![1.0], vec![0.5]], Some(&EncodingFormat::Base64));
    /// assert_eq!(data[1].index, 1);
    /// assert_eq!(data[1].embedding.to_floats().unwrap(), vec![0.5]);
    /// assert!(matches!(data[0].embedding, Embedding::Base64(_)));
    /// ```
    pub fn list(vectors: Vec<Vec<f32>>, format: Option<&EncodingFormat>) -> Vec<Self> {
        vectors
            .into_iter()
            .enumerate()
            .map(|(i, v)| Self::encoded(u32::try_from(i).unwrap_or(u32::MAX), v, format))
            .collect()
    }
}

/// A vector as floats or as base64 (as the request's `encoding_format` asked).
#[derive(Debug, Clone, PartialEq)]
pub enum Embedding {
    /// Numbers.
    Float(Vec<f32>),
    /// Base64 of little-endian `f32`s.
    Base64(String),
}

impl Embedding {
    /// The vector as floats, decoding base64 if needed.
    pub fn to_floats(&self) -> Result<Vec<f32>, Error> {
        match self {
            Self::Float(v) => Ok(v.clone()),
            Self::Base64(b) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .map_err(|e| {
                        Error::new(ErrorKind::Decode, format!("bad base64 embedding: {e}"))
                    })?;
                if bytes.len() % 4 != 0 {
                    return Err(Error::new(
                        ErrorKind::Decode,
                        "base64 embedding length is not a multiple of 4 bytes",
                    ));
                }
                Ok(bytes
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect())
            }
        }
    }

    /// Base64 of little-endian `f32`s, OpenAI's `encoding_format: base64`.
    pub fn encode_base64(vector: &[f32]) -> String {
        let mut bytes = Vec::with_capacity(vector.len() * 4);
        for f in vector {
            bytes.extend_from_slice(&f.to_le_bytes());
        }
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }
}

impl Serialize for Embedding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Float(v) => v.serialize(s),
            Self::Base64(b) => s.serialize_str(b),
        }
    }
}

impl<'de> Deserialize<'de> for Embedding {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(Self::Base64(s)),
            v @ Value::Array(_) => serde_json::from_value(v)
                .map(Self::Float)
                .map_err(de::Error::custom),
            _ => Err(de::Error::custom(
                "embedding must be an array of numbers or a base64 string",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base64_round_trip() {
        let v = vec![0.5f32, -1.25, 3.0];
        let e = Embedding::Base64(Embedding::encode_base64(&v));
        assert_eq!(e.to_floats().unwrap(), v);
        assert_eq!(
            Embedding::Base64("AAA".into())
                .to_floats()
                .unwrap_err()
                .kind(),
            ErrorKind::Decode
        );
    }

    #[test]
    fn input_forms() {
        for v in [
            json!("a"),
            json!(["a", "b"]),
            json!([1, 2]),
            json!([[1], [2, 3]]),
        ] {
            let i: EmbeddingInput = serde_json::from_value(v.clone()).unwrap();
            assert_eq!(serde_json::to_value(&i).unwrap(), v);
        }
        assert!(serde_json::from_value::<EmbeddingInput>(json!([true])).is_err());
    }
}
