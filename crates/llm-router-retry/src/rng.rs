//! The random numbers behind jitter: SplitMix64 over an atomic counter.
//!
//! Jitter only has to spread clients apart, not resist an adversary, so a 64-bit mixer is
//! enough and keeps `rand` out of the dependency graph. The state is an `AtomicU64`, so
//! concurrent requests through one layer draw without a lock. A fixed seed makes a layer's
//! delays reproducible (tests); without one, the seed comes from std's per-process random
//! hash keys.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// The SplitMix64 increment (the golden ratio in 64 bits).
const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// A seedable source of uniform numbers in `[0, 1)`.
#[derive(Debug)]
pub(crate) struct JitterRng {
    state: AtomicU64,
}

impl JitterRng {
    /// A generator starting from `seed`, or from a random seed when `None`.
    pub(crate) fn new(seed: Option<u64>) -> Self {
        let seed = seed.unwrap_or_else(|| RandomState::new().hash_one(0x6a69_7474_6572_u64));
        Self {
            state: AtomicU64::new(seed),
        }
    }

    /// The next number, uniform in `[0, 1)`.
    pub(crate) fn next_unit(&self) -> f64 {
        let x = self
            .state
            .fetch_add(GOLDEN_GAMMA, Ordering::Relaxed)
            .wrapping_add(GOLDEN_GAMMA);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // The top 53 bits as a fraction: exactly representable, never 1.0.
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_sequence() {
        let a = JitterRng::new(Some(7));
        let b = JitterRng::new(Some(7));
        let xs: Vec<f64> = (0..5).map(|_| a.next_unit()).collect();
        let ys: Vec<f64> = (0..5).map(|_| b.next_unit()).collect();
        assert_eq!(xs, ys);
        let c = JitterRng::new(Some(8));
        assert_ne!(xs[0], c.next_unit());
    }

    #[test]
    fn numbers_are_in_the_unit_interval_and_spread_out() {
        let rng = JitterRng::new(Some(1));
        let xs: Vec<f64> = (0..10_000).map(|_| rng.next_unit()).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((mean - 0.5).abs() < 0.02, "mean {mean}");
        let low = xs.iter().filter(|x| **x < 0.1).count();
        assert!((800..1200).contains(&low), "{low} below 0.1");
    }
}
