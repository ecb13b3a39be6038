//! The bearer key by default, the optional JWT (signed as the official SDK does, reused
//! across requests), and secrecy of the key.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use llm_router_core::{ChatProvider, ChatRequest, ErrorKind, Message};
use llm_router_testkit::wire::{json_response, received};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer};

use crate::{KEY, KEY_ID, KEY_SECRET, client, fixtures};

fn req() -> ChatRequest {
    ChatRequest::new("glm-4.5", vec![Message::user("你好")])
}

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/paas/v4/chat/completions"))
        .respond_with(json_response(200, &fixtures().json("chat_documented.json")))
        .mount(&server)
        .await;
    server
}

fn decode(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn the_key_is_a_plain_bearer_token_by_default() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/paas/v4/chat/completions"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(json_response(200, &fixtures().json("chat_documented.json")))
        .expect(1)
        .mount(&server)
        .await;
    client(&server.uri()).chat(req()).await.unwrap();
}

#[tokio::test]
async fn jwt_auth_signs_with_the_secret_and_reuses_the_token() {
    let server = server().await;
    let c = llm_router_zhipu::builder()
        .api_key(KEY)
        .use_jwt(true)
        .base_url(format!("{}/api/paas/v4", server.uri()))
        .build()
        .unwrap();
    c.chat(req()).await.unwrap();
    c.chat(req()).await.unwrap();
    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 2);
    let auth: Vec<String> = reqs
        .iter()
        .map(|r| {
            r.headers
                .get("authorization")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(auth[0], auth[1], "one token per TTL, not per request");
    let token = auth[0].strip_prefix("Bearer ").unwrap();
    assert!(!token.contains(KEY_SECRET));
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    assert_eq!(
        decode(parts[0]),
        json!({"alg": "HS256", "sign_type": "SIGN", "typ": "JWT"})
    );
    let payload = decode(parts[1]);
    assert_eq!(payload["api_key"], KEY_ID);
    let (exp, ts) = (
        payload["exp"].as_u64().unwrap(),
        payload["timestamp"].as_u64().unwrap(),
    );
    assert_eq!(exp - ts, 210_000, "milliseconds, 3.5 minutes");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert!(
        ts <= now_ms && now_ms - ts < 60_000,
        "timestamp is now, in ms"
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, KEY_SECRET.as_bytes());
    ring::hmac::verify(
        &key,
        format!("{}.{}", parts[0], parts[1]).as_bytes(),
        &URL_SAFE_NO_PAD.decode(parts[2]).unwrap(),
    )
    .expect("HS256 over header.payload with the secret");
}

#[tokio::test]
async fn jwt_needs_an_id_dot_secret_key() {
    let e = llm_router_zhipu::builder()
        .api_key("not-a-zhipu-key")
        .use_jwt(true)
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(!e.to_string().contains("not-a-zhipu-key"), "{e}");
    // The plain bearer mode accepts any key.
    llm_router_zhipu::builder()
        .api_key("not-a-zhipu-key")
        .build()
        .unwrap();
}

#[tokio::test]
async fn the_key_never_appears_in_debug_display_or_errors() {
    let c = client("http://127.0.0.1:9");
    let jwt = llm_router_zhipu::builder()
        .api_key(KEY)
        .use_jwt(true)
        .build()
        .unwrap();
    for dbg in [format!("{c:?}"), format!("{jwt:?}")] {
        assert!(!dbg.contains(KEY_SECRET), "{dbg}");
        assert!(!dbg.contains(KEY_ID), "{dbg}");
    }
    let s = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/paas/v4/chat/completions"))
        .respond_with(json_response(
            401,
            &json!({"error": {"code": "1002", "message": format!("Authorization Token非法，请确认Authorization Token正确传递。({KEY})")}}),
        ))
        .mount(&s)
        .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(e.code(), Some("1002"));
    assert!(!e.to_string().contains(KEY_SECRET), "{e}");
    assert!(!format!("{e:?}").contains(KEY_SECRET), "{e:?}");
}

#[tokio::test]
async fn a_missing_key_names_both_variables() {
    let e = llm_router_zhipu::builder().build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("ZHIPU_API_KEY"), "{e}");
    assert!(e.message().contains("ZHIPUAI_API_KEY"), "{e}");
}
