//! Splitting a list of inputs into requests that respect [`BatchLimits`].

use std::ops::Range;

use crate::BatchLimits;

/// Splits inputs with the given token `costs` into consecutive ranges, each within `limits`.
///
/// Greedy and order-preserving: a range grows until the next input would exceed
/// `max_inputs` or `max_tokens`. An input whose cost alone exceeds `max_tokens` gets a range
/// of its own (the provider decides what to do with it). The ranges cover `0..costs.len()`
/// exactly, in order; no inputs, no ranges.
///
/// ```
/// use llm_router_embeddings::{plan_batches, BatchLimits};
/// let ranges = plan_batches(&[5, 5, 5, 20, 1], BatchLimits::new(2, Some(12)));
/// assert_eq!(ranges, [0..2, 2..3, 3..4, 4..5]);
/// ```
pub fn plan_batches(costs: &[usize], limits: BatchLimits) -> Vec<Range<usize>> {
    let max_inputs = limits.max_inputs.max(1);
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut tokens = 0usize;
    for (i, cost) in costs.iter().enumerate() {
        let full = i - start >= max_inputs;
        let over = limits
            .max_tokens
            .is_some_and(|max| tokens.saturating_add(*cost) > max);
        if i > start && (full || over) {
            ranges.push(start..i);
            start = i;
            tokens = 0;
        }
        tokens = tokens.saturating_add(*cost);
    }
    if start < costs.len() {
        ranges.push(start..costs.len());
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Case<'a> = (&'a [usize], BatchLimits, &'a [Range<usize>]);

    #[test]
    #[allow(clippy::single_range_in_vec_init)]
    fn table() {
        let cases: &[Case<'_>] = &[
            (&[], BatchLimits::new(3, None), &[]),
            (&[1], BatchLimits::new(3, None), &[0..1]),
            (
                &[1, 1, 1, 1, 1, 1, 1],
                BatchLimits::new(3, None),
                &[0..3, 3..6, 6..7],
            ),
            (&[4, 4, 4], BatchLimits::new(10, Some(8)), &[0..2, 2..3]),
            // Exactly at the token limit stays together.
            (&[4, 4, 0, 1], BatchLimits::new(10, Some(8)), &[0..3, 3..4]),
            // An oversized input goes alone, without dragging its neighbours along.
            (
                &[1, 50, 1],
                BatchLimits::new(10, Some(8)),
                &[0..1, 1..2, 2..3],
            ),
            // One input per request (Titan).
            (
                &[1, 2, 3],
                BatchLimits::new(1, Some(100)),
                &[0..1, 1..2, 2..3],
            ),
        ];
        for (costs, limits, want) in cases {
            assert_eq!(plan_batches(costs, *limits), *want, "{costs:?} {limits:?}");
        }
    }

    proptest! {
        #[test]
        fn ranges_cover_in_order_within_limits(
            costs in proptest::collection::vec(0usize..200, 0..300),
            max_inputs in 1usize..40,
            max_tokens in proptest::option::of(1usize..600),
        ) {
            let limits = BatchLimits::new(max_inputs, max_tokens);
            let ranges = plan_batches(&costs, limits);
            let mut next = 0;
            for (k, r) in ranges.iter().enumerate() {
                prop_assert_eq!(r.start, next);
                prop_assert!(r.end > r.start);
                prop_assert!(r.len() <= max_inputs);
                let tokens: usize = costs[r.clone()].iter().sum();
                if let Some(max) = max_tokens {
                    prop_assert!(tokens <= max || r.len() == 1, "range {:?} has {} tokens", r, tokens);
                    // Greedy: the next input would not have fitted.
                    if let Some(following) = ranges.get(k + 1) {
                        let with_next = tokens + costs[following.start];
                        prop_assert!(r.len() == max_inputs || with_next > max);
                    }
                } else if k + 1 < ranges.len() {
                    prop_assert_eq!(r.len(), max_inputs);
                }
                next = r.end;
            }
            prop_assert_eq!(next, costs.len());
        }
    }
}
