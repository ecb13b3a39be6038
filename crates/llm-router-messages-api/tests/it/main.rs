//! Integration tests of llm-router-messages-api: documented Anthropic requests, response
//! bodies and stream transcripts validated against Anthropic's spec
//! (`llm_router_testkit::anthropic_spec`), the official SDK stream fixtures re-encoded from
//! canonical chunks, and error shapes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod errors;
mod requests;
mod responses;
mod streams;

use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// A fixture file's text.
pub(crate) fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}"))
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// A JSON fixture.
pub(crate) fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}
