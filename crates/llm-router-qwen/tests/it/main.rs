//! Integration tests of the Qwen provider against wiremock: compatible mode (conformance suite,
//! DashScope specifics) and the native API (conformance checks, cumulative and incremental
//! streams cut at every byte, search sources, code-interpreter output, embeddings, errors).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod compat;
mod native;
mod native_streams;

use llm_router_qwen::{NativeClient, QwenClient};
use llm_router_testkit::fixtures::Fixtures;

pub(crate) const KEY: &str = "sk-qwen-test-0123456789abcdef";

/// An HTTP client of this test's own. The process-wide shared client would keep pooled
/// connections to wiremock's reused ports whose tasks died with an earlier test's runtime
/// ("runtime dropped the dispatch task").
pub(crate) fn http() -> llm_router_http::reqwest::Client {
    llm_router_http::build_client(&llm_router_http::HttpConfig::default()).unwrap()
}

/// A compatible-mode client for a mock server.
pub(crate) fn compat_client(base: &str) -> QwenClient {
    llm_router_qwen::builder()
        .api_key(KEY)
        .base_url(format!("{base}/compatible-mode/v1"))
        .http_client(http())
        .build()
        .unwrap()
}

/// A native client for a mock server (through the compatible-mode builder, as users do).
pub(crate) fn native_client(base: &str) -> NativeClient {
    llm_router_qwen::builder()
        .api_key(KEY)
        .base_url(format!("{base}/compatible-mode/v1"))
        .http_client(http())
        .native()
        .build()
        .unwrap()
}

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::new(env!("CARGO_MANIFEST_DIR"))
}
