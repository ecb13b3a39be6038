//! [`MergeLayer`]: many small concurrent embedding calls for the same model and options become
//! one provider call.
//!
//! The design (spawned timer and send tasks, why cancellation is safe) is described on the type.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use llm_router_core::{
    EmbeddingData, EmbeddingInput, EmbeddingProvider, EmbeddingRequest, EmbeddingResponse,
    EncodingFormat, Error, ErrorKind, InputType, Layer, SharedEmbedding, Usage,
};
use llm_router_tokens::{CharEstimate, TokenCounter};
use serde_json::{Map, Value};
use tokio::sync::oneshot;
use tokio::task::AbortHandle;

use crate::BatchLimits;
use crate::response::{copy_error, in_input_order};

/// How long a batch waits for more calls by default.
pub const DEFAULT_WINDOW: Duration = Duration::from_millis(2);

/// Most inputs per merged call by default (lowered further by the model's [`BatchLimits`]).
pub const DEFAULT_MAX_BATCH: usize = 64;

/// A layer that coalesces concurrent embedding calls for the same model and options into one
/// provider call.
///
/// # Design
///
/// Pending calls wait in *batches*, one per key (model, `dimensions`, encoding,
/// `user`, input type, extra body fields and headers: everything but the input). The first
/// call of a batch spawns a tokio *timer task* that sleeps for the window and then sends the
/// batch. A call that would overflow the batch (inputs or tokens) sends the full batch at once
/// in a spawned *send task* and starts a new one; a call that fills the batch exactly does the
/// same with its own batch, and aborts the timer.
///
/// Callers only wait on a oneshot channel. Sending from a spawned task, not from the first
/// caller's future, is what makes cancellation safe: a caller that is dropped (a timeout, a
/// `select!`) never takes the batch down with it; its inputs are removed from the batch if it
/// is not sent yet, and its answer is discarded otherwise. No task outlives its batch: a timer
/// task lives at most one window plus one provider call, a send task one provider call, and
/// both end when the runtime shuts down (callers then get an error, not a hang).
///
/// Calls that cannot merge go straight to the inner provider: token-array inputs, requests
/// carrying [`Extensions`](llm_router_core::Extensions) (per-request settings such as a
/// limiter's caller key must not be applied to other callers' inputs), calls that alone fill a
/// batch, and calls made outside a tokio runtime.
///
/// # Answers
///
/// Each caller gets its own vectors (indexed from 0, as if it had called alone) and a share of
/// the merged call's usage proportional to its inputs' estimated tokens (exact integer shares
/// that add up to the total). If the merged call fails, every caller of the batch gets the
/// error: the first caller the original, the others a copy with the same kind, message,
/// provider, status, code and `Retry-After`.
///
/// Batches are capped at [`MergeLayer::max_inputs`] inputs and [`MergeLayer::max_tokens`]
/// tokens, and never above the model's known [`BatchLimits`] (so a model that takes one input
/// per request is never merged).
///
/// ```
/// use std::{sync::Arc, time::Duration};
/// use llm_router_core::{EmbeddingStack, SharedEmbedding};
/// use llm_router_embeddings::MergeLayer;
/// use llm_router_mock::MockProvider;
///
/// let merged: SharedEmbedding = EmbeddingStack::new()
///     .layer(MergeLayer::new().window(Duration::from_millis(5)).max_inputs(128))
///     .build(Arc::new(MockProvider::new()));
/// assert_eq!(merged.name(), "mock");
/// ```
#[derive(Clone)]
pub struct MergeLayer {
    window: Duration,
    max_inputs: usize,
    max_tokens: Option<usize>,
    counter: Arc<dyn TokenCounter>,
}

impl std::fmt::Debug for MergeLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MergeLayer")
            .field("window", &self.window)
            .field("max_inputs", &self.max_inputs)
            .field("max_tokens", &self.max_tokens)
            .finish_non_exhaustive()
    }
}

