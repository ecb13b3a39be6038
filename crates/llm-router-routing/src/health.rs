//! Per-deployment state: passive health (a circuit breaker), latency averages and the in-flight
//! count.
//!
//! Health is a three-state breaker. *Healthy* deployments take traffic. After
//! [`HealthPolicy::failure_threshold`] consecutive failures a deployment *cools down* for
//! [`HealthPolicy::cooldown`] and is skipped. When the cool-down has passed it is *half-open*:
//! exactly one request may probe it; success makes it healthy again, failure cools it down
//! again. A 429 that carries `Retry-After` cools the deployment down at once for that long
//! (capped by [`HealthPolicy::max_retry_after`]) when [`HealthPolicy::retry_after_cooldown`] is
//! on, because the provider has said when it will take requests again.
//!
//! Only fallback-eligible errors count as failures: an `InvalidRequest` or a
//! `ContextLengthExceeded` proves that the deployment is up and answering.
//!
//! Time is `tokio::time::Instant`, so tests drive cool-downs with paused time. The state lives
//! behind a std `Mutex` held for a few field updates, never across an await; the in-flight count
//! is an atomic.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use llm_router_core::{Error, ErrorKind};
use tokio::time::Instant;

/// How passive health reacts to failures.
///
/// ```
/// use std::time::Duration;
/// use llm_router_routing::HealthPolicy;
/// let p = HealthPolicy::default().failure_threshold(5).cooldown(Duration::from_secs(10));
/// assert_eq!(p.threshold(), 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthPolicy {
    threshold: u32,
    cooldown: Duration,
    retry_after_cooldown: bool,
    max_retry_after: Duration,
}

impl Default for HealthPolicy {
    /// Three consecutive failures cool a deployment down for 30 s; a 429's `Retry-After`
    /// cools it down at once, for at most 5 minutes.
    fn default() -> Self {
        Self {
            threshold: 3,
            cooldown: Duration::from_secs(30),
            retry_after_cooldown: true,
            max_retry_after: Duration::from_secs(300),
        }
    }
}

impl HealthPolicy {
    /// Consecutive failures that cool a deployment down (default 3). `0` turns passive health
    /// off: deployments are never skipped.
    pub fn failure_threshold(mut self, n: u32) -> Self {
        self.threshold = n;
        self
    }

    /// How long a deployment is skipped after it tripped (default 30 s).
    pub fn cooldown(mut self, d: Duration) -> Self {
        self.cooldown = d;
        self
    }

    /// Whether a rate-limit error with `Retry-After` cools the deployment down at once for
    /// that long (default on).
    pub fn retry_after_cooldown(mut self, on: bool) -> Self {
        self.retry_after_cooldown = on;
        self
    }

    /// The longest cool-down a `Retry-After` may set (default 5 minutes).
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = d;
        self
    }

    /// The failure threshold.
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    /// The cool-down period.
    pub fn cooldown_period(&self) -> Duration {
        self.cooldown
    }
}

/// Where a deployment stands, as [`Router::health`](crate::Router::health) reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HealthStatus {
    /// Takes traffic.
    Healthy,
    /// Skipped for this much longer.
    CoolingDown {
        /// Time left in the cool-down.
        remaining: Duration,
    },
    /// The cool-down has passed; the next request probes it (or one is probing it now).
    HalfOpen,
}

/// A snapshot of one deployment's state.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DeploymentHealth {
    /// The deployment's id.
    pub id: String,
    /// Health.
    pub status: HealthStatus,
    /// Failures since the last success.
    pub consecutive_failures: u32,
    /// Requests (and open streams) now running.
    pub in_flight: usize,
    /// Moving average of complete-response latency, once measured.
    pub latency: Option<Duration>,
    /// Moving average of a stream's time to first chunk, once measured.
    pub time_to_first_token: Option<Duration>,
}

/// What the router may do with a deployment right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Healthy: go.
    Open,
    /// Half-open and nobody is probing: may be claimed for one probe.
    Probe,
    /// Cooling down, or half-open with a probe already running.
    Closed,
}

#[derive(Debug, Default)]
struct Breaker {
    failures: u32,
    cooldown_until: Option<Instant>,
    probing: bool,
    latency: Option<f64>,
    ttft: Option<f64>,
}

