//! Integration tests of the Gemini provider against wiremock: the conformance suite, exact
//! request bodies (validated against the vendored Gemini schemas), responses, streams split at
//! every byte, tool-call round trips, errors, embeddings and the image fetcher's guard.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;
mod embeddings;
mod errors;
mod images;
mod requests;
mod responses;
mod roundtrip;
mod spec;
mod streams;

use llm_router_gemini::GeminiClient;
use llm_router_testkit::fixtures::Fixtures;
use llm_router_testkit::wire::json_response;
use serde_json::Value;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub(crate) const KEY: &str = "AIzaSy-test-0123456789abcdef";

pub(crate) fn client(base: &str) -> GeminiClient {
    llm_router_gemini::builder()
        .api_key(KEY)
        .base_url(base)
        .http_client(http())
        .build()
        .unwrap()
}

/// A fresh HTTP client per test client. The process-wide shared client keeps pooled
/// connections whose tasks live on the runtime of the test that opened them; each
/// `#[tokio::test]` has its own runtime and wiremock reuses ports, so a later test could pick
/// up a dead connection.
pub(crate) fn http() -> llm_router_http::reqwest::Client {
    llm_router_http::build_client(&llm_router_http::HttpConfig::default()).unwrap()
}

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::new(env!("CARGO_MANIFEST_DIR"))
}

/// A server expecting exactly one POST to `p` with the key, JSON content type and `body`.
pub(crate) async fn expect_post(p: &str, body: &Value, resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p))
        .and(header("x-goog-api-key", KEY))
        .and(header("content-type", "application/json"))
        .and(body_json(body))
        .respond_with(resp)
        .expect(1)
        .mount(&server)
        .await;
    server
}

/// A server answering every POST to `p` with `resp`.
pub(crate) async fn answer(p: &str, resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p))
        .respond_with(resp)
        .mount(&server)
        .await;
    server
}

pub(crate) fn ok(body: &Value) -> ResponseTemplate {
    json_response(200, body)
}
