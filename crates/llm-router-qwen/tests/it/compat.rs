//! Compatible mode: the conformance suite and what DashScope adds to the dialect.

use std::sync::Arc;

use llm_router_core::{
    ChatProvider, ChatRequest, EmbeddingProvider, EmbeddingRequest, EncodingFormat, ErrorKind,
    Message, SharedChat, SharedEmbedding, collect_stream,
};
use llm_router_openai_compat::chat_chunks;
use llm_router_qwen::Region;
use llm_router_testkit::conformance::{Conformance, WireScript};
use llm_router_testkit::split::{byte_by_byte, chunked, every_split};
use llm_router_testkit::wire::{json_response, sse_response};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer};

use crate::{KEY, compat_client, fixtures};

#[tokio::test]
async fn compatible_mode_passes_the_conformance_suite() {
    let auth = format!("Bearer {KEY}");
    let mut wire = WireScript::openai_dialect(
        "/compatible-mode/v1",
        ("authorization", &auth),
        "max_tokens",
    );
    // DashScope's quota error: HTTP 400 `Arrearage` (overdue payment).
    wire.quota_status = 400;
    wire.quota_body = json!({"error": {"message": "Access denied, please make sure your account is in good standing. For details, see: https://help.aliyun.com/zh/model-studio/error-code#overdue-payment", "type": "Arrearage", "param": null, "code": "Arrearage"}});
    let suite = Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(compat_client(base)) }),
        embed: Some(Arc::new(|base: &str| -> SharedEmbedding {
            Arc::new(compat_client(base))
        })),
        parser: Some(Arc::new(|bytes| {
            chat_chunks(Arc::new(llm_router_qwen::dialect()), bytes)
        })),
        wire,
    };
    suite.run_all().await;
}

async fn expect_post(
    p: &str,
    body: &serde_json::Value,
    resp: wiremock::ResponseTemplate,
) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(body_json(body))
        .respond_with(resp)
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn dashscope_extras_are_top_level_fields_and_cached_tokens_are_read() {
    let mut req = ChatRequest::new("qwen-plus", vec![Message::user("Who are you?")])
        .with_max_tokens(100)
        .with_extra("enable_thinking", false)
        .with_extra("enable_search", true)
        .with_extra("search_options", json!({"forced_search": true}))
        .with_extra("top_k", 20);
    req.max_completion_tokens = None;
    let expected = json!({
        "model": "qwen-plus", "messages": [{"role": "user", "content": "Who are you?"}],
        "max_tokens": 100, "enable_thinking": false, "enable_search": true,
        "search_options": {"forced_search": true}, "top_k": 20, "stream": false
    });
    let server = expect_post(
        "/compatible-mode/v1/chat/completions",
        &expected,
        json_response(200, &fixtures().json("compat_chat.json")),
    )
    .await;
    let resp = compat_client(&server.uri()).chat(req).await.unwrap();
    assert!(resp.text().contains("My name is Qwen"));
    assert_eq!(resp.usage.unwrap().cache_read_tokens(), 2048);
}

#[tokio::test]
async fn documented_reasoning_stream_at_every_split() {
    let body = fixtures().bytes("compat_stream_reasoning.sse");
    let parse = |b| async move {
        collect_stream(chat_chunks(Arc::new(llm_router_qwen::dialect()), b))
            .await
            .unwrap()
    };
    let whole = parse(chunked(&body, &[])).await;
    assert_eq!(
        whole.message().unwrap().reasoning_content.as_deref(),
        Some("The user is asking for")
    );
    assert_eq!(
        whole.text(),
        "a very large number, with a total of 43 digits."
    );
    for (i, s) in every_split(&body) {
        assert_eq!(parse(s).await, whole, "split at {i}");
    }
    assert_eq!(parse(byte_by_byte(&body)).await, whole);
}

#[tokio::test]
async fn the_international_region_and_its_native_twin() {
    let c = llm_router_qwen::builder()
        .api_key(KEY)
        .region(Region::International)
        .build()
        .unwrap();
    assert_eq!(
        c.dialect().base_url,
        "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"
    );
    let n = llm_router_qwen::builder()
        .api_key(KEY)
        .region(Region::International)
        .native()
        .build()
        .unwrap();
    assert_eq!(n.base_url(), "https://dashscope-intl.aliyuncs.com/api/v1");
    // A custom compatible-mode URL maps to the same host's native API.
    let n = llm_router_qwen::builder()
        .api_key(KEY)
        .base_url("https://proxy.example/dashscope/compatible-mode/v1/")
        .native()
        .build()
        .unwrap();
    assert_eq!(n.base_url(), "https://proxy.example/dashscope/api/v1");
}

