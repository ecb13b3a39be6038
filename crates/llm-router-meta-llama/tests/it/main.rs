//! Integration tests of the Meta Llama API provider against wiremock: the conformance suite
//! (native and OpenAI-compatible), exact request bodies, the native stream cut at every byte,
//! a multi-turn tool conversation, errors and secrets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;
mod requests;
mod streams;

use llm_router_meta_llama::LlamaClient;
use llm_router_testkit::fixtures::Fixtures;

pub(crate) const KEY: &str = "LLM|1234567890|test-key-abcdef";

/// An HTTP client of this test's own (pooled connections must not outlive a test runtime).
pub(crate) fn http() -> llm_router_http::reqwest::Client {
    llm_router_http::build_client(&llm_router_http::HttpConfig::default()).unwrap()
}

/// A native client for `<base>/v1`.
pub(crate) fn client(base: &str) -> LlamaClient {
    llm_router_meta_llama::builder()
        .api_key(KEY)
        .base_url(format!("{base}/v1"))
        .http_client(http())
        .build()
        .unwrap()
}

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::new(env!("CARGO_MANIFEST_DIR"))
}