/// The shared state of one deployment (shared by every group that lists the same id).
#[derive(Debug)]
pub(crate) struct DeploymentState {
    id: String,
    policy: Arc<HealthPolicy>,
    alpha: f64,
    in_flight: AtomicUsize,
    breaker: Mutex<Breaker>,
}

impl DeploymentState {
    pub(crate) fn new(id: String, policy: Arc<HealthPolicy>, alpha: f64) -> Self {
        Self {
            id,
            policy,
            alpha,
            in_flight: AtomicUsize::new(0),
            breaker: Mutex::new(Breaker::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Breaker> {
        self.breaker.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn admission(&self, now: Instant) -> Admission {
        let b = self.lock();
        match b.cooldown_until {
            None => Admission::Open,
            Some(until) if now < until => Admission::Closed,
            Some(_) if b.probing => Admission::Closed,
            Some(_) => Admission::Probe,
        }
    }

    /// Claims the half-open probe; `None` when the deployment is not half-open or another
    /// request already probes it.
    pub(crate) fn claim_probe(self: &Arc<Self>, now: Instant) -> Option<ProbeGuard> {
        let mut b = self.lock();
        match b.cooldown_until {
            Some(until) if now >= until && !b.probing => {
                b.probing = true;
                Some(ProbeGuard {
                    state: Arc::clone(self),
                })
            }
            _ => None,
        }
    }

    /// The deployment answered.
    pub(crate) fn record_success(&self) {
        let mut b = self.lock();
        b.failures = 0;
        b.cooldown_until = None;
    }

    /// The outcome of one call: fallback-eligible errors are failures, anything else proves
    /// the deployment is up.
    pub(crate) fn record_outcome(&self, err: Option<&Error>, now: Instant) {
        match err {
            Some(e) if e.is_fallback_eligible() => self.record_failure(e, now),
            _ => self.record_success(),
        }
    }

    /// A failure (an eligible error up front, or a stream cut mid-way).
    pub(crate) fn record_failure(&self, err: &Error, now: Instant) {
        let p = &*self.policy;
        let mut b = self.lock();
        b.failures = b.failures.saturating_add(1);
        if p.threshold == 0 {
            return;
        }
        let was_tripped = b.cooldown_until.is_some();
        if was_tripped || b.failures >= p.threshold {
            // A failed probe (or a forced attempt while cooling) starts a new cool-down.
            b.cooldown_until = Some(now + p.cooldown);
        }
        if p.retry_after_cooldown
            && err.kind() == ErrorKind::RateLimited
            && let Some(wait) = err.retry_after()
        {
            let until = now + wait.min(p.max_retry_after);
            b.cooldown_until = Some(b.cooldown_until.map_or(until, |u| u.max(until)));
        }
    }

    /// An active health check failed: cool down now, whatever the count.
    pub(crate) fn mark_down(&self, now: Instant) {
        if self.policy.threshold == 0 {
            return;
        }
        let mut b = self.lock();
        b.failures = b.failures.max(self.policy.threshold);
        b.cooldown_until = Some(now + self.policy.cooldown);
    }

    /// Moving averages are kept in nanoseconds, so whole samples come back exactly.
    fn ewma(&self, old: Option<f64>, sample: Duration) -> Option<f64> {
        let x = sample.as_nanos() as f64;
        Some(old.map_or(x, |o| self.alpha * x + (1.0 - self.alpha) * o))
    }

    pub(crate) fn record_latency(&self, sample: Duration) {
        let mut b = self.lock();
        b.latency = self.ewma(b.latency, sample);
    }

    pub(crate) fn record_ttft(&self, sample: Duration) {
        let mut b = self.lock();
        b.ttft = self.ewma(b.ttft, sample);
    }

    /// (latency, time to first token), moving averages.
    pub(crate) fn latencies(&self) -> (Option<Duration>, Option<Duration>) {
        let b = self.lock();
        let d = |x: Option<f64>| x.map(|n| Duration::from_nanos(n.round() as u64));
        (d(b.latency), d(b.ttft))
    }

    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// Counts a request as running until the guard drops.
    pub(crate) fn start(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight {
            state: Arc::clone(self),
        }
    }

    pub(crate) fn snapshot(&self, now: Instant) -> DeploymentHealth {
        let (latency, ttft) = self.latencies();
        let b = self.lock();
        let status = match b.cooldown_until {
            None => HealthStatus::Healthy,
            Some(until) if now < until => HealthStatus::CoolingDown {
                remaining: until - now,
            },
            Some(_) => HealthStatus::HalfOpen,
        };
        DeploymentHealth {
            id: self.id.clone(),
            status,
            consecutive_failures: b.failures,
            in_flight: self.in_flight(),
            latency,
            time_to_first_token: ttft,
        }
    }
}

/// Decrements the in-flight count when dropped.
#[derive(Debug)]
pub(crate) struct InFlight {
    state: Arc<DeploymentState>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.state.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Holds the half-open probe; dropping it (the outcome recorded or the request cancelled)
/// lets the next request probe.
#[derive(Debug)]
pub(crate) struct ProbeGuard {
    state: Arc<DeploymentState>,
}

impl Drop for ProbeGuard {
    fn drop(&mut self) {
        self.state.lock().probing = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(threshold: u32) -> Arc<DeploymentState> {
        let policy = HealthPolicy::default()
            .failure_threshold(threshold)
            .cooldown(Duration::from_secs(10));
        Arc::new(DeploymentState::new("d".into(), Arc::new(policy), 0.5))
    }

    fn err(kind: ErrorKind) -> Error {
        Error::new(kind, "x")
    }

    #[test]
    fn trips_after_threshold_and_probes_once() {
        let s = state(2);
        let t0 = Instant::now();
        s.record_outcome(Some(&err(ErrorKind::Timeout)), t0);
        assert_eq!(s.admission(t0), Admission::Open);
        s.record_outcome(Some(&err(ErrorKind::Timeout)), t0);
        assert_eq!(s.admission(t0), Admission::Closed);
        let later = t0 + Duration::from_secs(10);
        assert_eq!(s.admission(later), Admission::Probe);
        let probe = s.claim_probe(later).unwrap();
        assert!(s.claim_probe(later).is_none());
        assert_eq!(s.admission(later), Admission::Closed);
        // A failed probe cools down again.
        s.record_outcome(Some(&err(ErrorKind::Connection)), later);
        drop(probe);
        assert_eq!(s.admission(later), Admission::Closed);
        let later = later + Duration::from_secs(10);
        let probe = s.claim_probe(later).unwrap();
        s.record_outcome(None, later);
        drop(probe);
        assert_eq!(s.admission(later), Admission::Open);
        assert_eq!(s.snapshot(later).consecutive_failures, 0);
    }

    #[test]
    fn non_eligible_errors_prove_the_deployment_is_up() {
        let s = state(1);
        let t0 = Instant::now();
        s.record_outcome(Some(&err(ErrorKind::InvalidRequest)), t0);
        s.record_outcome(Some(&err(ErrorKind::ContextLengthExceeded)), t0);
        assert_eq!(s.admission(t0), Admission::Open);
    }

    #[test]
    fn retry_after_sets_the_cooldown_capped() {
        let s = state(3);
        let t0 = Instant::now();
        let e = err(ErrorKind::RateLimited).with_retry_after(Duration::from_secs(2));
        s.record_outcome(Some(&e), t0);
        assert_eq!(
            s.snapshot(t0).status,
            HealthStatus::CoolingDown {
                remaining: Duration::from_secs(2)
            }
        );
        let e = err(ErrorKind::RateLimited).with_retry_after(Duration::from_secs(9999));
        s.record_outcome(Some(&e), t0);
        assert_eq!(
            s.snapshot(t0).status,
            HealthStatus::CoolingDown {
                remaining: Duration::from_secs(300)
            }
        );
    }

    #[test]
    fn threshold_zero_never_trips() {
        let s = state(0);
        let t0 = Instant::now();
        for _ in 0..10 {
            s.record_outcome(Some(&err(ErrorKind::Timeout)), t0);
        }
        s.mark_down(t0);
        assert_eq!(s.admission(t0), Admission::Open);
    }

    #[test]
    fn ewma_and_in_flight() {
        let s = state(3);
        s.record_latency(Duration::from_millis(100));
        s.record_latency(Duration::from_millis(200));
        let (lat, ttft) = s.latencies();
        assert_eq!(lat.unwrap().as_millis(), 150);
        assert!(ttft.is_none());
        let g1 = s.start();
        let g2 = s.start();
        assert_eq!(s.in_flight(), 2);
        drop(g1);
        drop(g2);
        assert_eq!(s.in_flight(), 0);
    }
}
