//! The public face: [`RateLimitLayer`] and its builder.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use llm_router_core::{ChatProvider, EmbeddingProvider};
use llm_router_core::{Error, ErrorKind, Layer, SharedChat, SharedEmbedding};
use llm_router_tokens::{TiktokenCounter, TokenCounter};
use tokio::sync::Semaphore;

use crate::backend::{Bucket, InMemory, LimitKind, LimiterBackend};
use crate::policy::{Mode, OnBackendError, Rate, RequestInfo, Scope};
use crate::service::{Limiter, RateLimitedChat, RateLimitedEmbedding};

/// Rate limits for any chat or embedding provider: requests per period, tokens per period
/// and concurrent requests, per [`Scope`], waiting or refusing ([`Mode`]), kept in memory or
/// shared through a [`LimiterBackend`].
///
/// One layer is one set of budgets: every provider it wraps (chat and embeddings alike) draws
/// from the same buckets, keyed by the scope. Build separate layers for separate budgets.
///
/// Built with [`RateLimitLayer::builder`]; cheap to clone (clones share the budgets).
#[derive(Clone)]
pub struct RateLimitLayer {
    limiter: Arc<Limiter>,
}

impl RateLimitLayer {
    /// A builder with no limits yet, [`Mode::Reject`], [`Scope::Global`] and the
    /// [`InMemory`] backend.
    pub fn builder() -> RateLimitLayerBuilder {
        RateLimitLayerBuilder::default()
    }

    /// The budget key `info` falls under ([`Scope::key`]).
    pub fn scope_key(&self, info: &RequestInfo<'_>) -> String {
        self.limiter.scope.key(info)
    }

    /// The tokens left in a scope's bucket now (`None` without a tokens limit, or when the
    /// backend cannot tell).
    ///
    /// # Errors
    ///
    /// The backend's error (Redis unreachable).
    pub async fn available_tokens(&self, scope_key: &str) -> Result<Option<u64>, Error> {
        let Some(rate) = self.limiter.tokens else {
            return Ok(None);
        };
        let bucket = Bucket {
            key: scope_key,
            kind: LimitKind::Tokens,
            rate,
        };
        self.limiter.backend.available(&bucket).await
    }

    /// The concurrency permits free in a scope now (`None` without a concurrency limit).
    /// Concurrency is counted in this process only, whatever the backend.
    pub fn available_permits(&self, scope_key: &str) -> Option<usize> {
        let n = self.limiter.concurrency?;
        let map = self
            .limiter
            .semaphores
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Some(map.get(scope_key).map_or(n, |s| s.available_permits()))
    }
}

impl fmt::Debug for RateLimitLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = &self.limiter;
        f.debug_struct("RateLimitLayer")
            .field("requests", &l.requests)
            .field("tokens", &l.tokens)
            .field("concurrency", &l.concurrency)
            .field("mode", &l.mode)
            .field("scope", &l.scope)
            .field("backend", &l.backend)
            .field("on_backend_error", &l.on_error)
            .finish()
    }
}

impl Layer<dyn ChatProvider> for RateLimitLayer {
    fn layer(&self, inner: SharedChat) -> SharedChat {
        Arc::new(RateLimitedChat {
            inner,
            limiter: Arc::clone(&self.limiter),
        })
    }
}

impl Layer<dyn EmbeddingProvider> for RateLimitLayer {
    fn layer(&self, inner: SharedEmbedding) -> SharedEmbedding {
        Arc::new(RateLimitedEmbedding {
            inner,
            limiter: Arc::clone(&self.limiter),
        })
    }
}

/// Configures a [`RateLimitLayer`].
#[derive(Default)]
pub struct RateLimitLayerBuilder {
    requests: Option<Rate>,
    tokens: Option<Rate>,
    counter: Option<Arc<dyn TokenCounter>>,
    concurrency: Option<usize>,
    mode: Mode,
    scope: Scope,
    backend: Option<Arc<dyn LimiterBackend>>,
    on_error: OnBackendError,
}

