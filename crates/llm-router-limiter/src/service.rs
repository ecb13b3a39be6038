//! The private service behind [`RateLimitLayer`](crate::RateLimitLayer): admission (concurrency,
//! then tokens, then requests), settlement with the real usage, and the stream wrapper that holds
//! the permit and settles when the usage chunk arrives or the stream ends or is dropped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt as _;
use llm_router_core::{
    ChatChunk, ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider,
    EmbeddingRequest, EmbeddingResponse, Error, ErrorKind, ModelInfo, SharedChat, SharedEmbedding,
    Usage,
};
use llm_router_tokens::{TokenCounter, expected_output};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::backend::{Admission, Bucket, LimitKind, LimiterBackend};
use crate::policy::{Mode, OnBackendError, Rate, RequestInfo, Scope};

/// Above this many concurrency scopes, idle semaphores are dropped before adding one.
const MAX_IDLE_SEMAPHORES: usize = 1024;

/// The error code on refusals by this layer (a provider's own 429 has the provider's code).
pub(crate) const LIMITED_CODE: &str = "local_rate_limit";
/// The error code when the backend failed and the layer fails closed.
pub(crate) const UNAVAILABLE_CODE: &str = "rate_limiter_unavailable";

/// The configuration and state one layer shares among every provider it wraps.
pub(crate) struct Limiter {
    pub(crate) requests: Option<Rate>,
    pub(crate) tokens: Option<Rate>,
    pub(crate) counter: Arc<dyn TokenCounter>,
    pub(crate) concurrency: Option<usize>,
    pub(crate) mode: Mode,
    pub(crate) scope: Scope,
    pub(crate) backend: Arc<dyn LimiterBackend>,
    pub(crate) on_error: OnBackendError,
    pub(crate) semaphores: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// The token estimate of one call: the whole reservation, and its input part (used to settle
/// when no usage comes back).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Estimate {
    pub(crate) total: u64,
    pub(crate) prompt: u64,
}

/// An admitted call: its concurrency permit and its token reservation.
pub(crate) struct Ticket {
    limiter: Arc<Limiter>,
    key: String,
    estimate: Estimate,
    settled: bool,
    _permit: Option<OwnedSemaphorePermit>,
}

/// A pending token adjustment, detached from its ticket so it can run on a spawned task.
struct Settlement {
    limiter: Arc<Limiter>,
    key: String,
    delta: i64,
}

impl Settlement {
    async fn run(self) {
        let Some(rate) = self.limiter.tokens else {
            return;
        };
        let bucket = Bucket {
            key: &self.key,
            kind: LimitKind::Tokens,
            rate,
        };
        if let Err(err) = self.limiter.backend.adjust(&bucket, self.delta).await {
            tracing::warn!(error = %err, "rate limiter: could not settle token usage");
        }
    }
}

impl Ticket {
    /// Marks the ticket settled with `actual` tokens used and returns the adjustment to make.
    fn settlement(&mut self, actual: u64) -> Option<Settlement> {
        if self.settled || self.limiter.tokens.is_none() {
            self.settled = true;
            return None;
        }
        self.settled = true;
        let delta = i64::try_from(actual)
            .unwrap_or(i64::MAX)
            .saturating_sub(i64::try_from(self.estimate.total).unwrap_or(i64::MAX));
        (delta != 0).then(|| Settlement {
            limiter: Arc::clone(&self.limiter),
            key: self.key.clone(),
            delta,
        })
    }

    /// Refunds or charges the difference between the reservation and `actual`.
    async fn settle(&mut self, actual: u64) {
        if let Some(s) = self.settlement(actual) {
            s.run().await;
        }
    }
}

fn usage_total(u: &Usage) -> u64 {
    if u.total_tokens > 0 {
        u.total_tokens
    } else {
        u.prompt_tokens + u.completion_tokens
    }
}

