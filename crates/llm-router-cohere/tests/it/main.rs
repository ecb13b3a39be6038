//! Integration tests of the Cohere provider against wiremock: the conformance suite, request
//! bodies validated against the official OpenAPI spec, the spec's own examples, SSE streams
//! cut at every byte, a multi-turn tool conversation, embeddings and errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;
mod requests;
mod spec;
mod streams;

use llm_router_cohere::CohereClient;
use llm_router_testkit::fixtures::Fixtures;

pub(crate) const KEY: &str = "co-test-key-0123456789abcdef";

/// An HTTP client of this test's own (pooled connections must not outlive a test runtime).
pub(crate) fn http() -> llm_router_http::reqwest::Client {
    llm_router_http::build_client(&llm_router_http::HttpConfig::default()).unwrap()
}

pub(crate) fn client(base: &str) -> CohereClient {
    llm_router_cohere::builder()
        .api_key(KEY)
        .base_url(base)
        .http_client(http())
        .build()
        .unwrap()
}

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::new(env!("CARGO_MANIFEST_DIR"))
}
