//! When to try again and how long to wait: a pure function of the error, the attempt number,
//! the time spent so far and one random number.
//!
//! Keeping the decision free of clocks and randomness of its own is what lets the unit tests
//! below check every rule exactly, and the service stay a plain loop.

use std::time::Duration;

use llm_router_core::Error;

/// How the computed backoff is randomised, so clients that failed together do not retry
/// together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Jitter {
    /// No randomness: wait exactly the computed backoff.
    None,
    /// Wait a uniform random time in `[0, backoff]` (the default; the spread that best avoids
    /// synchronised retries).
    #[default]
    Full,
    /// Wait `backoff / 2` plus a uniform random time in `[0, backoff / 2]`: always at least
    /// half the backoff.
    Equal,
}

/// The retry rules of a [`RetryLayer`](crate::RetryLayer).
///
/// Only errors whose kind [is retryable](llm_router_core::ErrorKind::is_retryable) are tried
/// again. The wait before retry `n` (1 = the first retry) is
/// `min(base_delay * multiplier^(n-1), max_delay)`, randomised by [`Jitter`] — unless the
/// error carries a provider's `retry_after`, which is then waited exactly (no jitter: the
/// provider named the time, and waiting less is pointless). A `retry_after` longer than
/// `max_delay` ends the retries at once, without sleeping, so a router above can fall back to
/// another target instead. An optional budget bounds the whole call: a retry whose wait would
/// end past the budget is not made.
///
/// ```
/// use std::time::Duration;
/// use llm_router_retry::{Jitter, RetryPolicy};
///
/// let policy = RetryPolicy::new()
///     .with_max_attempts(4)
///     .with_base_delay(Duration::from_millis(100))
///     .with_max_delay(Duration::from_millis(300))
///     .with_jitter(Jitter::None);
/// assert_eq!(policy.backoff(1), Duration::from_millis(100));
/// assert_eq!(policy.backoff(2), Duration::from_millis(200));
/// assert_eq!(policy.backoff(3), Duration::from_millis(300)); // capped
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    multiplier: f64,
    max_delay: Duration,
    jitter: Jitter,
    budget: Option<Duration>,
    seed: Option<u64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            base_delay: Self::DEFAULT_BASE_DELAY,
            multiplier: Self::DEFAULT_MULTIPLIER,
            max_delay: Self::DEFAULT_MAX_DELAY,
            jitter: Jitter::Full,
            budget: None,
            seed: None,
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Decision {
    /// Sleep this long, then try again.
    Retry(Duration),
    /// Return the error now.
    GiveUp(GiveUp),
}

/// Why the retries ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GiveUp {
    /// The error's kind is not worth retrying.
    NotRetryable,
    /// Every attempt was used.
    Exhausted,
    /// The provider asked to wait longer than `max_delay`.
    RetryAfterTooLong,
    /// The wait would end past the budget.
    Budget,
}

impl GiveUp {
    /// A short reason for logs.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::NotRetryable => "not retryable",
            Self::Exhausted => "attempts exhausted",
            Self::RetryAfterTooLong => "retry_after exceeds max_delay",
            Self::Budget => "retry budget spent",
        }
    }
}

impl RetryPolicy {
    /// Attempts in all, the first included: 3.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
    /// The wait before the first retry, before jitter: 200 ms.
    pub const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(200);
    /// The factor between consecutive waits: 2.
    pub const DEFAULT_MULTIPLIER: f64 = 2.0;
    /// The longest wait, and the longest `retry_after` honoured: 10 s.
    pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(10);