fn as_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl Limiter {
    fn error(&self, provider: &str, what: &str, retry_after: Option<Duration>) -> Error {
        let mut err = Error::new(
            ErrorKind::RateLimited,
            format!(
                "local rate limit reached: {what} ({} scope)",
                self.scope.name()
            ),
        )
        .with_provider(provider)
        .with_code(LIMITED_CODE);
        if let Some(wait) = retry_after {
            err = err.with_retry_after(wait);
        }
        err
    }

    fn describe(kind: LimitKind, rate: Rate) -> String {
        format!("{} {} per {:?}", rate.amount, kind.as_str(), rate.period)
    }

    /// The deadline of a call admitted from now, in wait mode.
    fn deadline(&self) -> Option<Instant> {
        match self.mode {
            Mode::Wait { max_wait } => Some(Instant::now() + max_wait),
            Mode::Reject => None,
        }
    }

    fn semaphore(&self, key: &str, permits: usize) -> Arc<Semaphore> {
        let mut map = self
            .semaphores
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if map.len() >= MAX_IDLE_SEMAPHORES && !map.contains_key(key) {
            // A semaphore nobody holds a permit of is the same as a fresh one.
            map.retain(|_, s| Arc::strong_count(s) > 1);
        }
        Arc::clone(
            map.entry(key.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(permits))),
        )
    }

    async fn permit(
        &self,
        key: &str,
        provider: &str,
        deadline: Option<Instant>,
    ) -> Result<Option<OwnedSemaphorePermit>, Error> {
        let Some(n) = self.concurrency else {
            return Ok(None);
        };
        let sem = self.semaphore(key, n);
        let refused = || self.error(provider, &format!("{n} concurrent requests"), None);
        let permit = match deadline {
            None => sem.try_acquire_owned().map_err(|_| refused())?,
            Some(at) => match tokio::time::timeout_at(at, sem.acquire_owned()).await {
                Ok(Ok(p)) => p,
                _ => return Err(refused()),
            },
        };
        Ok(Some(permit))
    }

    /// Takes `cost` units from `bucket`, waiting (until `deadline`) or refusing.
    async fn take(
        &self,
        bucket: &Bucket<'_>,
        cost: u64,
        provider: &str,
        deadline: Option<Instant>,
    ) -> Result<(), Error> {
        loop {
            let retry_after = match self.backend.acquire(bucket, cost).await {
                Ok(Admission::Admitted) => return Ok(()),
                Ok(Admission::Denied { retry_after }) => retry_after,
                Err(err) => return self.backend_failed(provider, err),
            };
            let what = Self::describe(bucket.kind, bucket.rate);
            match deadline {
                Some(at) if Instant::now() + retry_after <= at => {
                    tokio::time::sleep(retry_after).await;
                }
                _ => return Err(self.error(provider, &what, Some(retry_after))),
            }
        }
    }

    fn backend_failed(&self, provider: &str, err: Error) -> Result<(), Error> {
        match self.on_error {
            OnBackendError::FailClosed => Err(Error::new(
                ErrorKind::RateLimited,
                "rate limiter backend unavailable; refusing the request (fail closed)",
            )
            .with_provider(provider)
            .with_code(UNAVAILABLE_CODE)
            .with_source(err)),
            _ => {
                tracing::warn!(error = %err, provider, "rate limiter backend failed; admitting the request (fail open)");
                Ok(())
            }
        }
    }

    /// Admits one call: a concurrency permit, then its token estimate, then one request.
    ///
    /// Tokens are taken before the request because they can be given back: when the request
    /// budget refuses, the tokens are refunded.
    pub(crate) async fn admit(
        self: &Arc<Self>,
        info: &RequestInfo<'_>,
        estimate: impl FnOnce(&dyn TokenCounter) -> Estimate,
    ) -> Result<Ticket, Error> {
        let key = self.scope.key(info);
        let provider = info.provider;
        let deadline = self.deadline();
        let permit = self.permit(&key, provider, deadline).await?;
        let mut ticket = Ticket {
            limiter: Arc::clone(self),
            key,
            estimate: Estimate::default(),
            settled: true,
            _permit: permit,
        };
        if let Some(rate) = self.tokens {
            let est = estimate(self.counter.as_ref());
            let bucket = Bucket {
                key: &ticket.key,
                kind: LimitKind::Tokens,
                rate,
            };
            // A call larger than the whole bucket waits for a full bucket and leaves the rest
            // as debt.
            let upfront = est.total.min(rate.amount);
            self.take(&bucket, upfront, provider, deadline).await?;
            if est.total > upfront {
                let extra = i64::try_from(est.total - upfront).unwrap_or(i64::MAX);
                if let Err(err) = self.backend.adjust(&bucket, extra).await {
                    self.backend_failed(provider, err)?;
                }
            }
            ticket.estimate = est;
            ticket.settled = false;
        }
        if let Some(rate) = self.requests {
            let bucket = Bucket {
                key: &ticket.key,
                kind: LimitKind::Requests,
                rate,
            };
            if let Err(err) = self.take(&bucket, 1, provider, deadline).await {
                ticket.settle(0).await;
                return Err(err);
            }
        }
        Ok(ticket)
    }
}

fn chat_estimate(counter: &dyn TokenCounter, req: &ChatRequest) -> Estimate {
    let total = as_u64(counter.estimate_request(req));
    Estimate {
        total,
        prompt: total.saturating_sub(as_u64(expected_output(req))),
    }
}

