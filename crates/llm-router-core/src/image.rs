//! Image generation: OpenAI's `/images/generations` request and response.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::extensions::Extensions;

/// An image generation request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageRequest {
    /// What to draw.
    pub prompt: String,
    /// Model id (`gpt-image-1`, `dall-e-3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// How many images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// `1024x1024`, `1536x1024`, `auto`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// `standard`, `hd`, `low`, `medium`, `high`, `auto`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<String>,
    /// `vivid` or `natural` (dall-e-3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    /// `url` or `b64_json` (dall-e models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_format: Option<String>,
    /// End-user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Other body fields (`background`, `output_format`, `moderation`, …), sent on.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// Out-of-band values for layers (never serialized).
    #[serde(skip)]
    pub extensions: Extensions,
}

impl ImageRequest {
    /// A request for `prompt` with `model`.
    pub fn new(model: impl Into<String>, prompt: impl Into<String>) -> Self {
        Self {
            prompt: prompt.into(),
            model: Some(model.into()),
            ..Self::default()
        }
    }
}

/// Generated images.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageResponse {
    /// Unix seconds.
    #[serde(default)]
    pub created: u64,
    /// The images.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    pub data: Vec<ImageData>,
    /// Token usage (gpt-image models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Value>,
    /// Other fields (`background`, `output_format`, `size`, `quality`), kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One image: a URL or base64 data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageData {
    /// Where to download it (expires).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The image as base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b64_json: Option<String>,
    /// The prompt the model actually used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revised_prompt: Option<String>,
    /// Other fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
