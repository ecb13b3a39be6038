//! Integration tests of the Ollama provider against wiremock: the conformance suite, exact
//! request bodies, Ollama's documented responses, NDJSON streams cut at every byte, errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;
mod documented;
mod errors;
mod requests;
mod streams;

use llm_router_ollama::OllamaClient;
use llm_router_testkit::fixtures::Fixtures;

/// A key, as a proxy in front of Ollama (or ollama.com) would want it.
pub(crate) const KEY: &str = "ollama-test-key-0123456789";

/// An HTTP client of this test's own. The process-wide shared client would keep pooled
/// connections to wiremock's reused ports whose tasks died with an earlier test's runtime
/// ("runtime dropped the dispatch task").
pub(crate) fn http() -> llm_router_http::reqwest::Client {
    llm_router_http::build_client(&llm_router_http::HttpConfig::default()).unwrap()
}

/// A client for a local server: no key.
pub(crate) fn client(base: &str) -> OllamaClient {
    llm_router_ollama::builder()
        .base_url(base)
        .http_client(http())
        .build()
        .unwrap()
}

/// A client that sends a bearer key.
pub(crate) fn keyed_client(base: &str) -> OllamaClient {
    llm_router_ollama::builder()
        .base_url(base)
        .api_key(KEY)
        .http_client(http())
        .build()
        .unwrap()
}

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::new(env!("CARGO_MANIFEST_DIR"))
}

/// A response with the NDJSON content type Ollama sends.
pub(crate) fn ndjson_response(body: &str) -> wiremock::ResponseTemplate {
    wiremock::ResponseTemplate::new(200)
        .set_body_raw(body.as_bytes().to_vec(), "application/x-ndjson")
}