    /// The defaults: 3 attempts, 200 ms base delay doubling up to 10 s, full jitter, no budget.
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that never retries (one attempt).
    pub fn never() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// Attempts in all, the first included. `0` is treated as `1`.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry, before jitter.
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The factor between consecutive waits. Values below 1 (and NaN) are treated as 1.
    pub fn with_multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier >= 1.0 { multiplier } else { 1.0 };
        self
    }

    /// The longest wait between attempts, and the longest provider `retry_after` that is
    /// waited out rather than returned at once.
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// How the backoff is randomised.
    pub fn with_jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// The longest time one call may spend, attempts and waits together, before retries stop.
    /// An attempt already running is not cut (that is a timeout's job).
    pub fn with_budget(mut self, budget: Duration) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Seeds the jitter, so a layer built from this policy waits the same times on every run
    /// (for tests). Without a seed every layer draws a random one.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Attempts in all, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before the first retry, before jitter.
    pub fn base_delay(&self) -> Duration {
        self.base_delay
    }

    /// The factor between consecutive waits.
    pub fn multiplier(&self) -> f64 {
        self.multiplier
    }

    /// The longest wait, and the longest `retry_after` honoured.
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// How the backoff is randomised.
    pub fn jitter(&self) -> Jitter {
        self.jitter
    }

    /// The time limit of one call, if any.
    pub fn budget(&self) -> Option<Duration> {
        self.budget
    }

    /// The jitter seed, if fixed.
    pub fn seed(&self) -> Option<u64> {
        self.seed
    }

    /// The wait before retry `retry` (1 = the first retry) before jitter:
    /// `min(base_delay * multiplier^(retry-1), max_delay)`. Jitter then picks a wait in
    /// `[0, backoff]` (full) or `[backoff / 2, backoff]` (equal).
    pub fn backoff(&self, retry: u32) -> Duration {
        let exponent = i32::try_from(retry.saturating_sub(1)).unwrap_or(i32::MAX);
        let secs = self.base_delay.as_secs_f64() * self.multiplier.powi(exponent);
        if !secs.is_finite() || secs >= self.max_delay.as_secs_f64() {
            return self.max_delay;
        }
        Duration::try_from_secs_f64(secs).map_or(self.max_delay, |d| d.min(self.max_delay))
    }

    /// The jittered wait before retry `retry`, given `unit`, a uniform number in `[0, 1)`.
    pub(crate) fn jittered(&self, retry: u32, unit: f64) -> Duration {
        let backoff = self.backoff(retry);
        let unit = unit.clamp(0.0, 1.0);
        match self.jitter {
            Jitter::None => backoff,
            Jitter::Full => backoff.mul_f64(unit),
            Jitter::Equal => {
                let half = backoff / 2;
                half + (backoff - half).mul_f64(unit)
            }
        }
    }

    /// What to do after attempt number `attempt` (1-based) failed with `err`, `elapsed` after
    /// the call began. `unit` is the random draw for jitter.
    pub(crate) fn decide(
        &self,
        err: &Error,
        attempt: u32,
        elapsed: Duration,
        unit: f64,
    ) -> Decision {
        if !err.is_retryable() {
            return Decision::GiveUp(GiveUp::NotRetryable);
        }
        if attempt >= self.max_attempts {
            return Decision::GiveUp(GiveUp::Exhausted);
        }
        let wait = match err.retry_after() {
            Some(asked) if asked > self.max_delay => {
                return Decision::GiveUp(GiveUp::RetryAfterTooLong);
            }
            Some(asked) => asked,
            None => self.jittered(attempt, unit),
        };
        if self
            .budget
            .is_some_and(|budget| elapsed.saturating_add(wait) > budget)
        {
            return Decision::GiveUp(GiveUp::Budget);
        }
        Decision::Retry(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_core::ErrorKind;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn unavailable() -> Error {
        Error::new(ErrorKind::ProviderUnavailable, "503")
    }

    #[test]
    fn defaults_match_the_documentation() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_attempts(), 3);
        assert_eq!(p.base_delay(), ms(200));
        assert_eq!(p.multiplier(), 2.0);
        assert_eq!(p.max_delay(), Duration::from_secs(10));
        assert_eq!(p.jitter(), Jitter::Full);
        assert_eq!((p.budget(), p.seed()), (None, None));
        assert_eq!(RetryPolicy::never().max_attempts(), 1);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy::new().with_max_delay(ms(1000));
        let waits: Vec<_> = (1..=6).map(|n| p.backoff(n)).collect();
        assert_eq!(
            waits,
            [ms(200), ms(400), ms(800), ms(1000), ms(1000), ms(1000)]
        );
    }

    #[test]
    fn huge_retry_numbers_do_not_overflow() {
        let p = RetryPolicy::new();
        assert_eq!(p.backoff(u32::MAX), p.max_delay());
        assert_eq!(p.backoff(0), ms(200));
        let p = p.with_multiplier(f64::MAX).with_base_delay(Duration::MAX);
        assert_eq!(p.backoff(3), p.max_delay());
    }

    #[test]
    fn odd_settings_are_normalised() {
        let p = RetryPolicy::new()
            .with_max_attempts(0)
            .with_multiplier(f64::NAN);
        assert_eq!((p.max_attempts(), p.multiplier()), (1, 1.0));
        assert_eq!(RetryPolicy::new().with_multiplier(0.5).backoff(4), ms(200));
    }

    #[test]
    fn jitter_stays_within_its_bounds() {
        let full = RetryPolicy::new().with_jitter(Jitter::Full);
        let equal = RetryPolicy::new().with_jitter(Jitter::Equal);
        let none = RetryPolicy::new().with_jitter(Jitter::None);
        for unit in [0.0, 0.25, 0.5, 0.999_999] {
            assert!(full.jittered(2, unit) <= ms(400));
            let e = equal.jittered(2, unit);
            assert!(e >= ms(200) && e <= ms(400), "{e:?}");
            assert_eq!(none.jittered(2, unit), ms(400));
        }
        assert_eq!(full.jittered(2, 0.0), Duration::ZERO);
        assert_eq!(full.jittered(2, 0.5), ms(200));
        assert_eq!(equal.jittered(2, 0.0), ms(200));
        assert_eq!(equal.jittered(2, 0.5), ms(300));
    }

    #[test]
    fn only_retryable_kinds_are_retried() {
        let p = RetryPolicy::new();
        for kind in [
            ErrorKind::RateLimited,
            ErrorKind::Timeout,
            ErrorKind::Connection,
            ErrorKind::ProviderUnavailable,
        ] {
            let d = p.decide(&Error::new(kind, "x"), 1, Duration::ZERO, 0.5);
            assert!(matches!(d, Decision::Retry(_)), "{kind}: {d:?}");
        }
        for kind in [
            ErrorKind::InvalidRequest,
            ErrorKind::Authentication,
            ErrorKind::QuotaExceeded,
            ErrorKind::ContextLengthExceeded,
            ErrorKind::StreamInterrupted,
        ] {
            let d = p.decide(&Error::new(kind, "x"), 1, Duration::ZERO, 0.5);
            assert_eq!(d, Decision::GiveUp(GiveUp::NotRetryable), "{kind}");
        }
    }

    #[test]
    fn attempts_run_out() {
        let p = RetryPolicy::new().with_jitter(Jitter::None);
        let e = unavailable();
        assert_eq!(
            p.decide(&e, 1, Duration::ZERO, 0.0),
            Decision::Retry(ms(200))
        );
        assert_eq!(
            p.decide(&e, 2, Duration::ZERO, 0.0),
            Decision::Retry(ms(400))
        );
        assert_eq!(
            p.decide(&e, 3, Duration::ZERO, 0.0),
            Decision::GiveUp(GiveUp::Exhausted)
        );
    }

    #[test]
    fn retry_after_replaces_the_backoff_without_jitter() {
        let p = RetryPolicy::new().with_max_delay(Duration::from_secs(5));
        let e = Error::new(ErrorKind::RateLimited, "429").with_retry_after(Duration::from_secs(3));
        for unit in [0.0, 0.7] {
            assert_eq!(
                p.decide(&e, 1, Duration::ZERO, unit),
                Decision::Retry(Duration::from_secs(3))
            );
        }
        // Exactly the cap is still waited out.
        let e = Error::new(ErrorKind::RateLimited, "429").with_retry_after(Duration::from_secs(5));
        assert_eq!(
            p.decide(&e, 1, Duration::ZERO, 0.0),
            Decision::Retry(Duration::from_secs(5))
        );
    }

    #[test]
    fn retry_after_above_the_cap_gives_up_at_once() {
        let p = RetryPolicy::new().with_max_delay(Duration::from_secs(5));
        let e = Error::new(ErrorKind::RateLimited, "429").with_retry_after(ms(5001));
        assert_eq!(
            p.decide(&e, 1, Duration::ZERO, 0.0),
            Decision::GiveUp(GiveUp::RetryAfterTooLong)
        );
    }

    #[test]
    fn the_budget_stops_a_wait_that_would_overrun_it() {
        let p = RetryPolicy::new()
            .with_jitter(Jitter::None)
            .with_max_attempts(10)
            .with_budget(Duration::from_secs(1));
        let e = unavailable();
        assert_eq!(p.decide(&e, 1, ms(800), 0.0), Decision::Retry(ms(200)));
        assert_eq!(
            p.decide(&e, 1, ms(801), 0.0),
            Decision::GiveUp(GiveUp::Budget)
        );
        assert_eq!(GiveUp::Budget.as_str(), "retry budget spent");
    }
}
