//! Integration tests of the Anthropic provider: the conformance suite, exact requests against
//! wiremock (validated against Anthropic's spec), documented and SDK stream fixtures split at
//! every byte offset, error mapping, and multi-turn tool and thinking conversations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod batch;
mod conformance;
mod errors;
mod multi_turn;
mod requests;
mod spec;
mod streams;

use llm_router_anthropic::AnthropicClient;
use llm_router_testkit::fixtures::Fixtures;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockBuilder};

pub(crate) const KEY: &str = "sk-ant-test-0123456789abcdef";

pub(crate) fn client(base: &str) -> AnthropicClient {
    llm_router_anthropic::builder()
        .api_key(KEY)
        .base_url(base)
        .build()
        .unwrap()
}

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::new(env!("CARGO_MANIFEST_DIR"))
}

/// A `POST /v1/messages` matcher with the headers every request must carry.
pub(crate) fn messages_post() -> MockBuilder {
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .and(header("x-api-key", KEY))
        .and(header("anthropic-version", "2023-06-01"))
        .and(header("content-type", "application/json"))
}
