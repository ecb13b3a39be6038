//! [`Embedder`]: one call for one text or many, split into requests the provider accepts,
//! sent with bounded concurrency and put back together in input order.

use std::sync::Arc;

use futures_util::{StreamExt as _, TryStreamExt as _, stream};
use llm_router_core::{
    EmbeddingRequest, EncodingFormat, Error, ErrorKind, InputType, SharedEmbedding, Usage,
};
use llm_router_tokens::{TiktokenCounter, TokenCounter};
use serde_json::{Map, Value};

use crate::response::{add_usage, in_input_order};
use crate::{BatchLimits, ModelDefaults, normalize, plan_batches, truncate_normalize};

/// Requests in flight at once by default.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// Vectors for a list of inputs, in input order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Embeddings {
    /// One vector per input, in input order.
    pub vectors: Vec<Vec<f32>>,
    /// Usage summed over every request; `None` when no response reported usage.
    pub usage: Option<Usage>,
    /// The model as the provider named it (the requested model if it named none).
    pub model: String,
    /// How many requests were sent.
    pub requests: usize,
}

/// Embeds texts with one model over any [`SharedEmbedding`].
///
/// - **Splitting.** Inputs are split into requests within the model's [`BatchLimits`] (inputs
///   per request and tokens per request; known defaults by model name, see
///   [`ModelDefaults`], or [`Embedder::limits`]). Tokens are counted only when a token limit
///   applies, with [`TiktokenCounter`] for the model by default (exact for OpenAI models, an
///   estimate for others) or the counter given to [`Embedder::token_counter`].
/// - **Concurrency.** At most [`Embedder::concurrency`] requests are in flight
///   ([`DEFAULT_CONCURRENCY`] by default); the vectors come back in input order whatever order
///   the requests finish in.
/// - **Failure.** If any request fails, the call fails with that request's error and the
///   requests still in flight are cancelled (dropped); vectors already received are discarded.
///   Put a retry layer under the embedder to retry single requests.
/// - **Dimensions.** With [`Embedder::dimensions`], `dimensions` is sent to the provider when
///   it shortens vectors itself ([`Embedder::native_dimensions`]; by default what
///   [`ModelDefaults::for_model`] says, which is "no" for models it does not know). Every
///   vector longer than asked is then truncated and re-normalised locally (Matryoshka
///   shortening, also a safety net for providers that ignore the field); a shorter one is an
///   [`ErrorKind::InvalidRequest`] error.
/// - **Encoding.** Base64 responses ([`Embedder::encoding_format`]) are decoded to `f32` with
///   core's [`Embedding::to_floats`](llm_router_core::Embedding::to_floats).
#[derive(Clone)]
pub struct Embedder {
    provider: SharedEmbedding,
    model: String,
    dimensions: Option<u32>,
    native_dimensions: Option<bool>,
    normalize: bool,
    input_type: Option<InputType>,
    encoding_format: Option<EncodingFormat>,
    user: Option<String>,
    extra: Map<String, Value>,
    limits: Option<BatchLimits>,
    concurrency: usize,
    counter: Arc<dyn TokenCounter>,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("provider", &self.provider.name())
            .field("model", &self.model)
            .field("dimensions", &self.dimensions)
            .field("native_dimensions", &self.uses_native_dimensions())
            .field("normalize", &self.normalize)
            .field("input_type", &self.input_type)
            .field("limits", &self.batch_limits())
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

impl Embedder {
    /// An embedder for `model` on `provider`, with the model's known defaults.
    pub fn new(provider: SharedEmbedding, model: impl Into<String>) -> Self {
        let model = model.into();
        let counter = Arc::new(TiktokenCounter::default().for_model(&model));
        Self {
            provider,
            model,
            dimensions: None,
            native_dimensions: None,
            normalize: false,
            input_type: None,
            encoding_format: None,
            user: None,
            extra: Map::new(),
            limits: None,
            concurrency: DEFAULT_CONCURRENCY,
            counter,
        }
    }

    /// Vectors of `n` dimensions (see the type's docs for native vs local shortening).
    pub fn dimensions(mut self, n: u32) -> Self {
        self.dimensions = Some(n);
        self
    }

    /// Whether the provider shortens vectors itself (`dimensions` is sent) or the embedder
    /// truncates and re-normalises locally (nothing is sent). Overrides the model's default.
    pub fn native_dimensions(mut self, native: bool) -> Self {
        self.native_dimensions = Some(native);
        self
    }

    /// Scales every vector to unit length (off by default; shortened vectors are always
    /// re-normalised).
    pub fn normalize(mut self, on: bool) -> Self {
        self.normalize = on;
        self
    }

    /// The query/document hint sent with every request (Cohere's `input_type`, Gemini's
    /// `taskType`; OpenAI-dialect providers drop it).
    pub fn input_type(mut self, input_type: InputType) -> Self {
        self.input_type = Some(input_type);
        self
    }

    /// Asks the provider for `float` or `base64` vectors (base64 is smaller on the wire);
    /// results are `f32` either way.
    pub fn encoding_format(mut self, format: EncodingFormat) -> Self {
        self.encoding_format = Some(format);
        self
    }

