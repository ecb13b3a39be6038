//! Integration tests of the ERNIE provider (v2 and legacy) against wiremock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod legacy_conformance;
mod legacy_errors;
mod legacy_requests;
mod legacy_streams;
mod legacy_token;
mod v2;
mod v2_conformance;

use llm_router_testkit::fixtures::Fixtures;
use serde_json::Value;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A v2 API key in Baidu's `bce-v3/ALTAK-…/…` form (made up).
pub(crate) const V2_KEY: &str =
    "bce-v3/ALTAK-3zOSSGhk4CqaZqCVdTnZB/5c67e0f0e6e2a1c0c4b1d9a8f7e6d5c4b3a2f1e0";

/// Legacy API key and secret key (made up).
pub(crate) const AK: &str = "Xz4kq7TbUu8wP2nLr9VmYh3c";
pub(crate) const SK: &str = "9hG2kLm4Np6Qr8St0Uv2Wx4Yz6Ab8Cd";

/// The access token in `legacy_token.json`.
pub(crate) const TOKEN: &str =
    "24.6c5e1ff107f0e8bcef8c46d3424a0e78.2592000.1700000000.282335-33345604";

pub(crate) const PREFIX: &str = "/rpc/2.0/ai_custom/v1/wenxinworkshop";
pub(crate) const TOKEN_PATH: &str = "/oauth/2.0/token";

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::new(env!("CARGO_MANIFEST_DIR"))
}

/// A legacy client with keys, its base URL (and token endpoint) on `base`.
pub(crate) fn legacy_client(base: &str) -> llm_router_ernie::legacy::Client {
    llm_router_ernie::legacy::builder()
        .api_key(AK)
        .secret_key(SK)
        .base_url(base)
        .build()
        .unwrap()
}

/// A token response with `token`, valid `expires_in` seconds.
pub(crate) fn token_body(token: &str, expires_in: u64) -> Value {
    let mut v = fixtures().json("legacy_token.json");
    v["access_token"] = token.into();
    v["expires_in"] = expires_in.into();
    v
}

/// The token endpoint answering `body`, expected `times` times (exact method, path, query).
pub(crate) async fn mount_token(server: &MockServer, body: Value, times: u64) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(query_param("grant_type", "client_credentials"))
        .and(query_param("client_id", AK))
        .and(query_param("client_secret", SK))
        .respond_with(llm_router_testkit::wire::json_response(200, &body))
        .expect(times)
        .named("token")
        .mount(server)
        .await;
}

/// The chat endpoint `endpoint` answering `resp` to calls with `token`.
pub(crate) fn chat_mock(endpoint: &str, token: &str, resp: ResponseTemplate) -> Mock {
    Mock::given(method("POST"))
        .and(path(format!("{PREFIX}/chat/{endpoint}")))
        .and(query_param("access_token", token))
        .respond_with(resp)
}
