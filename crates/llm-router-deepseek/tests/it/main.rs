//! Integration tests of the DeepSeek provider against wiremock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;
mod errors;
mod requests;
mod responses;

use llm_router_deepseek::DeepSeekClient;
use llm_router_testkit::fixtures::Fixtures;

pub(crate) const KEY: &str = "sk-deepseek-test-0123456789abcdef";

/// A client whose base URL is the mock server (DeepSeek's paths have no `/v1`).
pub(crate) fn client(base: &str) -> DeepSeekClient {
    llm_router_deepseek::builder()
        .api_key(KEY)
        .base_url(base)
        .build()
        .unwrap()
}

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::new(env!("CARGO_MANIFEST_DIR"))
}
