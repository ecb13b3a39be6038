//! Bad bodies are 4xx errors in OpenAI's shape: never a 5xx, never a panic.

use std::sync::Arc;

use llm_router::gateway::Gateway;
use llm_router::mock::MockProvider;
use llm_router_http::reqwest;
use serde_json::Value;

use crate::gateway::support::{Server, client};

fn gateway() -> Gateway {
    let mock = Arc::new(MockProvider::new());
    Gateway::builder()
        .chat_model("m", mock.clone())
        .embedding_model("e", mock.clone())
        .image_model("i", mock)
        .body_limit(64 * 1024)
        .build()
}

#[tokio::test]
async fn bad_bodies_are_openai_shaped_4xx() {
    let server = Server::start(gateway()).await;
    let deep = format!(
        r#"{{"model":"m","messages":[],"x":{}{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let huge = format!(
        r#"{{"model":"m","messages":[{{"role":"user","content":"{}"}}]}}"#,
        "x".repeat(100 * 1024)
    );
    let mut invalid_utf8 = br#"{"model":"m","messages":[{"role":"user","content":""#.to_vec();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    invalid_utf8.extend_from_slice(br#""}]}"#);

    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        (
            "/v1/chat/completions",
            "empty body",
            b"".to_vec(),
            400,
            "invalid_json",
        ),
        (
            "/v1/chat/completions",
            "malformed",
            b"{\"model\": \"m\",".to_vec(),
            400,
            "invalid_json",
        ),
        (
            "/v1/chat/completions",
            "not json",
            b"model=m".to_vec(),
            400,
            "invalid_json",
        ),
        (
            "/v1/chat/completions",
            "trailing garbage",
            br#"{"model":"m","messages":[]} x"#.to_vec(),
            400,
            "invalid_json",
        ),
        (
            "/v1/chat/completions",
            "invalid utf-8",
            invalid_utf8,
            400,
            "invalid_json",
        ),
        (
            "/v1/chat/completions",
            "too deep",
            deep.into_bytes(),
            400,
            "invalid_json",
        ),
        (
            "/v1/chat/completions",
            "array",
            b"[]".to_vec(),
            400,
            "invalid_request",
        ),
        (
            "/v1/chat/completions",
            "null",
            b"null".to_vec(),
            400,
            "invalid_request",
        ),
        (
            "/v1/chat/completions",
            "missing model",
            br#"{"messages":[]}"#.to_vec(),
            400,
            "invalid_request",
        ),
        (
            "/v1/chat/completions",
            "missing messages",
            br#"{"model":"m"}"#.to_vec(),
            400,
            "invalid_request",
        ),
        (
            "/v1/chat/completions",
            "model a number",
            br#"{"model":5,"messages":[]}"#.to_vec(),
            400,
            "invalid_request",
        ),
        (
            "/v1/chat/completions",
            "messages a string",
            br#"{"model":"m","messages":"hi"}"#.to_vec(),
            400,
            "invalid_request",
        ),
        (
            "/v1/chat/completions",
            "message not an object",
            br#"{"model":"m","messages":[1]}"#.to_vec(),
            400,
            "invalid_request",
        ),
        (
            "/v1/chat/completions",
            "content a number",
            br#"{"model":"m","messages":[{"role":"user","content":5}]}"#.to_vec(),
            400,
            "invalid_request",
        ),
        (
            "/v1/chat/completions",
            "temperature a string",
            br#"{"model":"m","messages":[],"temperature":"hot"}"#.to_vec(),
            400,
            "invalid_request",
        ),
        (
            "/v1/chat/completions",
            "stream a string",
            br#"{"model":"m","messages":[],"stream":"yes"}"#.to_vec(),
            400,
            "invalid_request",
        ),
        (
            "/v1/chat/completions",
            "negative max_tokens",
            br#"{"model":"m","messages":[],"max_tokens":-1}"#.to_vec(),
            400,
            "invalid_request",
        ),
        (
            "/v1/chat/completions",
            "tools not a list",
            br#"{"model":"m","messages":[],"tools":{}}"#.to_vec(),
            400,
            "invalid_request",
        ),
        (
            "/v1/chat/completions",
            "huge",
            huge.into_bytes(),
            413,
            "request_too_large",
        ),
        (
            "/v1/embeddings",
            "missing input",
            br#"{"model":"e"}"#.to_vec(),
            400,
            "invalid_request",
        ),
        (
            "/v1/embeddings",
            "input of booleans",
            br#"{"model":"e","input":[true]}"#.to_vec(),
            400,
            "invalid_request",
        ),
        (
            "/v1/embeddings",
            "malformed",
            b"{".to_vec(),
            400,
            "invalid_json",
        ),
        (
            "/v1/images/generations",
            "missing prompt",
            br#"{"model":"i"}"#.to_vec(),
            400,
            "invalid_request",
        ),
        (
            "/v1/images/generations",
            "n a string",
            br#"{"model":"i","prompt":"x","n":"two"}"#.to_vec(),
            400,
            "invalid_request",
        ),
    ];
    for (path, what, body, status, code) in cases {
        let resp = client()
            .post(server.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), status, "{path}: {what}");
        assert_eq!(resp.headers()["content-type"], "application/json", "{what}");
        let body: Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
        assert_eq!(body["error"]["code"], code, "{what}: {body}");
        assert_eq!(body["error"]["type"], "invalid_request_error", "{what}");
        assert!(body["error"]["message"].is_string(), "{what}");
        assert!(body["error"].get("param").is_some(), "{what}");
    }
}

#[tokio::test]
async fn a_huge_chunked_body_is_413_too() {
    let server = Server::start(gateway()).await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..100).map(|_| Ok(vec![b' '; 4096])).collect();
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let resp = client()
        .post(server.url("/v1/chat/completions"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let body: Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "request_too_large");
}
