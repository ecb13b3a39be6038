//! Integration tests of the OpenAI provider against wiremock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod batch;
mod conformance;
mod documented;
mod errors;
mod requests;
mod streams;

use llm_router_openai::OpenAiClient;
use llm_router_testkit::fixtures::Fixtures;

pub(crate) const KEY: &str = "sk-test-0123456789abcdef";

pub(crate) fn client(base: &str) -> OpenAiClient {
    llm_router_openai::builder()
        .api_key(KEY)
        .base_url(format!("{base}/v1"))
        .build()
        .unwrap()
}

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::new(env!("CARGO_MANIFEST_DIR"))
}
