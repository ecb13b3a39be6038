//! Integration tests of the OpenRouter provider against wiremock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;
mod errors;
mod requests;
mod streams;

use llm_router_openrouter::OpenRouterClient;
use llm_router_testkit::fixtures::Fixtures;

pub(crate) const KEY: &str = "sk-or-v1-test-0123456789abcdef";

pub(crate) fn client(base: &str) -> OpenRouterClient {
    llm_router_openrouter::builder()
        .api_key(KEY)
        .base_url(format!("{base}/api/v1"))
        .build()
        .unwrap()
}

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::new(env!("CARGO_MANIFEST_DIR"))
}
