//! Errors the legacy API returns as HTTP 200 with `{"error_code", "error_msg"}`: each code maps
//! to its kind on chat, streams and embeddings; no secret appears in any error.

use llm_router_core::{
    ChatProvider, ChatRequest, EmbeddingProvider, EmbeddingRequest, ErrorKind, Message,
};
use llm_router_testkit::wire::json_response;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::{AK, PREFIX, SK, TOKEN, fixtures, legacy_client, mount_token};

/// (code, documented message, kind)
const TABLE: &[(i64, &str, ErrorKind)] = &[
    (1, "Unknown error", ErrorKind::ProviderUnavailable),
    (
        2,
        "Service temporarily unavailable",
        ErrorKind::ProviderUnavailable,
    ),
    (3, "Unsupported openapi method", ErrorKind::InvalidRequest),
    (4, "Open api request limit reached", ErrorKind::RateLimited),
    (
        6,
        "No permission to access data",
        ErrorKind::PermissionDenied,
    ),
    (13, "Get service token failed", ErrorKind::Authentication),
    (
        15,
        "app not exsits or create failed",
        ErrorKind::Authentication,
    ),
    (
        17,
        "Open api daily request limit reached",
        ErrorKind::QuotaExceeded,
    ),
    (
        18,
        "Open api qps request limit reached",
        ErrorKind::RateLimited,
    ),
    (
        19,
        "Open api total request limit reached",
        ErrorKind::QuotaExceeded,
    ),
    (100, "Invalid parameter", ErrorKind::InvalidRequest),
    (336_000, "Internal error", ErrorKind::ProviderUnavailable),
    (336_001, "Invalid Argument", ErrorKind::InvalidRequest),
    (336_002, "Invalid JSON", ErrorKind::InvalidRequest),
    (
        336_003,
        "the first message must be user",
        ErrorKind::InvalidRequest,
    ),
    (
        336_004,
        "User don't have access to this API",
        ErrorKind::PermissionDenied,
    ),
    (336_005, "API name not exist", ErrorKind::ModelNotFound),
    (336_100, "try again later", ErrorKind::ProviderUnavailable),
    (
        336_501,
        "Rate limit reached for RPM",
        ErrorKind::RateLimited,
    ),
    (
        336_502,
        "Rate limit reached for TPM",
        ErrorKind::RateLimited,
    ),
];

async fn server_answering(endpoint_path: &str, body: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    mount_token(&server, fixtures().json("legacy_token.json"), 1).await;
    Mock::given(method("POST"))
        .and(path(endpoint_path))
        .respond_with(json_response(200, &body))
        .mount(&server)
        .await;
    server
}

fn req() -> ChatRequest {
    ChatRequest::new("ERNIE-4.0-8K", vec![Message::user("你好")])
}

#[tokio::test]
async fn http_200_error_codes_map_to_kinds() {
    for (code, msg, kind) in TABLE {
        let body = json!({"error_code": code, "error_msg": msg});
        let server =
            server_answering(&format!("{PREFIX}/chat/completions_pro"), body.clone()).await;
        let c = legacy_client(&server.uri());
        let e = c.chat(req()).await.unwrap_err();
        assert_eq!(e.kind(), *kind, "chat, code {code}: {e}");
        assert_eq!(e.code(), Some(code.to_string().as_str()));
        assert_eq!(e.message(), *msg);
        assert_eq!(e.status(), Some(200));
        assert_eq!(e.provider(), Some("ernie"));
        // A stream request answered with the JSON error body.
        let e = c.chat_stream(req()).await.err().unwrap();
        assert_eq!(e.kind(), *kind, "stream, code {code}: {e}");

        let server = server_answering(&format!("{PREFIX}/embeddings/embedding-v1"), body).await;
        let e = legacy_client(&server.uri())
            .embed(EmbeddingRequest::new("embedding-v1", vec!["你好"]))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), *kind, "embeddings, code {code}: {e}");
    }
}

#[tokio::test]
async fn error_codes_with_an_http_error_status_and_retry_after() {
    let server = MockServer::start().await;
    mount_token(&server, fixtures().json("legacy_token.json"), 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{PREFIX}/chat/completions_pro")))
        .respond_with(
            json_response(
                429,
                &json!({"error_code": 336501, "error_msg": "Rate limit reached for RPM"}),
            )
            .insert_header("retry-after", "3"),
        )
        .mount(&server)
        .await;
    let e = legacy_client(&server.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.status(), Some(429));
    assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(3)));
    assert!(e.is_retryable());
}

#[tokio::test]
async fn secrets_echoed_by_the_server_are_removed() {
    let echo = format!(
        "bad request to /chat/completions_pro?access_token={TOKEN} (client_id={AK}, client_secret={SK}, old access_token=24.some-older-token-0000)"
    );
    let server = server_answering(
        &format!("{PREFIX}/chat/completions_pro"),
        json!({"error_code": 336003, "error_msg": echo}),
    )
    .await;
    let c = legacy_client(&server.uri());
    let e = c.chat(req()).await.unwrap_err();
    let e2 = c.chat_stream(req()).await.err().unwrap();
    for shown in [e.to_string(), format!("{e:?}"), e2.to_string()] {
        for secret in [TOKEN, AK, SK, "24.some-older-token-0000"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
    assert!(e.message().contains("access_token=***"), "{e}");
}

#[tokio::test]
async fn a_connection_failure_names_no_token() {
    let c = llm_router_ernie::legacy::builder()
        .access_token(TOKEN)
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let e = c.chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection);
    let mut chain = format!("{e} {e:?}");
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        chain.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    assert!(!chain.contains(TOKEN), "{chain}");
    assert!(!chain.contains("access_token"), "{chain}");
}