/// The rate-limited chat provider.
pub(crate) struct RateLimitedChat {
    pub(crate) inner: SharedChat,
    pub(crate) limiter: Arc<Limiter>,
}

#[async_trait]
impl ChatProvider for RateLimitedChat {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let info = RequestInfo::new(self.inner.name(), &req.model, &req.extensions);
        let mut ticket = self
            .limiter
            .admit(&info, |c| chat_estimate(c, &req))
            .await?;
        match self.inner.chat(req).await {
            Ok(resp) => {
                let actual = match &resp.usage {
                    Some(u) => usage_total(u),
                    None if ticket.settled => 0,
                    None => {
                        ticket.estimate.prompt
                            + as_u64(self.limiter.counter.count_text(&resp.text()))
                    }
                };
                ticket.settle(actual).await;
                Ok(resp)
            }
            Err(err) => {
                ticket.settle(0).await;
                Err(err)
            }
        }
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let info = RequestInfo::new(self.inner.name(), &req.model, &req.extensions);
        let mut ticket = self
            .limiter
            .admit(&info, |c| chat_estimate(c, &req))
            .await?;
        match self.inner.chat_stream(req).await {
            Ok(stream) => Ok(settling_stream(stream, ticket)),
            Err(err) => {
                ticket.settle(0).await;
                Err(err)
            }
        }
    }

    async fn list_models(&self) -> Result<Vec<ModelInfo>, Error> {
        self.inner.list_models().await
    }
}

/// A stream's admission: the permit lives as long as the stream, and the tokens are settled
/// with the usage chunk, else (at the end, on an error or when dropped) with the prompt
/// estimate plus the tokens of the text streamed so far.
struct StreamState {
    inner: ChatStream,
    ticket: Ticket,
    output: String,
}

impl StreamState {
    fn observe(&mut self, chunk: &ChatChunk) {
        if self.ticket.settled {
            return;
        }
        for choice in &chunk.choices {
            let d = &choice.delta;
            self.output.push_str(d.content.as_deref().unwrap_or(""));
            self.output
                .push_str(d.reasoning_content.as_deref().unwrap_or(""));
            for call in &d.tool_calls {
                if let Some(f) = &call.function {
                    self.output.push_str(f.name.as_deref().unwrap_or(""));
                    self.output.push_str(f.arguments.as_deref().unwrap_or(""));
                }
            }
        }
    }

    fn counted(&self) -> u64 {
        self.ticket.estimate.prompt + as_u64(self.ticket.limiter.counter.count_text(&self.output))
    }

    async fn finish(&mut self) {
        if !self.ticket.settled {
            let actual = self.counted();
            self.ticket.settle(actual).await;
        }
    }
}

impl Drop for StreamState {
    fn drop(&mut self) {
        if self.ticket.settled {
            return;
        }
        let actual = self.counted();
        if let Some(settlement) = self.ticket.settlement(actual) {
            // Dropped mid-stream: settle on the runtime, if there is one (else the reservation
            // stands, which errs on the safe side).
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                handle.spawn(settlement.run());
            }
        }
    }
}

fn settling_stream(inner: ChatStream, ticket: Ticket) -> ChatStream {
    let state = StreamState {
        inner,
        ticket,
        output: String::new(),
    };
    Box::pin(futures_util::stream::unfold(state, |mut st| async move {
        match st.inner.next().await {
            Some(Ok(chunk)) => {
                match &chunk.usage {
                    Some(u) if !st.ticket.settled => st.ticket.settle(usage_total(u)).await,
                    _ => st.observe(&chunk),
                }
                Some((Ok(chunk), st))
            }
            Some(Err(err)) => {
                st.finish().await;
                Some((Err(err), st))
            }
            None => {
                st.finish().await;
                None
            }
        }
    }))
}

/// The rate-limited embedding provider.
pub(crate) struct RateLimitedEmbedding {
    pub(crate) inner: SharedEmbedding,
    pub(crate) limiter: Arc<Limiter>,
}

#[async_trait]
impl EmbeddingProvider for RateLimitedEmbedding {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        let info = RequestInfo::new(self.inner.name(), &req.model, &req.extensions);
        let mut ticket = self
            .limiter
            .admit(&info, |c| {
                let n = as_u64(c.estimate_embedding(&req));
                Estimate {
                    total: n,
                    prompt: n,
                }
            })
            .await?;
        match self.inner.embed(req).await {
            Ok(resp) => {
                let actual = resp
                    .usage
                    .as_ref()
                    .map_or(ticket.estimate.total, usage_total);
                ticket.settle(actual).await;
                Ok(resp)
            }
            Err(err) => {
                ticket.settle(0).await;
                Err(err)
            }
        }
    }
}
