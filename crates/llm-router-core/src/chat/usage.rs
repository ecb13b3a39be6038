//! Token usage, in OpenAI's shape with the cache and reasoning details every provider reports.

use serde::Serialize;
use serde_json::{Map, Value};

/// Token counts of one request.
///
/// The top-level fields are OpenAI's; cache reads, cache writes and reasoning tokens live in the
/// detail objects (cache writes as `prompt_tokens_details.cache_write_tokens`, our name for
/// Anthropic's `cache_creation_input_tokens`). Use the accessors rather than the nesting.
///
/// ```
/// use llm_router_core::Usage;
/// let u = Usage::new(10, 5).with_cache_read(4);
/// assert_eq!((u.input_tokens(), u.output_tokens(), u.total_tokens), (10, 5, 15));
/// assert_eq!(u.cache_read_tokens(), 4);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Usage {
    /// Input tokens, cached ones included.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    pub prompt_tokens: u64,
    /// Output tokens, reasoning included.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    pub completion_tokens: u64,
    /// Sum of the two.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    pub total_tokens: u64,
    /// Details of the input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_tokens_details: Option<PromptTokensDetails>,
    /// Details of the output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_tokens_details: Option<CompletionTokensDetails>,
    /// Vendor fields (`cost`, `prompt_cache_hit_tokens`, …), kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

crate::serde_util::deserialize_keeping_extra!(Usage, extra, {
    prompt_tokens: u64 = "prompt_tokens" => null,
    completion_tokens: u64 = "completion_tokens" => null,
    total_tokens: u64 = "total_tokens" => null,
    prompt_tokens_details: Option<PromptTokensDetails> = "prompt_tokens_details" => default,
    completion_tokens_details: Option<CompletionTokensDetails> = "completion_tokens_details" => default,
});

/// Input token details.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PromptTokensDetails {
    /// Input tokens read from the provider's prompt cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_tokens: Option<u64>,
    /// Input tokens written to the provider's prompt cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write_tokens: Option<u64>,
    /// Audio input tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_tokens: Option<u64>,
    /// Other fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

crate::serde_util::deserialize_keeping_extra!(PromptTokensDetails, extra, {
    cached_tokens: Option<u64> = "cached_tokens" => default,
    cache_write_tokens: Option<u64> = "cache_write_tokens" => default,
    audio_tokens: Option<u64> = "audio_tokens" => default,
});

/// Output token details.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CompletionTokensDetails {
    /// Tokens spent on reasoning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_tokens: Option<u64>,
    /// Audio output tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_tokens: Option<u64>,
    /// Predicted-output tokens that appeared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_prediction_tokens: Option<u64>,
    /// Predicted-output tokens that did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_prediction_tokens: Option<u64>,
    /// Other fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

crate::serde_util::deserialize_keeping_extra!(CompletionTokensDetails, extra, {
    reasoning_tokens: Option<u64> = "reasoning_tokens" => default,
    audio_tokens: Option<u64> = "audio_tokens" => default,
    accepted_prediction_tokens: Option<u64> = "accepted_prediction_tokens" => default,
    rejected_prediction_tokens: Option<u64> = "rejected_prediction_tokens" => default,
});

impl Usage {
    /// Usage with input and output counts; total is their sum.
    pub fn new(input: u64, output: u64) -> Self {
        Self {
            prompt_tokens: input,
            completion_tokens: output,
            total_tokens: input + output,
            ..Self::default()
        }
    }

    /// Sets the cache-read count.
    pub fn with_cache_read(mut self, n: u64) -> Self {
        self.prompt_tokens_details
            .get_or_insert_with(Default::default)
            .cached_tokens = Some(n);
        self
    }

    /// Sets the cache-write count.
    pub fn with_cache_write(mut self, n: u64) -> Self {
        self.prompt_tokens_details
            .get_or_insert_with(Default::default)
            .cache_write_tokens = Some(n);
        self
    }

    /// Sets the reasoning count.
    pub fn with_reasoning(mut self, n: u64) -> Self {
        self.completion_tokens_details
            .get_or_insert_with(Default::default)
            .reasoning_tokens = Some(n);
        self
    }

    /// Input tokens.
    pub fn input_tokens(&self) -> u64 {
        self.prompt_tokens
    }

    /// Output tokens.
    pub fn output_tokens(&self) -> u64 {
        self.completion_tokens
    }

    /// Input tokens served from the prompt cache.
    pub fn cache_read_tokens(&self) -> u64 {
        self.prompt_tokens_details
            .as_ref()
            .and_then(|d| d.cached_tokens)
            .unwrap_or(0)
    }

    /// Input tokens written to the prompt cache.
    pub fn cache_write_tokens(&self) -> u64 {
        self.prompt_tokens_details
            .as_ref()
            .and_then(|d| d.cache_write_tokens)
            .unwrap_or(0)
    }

    /// Reasoning tokens.
    pub fn reasoning_tokens(&self) -> u64 {
        self.completion_tokens_details
            .as_ref()
            .and_then(|d| d.reasoning_tokens)
            .unwrap_or(0)
    }
}
