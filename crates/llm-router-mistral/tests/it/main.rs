//! Integration tests of the Mistral provider against wiremock and Mistral's OpenAPI spec.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;
mod errors;
mod requests;
mod spec;
mod streams;

use llm_router_mistral::MistralClient;
use llm_router_testkit::fixtures::Fixtures;

pub(crate) const KEY: &str = "mistral-test-key-0123456789abcdef";

/// A client whose base URL is the mock server plus `/v1`, as Mistral's real base URL.
pub(crate) fn client(server: &str) -> MistralClient {
    llm_router_mistral::builder()
        .api_key(KEY)
        .base_url(format!("{server}/v1"))
        .build()
        .unwrap()
}

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::new(env!("CARGO_MANIFEST_DIR"))
}
