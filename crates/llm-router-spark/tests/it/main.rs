//! Integration tests of the Spark provider: the HTTP surface against wiremock, the WebSocket
//! surface against a local tokio-tungstenite server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;
mod http_errors;
mod http_requests;
mod ws_errors;
mod ws_server;
mod ws_streams;

use llm_router_testkit::fixtures::Fixtures;

pub(crate) const PASSWORD: &str = "spark-password-0123456789:abcdef";

/// An HTTP client whose base URL is the mock server's `/v1`.
pub(crate) fn http_client(server_uri: &str) -> llm_router_spark::http::Client {
    llm_router_spark::http::builder()
        .api_password(PASSWORD)
        .base_url(format!("{server_uri}/v1"))
        .build()
        .unwrap()
}

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::new(env!("CARGO_MANIFEST_DIR"))
}