    /// The end-user id sent with every request.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// Another body field sent with every request (Cohere's `truncate`, Gemini's `title`…).
    pub fn extra(mut self, key: impl Into<String>, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }

    /// Per-request limits, replacing the model's known defaults.
    pub fn limits(mut self, limits: BatchLimits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Most requests in flight at once (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The counter that estimates each input's tokens against a token limit.
    pub fn token_counter(mut self, counter: impl TokenCounter + 'static) -> Self {
        self.counter = Arc::new(counter);
        self
    }

    /// The model.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The limits in force: those set with [`Embedder::limits`], else the model's defaults.
    pub fn batch_limits(&self) -> BatchLimits {
        self.limits
            .unwrap_or_else(|| BatchLimits::for_model(&self.model))
    }

    /// Whether `dimensions` is sent to the provider.
    pub fn uses_native_dimensions(&self) -> bool {
        self.native_dimensions
            .unwrap_or_else(|| ModelDefaults::for_model(&self.model).native_dimensions)
    }

    /// One vector per text, in order, with the configured input type. No texts, no requests.
    pub async fn embed<I, S>(&self, texts: I) -> Result<Embeddings, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let texts = texts.into_iter().map(Into::into).collect();
        self.run(texts, self.input_type.as_ref()).await
    }

    /// The vector of one text.
    pub async fn embed_one(&self, text: impl Into<String>) -> Result<Vec<f32>, Error> {
        first(
            self.run(vec![text.into()], self.input_type.as_ref())
                .await?,
        )
    }

    /// The vector of a search query ([`InputType::Query`], whatever the configured type).
    pub async fn embed_query(&self, text: impl Into<String>) -> Result<Vec<f32>, Error> {
        first(self.run(vec![text.into()], Some(&InputType::Query)).await?)
    }

    /// Vectors of documents to search ([`InputType::Document`], whatever the configured type).
    pub async fn embed_documents<I, S>(&self, texts: I) -> Result<Embeddings, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let texts = texts.into_iter().map(Into::into).collect();
        self.run(texts, Some(&InputType::Document)).await
    }

    async fn run(
        &self,
        texts: Vec<String>,
        input_type: Option<&InputType>,
    ) -> Result<Embeddings, Error> {
        let limits = self.batch_limits();
        let costs: Vec<usize> = if limits.max_tokens.is_some() {
            texts.iter().map(|t| self.counter.count_text(t)).collect()
        } else {
            vec![0; texts.len()]
        };
        let ranges = plan_batches(&costs, limits);
        let mut rest = texts.into_iter();
        let chunks: Vec<Vec<String>> = ranges
            .iter()
            .map(|r| rest.by_ref().take(r.len()).collect())
            .collect();
        let requests = chunks.len();
        let parts: Vec<Part> = stream::iter(chunks)
            .map(|chunk| self.send(chunk, input_type))
            .buffered(self.concurrency)
            .try_collect()
            .await?;

        let mut out = Embeddings {
            requests,
            ..Embeddings::default()
        };
        for part in parts {
            if out.model.is_empty() {
                out.model = part.model;
            }
            add_usage(&mut out.usage, part.usage.as_ref());
            out.vectors.extend(part.vectors);
        }
        if out.model.is_empty() {
            out.model.clone_from(&self.model);
        }
        Ok(out)
    }

    async fn send(
        &self,
        texts: Vec<String>,
        input_type: Option<&InputType>,
    ) -> Result<Part, Error> {
        let n = texts.len();
        let mut req = EmbeddingRequest::new(self.model.clone(), texts);
        req.dimensions = self.dimensions.filter(|_| self.uses_native_dimensions());
        req.input_type = input_type.cloned();
        req.encoding_format.clone_from(&self.encoding_format);
        req.user.clone_from(&self.user);
        req.extra.clone_from(&self.extra);
        let resp = self.provider.embed(req).await?;
        let vectors = in_input_order(resp.data, n)
            .and_then(|data| {
                data.iter()
                    .map(|d| {
                        let mut v = d.embedding.to_floats()?;
                        self.shape(&mut v)?;
                        Ok(v)
                    })
                    .collect::<Result<Vec<_>, Error>>()
            })
            .map_err(|e| e.with_provider(self.provider.name()))?;
        Ok(Part {
            vectors,
            usage: resp.usage,
            model: resp.model,
        })
    }

    /// Applies `dimensions` (truncate + re-normalise when longer) and `normalize`.
    fn shape(&self, v: &mut Vec<f32>) -> Result<(), Error> {
        if let Some(dims) = self.dimensions {
            let dims = dims as usize;
            if v.len() != dims {
                truncate_normalize(v, dims)?;
            }
        }
        if self.normalize {
            normalize(v);
        }
        Ok(())
    }
}

/// One request's share of the result.
struct Part {
    vectors: Vec<Vec<f32>>,
    usage: Option<Usage>,
    model: String,
}

fn first(e: Embeddings) -> Result<Vec<f32>, Error> {
    e.vectors
        .into_iter()
        .next()
        .ok_or_else(|| Error::new(ErrorKind::Decode, "the provider returned no vector"))
}
