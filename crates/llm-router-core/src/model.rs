//! Model listing: OpenAI's `/models` shapes.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A model a provider or the gateway serves.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// The id to put in requests.
    pub id: String,
    /// Always `model`.
    #[serde(default = "model_object")]
    pub object: String,
    /// Unix seconds.
    #[serde(default)]
    pub created: u64,
    /// Who owns it.
    #[serde(default)]
    pub owned_by: String,
    /// Other fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ModelInfo {
    /// A model entry.
    pub fn new(id: impl Into<String>, owned_by: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            object: model_object(),
            created: 0,
            owned_by: owned_by.into(),
            extra: Map::new(),
        }
    }
}

fn model_object() -> String {
    "model".to_owned()
}

/// A list of models: `{"object": "list", "data": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelList {
    /// Always `list`.
    #[serde(default)]
    pub object: String,
    /// The models.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    pub data: Vec<ModelInfo>,
}