impl Default for MergeLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl MergeLayer {
    /// [`DEFAULT_WINDOW`], [`DEFAULT_MAX_BATCH`] inputs, no token cap of its own, tokens
    /// estimated with [`CharEstimate`].
    pub fn new() -> Self {
        Self {
            window: DEFAULT_WINDOW,
            max_inputs: DEFAULT_MAX_BATCH,
            max_tokens: None,
            counter: Arc::new(CharEstimate),
        }
    }

    /// How long the first call of a batch waits for others.
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Most inputs in one merged call (at least 1).
    pub fn max_inputs(mut self, n: usize) -> Self {
        self.max_inputs = n.max(1);
        self
    }

    /// Most estimated tokens in one merged call.
    pub fn max_tokens(mut self, n: usize) -> Self {
        self.max_tokens = Some(n);
        self
    }

    /// The counter for token caps and usage shares.
    pub fn token_counter(mut self, counter: impl TokenCounter + 'static) -> Self {
        self.counter = Arc::new(counter);
        self
    }

    /// The batch limits for `model`: this layer's caps within the model's known limits.
    pub fn limits_for(&self, model: &str) -> BatchLimits {
        BatchLimits::new(self.max_inputs, self.max_tokens).min(BatchLimits::for_model(model))
    }
}

impl Layer<dyn EmbeddingProvider> for MergeLayer {
    fn layer(&self, inner: SharedEmbedding) -> SharedEmbedding {
        Arc::new(Merging(Arc::new(Shared {
            inner,
            config: self.clone(),
            state: Mutex::new(State::default()),
        })))
    }
}

/// What must be equal for two calls to share a request: everything but the input.
#[derive(Debug, Clone, PartialEq)]
struct MergeKey {
    model: String,
    dimensions: Option<u32>,
    encoding_format: Option<EncodingFormat>,
    user: Option<String>,
    input_type: Option<InputType>,
    extra: Map<String, Value>,
    extra_headers: BTreeMap<String, String>,
}

impl MergeKey {
    fn of(req: EmbeddingRequest) -> Self {
        Self {
            model: req.model,
            dimensions: req.dimensions,
            encoding_format: req.encoding_format,
            user: req.user,
            input_type: req.input_type,
            extra: req.extra,
            extra_headers: req.extra_headers,
        }
    }

    fn request(&self, texts: Vec<String>) -> EmbeddingRequest {
        let mut req = EmbeddingRequest::new(self.model.clone(), texts);
        req.dimensions = self.dimensions;
        req.encoding_format.clone_from(&self.encoding_format);
        req.user.clone_from(&self.user);
        req.input_type.clone_from(&self.input_type);
        req.extra.clone_from(&self.extra);
        req.extra_headers.clone_from(&self.extra_headers);
        req
    }
}

type Reply = oneshot::Sender<Result<EmbeddingResponse, Error>>;

/// One waiting call.
struct Member {
    texts: Vec<String>,
    tokens: usize,
    reply: Reply,
}

/// Calls waiting to be sent together.
struct Batch {
    id: u64,
    key: MergeKey,
    inputs: usize,
    tokens: usize,
    members: Vec<Member>,
    timer: Option<AbortHandle>,
}

#[derive(Default)]
struct State {
    next_id: u64,
    batches: Vec<Batch>,
}

struct Shared {
    inner: SharedEmbedding,
    config: MergeLayer,
    state: Mutex<State>,
}

/// The provider [`MergeLayer`] makes.
struct Merging(Arc<Shared>);

#[async_trait]
impl EmbeddingProvider for Merging {
    fn name(&self) -> &str {
        self.0.inner.name()
    }

