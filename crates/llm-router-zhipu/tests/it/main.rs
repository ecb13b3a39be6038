//! Integration tests of the Zhipu provider against wiremock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod conformance;
mod errors;
mod requests;
mod streams;

use llm_router_testkit::fixtures::Fixtures;
use llm_router_zhipu::ZhipuClient;

/// A key in Zhipu's `{id}.{secret}` form.
pub(crate) const KEY_ID: &str = "7f3c2a91b4d84e0f9a1b2c3d4e5f6a7b";
pub(crate) const KEY_SECRET: &str = "Xk9mQ2rT5vW8yZ1a";
pub(crate) const KEY: &str = "7f3c2a91b4d84e0f9a1b2c3d4e5f6a7b.Xk9mQ2rT5vW8yZ1a";

pub(crate) fn client(base: &str) -> ZhipuClient {
    llm_router_zhipu::builder()
        .api_key(KEY)
        .base_url(format!("{base}/api/paas/v4"))
        .build()
        .unwrap()
}

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::new(env!("CARGO_MANIFEST_DIR"))
}