impl fmt::Debug for RateLimitLayerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitLayerBuilder")
            .field("requests", &self.requests)
            .field("tokens", &self.tokens)
            .field("concurrency", &self.concurrency)
            .field("mode", &self.mode)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl RateLimitLayerBuilder {
    /// At most `n` requests per minute, all `n` at once if they come at once (GCRA: one
    /// request comes back every `60 s / n`).
    pub fn requests_per_minute(self, n: u32) -> Self {
        self.requests_per(n, Duration::from_secs(60))
    }

    /// At most `n` requests per `period`.
    pub fn requests_per(mut self, n: u32, period: Duration) -> Self {
        self.requests = Some(Rate::new(u64::from(n), period));
        self
    }

    /// At most `n` tokens per minute. Before a call its estimate (messages, tools and the
    /// expected output, from the [token counter](Self::token_counter)) is reserved; after it,
    /// the difference to the real usage is refunded or charged. A stream settles when its usage
    /// chunk arrives, else when it ends or is dropped (with the prompt estimate plus the
    /// streamed text counted). A failed call gets its whole reservation back.
    pub fn tokens_per_minute(self, n: u64) -> Self {
        self.tokens_per(n, Duration::from_secs(60))
    }

    /// At most `n` tokens per `period`.
    pub fn tokens_per(mut self, n: u64, period: Duration) -> Self {
        self.tokens = Some(Rate::new(n, period));
        self
    }

    /// The counter for token estimates (default: [`TiktokenCounter::default`], which picks
    /// the encoding per model from its table). Counting runs on the calling task (tiktoken
    /// encodes 10–18 MB/s, and loads each table once per process on first use: call
    /// `llm_router_tokens::Encoding::warm_up` at start-up); pass
    /// [`CharEstimate`](llm_router_tokens::CharEstimate) when an estimate is enough.
    pub fn token_counter(mut self, counter: impl TokenCounter + 'static) -> Self {
        self.counter = Some(Arc::new(counter));
        self
    }

    /// At most `n` calls in flight per scope. A call holds its permit until its response
    /// arrives or, for streams, until the stream ends or is dropped. Counted in this process
    /// only, whatever the backend.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = Some(n);
        self
    }

    /// Wait for capacity (up to a limit) or refuse at once (the default).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Which requests share a budget (default [`Scope::Global`]).
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// Where requests and tokens budgets live (default: a new [`InMemory`]).
    pub fn backend(mut self, backend: impl LimiterBackend + 'static) -> Self {
        self.backend = Some(Arc::new(backend));
        self
    }

    /// What to do when the backend fails (default [`OnBackendError::FailOpen`]).
    pub fn on_backend_error(mut self, policy: OnBackendError) -> Self {
        self.on_error = policy;
        self
    }

    /// The layer.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] when no limit is set, a limit is zero, a period is zero or too
    /// short for its requests (under 1 ns each), or the concurrency exceeds tokio's maximum.
    pub fn build(self) -> Result<RateLimitLayer, Error> {
        let config = |msg: String| Error::new(ErrorKind::Config, format!("rate limiter: {msg}"));
        if self.requests.is_none() && self.tokens.is_none() && self.concurrency.is_none() {
            return Err(config(
                "no limit set (requests, tokens or concurrency)".into(),
            ));
        }
        for (what, rate) in [("requests", self.requests), ("tokens", self.tokens)] {
            if let Some(r) = rate
                && (r.amount == 0 || r.period.is_zero())
            {
                return Err(config(format!(
                    "{what} limit must be positive (got {} per {:?})",
                    r.amount, r.period
                )));
            }
        }
        if let Some(r) = self.requests
            && r.period.as_nanos() < u128::from(r.amount)
        {
            return Err(config(format!(
                "requests limit too fine: {} per {:?}",
                r.amount, r.period
            )));
        }
        if let Some(n) = self.concurrency
            && (n == 0 || n > Semaphore::MAX_PERMITS)
        {
            return Err(config(format!(
                "concurrency must be 1..={} (got {n})",
                Semaphore::MAX_PERMITS
            )));
        }
        let counter = self
            .counter
            .unwrap_or_else(|| Arc::new(TiktokenCounter::default()));
        let backend = self.backend.unwrap_or_else(|| Arc::new(InMemory::new()));
        Ok(RateLimitLayer {
            limiter: Arc::new(Limiter {
                requests: self.requests,
                tokens: self.tokens,
                counter,
                concurrency: self.concurrency,
                mode: self.mode,
                scope: self.scope,
                backend,
                on_error: self.on_error,
                semaphores: Mutex::new(HashMap::new()),
            }),
        })
    }
}
