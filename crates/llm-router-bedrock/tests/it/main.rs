//! Integration tests for llm-router-bedrock, all against local servers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;
mod frames;
mod requests;
mod sigv4;
mod streams;

use llm_router_bedrock::{AwsCredentials, BedrockClient};

/// The AWS documentation's example access key (not a real key).
pub(crate) const AKID: &str = "AKIDEXAMPLE";
/// The AWS documentation's example secret (not a real secret).
pub(crate) const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// The model id of most tests: contains a `:`.
pub(crate) const CLAUDE: &str = "anthropic.claude-3-haiku-20240307-v1:0";
/// Its path segment.
pub(crate) const CLAUDE_PATH: &str = "anthropic.claude-3-haiku-20240307-v1%3A0";

/// A SigV4 client for `base` in us-east-1.
pub(crate) fn sigv4_client(base: &str, token: Option<&str>) -> BedrockClient {
    let mut creds = AwsCredentials::new(AKID, SECRET);
    if let Some(t) = token {
        creds = creds.with_session_token(t);
    }
    llm_router_bedrock::builder()
        .credentials(creds)
        .region("us-east-1")
        .base_url(base)
        .build()
        .unwrap()
}

/// An API-key (bearer) client for `base`.
pub(crate) fn bearer_client(base: &str) -> BedrockClient {
    llm_router_bedrock::builder()
        .api_key("test-key")
        .base_url(base)
        .build()
        .unwrap()
}

pub(crate) fn fixture(name: &str) -> serde_json::Value {
    llm_router_testkit::fixtures::Fixtures::new(env!("CARGO_MANIFEST_DIR")).json(name)
}
