//! Per-item retry: exponential backoff, the provider's `Retry-After` honoured up to a cap.

use std::time::Duration;

use llm_router_core::Error;

/// When and how long to wait before trying a failed item again.
///
/// Only retryable failures ([`Error::is_retryable`]: rate limits, timeouts, connection
/// failures, 5xx) are tried again. The wait is the provider's `Retry-After` when it sent one,
/// else `initial_backoff × multiplier^(attempt-1)` capped at `max_backoff`. A `Retry-After`
/// longer than `max_retry_after` ends the retries at once (waiting that long inside a batch is
/// rarely what anyone wants). No jitter: items of one batch already start at different times.
///
/// ```
/// use std::time::Duration;
/// use llm_router_batch::RetryPolicy;
///
/// let p = RetryPolicy::new(4).initial_backoff(Duration::from_millis(100));
/// assert_eq!(p.backoff(1), Duration::from_millis(100));
/// assert_eq!(p.backoff(3), Duration::from_millis(400));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    multiplier: f64,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, 1 s → 2 s backoff, at most 30 s, `Retry-After` up to 60 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            multiplier: 2.0,
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The defaults with `max_attempts` attempts in all (1 = no retry).
    pub fn new(max_attempts: u32) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            ..Self::default()
        }
    }

    /// The first wait.
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// The longest computed wait.
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// The factor between waits (at least 1).
    pub fn multiplier(mut self, m: f64) -> Self {
        self.multiplier = if m.is_finite() { m.max(1.0) } else { 1.0 };
        self
    }

    /// The longest `Retry-After` the policy waits for; longer ones end the retries.
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = d;
        self
    }

    /// Attempts in all, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The computed wait after failed attempt number `attempt` (1-based), without
    /// `Retry-After`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let secs = self.initial_backoff.as_secs_f64() * self.multiplier.powi(exp);
        if !secs.is_finite() || secs >= self.max_backoff.as_secs_f64() {
            return self.max_backoff;
        }
        Duration::from_secs_f64(secs)
    }

    /// How long to wait before trying again after `err` ended attempt `attempt` (1-based), or
    /// `None` to give up.
    pub fn wait_after(&self, attempt: u32, err: &Error) -> Option<Duration> {
        if attempt >= self.max_attempts || !err.is_retryable() {
            return None;
        }
        match err.retry_after() {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(attempt)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use llm_router_core::ErrorKind;

    #[test]
    fn waits() {
        let p = RetryPolicy::new(3)
            .initial_backoff(Duration::from_secs(1))
            .max_backoff(Duration::from_secs(3));
        let busy = Error::new(ErrorKind::ProviderUnavailable, "busy");
        assert_eq!(p.wait_after(1, &busy), Some(Duration::from_secs(1)));
        assert_eq!(p.wait_after(2, &busy), Some(Duration::from_secs(2)));
        assert_eq!(p.wait_after(3, &busy), None, "attempts used up");
        assert_eq!(p.backoff(10), Duration::from_secs(3), "capped");

        let limited =
            Error::new(ErrorKind::RateLimited, "slow").with_retry_after(Duration::from_secs(7));
        assert_eq!(p.wait_after(1, &limited), Some(Duration::from_secs(7)));
        let too_long =
            Error::new(ErrorKind::RateLimited, "slow").with_retry_after(Duration::from_secs(600));
        assert_eq!(p.wait_after(1, &too_long), None);

        let bad = Error::new(ErrorKind::InvalidRequest, "no");
        assert_eq!(p.wait_after(1, &bad), None);
        assert_eq!(RetryPolicy::new(0).max_attempts(), 1);
    }
}
