//! Per-key limits, checked before a model is called.
//!
//! Requests per minute and concurrency are the gateway's own, lock-free (governor's GCRA on one
//! atomic, a tokio semaphore), and apply to every route that calls a model. Tokens per minute
//! reuse `llm-router-limiter`'s [`RateLimitLayer`] (estimate before the call, settle with the
//! provider's usage after it, streams included), wrapped around the chat or embedding provider
//! for the request; its estimate uses the cheap character counter, not a tokenizer.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use llm_router_core::{Error, ErrorKind, Layer as _, SharedChat, SharedEmbedding};
use llm_router_limiter::RateLimitLayer;
use llm_router_tokens::CharEstimate;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::Failure;
use crate::keys::CallerKey;

/// One key's live budgets.
pub(crate) struct KeyLimits {
    concurrency: Option<(Arc<Semaphore>, usize)>,
    requests: Option<DefaultDirectRateLimiter>,
    tokens: Option<RateLimitLayer>,
}

/// What a request holds while it runs: the concurrency permit, released on drop (for a
/// stream, when the stream ends or the client goes away).
#[derive(Debug, Default)]
pub(crate) struct Admitted {
    _permit: Option<OwnedSemaphorePermit>,
}

impl KeyLimits {
    pub(crate) fn new(key: &CallerKey) -> Self {
        let requests = NonZeroU32::new(key.rpm).map(|n| RateLimiter::direct(Quota::per_minute(n)));
        let concurrency = (key.concurrency > 0)
            .then(|| key.concurrency.min(Semaphore::MAX_PERMITS))
            .map(|n| (Arc::new(Semaphore::new(n)), n));
        let tokens = (key.tpm > 0)
            .then(|| {
                RateLimitLayer::builder()
                    .tokens_per_minute(key.tpm)
                    .token_counter(CharEstimate)
                    .build()
            })
            .and_then(|r| match r {
                Ok(layer) => Some(layer),
                Err(err) => {
                    tracing::warn!(error = %err, "caller key token limit ignored");
                    None
                }
            });
        Self {
            concurrency,
            requests,
            tokens,
        }
    }

    /// Takes a concurrency slot, then one request from the per-minute budget; a 429 with
    /// `Retry-After` when either is spent.
    pub(crate) fn admit(&self) -> Result<Admitted, Failure> {
        let permit = match &self.concurrency {
            Some((sem, n)) => Some(Arc::clone(sem).try_acquire_owned().map_err(|_| {
                Failure::from(
                    Error::new(
                        ErrorKind::RateLimited,
                        format!("Too many concurrent requests for this key (limit {n})."),
                    )
                    .with_code("concurrency_limit_exceeded")
                    .with_retry_after(Duration::from_secs(1)),
                )
            })?),
            None => None,
        };
        if let Some(rpm) = &self.requests
            && let Err(not_until) = rpm.check()
        {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            return Err(Failure::from(
                Error::new(
                    ErrorKind::RateLimited,
                    "Rate limit reached for requests per minute on this key.",
                )
                .with_code("rate_limit_exceeded")
                .with_retry_after(wait),
            ));
        }
        Ok(Admitted { _permit: permit })
    }

    /// The chat provider with the key's token budget around it.
    pub(crate) fn chat(&self, provider: &SharedChat) -> SharedChat {
        match &self.tokens {
            Some(layer) => layer.layer(Arc::clone(provider)),
            None => Arc::clone(provider),
        }
    }

    /// The embedding provider with the key's token budget around it.
    pub(crate) fn embedding(&self, provider: &SharedEmbedding) -> SharedEmbedding {
        match &self.tokens {
            Some(layer) => layer.layer(Arc::clone(provider)),
            None => Arc::clone(provider),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rpm_then_retry_after() {
        let limits = KeyLimits::new(&CallerKey::from_secret("k", "s").requests_per_minute(2));
        assert!(limits.admit().is_ok());
        assert!(limits.admit().is_ok());
        let err = limits.admit().unwrap_err().error;
        assert_eq!(err.kind(), ErrorKind::RateLimited);
        let wait = err.retry_after().unwrap();
        assert!(wait.as_secs() >= 29 && wait.as_secs() <= 30, "{wait:?}");
    }

    #[test]
    fn concurrency_is_released_on_drop() {
        let limits = KeyLimits::new(&CallerKey::from_secret("k", "s").concurrency(1));
        let held = limits.admit().unwrap();
        assert_eq!(
            limits.admit().unwrap_err().error.code(),
            Some("concurrency_limit_exceeded")
        );
        drop(held);
        assert!(limits.admit().is_ok());
    }
}
