//! Reading a provider's response: vectors back in input order, usage sums, error copies.

use llm_router_core::{EmbeddingData, Error, ErrorKind, Usage};

/// `data` in input order, checked against the number of inputs sent.
///
/// The entries' `index` fields decide the order when they are a permutation of
/// `0..expected`; when they are not (some OpenAI-compatible servers send `0` everywhere) but
/// the count is right, the order of the list is the input order. A wrong count is
/// [`ErrorKind::Decode`].
pub(crate) fn in_input_order(
    data: Vec<EmbeddingData>,
    expected: usize,
) -> Result<Vec<EmbeddingData>, Error> {
    if data.len() != expected {
        return Err(Error::new(
            ErrorKind::Decode,
            format!(
                "the provider returned {} vectors for {expected} inputs",
                data.len()
            ),
        ));
    }
    let mut seen = vec![false; expected];
    let permutation = data.iter().all(|d| {
        let i = d.index as usize;
        i < expected && !std::mem::replace(&mut seen[i], true)
    });
    if !permutation {
        return Ok(data);
    }
    let mut slots: Vec<Option<EmbeddingData>> = (0..expected).map(|_| None).collect();
    for d in data {
        let i = d.index as usize;
        slots[i] = Some(d);
    }
    Ok(slots.into_iter().flatten().collect())
}

/// Adds `more` into `total` (token counts only; vendor details are not summed).
pub(crate) fn add_usage(total: &mut Option<Usage>, more: Option<&Usage>) {
    let Some(more) = more else { return };
    let t = total.get_or_insert_with(Usage::default);
    t.prompt_tokens += more.prompt_tokens;
    t.completion_tokens += more.completion_tokens;
    t.total_tokens += more.total_tokens;
}

/// A copy of `err` for another caller: same kind, message, provider, status, code and
/// `Retry-After`. ([`Error`] is not `Clone`; the source chain stays with the original.)
pub(crate) fn copy_error(err: &Error) -> Error {
    let mut copy = Error::new(err.kind(), err.message());
    if let Some(p) = err.provider() {
        copy = copy.with_provider(p);
    }
    if let Some(s) = err.status() {
        copy = copy.with_status(s);
    }
    if let Some(c) = err.code() {
        copy = copy.with_code(c);
    }
    if let Some(r) = err.retry_after() {
        copy = copy.with_retry_after(r);
    }
    copy
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn entry(index: u32, x: f32) -> EmbeddingData {
        EmbeddingData::new(index, vec![x])
    }

    fn firsts(data: &[EmbeddingData]) -> Vec<f32> {
        data.iter()
            .map(|d| d.embedding.to_floats().unwrap()[0])
            .collect()
    }

    #[test]
    fn order_by_index_or_position() {
        let shuffled = vec![entry(2, 2.0), entry(0, 0.0), entry(1, 1.0)];
        assert_eq!(
            firsts(&in_input_order(shuffled, 3).unwrap()),
            [0.0, 1.0, 2.0]
        );
        let all_zero = vec![entry(0, 0.0), entry(0, 1.0)];
        assert_eq!(firsts(&in_input_order(all_zero, 2).unwrap()), [0.0, 1.0]);
        let err = in_input_order(vec![entry(0, 0.0)], 2).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
    }

    #[test]
    fn usage_sums_and_error_copies() {
        let mut total = None;
        add_usage(&mut total, None);
        assert!(total.is_none());
        add_usage(&mut total, Some(&Usage::new(3, 0)));
        add_usage(&mut total, Some(&Usage::new(4, 1)));
        let t = total.unwrap();
        assert_eq!(
            (t.prompt_tokens, t.completion_tokens, t.total_tokens),
            (7, 1, 8)
        );

        let e = Error::new(ErrorKind::RateLimited, "slow")
            .with_provider("p")
            .with_status(429)
            .with_code("c")
            .with_retry_after(Duration::from_secs(2));
        let c = copy_error(&e);
        assert_eq!(c.to_string(), e.to_string());
        assert_eq!(
            (c.code(), c.retry_after()),
            (Some("c"), Some(Duration::from_secs(2)))
        );
    }
}
