//! Per-request limits and the known defaults of embedding models, by model-name prefix.
//!
//! The table is data, not provider code: this crate never names a provider crate, it only
//! knows what the vendors document for their model names. Anything it does not know gets
//! [`BatchLimits::DEFAULT`] and no native `dimensions`; set both explicitly for such models.

/// How much one embeddings request may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// Most inputs (texts) per request; at least 1.
    pub max_inputs: usize,
    /// Most tokens summed over the inputs of one request, where the provider has such a limit.
    /// An input that alone exceeds it is sent alone (the provider then truncates it or
    /// refuses it, as it would without this crate).
    pub max_tokens: Option<usize>,
}

impl BatchLimits {
    /// For models the table does not know: 96 inputs (the smallest multi-input limit of the
    /// known families, Cohere's) and no token limit.
    pub const DEFAULT: BatchLimits = BatchLimits {
        max_inputs: 96,
        max_tokens: None,
    };

    /// Limits of `max_inputs` inputs (at least 1) and, where given, `max_tokens` tokens.
    pub const fn new(max_inputs: usize, max_tokens: Option<usize>) -> Self {
        Self {
            max_inputs: if max_inputs == 0 { 1 } else { max_inputs },
            max_tokens,
        }
    }

    /// The known limits of `model` (see [`ModelDefaults::for_model`]).
    pub fn for_model(model: &str) -> Self {
        ModelDefaults::for_model(model).limits
    }

    /// The tighter of two limits, field by field.
    pub fn min(self, other: BatchLimits) -> BatchLimits {
        let max_tokens = match (self.max_tokens, other.max_tokens) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        BatchLimits::new(self.max_inputs.min(other.max_inputs), max_tokens)
    }
}

impl Default for BatchLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What the crate assumes about a model family unless told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelDefaults {
    /// Per-request limits.
    pub limits: BatchLimits,
    /// Whether the provider shortens vectors itself when the request carries `dimensions`
    /// (else the [`Embedder`](crate::Embedder) truncates and re-normalises locally).
    pub native_dimensions: bool,
}

impl ModelDefaults {
    /// For models the table does not know: [`BatchLimits::DEFAULT`], and `dimensions` applied
    /// locally (never sent, so a provider that refuses the field is never sent it).
    pub const UNKNOWN: ModelDefaults = ModelDefaults {
        limits: BatchLimits::DEFAULT,
        native_dimensions: false,
    };

    /// The defaults of `model`: the longest prefix in [`KNOWN_MODELS`] matching the model
    /// name after its last `/` (so `openai/text-embedding-3-small` and
    /// `models/gemini-embedding-001` match their families), else [`ModelDefaults::UNKNOWN`].
    ///
    /// ```
    /// use llm_router_embeddings::ModelDefaults;
    /// let d = ModelDefaults::for_model("text-embedding-3-small");
    /// assert_eq!((d.limits.max_inputs, d.limits.max_tokens), (2048, Some(300_000)));
    /// assert_eq!(ModelDefaults::for_model("models/text-embedding-004").limits.max_inputs, 100);
    /// assert_eq!(ModelDefaults::for_model("my-local-model"), ModelDefaults::UNKNOWN);
    /// ```
    pub fn for_model(model: &str) -> ModelDefaults {
        let name = model.rsplit('/').next().unwrap_or(model);
        KNOWN_MODELS
            .iter()
            .filter(|(prefix, _)| name.starts_with(prefix))
            .max_by_key(|(prefix, _)| prefix.len())
            .map_or(Self::UNKNOWN, |(_, d)| *d)
    }
}

const fn known(max_inputs: usize, max_tokens: Option<usize>, native: bool) -> ModelDefaults {
    ModelDefaults {
        limits: BatchLimits::new(max_inputs, max_tokens),
        native_dimensions: native,
    }
}

/// Model-name prefixes and their documented defaults.
///
/// | prefix | inputs | tokens | native `dimensions` | source |
/// |---|---|---|---|---|
/// | `text-embedding-3` | 2048 | 300,000 | yes | OpenAI embeddings reference (`input`: "2048 dimensions or less", "300,000 tokens summed across all inputs") |
/// | `text-embedding-ada-002` | 2048 | 300,000 | no (the API refuses it) | same |
/// | `gemini-embedding`, `text-embedding-004` | 100 | — | yes (`outputDimensionality`) | Gemini `batchEmbedContents`: "at most 100 requests" |
/// | `embedding-001` | 100 | — | no | same |
/// | `embed-v4` | 96 | — | yes (`output_dimension`: 256, 512, 1024, 1536) | Cohere `/v2/embed`: at most 96 texts |
/// | `embed-english`, `embed-multilingual` | 96 | — | no | same |
/// | `cohere.embed` (Bedrock) | 96 | — | no | same |
/// | `amazon.titan-embed-text-v2` | 1 | — | yes (256, 512, 1024) | Titan takes one `inputText` per call |
/// | `amazon.titan-embed` | 1 | — | no | same |
pub const KNOWN_MODELS: &[(&str, ModelDefaults)] = &[
    ("text-embedding-3", known(2048, Some(300_000), true)),
    ("text-embedding-ada-002", known(2048, Some(300_000), false)),
    ("gemini-embedding", known(100, None, true)),
    ("text-embedding-004", known(100, None, true)),
    ("embedding-001", known(100, None, false)),
    ("embed-v4", known(96, None, true)),
    ("embed-english", known(96, None, false)),
    ("embed-multilingual", known(96, None, false)),
    ("cohere.embed", known(96, None, false)),
    ("amazon.titan-embed-text-v2", known(1, None, true)),
    ("amazon.titan-embed", known(1, None, false)),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lookups() {
        let openai = ModelDefaults::for_model("openai/text-embedding-3-large");
        assert_eq!(openai.limits, BatchLimits::new(2048, Some(300_000)));
        assert!(openai.native_dimensions);
        assert!(!ModelDefaults::for_model("text-embedding-ada-002").native_dimensions);
        // Longest prefix wins: Titan v2 is not plain Titan.
        assert!(ModelDefaults::for_model("amazon.titan-embed-text-v2:0").native_dimensions);
        assert!(!ModelDefaults::for_model("amazon.titan-embed-text-v1").native_dimensions);
        assert_eq!(
            BatchLimits::for_model("amazon.titan-embed-text-v1").max_inputs,
            1
        );
        assert_eq!(BatchLimits::for_model("embed-english-v3.0").max_inputs, 96);
        assert_eq!(
            BatchLimits::for_model("cohere.embed-english-v3").max_inputs,
            96
        );
        assert_eq!(
            BatchLimits::for_model("models/gemini-embedding-001").max_inputs,
            100
        );
        assert_eq!(
            BatchLimits::for_model("nomic-embed-text"),
            BatchLimits::DEFAULT
        );
    }

    #[test]
    fn min_and_new() {
        assert_eq!(BatchLimits::new(0, None).max_inputs, 1);
        let a = BatchLimits::new(10, Some(50));
        let b = BatchLimits::new(5, None);
        assert_eq!(a.min(b), BatchLimits::new(5, Some(50)));
        assert_eq!(
            b.min(BatchLimits::new(7, Some(3))),
            BatchLimits::new(5, Some(3))
        );
    }
}
