//! Qianfan v2: exact requests (bearer key, `appid`, `max_completion_tokens`), `normal` finish
//! reasons, embeddings, documented error bodies, streams at every split.

use std::sync::Arc;

use llm_router_core::{
    ChatProvider, ChatRequest, EmbeddingProvider, EmbeddingRequest, ErrorKind, FinishReason,
    Message, collect_stream,
};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::split::{byte_by_byte, chunked, every_split};
use llm_router_testkit::wire::{json_response, only_request_json, sse_response};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{V2_KEY, fixtures};

async fn expect_post(p: &str, resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p))
        .and(header("authorization", format!("Bearer {V2_KEY}").as_str()))
        .and(header("appid", "app-8b3f2c"))
        .and(header("content-type", "application/json"))
        .respond_with(resp)
        .expect(1)
        .mount(&server)
        .await;
    server
}

fn client(base: &str) -> llm_router_ernie::v2::Client {
    llm_router_ernie::v2::builder()
        .api_key(V2_KEY)
        .app_id("app-8b3f2c")
        .base_url(format!("{base}/v2"))
        .build()
        .unwrap()
}

#[tokio::test]
async fn chat_with_appid_extras_and_max_completion_tokens() {
    let server = expect_post(
        "/v2/chat/completions",
        json_response(200, &fixtures().json("v2_chat.json")),
    )
    .await;
    let req = ChatRequest::new(
        "ernie-4.0-8k",
        vec![Message::system("你是一个助手"), Message::user("你好")],
    )
    .with_max_tokens(512)
    .with_temperature(0.7)
    .with_extra("penalty_score", 1.2)
    .with_extra("web_search", json!({"enable": true}));
    let resp = client(&server.uri()).chat(req).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "ernie-4.0-8k",
               "messages": [{"role": "system", "content": "你是一个助手"}, {"role": "user", "content": "你好"}],
               "max_completion_tokens": 512, "temperature": 0.7,
               "penalty_score": 1.2, "web_search": {"enable": true}, "stream": false})
    );
    assert_eq!(resp.text(), "你好！有什么我可以帮助你的吗？");
    assert_eq!(resp.finish_reason(), Some(&FinishReason::Stop));
    assert_eq!(resp.choices[0].extra["native_finish_reason"], "normal");
    assert_eq!(resp.usage.unwrap().total_tokens, 10);
}

#[tokio::test]
async fn streams_ask_for_usage() {
    let server = expect_post(
        "/v2/chat/completions",
        sse_response(&fixtures().text("v2_stream.sse")),
    )
    .await;
    let stream = client(&server.uri())
        .chat_stream(ChatRequest::new(
            "ernie-4.0-8k",
            vec![Message::user("你好")],
        ))
        .await
        .unwrap();
    let r = collect_stream(stream).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "ernie-4.0-8k", "messages": [{"role": "user", "content": "你好"}],
               "stream": true, "stream_options": {"include_usage": true}})
    );
    assert_eq!(r.text(), "你好！有什么可以帮你的？");
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
    assert_eq!(r.usage.unwrap().total_tokens, 9);
}

#[tokio::test]
async fn the_stream_at_every_split() {
    let body = fixtures().bytes("v2_stream.sse");
    let parse = |b| chat_chunks(Arc::new(llm_router_ernie::v2::dialect()), b);
    let whole = collect_stream(parse(chunked(&body, &[]))).await.unwrap();
    for (i, s) in every_split(&body) {
        assert_eq!(
            collect_stream(parse(s)).await.unwrap(),
            whole,
            "split at {i}"
        );
    }
    assert_eq!(
        collect_stream(parse(byte_by_byte(&body))).await.unwrap(),
        whole
    );
    assert_eq!(whole.finish_reason(), Some(&FinishReason::Stop));
}

#[tokio::test]
async fn embeddings() {
    let server = expect_post(
        "/v2/embeddings",
        json_response(200, &fixtures().json("v2_embeddings.json")),
    )
    .await;
    let resp = client(&server.uri())
        .embed(EmbeddingRequest::new("embedding-v1", vec!["你好", "世界"]))
        .await
        .unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "embedding-v1", "input": ["你好", "世界"]})
    );
    assert_eq!(resp.data.len(), 2);
    assert_eq!(resp.usage.unwrap().prompt_tokens, 4);
}

#[tokio::test]
async fn documented_error_bodies() {
    let cases = [
        (
            429,
            json!({"error": {"code": "rate_limit_exceeded", "message": "rpm_rate_limit_exceeded", "type": "rate_limit_exceeded"}, "id": "as-x"}),
            ErrorKind::RateLimited,
        ),
        (
            429,
            json!({"error": {"code": "rate_limit_exceeded", "message": "tpm_rate_limit_exceeded", "type": "rate_limit_exceeded"}, "id": "as-x"}),
            ErrorKind::RateLimited,
        ),
        (
            401,
            json!({"error": {"code": "access_denied", "message": "access denied", "type": "invalid_request_error"}}),
            ErrorKind::Authentication,
        ),
        (
            400,
            json!({"error": {"code": "malformed_json", "message": "Invalid JSON", "type": "invalid_request_error"}}),
            ErrorKind::InvalidRequest,
        ),
        (
            400,
            json!({"error": {"code": "characters_too_long", "message": "the characters of messages is too long", "type": "invalid_request_error"}}),
            ErrorKind::InvalidRequest,
        ),
        (
            400,
            json!({"error": {"code": "336501", "message": "Rate limit reached for RPM", "type": "rate_limit"}}),
            ErrorKind::RateLimited,
        ),
        (
            200,
            json!({"error_code": 17, "error_msg": "Open api daily request limit reached"}),
            ErrorKind::QuotaExceeded,
        ),
    ];
    for (status, body, kind) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v2/chat/completions"))
            .respond_with(json_response(status, &body))
            .mount(&server)
            .await;
        let e = client(&server.uri())
            .chat(ChatRequest::new(
                "ernie-4.0-8k",
                vec![Message::user("你好")],
            ))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{status} {body}: {e}");
        assert_eq!(e.provider(), Some("ernie"));
        assert!(!e.to_string().contains(V2_KEY));
    }
}

#[tokio::test]
async fn a_missing_key_names_both_variables_and_debug_hides_the_key() {
    let e = llm_router_ernie::v2::builder().build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("QIANFAN_API_KEY"), "{e}");
    assert!(e.message().contains("QIANFAN_BEARER_TOKEN"), "{e}");
    let c = client("http://127.0.0.1:9");
    assert!(!format!("{c:?}").contains("5c67e0f0e6e2"));
    assert_eq!(
        c.list_models().await.unwrap_err().kind(),
        ErrorKind::Unsupported
    );
}
