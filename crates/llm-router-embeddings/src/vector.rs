//! Vector math: dot product, L2 norm and normalisation, cosine similarity, Matryoshka
//! shortening and a top-k nearest search.
//!
//! Sums are accumulated in `f64`, so long vectors (3,072 components and more) lose no precision
//! to the order of addition. Functions that take two vectors pair components up to the shorter
//! length: vectors of different lengths come from different models (or a bug) and have no
//! meaningful similarity, so check lengths first when that can happen.

use llm_router_core::{Error, ErrorKind};

/// The dot product `Σ aᵢ·bᵢ` (for unit vectors, this is the cosine similarity).
///
/// ```
/// assert_eq!(llm_router_embeddings::dot(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]), 32.0);
/// ```
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    sums(a, b).0 as f32
}

/// The Euclidean length `√Σ vᵢ²`.
///
/// ```
/// assert_eq!(llm_router_embeddings::l2_norm(&[3.0, 4.0]), 5.0);
/// ```
pub fn l2_norm(v: &[f32]) -> f32 {
    sums(v, v).1.sqrt() as f32
}

/// `(Σ aᵢ·bᵢ, Σ aᵢ², Σ bᵢ²)` over the common length, in one pass with independent `f64`
/// lanes (so the compiler can vectorise it; the lanes also keep rounding error low).
fn sums(a: &[f32], b: &[f32]) -> (f64, f64, f64) {
    const LANES: usize = 4;
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let (mut dot, mut aa, mut bb) = ([0f64; LANES], [0f64; LANES], [0f64; LANES]);
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..LANES {
            let (x, y) = (f64::from(x[l]), f64::from(y[l]));
            dot[l] += x * y;
            aa[l] += x * x;
            bb[l] += y * y;
        }
    }
    let mut total = (
        dot.iter().sum::<f64>(),
        aa.iter().sum::<f64>(),
        bb.iter().sum::<f64>(),
    );
    for (x, y) in ra.iter().zip(rb) {
        let (x, y) = (f64::from(*x), f64::from(*y));
        total.0 += x * y;
        total.1 += x * x;
        total.2 += y * y;
    }
    total
}

/// Scales `v` to unit length in place. A zero vector (or one too small to scale) is left
/// unchanged: it has no direction to keep.
///
/// ```
/// let mut v = vec![3.0, 4.0];
/// llm_router_embeddings::normalize(&mut v);
/// assert_eq!(v, [0.6, 0.8]);
/// ```
pub fn normalize(v: &mut [f32]) {
    let norm = f64::from(l2_norm(v));
    if norm > f64::from(f32::MIN_POSITIVE) && norm.is_finite() {
        for x in v.iter_mut() {
            *x = (f64::from(*x) / norm) as f32;
        }
    }
}

/// The cosine of the angle between `a` and `b`, in `[-1, 1]`; `0.0` when either is a zero
/// vector.
///
/// ```
/// use llm_router_embeddings::cosine_similarity;
/// assert!((cosine_similarity(&[1.0, 0.0], &[2.0, 0.0]) - 1.0).abs() < 1e-6);
/// assert_eq!(cosine_similarity(&[1.0, 0.0], &[0.0, 3.0]), 0.0);
/// ```
pub fn cosine_similarity(a: &[f32], b: &[f32]) -> f32 {
    let (dot, aa, bb) = sums(a, b);
    let denominator = (aa * bb).sqrt();
    if denominator <= f64::from(f32::MIN_POSITIVE) {
        return 0.0;
    }
    (dot / denominator).clamp(-1.0, 1.0) as f32
}

/// Shortens `v` to its first `dims` components and re-normalises it to unit length: how
/// Matryoshka-trained models (OpenAI `text-embedding-3-*`, Gemini embeddings, Nomic, …) are
/// shortened. A vector already `dims` long is only re-normalised.
///
/// # Errors
///
/// [`ErrorKind::InvalidRequest`] when `v` has fewer than `dims` components: a vector cannot be
/// lengthened, so the model does not offer that many dimensions.
///
/// ```
/// let mut v = vec![3.0, 4.0, 12.0];
/// llm_router_embeddings::truncate_normalize(&mut v, 2)?;
/// assert_eq!(v, [0.6, 0.8]);
/// assert!(llm_router_embeddings::truncate_normalize(&mut v, 3).is_err());
/// # Ok::<(), llm_router_core::Error>(())
/// ```
pub fn truncate_normalize(v: &mut Vec<f32>, dims: usize) -> Result<(), Error> {
    if v.len() < dims {
        return Err(Error::new(
            ErrorKind::InvalidRequest,
            format!(
                "the model returned {}-dimensional vectors; {dims} dimensions were asked for",
                v.len()
            ),
        ));
    }
    v.truncate(dims);
    normalize(v);
    Ok(())
}

