//! Integration tests of the Hugging Face provider against wiremock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;
mod embeddings;
mod errors;
mod requests;
mod streams;

use llm_router_huggingface::HuggingFaceClient;
use llm_router_testkit::fixtures::Fixtures;

pub(crate) const KEY: &str = "hf_testTokenAbCdEf0123456789";

/// A client whose base URL is the mock server plus `/v1`, as the router's real base URL.
pub(crate) fn client(server: &str) -> HuggingFaceClient {
    llm_router_huggingface::builder()
        .api_key(KEY)
        .base_url(format!("{server}/v1"))
        .build()
        .unwrap()
}

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::new(env!("CARGO_MANIFEST_DIR"))
}