    async fn embed(&self, mut req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        let shared = &self.0;
        let limits = shared.config.limits_for(&req.model);
        let texts = match std::mem::take(&mut req.input) {
            EmbeddingInput::Text(t) => vec![t],
            EmbeddingInput::Texts(ts) => ts,
            other => {
                req.input = other;
                return shared.inner.embed(req).await;
            }
        };
        let tokens: usize = texts
            .iter()
            .map(|t| shared.config.counter.count_text(t))
            .sum();
        let alone = texts.is_empty()
            || texts.len() >= limits.max_inputs
            || limits.max_tokens.is_some_and(|max| tokens >= max)
            || !req.extensions.is_empty()
            || tokio::runtime::Handle::try_current().is_err();
        if alone {
            req.input = EmbeddingInput::Texts(texts);
            return shared.inner.embed(req).await;
        }
        let (reply, answer) = oneshot::channel();
        Shared::enqueue(
            shared,
            MergeKey::of(req),
            limits,
            Member {
                texts,
                tokens,
                reply,
            },
        );
        answer.await.unwrap_or_else(|_| {
            Err(Error::new(
                ErrorKind::ProviderUnavailable,
                "the merged embeddings call ended without an answer (runtime shutting down?)",
            ))
        })
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `member` to the batch of `key`, sending batches that are full.
    fn enqueue(this: &Arc<Self>, key: MergeKey, limits: BatchLimits, member: Member) {
        let fits = |b: &Batch, inputs: usize, tokens: usize| {
            b.inputs + inputs <= limits.max_inputs
                && limits.max_tokens.is_none_or(|max| b.tokens + tokens <= max)
        };
        let full = |b: &Batch| {
            b.inputs >= limits.max_inputs || limits.max_tokens.is_some_and(|max| b.tokens >= max)
        };
        let mut ready = Vec::new();
        {
            let mut state = this.lock();
            let (inputs, tokens) = (member.texts.len(), member.tokens);
            if let Some(pos) = state.batches.iter().position(|b| b.key == key)
                && !fits(&state.batches[pos], inputs, tokens)
            {
                ready.push(state.batches.swap_remove(pos));
            }
            let pos = match state.batches.iter().position(|b| b.key == key) {
                Some(pos) => pos,
                None => {
                    let id = state.next_id;
                    state.next_id += 1;
                    state.batches.push(Batch {
                        id,
                        key,
                        inputs: 0,
                        tokens: 0,
                        members: Vec::new(),
                        timer: None,
                    });
                    state.batches.len() - 1
                }
            };
            let batch = &mut state.batches[pos];
            batch.inputs += inputs;
            batch.tokens += tokens;
            batch.members.push(member);
            if full(batch) {
                ready.push(state.batches.swap_remove(pos));
            } else if batch.timer.is_none() {
                let task = tokio::spawn(Arc::clone(this).flush_after(batch.id));
                batch.timer = Some(task.abort_handle());
            }
        }
        for batch in ready {
            if let Some(timer) = &batch.timer {
                timer.abort();
            }
            tokio::spawn(Arc::clone(this).send(batch));
        }
    }

    /// The timer task: after the window, sends batch `id` unless it was sent already.
    async fn flush_after(self: Arc<Self>, id: u64) {
        tokio::time::sleep(self.config.window).await;
        let batch = {
            let mut state = self.lock();
            let pos = state.batches.iter().position(|b| b.id == id);
            pos.map(|pos| state.batches.swap_remove(pos))
        };
        if let Some(batch) = batch {
            self.send(batch).await;
        }
    }

    /// Sends one merged request and answers every live member.
    async fn send(self: Arc<Self>, batch: Batch) {
        let mut texts = Vec::with_capacity(batch.inputs);
        let mut members = Vec::with_capacity(batch.members.len());
        for m in batch.members {
            // A caller that was cancelled while waiting: leave its inputs out.
            if m.reply.is_closed() {
                continue;
            }
            members.push((m.texts.len(), m.tokens, m.reply));
            texts.extend(m.texts);
        }
        if members.is_empty() {
            return;
        }
        let total = texts.len();
        let result = self
            .inner
            .embed(batch.key.request(texts))
            .await
            .and_then(|mut resp| {
                let data = in_input_order(std::mem::take(&mut resp.data), total)
                    .map_err(|e| e.with_provider(self.inner.name()))?;
                Ok((resp, data))
            });
        match result {
            Ok((resp, data)) => answer(resp, data, members),
            Err(err) => {
                let mut members = members.into_iter();
                let first = members.next();
                for (_, _, reply) in members {
                    let _ = reply.send(Err(copy_error(&err)));
                }
                if let Some((_, _, reply)) = first {
                    let _ = reply.send(Err(err));
                }
            }
        }
    }
}

/// Hands each member its vectors (re-indexed from 0) and its share of the usage.
fn answer(resp: EmbeddingResponse, data: Vec<EmbeddingData>, members: Vec<(usize, usize, Reply)>) {
    let token_weights: Vec<usize> = members.iter().map(|(_, t, _)| *t).collect();
    let weights = if token_weights.iter().all(|w| *w == 0) {
        members.iter().map(|(n, _, _)| *n).collect()
    } else {
        token_weights
    };
    let usages: Vec<Option<Usage>> = match &resp.usage {
        Some(u) => {
            let prompt = shares(u.prompt_tokens, &weights);
            let completion = shares(u.completion_tokens, &weights);
            let total = shares(u.total_tokens, &weights);
            (0..weights.len())
                .map(|i| {
                    Some(Usage {
                        prompt_tokens: prompt[i],
                        completion_tokens: completion[i],
                        total_tokens: total[i],
                        ..Usage::default()
                    })
                })
                .collect()
        }
        None => vec![None; weights.len()],
    };
    let mut data = data.into_iter();
    for ((n, _, reply), usage) in members.into_iter().zip(usages) {
        let mine = data
            .by_ref()
            .take(n)
            .enumerate()
            .map(|(i, mut d)| {
                d.index = u32::try_from(i).unwrap_or(u32::MAX);
                d
            })
            .collect();
        let _ = reply.send(Ok(EmbeddingResponse {
            object: resp.object.clone(),
            data: mine,
            model: resp.model.clone(),
            usage,
            extra: resp.extra.clone(),
        }));
    }
}

/// Splits `total` in proportion to `weights`, in integers that add up to `total` exactly
/// (cumulative rounding: each share is the difference of two rounded-down prefix shares).
fn shares(total: u64, weights: &[usize]) -> Vec<u64> {
    let sum: u128 = weights.iter().map(|w| *w as u128).sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut prefix = 0u128;
    let mut given = 0u64;
    weights
        .iter()
        .map(|w| {
            prefix += *w as u128;
            let upto = u64::try_from(u128::from(total) * prefix / sum).unwrap_or(total);
            let share = upto - given;
            given = upto;
            share
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_and_are_proportional() {
        assert_eq!(shares(10, &[1, 1]), [5, 5]);
        assert_eq!(shares(10, &[1, 1, 1]), [3, 3, 4]);
        assert_eq!(shares(9, &[1, 2]), [3, 6]);
        assert_eq!(shares(0, &[1, 2]), [0, 0]);
        assert_eq!(shares(7, &[0, 0]), [0, 0]);
        for total in [0u64, 1, 17, 1000, u64::MAX] {
            let w = [3, 0, 5, 1, 9];
            assert_eq!(
                shares(total, &w).iter().map(|s| *s as u128).sum::<u128>(),
                total as u128
            );
        }
    }

    #[test]
    fn limits_never_exceed_the_model() {
        let layer = MergeLayer::new().max_inputs(500).max_tokens(1000);
        assert_eq!(layer.limits_for("amazon.titan-embed-text-v1").max_inputs, 1);
        assert_eq!(
            layer.limits_for("embed-english-v3.0"),
            BatchLimits::new(96, Some(1000))
        );
        assert_eq!(layer.limits_for("unknown").max_inputs, 96);
        assert_eq!(
            MergeLayer::new().limits_for("unknown").max_inputs,
            DEFAULT_MAX_BATCH
        );
    }
}
