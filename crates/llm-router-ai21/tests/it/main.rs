//! Integration tests of the AI21 provider against wiremock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;
mod requests;

use llm_router_ai21::Ai21Client;
use llm_router_testkit::fixtures::Fixtures;

pub(crate) const KEY: &str = "ai21-test-0123456789abcdef0123456789";

/// A client whose base URL is the mock server (paths below it are AI21's, no `/studio/v1`).
pub(crate) fn client(base: &str) -> Ai21Client {
    llm_router_ai21::builder()
        .api_key(KEY)
        .base_url(base)
        .build()
        .unwrap()
}

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::new(env!("CARGO_MANIFEST_DIR"))
}
