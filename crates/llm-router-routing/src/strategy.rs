//! Load-balancing strategies: each puts a group's available deployments in the order the
//! router tries them. The first is the pick; the rest are the failover order.
//!
//! Every built-in strategy is deterministic (no randomness), so tests can assert exact
//! distributions. Ties are broken by a rotating offset so equal deployments share the load.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What a strategy sees of one deployment.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Candidate<'a> {
    /// The deployment's position in its group (stable across calls).
    pub index: usize,
    /// The deployment's id.
    pub id: &'a str,
    /// Its weight.
    pub weight: u32,
    /// Requests (and open streams) it is running now.
    pub in_flight: usize,
    /// Moving average of complete-response latency, once measured.
    pub latency: Option<Duration>,
    /// Moving average of a stream's time to first chunk, once measured.
    pub time_to_first_token: Option<Duration>,
}

/// What a strategy knows about the request.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct PickContext {
    /// The request is a stream (least-latency then compares time to first token).
    pub streaming: bool,
}

/// Orders deployments for one request.
pub trait Strategy: Send + Sync + fmt::Debug {
    /// A short name (`"round_robin"`).
    fn name(&self) -> &str;

    /// Positions into `candidates` in the order to try them. Out-of-range and repeated
    /// positions are ignored; candidates left out are tried last, in their given order.
    fn order(&self, candidates: &[Candidate<'_>], ctx: PickContext) -> Vec<usize>;
}

/// A shared strategy.
pub type SharedStrategy = Arc<dyn Strategy>;

/// `0..n` rotated left by `by`.
fn rotated(n: usize, by: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    (0..n).map(|i| (i + by) % n).collect()
}

/// Always the group's order: the first deployment is primary, the others are backups.
#[derive(Debug, Default, Clone, Copy)]
pub struct Ordered;

impl Strategy for Ordered {
    fn name(&self) -> &str {
        "ordered"
    }
    fn order(&self, candidates: &[Candidate<'_>], _ctx: PickContext) -> Vec<usize> {
        (0..candidates.len()).collect()
    }
}

/// Each request starts at the next deployment: a, b, c, a, b, c …
#[derive(Debug, Default)]
pub struct RoundRobin {
    next: AtomicUsize,
}

impl RoundRobin {
    /// A round-robin strategy starting at the first deployment.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Strategy for RoundRobin {
    fn name(&self) -> &str {
        "round_robin"
    }
    fn order(&self, candidates: &[Candidate<'_>], _ctx: PickContext) -> Vec<usize> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        rotated(candidates.len(), start % candidates.len().max(1))
    }
}

/// Smooth weighted round-robin (nginx's algorithm): over any run of `sum(weights)` requests
/// each deployment is picked exactly `weight` times, interleaved (5/1/1 gives
/// a a b a c a a). Weight 0 is never picked first but stays in the failover order.
/// The failover order after the pick is by weight, heaviest first.
#[derive(Debug, Default)]
pub struct Weighted {
    current: Mutex<Vec<i64>>,
}

impl Weighted {
    /// A smooth weighted round-robin strategy.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Strategy for Weighted {
    fn name(&self) -> &str {
        "weighted"
    }
    fn order(&self, candidates: &[Candidate<'_>], _ctx: PickContext) -> Vec<usize> {
        let pick = {
            let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
            let need = candidates.iter().map(|c| c.index + 1).max().unwrap_or(0);
            if current.len() < need {
                current.resize(need, 0);
            }
            let mut total = 0i64;
            let mut best: Option<(usize, i64)> = None;
            for (pos, c) in candidates.iter().enumerate() {
                if c.weight == 0 {
                    continue;
                }
                let w = i64::from(c.weight);
                total += w;
                let cur = current.get_mut(c.index);
                let value = cur.map_or(0, |v| {
                    *v += w;
                    *v
                });
                if best.is_none_or(|(_, b)| value > b) {
                    best = Some((pos, value));
                }
            }
            if let Some((pos, _)) = best
                && let Some(v) = candidates.get(pos).and_then(|c| current.get_mut(c.index))
            {
                *v -= total;
            }
            best.map(|(pos, _)| pos)
        };
        let mut rest: Vec<usize> = (0..candidates.len()).filter(|p| Some(*p) != pick).collect();
        rest.sort_by_key(|p| std::cmp::Reverse(candidates.get(*p).map_or(0, |c| c.weight)));
        pick.into_iter().chain(rest).collect()
    }
}

/// The deployment with the lowest moving-average latency first: complete-response latency for
/// `chat`, time to first chunk for streams (each falls back to the other when it has no
/// sample yet). Deployments never measured go first, so every deployment is measured once
/// ("warm-up"). A deployment that was slow keeps its average until it serves again, which it
/// does when the faster ones fail or cool down.
#[derive(Debug, Default)]
pub struct LeastLatency {
    next: AtomicUsize,
}

impl LeastLatency {
    /// A least-latency strategy.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Strategy for LeastLatency {
    fn name(&self) -> &str {
        "least_latency"
    }
    fn order(&self, candidates: &[Candidate<'_>], ctx: PickContext) -> Vec<usize> {
        let n = candidates.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n.max(1);
        let mut order = rotated(n, start);
        order.sort_by_key(|p| {
            candidates.get(*p).map_or(Duration::ZERO, |c| {
                let (first, second) = if ctx.streaming {
                    (c.time_to_first_token, c.latency)
                } else {
                    (c.latency, c.time_to_first_token)
                };
                first.or(second).unwrap_or(Duration::ZERO)
            })
        });
        order
    }
}

/// The deployment with the fewest requests running first (open streams count until they end
/// or are dropped). Ties rotate, so idle deployments share sequential traffic.
#[derive(Debug, Default)]
pub struct LeastBusy {
    next: AtomicUsize,
}

impl LeastBusy {
    /// A least-busy strategy.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Strategy for LeastBusy {
    fn name(&self) -> &str {
        "least_busy"
    }
    fn order(&self, candidates: &[Candidate<'_>], _ctx: PickContext) -> Vec<usize> {
        let n = candidates.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n.max(1);
        let mut order = rotated(n, start);
        order.sort_by_key(|p| candidates.get(*p).map_or(0, |c| c.in_flight));
        order
    }
}

/// A strategy by name, for configuration files.
///
/// ```
/// use llm_router_routing::StrategyKind;
/// let k: StrategyKind = serde_json::from_str(r#""least_latency""#).unwrap();
/// assert_eq!(k.build().name(), "least_latency");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StrategyKind {
    /// [`Ordered`].
    Ordered,
    /// [`RoundRobin`].
    RoundRobin,
    /// [`Weighted`] (the default: round-robin when all weights are equal).
    #[default]
    Weighted,
    /// [`LeastLatency`].
    LeastLatency,
    /// [`LeastBusy`].
    LeastBusy,
}

impl StrategyKind {
    /// A fresh strategy of this kind.
    pub fn build(self) -> SharedStrategy {
        match self {
            Self::Ordered => Arc::new(Ordered),
            Self::RoundRobin => Arc::new(RoundRobin::new()),
            Self::Weighted => Arc::new(Weighted::new()),
            Self::LeastLatency => Arc::new(LeastLatency::new()),
            Self::LeastBusy => Arc::new(LeastBusy::new()),
        }
    }
}

/// Makes a strategy's answer a full permutation of `0..n`.
pub(crate) fn normalize(order: Vec<usize>, n: usize) -> Vec<usize> {
    let mut seen = vec![false; n];
    let mut out = Vec::with_capacity(n);
    for p in order {
        if let Some(s) = seen.get_mut(p)
            && !*s
        {
            *s = true;
            out.push(p);
        }
    }
    out.extend((0..n).filter(|p| !seen.get(*p).copied().unwrap_or(true)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cands(weights: &[u32]) -> Vec<Candidate<'static>> {
        weights
            .iter()
            .enumerate()
            .map(|(i, w)| Candidate {
                index: i,
                id: "d",
                weight: *w,
                in_flight: 0,
                latency: None,
                time_to_first_token: None,
            })
            .collect()
    }

    const CTX: PickContext = PickContext { streaming: false };

    #[test]
    fn smooth_weighted_matches_nginx() {
        let w = Weighted::new();
        let c = cands(&[5, 1, 1]);
        let picks: Vec<usize> = (0..7).map(|_| w.order(&c, CTX)[0]).collect();
        // nginx's documented sequence for {a=5, b=1, c=1}: a a b a c a a.
        assert_eq!(picks, [0, 0, 1, 0, 2, 0, 0]);
        assert_eq!(w.order(&c, CTX).len(), 3);
    }

    #[test]
    fn zero_weight_is_only_a_backup() {
        let w = Weighted::new();
        let c = cands(&[0, 1]);
        for _ in 0..5 {
            assert_eq!(w.order(&c, CTX), [1, 0]);
        }
    }

    #[test]
    fn normalize_fills_and_dedupes() {
        assert_eq!(normalize(vec![2, 2, 9], 4), [2, 0, 1, 3]);
        assert_eq!(normalize(vec![], 0), Vec::<usize>::new());
    }

    #[test]
    fn least_busy_and_latency() {
        let mut c = cands(&[1, 1, 1]);
        c[0].in_flight = 2;
        c[1].in_flight = 1;
        assert_eq!(LeastBusy::new().order(&c, CTX), [2, 1, 0]);
        c[0].latency = Some(Duration::from_millis(5));
        c[1].latency = Some(Duration::from_millis(50));
        c[2].latency = Some(Duration::from_millis(20));
        c[1].time_to_first_token = Some(Duration::from_millis(1));
        assert_eq!(LeastLatency::new().order(&c, CTX), [0, 2, 1]);
        let stream = PickContext { streaming: true };
        assert_eq!(LeastLatency::new().order(&c, stream), [1, 0, 2]);
    }
}