/// The `k` candidates most similar to `query` by cosine similarity, best first, as
/// `(index in candidates, similarity)`. Ties keep the candidates' order; NaN scores rank last.
///
/// A linear scan (`O(n log n)` with the sort): right for thousands of vectors, not for a
/// vector database.
///
/// ```
/// use llm_router_embeddings::top_k;
/// let docs = [vec![1.0, 0.0], vec![0.0, 1.0], vec![0.7, 0.7]];
/// let best = top_k(&[1.0, 0.1], &docs, 2);
/// assert_eq!(best.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [0, 2]);
/// ```
pub fn top_k<V: AsRef<[f32]>>(query: &[f32], candidates: &[V], k: usize) -> Vec<(usize, f32)> {
    let mut scored: Vec<(usize, f32)> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (i, cosine_similarity(query, c.as_ref())))
        .collect();
    // Descending by score, NaN last; `sort_by` is stable, so ties keep their order.
    scored.sort_by(|a, b| match (a.1.is_nan(), b.1.is_nan()) {
        (false, false) => b.1.total_cmp(&a.1),
        (a_nan, b_nan) => a_nan.cmp(&b_nan),
    });
    scored.truncate(k);
    scored
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn dot_and_norm() {
        assert_eq!(dot(&[], &[]), 0.0);
        assert_eq!(dot(&[1.0, -2.0], &[3.0, 4.0]), -5.0);
        assert_eq!(l2_norm(&[]), 0.0);
        assert!(close(l2_norm(&[1.0, 1.0, 1.0, 1.0]), 2.0));
    }

    #[test]
    fn lanes_and_remainders_match_a_plain_sum() {
        for n in 0..=11 {
            let a: Vec<f32> = (0..n).map(|i| i as f32 * 0.5 - 2.0).collect();
            let b: Vec<f32> = (0..n).map(|i| 3.0 - i as f32).collect();
            let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!(close(dot(&a, &b), plain), "n = {n}");
            let norm: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!(close(l2_norm(&a), norm), "n = {n}");
        }
        // Different lengths pair up to the shorter one.
        assert_eq!(dot(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0, 1.0]), 3.0);
    }

    #[test]
    fn normalize_makes_unit_vectors_and_leaves_zero_alone() {
        let mut v = vec![1.0, 2.0, 2.0];
        normalize(&mut v);
        assert!(close(l2_norm(&v), 1.0));
        assert!(close(v[0], 1.0 / 3.0) && close(v[1], 2.0 / 3.0));
        let mut zero = vec![0.0; 4];
        normalize(&mut zero);
        assert_eq!(zero, [0.0; 4]);
    }

    #[test]
    fn cosine_cases() {
        assert!(close(cosine_similarity(&[1.0, 2.0], &[2.0, 4.0]), 1.0));
        assert!(close(cosine_similarity(&[1.0, 2.0], &[-1.0, -2.0]), -1.0));
        assert!(close(
            cosine_similarity(&[1.0, 0.0], &[1.0, 1.0]),
            0.5f32.sqrt()
        ));
        assert_eq!(cosine_similarity(&[0.0, 0.0], &[1.0, 1.0]), 0.0);
        // For unit vectors cosine and dot agree.
        let (mut a, mut b) = (vec![0.3, -0.2, 0.9], vec![0.1, 0.5, 0.4]);
        normalize(&mut a);
        normalize(&mut b);
        assert!(close(cosine_similarity(&a, &b), dot(&a, &b)));
    }

    #[test]
    fn truncation_renormalises() {
        let mut v = vec![0.5, 0.5, 0.5, 0.5];
        truncate_normalize(&mut v, 2).unwrap();
        assert_eq!(v.len(), 2);
        assert!(close(v[0], 0.5f32.sqrt()) && close(v[1], 0.5f32.sqrt()));
        let mut same = vec![2.0, 0.0];
        truncate_normalize(&mut same, 2).unwrap();
        assert_eq!(same, [1.0, 0.0]);
        let err = truncate_normalize(&mut vec![1.0], 2).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    }

    #[test]
    fn top_k_orders_and_handles_nan_and_ties() {
        let docs = vec![
            vec![0.0, 1.0],
            vec![1.0, 0.0],
            vec![f32::NAN, 0.0],
            vec![1.0, 0.0],
        ];
        let best = top_k(&[1.0, 0.0], &docs, 10);
        let order: Vec<usize> = best.iter().map(|(i, _)| *i).collect();
        assert_eq!(order, [1, 3, 0, 2]);
        assert!(close(best[0].1, 1.0));
        assert!(top_k(&[1.0, 0.0], &docs, 0).is_empty());
    }
}
