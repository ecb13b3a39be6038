//! The access token: fetched once, reused, refreshed before it expires, refetched once on
//! 110/111, shared by concurrent callers, and never shown.

use std::sync::Arc;
use std::time::Duration;

use llm_router_core::{ChatProvider, ChatRequest, ErrorKind, Message};
use llm_router_testkit::wire::{json_response, received};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::{
    AK, SK, TOKEN, TOKEN_PATH, chat_mock, fixtures, legacy_client, mount_token, token_body,
};

fn req() -> ChatRequest {
    ChatRequest::new("ERNIE-4.0-8K", vec![Message::user("你好")])
}

fn chat_ok() -> wiremock::ResponseTemplate {
    json_response(200, &fixtures().json("legacy_chat.json"))
}

#[tokio::test]
async fn the_token_is_fetched_once_and_reused() {
    let server = MockServer::start().await;
    mount_token(&server, fixtures().json("legacy_token.json"), 1).await;
    chat_mock("completions_pro", TOKEN, chat_ok())
        .expect(3)
        .mount(&server)
        .await;
    let c = legacy_client(&server.uri());
    for _ in 0..3 {
        c.chat(req()).await.unwrap();
    }
    // Clones share the cache.
    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 4);
    let token_req = &reqs[0];
    assert_eq!(token_req.method.as_str(), "POST");
    assert_eq!(token_req.url.path(), TOKEN_PATH);
    let query: Vec<(String, String)> = token_req.url.query_pairs().into_owned().collect();
    assert_eq!(
        query,
        vec![
            ("grant_type".into(), "client_credentials".into()),
            ("client_id".into(), AK.into()),
            ("client_secret".into(), SK.into()),
        ]
    );
    assert!(token_req.body.is_empty());
    // Verified on drop: exactly one token request.
}

#[tokio::test]
async fn a_token_is_refreshed_before_it_expires() {
    let server = MockServer::start().await;
    // Lifetime 2 s: refreshed after 1 s (the margin is at most half the lifetime).
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(json_response(200, &token_body("24.first-token-0001", 2)))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(json_response(200, &token_body("24.second-token-0002", 2)))
        .expect(1)
        .mount(&server)
        .await;
    chat_mock("completions_pro", "24.first-token-0001", chat_ok())
        .expect(2)
        .mount(&server)
        .await;
    chat_mock("completions_pro", "24.second-token-0002", chat_ok())
        .expect(1)
        .mount(&server)
        .await;
    let c = legacy_client(&server.uri());
    c.chat(req()).await.unwrap();
    c.chat(req()).await.unwrap();
    // Still valid (expires at 2 s), but within the margin: replaced.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    c.chat(req()).await.unwrap();
}