#[tokio::test]
async fn embeddings_send_dimensions_and_never_base64() {
    // Compatible-mode /embeddings returns floats only; `encoding_format: base64` is not sent.
    let mut req = EmbeddingRequest::new("text-embedding-v4", vec!["a", "b"]);
    req.dimensions = Some(3);
    req.encoding_format = Some(EncodingFormat::Base64);
    req.input_type = Some(llm_router_core::InputType::Query); // native only: not sent here
    let expected = json!({"model": "text-embedding-v4", "input": ["a", "b"], "dimensions": 3});
    let body = json!({"data": [{"embedding": [0.1, 0.2, 0.3], "index": 0, "object": "embedding"},
                                {"embedding": [0.4, 0.5, 0.6], "index": 1, "object": "embedding"}],
                       "model": "text-embedding-v4", "object": "list",
                       "usage": {"prompt_tokens": 2, "total_tokens": 2}, "id": "73591b79-d194-9bca-8bb5-xxxxxxxxxxxx"});
    let server = expect_post(
        "/compatible-mode/v1/embeddings",
        &expected,
        json_response(200, &body),
    )
    .await;
    let resp = compat_client(&server.uri()).embed(req).await.unwrap();
    assert_eq!(
        resp.data[1].embedding.to_floats().unwrap(),
        vec![0.4, 0.5, 0.6]
    );
}

#[tokio::test]
async fn dashscope_error_codes_in_compatible_mode() {
    for (status, body, kind) in [
        (
            400,
            json!({"error": {"code": "data_inspection_failed", "param": null, "message": "Input data may contain inappropriate content.", "type": "data_inspection_failed"}}),
            ErrorKind::ContentFiltered,
        ),
        (
            400,
            json!({"error": {"message": "Access denied, please make sure your account is in good standing.", "type": "Arrearage", "param": null, "code": "Arrearage"}}),
            ErrorKind::QuotaExceeded,
        ),
        (
            429,
            json!({"error": {"message": "Requests rate limit exceeded, please try again later.", "type": "limit_requests", "param": null, "code": "limit_requests"}}),
            ErrorKind::RateLimited,
        ),
        (
            401,
            json!({"error": {"message": format!("Incorrect API key provided: {KEY}."), "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}),
            ErrorKind::Authentication,
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(json_response(status, &body))
            .mount(&server)
            .await;
        let e = compat_client(&server.uri())
            .chat(ChatRequest::new("qwen-plus", vec![Message::user("x")]))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
        assert_eq!(e.status(), Some(status));
        assert!(!e.to_string().contains(KEY), "{e}");
    }
}

#[tokio::test]
async fn a_moderation_error_inside_a_stream_is_content_filtered() {
    let events = "data: {\"error\":{\"code\":\"data_inspection_failed\",\"message\":\"Output data may contain inappropriate content.\",\"type\":\"data_inspection_failed\"}}\n\n";
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(sse_response(events))
        .mount(&server)
        .await;
    let e = compat_client(&server.uri())
        .chat_stream(ChatRequest::new("qwen-plus", vec![Message::user("x")]))
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::ContentFiltered);
}

#[tokio::test]
async fn models_are_listed_and_the_key_is_required() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/compatible-mode/v1/models"))
        .respond_with(json_response(
            200,
            &json!({"object": "list", "data": [
            {"id": "qwen-plus", "object": "model", "created": 0, "owned_by": "system"}]}),
        ))
        .mount(&server)
        .await;
    let models = compat_client(&server.uri()).list_models().await.unwrap();
    assert_eq!(models[0].id, "qwen-plus");
    let e = llm_router_qwen::builder().build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("DASHSCOPE_API_KEY"), "{e}");
    let e = llm_router_qwen::builder().native().build().unwrap_err();
    assert!(e.message().contains("DASHSCOPE_API_KEY"), "{e}");
}
