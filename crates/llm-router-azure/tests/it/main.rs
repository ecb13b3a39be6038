//! Integration tests of the Azure OpenAI provider against wiremock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;
mod requests;
mod responses;

use llm_router_azure::AzureClient;
use llm_router_testkit::fixtures::Fixtures;

pub(crate) const KEY: &str = "azk-0123456789abcdef0123456789abcdef";

/// A client whose endpoint is the mock server, with the default `api-version`.
pub(crate) fn client(base: &str) -> AzureClient {
    llm_router_azure::builder()
        .endpoint(base)
        .api_key(KEY)
        .build()
        .unwrap()
}

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::new(env!("CARGO_MANIFEST_DIR"))
}