#[tokio::test]
async fn codes_110_and_111_refetch_the_token_and_retry_once() {
    for code in [110, 111] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(json_response(
                200,
                &token_body("24.stale-token-0001", 2_592_000),
            ))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(json_response(
                200,
                &token_body("24.fresh-token-0002", 2_592_000),
            ))
            .expect(1)
            .mount(&server)
            .await;
        // HTTP 200 with the error code, as the legacy API answers.
        chat_mock(
            "completions_pro",
            "24.stale-token-0001",
            json_response(
                200,
                &json!({"error_code": code, "error_msg": "Access token invalid or no longer valid"}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
        chat_mock("completions_pro", "24.fresh-token-0002", chat_ok())
            .expect(2)
            .mount(&server)
            .await;
        let c = legacy_client(&server.uri());
        let r = c.chat(req()).await.unwrap();
        assert!(r.text().starts_with("您好"), "code {code}");
        // The new token is kept.
        c.chat(req()).await.unwrap();
        server.verify().await;
    }
}

#[tokio::test]
async fn a_second_rejection_is_an_authentication_error_without_a_third_try() {
    let server = MockServer::start().await;
    mount_token(&server, fixtures().json("legacy_token.json"), 2).await;
    chat_mock(
        "completions_pro",
        TOKEN,
        json_response(
            200,
            &json!({"error_code": 111, "error_msg": format!("Access token expired: {TOKEN}")}),
        ),
    )
    .expect(2)
    .mount(&server)
    .await;
    let e = legacy_client(&server.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(e.code(), Some("111"));
    assert!(!e.to_string().contains(TOKEN), "{e}");
    assert!(!format!("{e:?}").contains(TOKEN), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_callers_cause_one_token_fetch() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            json_response(200, &fixtures().json("legacy_token.json"))
                .set_delay(Duration::from_millis(300)),
        )
        .expect(1)
        .mount(&server)
        .await;
    chat_mock("completions_pro", TOKEN, chat_ok())
        .expect(20)
        .mount(&server)
        .await;
    let c = Arc::new(legacy_client(&server.uri()));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.chat(req()).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_rejections_share_one_refetch() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            json_response(200, &token_body("24.fresh-token-0002", 2_592_000))
                .set_delay(Duration::from_millis(200)),
        )
        .expect(1)
        .mount(&server)
        .await;
    chat_mock(
        "completions_pro",
        "24.stale-token-0001",
        json_response(
            200,
            &json!({"error_code": 110, "error_msg": "Access token invalid"}),
        ),
    )
    // Callers that ask for a token after the refresh never send the stale one.
    .expect(1..=10)
    .mount(&server)
    .await;
    chat_mock("completions_pro", "24.fresh-token-0002", chat_ok())
        .expect(10)
        .mount(&server)
        .await;
    // Everyone starts with the same stale token and is rejected.
    let c = Arc::new(
        llm_router_ernie::legacy::builder()
            .api_key(AK)
            .secret_key(SK)
            .access_token("24.stale-token-0001")
            .base_url(server.uri())
            .build()
            .unwrap(),
    );
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.chat(req()).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn wrong_keys_are_an_authentication_error_naming_no_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(json_response(
            401,
            &fixtures().json("legacy_token_error.json"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let e = legacy_client(&server.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(e.code(), Some("invalid_client"));
    assert_eq!(e.status(), Some(401));
    for shown in [e.to_string(), format!("{e:?}")] {
        assert!(!shown.contains(AK) && !shown.contains(SK), "{shown}");
    }
    // The same error in a 200 body.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(json_response(200, &json!({"error": "invalid_client", "error_description": format!("unknown client id {AK}")})))
        .mount(&server)
        .await;
    let e = legacy_client(&server.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(!e.to_string().contains(AK), "{e}");
}

#[tokio::test]
async fn a_given_token_is_used_without_keys_and_a_rejection_is_final() {
    let server = MockServer::start().await;
    chat_mock(
        "completions_pro",
        "24.given-token-0009",
        json_response(
            200,
            &json!({"error_code": 110, "error_msg": "Access token invalid or no longer valid"}),
        ),
    )
    .expect(1)
    .mount(&server)
    .await;
    let c = llm_router_ernie::legacy::builder()
        .access_token("24.given-token-0009")
        .base_url(server.uri())
        .build()
        .unwrap();
    let e = c.chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    // No token endpoint was called (none is mounted: a call would have been a 404).
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn a_given_token_with_keys_is_replaced_when_rejected() {
    let server = MockServer::start().await;
    mount_token(&server, fixtures().json("legacy_token.json"), 1).await;
    chat_mock(
        "completions_pro",
        "24.given-token-0009",
        json_response(
            200,
            &json!({"error_code": 111, "error_msg": "Access token expired"}),
        ),
    )
    .expect(1)
    .mount(&server)
    .await;
    chat_mock("completions_pro", TOKEN, chat_ok())
        .expect(1)
        .mount(&server)
        .await;
    let c = llm_router_ernie::legacy::builder()
        .api_key(AK)
        .secret_key(SK)
        .access_token("24.given-token-0009")
        .base_url(server.uri())
        .build()
        .unwrap();
    c.chat(req()).await.unwrap();
}

#[tokio::test]
async fn configuration_errors() {
    let only_key = llm_router_ernie::legacy::builder()
        .api_key(AK)
        .build()
        .unwrap_err();
    assert_eq!(only_key.kind(), ErrorKind::Config);
    assert!(only_key.message().contains("QIANFAN_SK"), "{only_key}");
    let nothing = llm_router_ernie::legacy::builder().build().unwrap_err();
    assert_eq!(nothing.kind(), ErrorKind::Config);
    assert!(
        nothing.message().contains("QIANFAN_ACCESS_TOKEN"),
        "{nothing}"
    );
    let c = legacy_client("http://127.0.0.1:9");
    let shown = format!("{c:?}");
    assert!(!shown.contains(AK) && !shown.contains(SK), "{shown}");
    let b = llm_router_ernie::legacy::builder()
        .api_key(AK)
        .secret_key(SK)
        .access_token(TOKEN);
    let shown = format!("{b:?}");
    assert!(
        !shown.contains(AK) && !shown.contains(SK) && !shown.contains(TOKEN),
        "{shown}"
    );
}
