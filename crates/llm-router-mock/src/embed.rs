//! Deterministic embeddings: the same input gives the same unit vector on every machine and
//! every run.
//!
//! Each component is a hash of (input, component index): FNV-1a over the input's bytes, mixed
//! with the index through splitmix64. Both are fixed algorithms, unlike std's `DefaultHasher`,
//! whose output may change between Rust releases.

use llm_router_core::{
    EmbeddingData, EmbeddingInput, EmbeddingRequest, EmbeddingResponse, Error, ErrorKind, Usage,
};

/// Vector length when the request does not set `dimensions`.
pub(crate) const DEFAULT_DIMENSIONS: u32 = 8;

/// Largest vector the mock makes; bigger requests are a test bug, not a memory test.
const MAX_DIMENSIONS: u32 = 65_536;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a, 64 bit.
fn fnv1a(bytes: &[u8], seed: u64) -> u64 {
    bytes
        .iter()
        .fold(seed, |h, b| (h ^ u64::from(*b)).wrapping_mul(FNV_PRIME))
}

/// splitmix64's finaliser: spreads every input bit over the output.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A unit vector of `dims` components derived from `bytes`.
pub(crate) fn vector(bytes: &[u8], dims: usize) -> Vec<f32> {
    let h = fnv1a(bytes, FNV_OFFSET);
    let mut v: Vec<f32> = (0..dims as u64)
        .map(|i| {
            let x = splitmix64(h ^ splitmix64(i));
            // The top 24 bits, as a float in [-1, 1).
            let unit = (x >> 40) as f32 / (1u64 << 24) as f32;
            unit * 2.0 - 1.0
        })
        .collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > f32::EPSILON {
        for x in &mut v {
            *x /= norm;
        }
    } else if let Some(first) = v.first_mut() {
        *first = 1.0;
    }
    v
}

/// Token arrays hash their numbers (little-endian), behind a tag so `[104, 105]` and a text
/// with the same bytes differ.
fn token_bytes(tokens: &[u32]) -> Vec<u8> {
    let mut bytes = b"tokens:".to_vec();
    for t in tokens {
        bytes.extend_from_slice(&t.to_le_bytes());
    }
    bytes
}

fn ceil_div4(n: usize) -> u64 {
    n.div_ceil(4) as u64
}

/// The mock's answer to an embeddings request.
pub(crate) fn respond(req: &EmbeddingRequest, provider: &str) -> Result<EmbeddingResponse, Error> {
    let dims = req.dimensions.unwrap_or(DEFAULT_DIMENSIONS);
    if dims == 0 || dims > MAX_DIMENSIONS {
        return Err(Error::new(
            ErrorKind::InvalidRequest,
            format!("mock: dimensions must be between 1 and {MAX_DIMENSIONS}, got {dims}"),
        )
        .with_provider(provider)
        .with_status(400));
    }
    let dims = dims as usize;
    let (inputs, tokens): (Vec<Vec<u8>>, u64) = match &req.input {
        EmbeddingInput::Text(t) => (vec![t.as_bytes().to_vec()], ceil_div4(t.chars().count())),
        EmbeddingInput::Texts(ts) => (
            ts.iter().map(|t| t.as_bytes().to_vec()).collect(),
            ceil_div4(ts.iter().map(|t| t.chars().count()).sum()),
        ),
        EmbeddingInput::Tokens(t) => (vec![token_bytes(t)], t.len() as u64),
        EmbeddingInput::TokenBatches(b) => (
            b.iter().map(|t| token_bytes(t)).collect(),
            b.iter().map(|t| t.len() as u64).sum(),
        ),
        other => {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!("mock: unsupported embedding input {other:?}"),
            )
            .with_provider(provider));
        }
    };
    if inputs.is_empty() {
        return Err(
            Error::new(ErrorKind::InvalidRequest, "mock: input is empty")
                .with_provider(provider)
                .with_status(400),
        );
    }
    let vectors = inputs.iter().map(|bytes| vector(bytes, dims)).collect();
    let data = EmbeddingData::list(vectors, req.encoding_format.as_ref());
    Ok(EmbeddingResponse {
        object: "list".to_owned(),
        data,
        model: req.model.clone(),
        usage: Some(Usage::new(tokens, 0)),
        ..EmbeddingResponse::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_fixed() {
        // Known FNV-1a 64 values: "" is the offset basis, "a" is 0xaf63dc4c8601ec8c.
        assert_eq!(fnv1a(b"", FNV_OFFSET), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a", FNV_OFFSET), 0xaf63_dc4c_8601_ec8c);
        // splitmix64 from state 0 yields 0xe220a8397b1dcdaf first.
        assert_eq!(splitmix64(0), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn vectors_are_unit_length_and_stable() {
        for dims in [1, 2, 8, 1536] {
            let v = vector(b"hello", dims);
            assert_eq!(v.len(), dims);
            let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-5, "{norm}");
        }
        assert_eq!(vector(b"hello", 8), vector(b"hello", 8));
        assert_ne!(vector(b"hello", 8), vector(b"world", 8));
    }

    #[test]
    fn token_inputs_differ_from_text() {
        let req = EmbeddingRequest {
            input: EmbeddingInput::TokenBatches(vec![vec![1, 2], vec![1, 2], vec![3]]),
            ..EmbeddingRequest::default()
        };
        let r = respond(&req, "mock").unwrap();
        let v: Vec<Vec<f32>> = r
            .data
            .iter()
            .map(|d| d.embedding.to_floats().unwrap())
            .collect();
        assert_eq!(v[0], v[1]);
        assert_ne!(v[0], v[2]);
        assert_eq!(r.usage.unwrap().prompt_tokens, 5);
    }

    #[test]
    fn bad_requests() {
        let mut req = EmbeddingRequest::new("m", "x");
        req.dimensions = Some(0);
        assert_eq!(
            respond(&req, "mock").unwrap_err().kind(),
            ErrorKind::InvalidRequest
        );
        let req = EmbeddingRequest::new("m", Vec::<String>::new());
        assert_eq!(
            respond(&req, "mock").unwrap_err().kind(),
            ErrorKind::InvalidRequest
        );
    }
}
