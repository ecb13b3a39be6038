//! Every error kind as an HTTP status in OpenAI's error shape.

use std::sync::Arc;
use std::time::Duration;

use llm_router::ErrorKind;
use llm_router::gateway::{CallerKey, Gateway};
use llm_router::mock::{MockFailure, MockProvider};
use serde_json::{Value, json};

use crate::gateway::support::{Server, client, json, post};

fn ask(model: &str) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": "hi"}]})
}

fn assert_openai_shape(body: &Value) {
    let e = &body["error"];
    assert!(e["message"].is_string(), "{body}");
    assert!(e["type"].is_string(), "{body}");
    assert!(e.get("param").is_some(), "{body}");
    assert!(e["code"].is_string(), "{body}");
}

#[tokio::test]
async fn upstream_failures_map_to_statuses() {
    let cases = [
        (
            MockFailure::ServerError { status: 500 },
            502,
            "provider_unavailable",
            "server_error",
        ),
        (
            MockFailure::ServerError { status: 503 },
            502,
            "provider_unavailable",
            "server_error",
        ),
        (MockFailure::Timeout, 504, "timeout", "timeout_error"),
        (MockFailure::Auth, 502, "authentication", "server_error"),
        (
            MockFailure::QuotaExceeded,
            429,
            "insufficient_quota",
            "insufficient_quota",
        ),
        (
            MockFailure::custom(ErrorKind::ContextLengthExceeded, "too long"),
            400,
            "context_length_exceeded",
            "invalid_request_error",
        ),
        (
            MockFailure::custom(ErrorKind::ContentFiltered, "filtered"),
            400,
            "content_filtered",
            "invalid_request_error",
        ),
        (
            MockFailure::custom(ErrorKind::InvalidRequest, "bad temperature"),
            400,
            "invalid_request",
            "invalid_request_error",
        ),
        (
            MockFailure::custom(ErrorKind::Unsupported, "no tools here"),
            400,
            "unsupported",
            "invalid_request_error",
        ),
        (
            MockFailure::custom(ErrorKind::ModelNotFound, "upstream has no such model"),
            404,
            "model_not_found",
            "invalid_request_error",
        ),
        (
            MockFailure::custom(ErrorKind::Connection, "refused"),
            502,
            "connection",
            "server_error",
        ),
        (
            MockFailure::custom(ErrorKind::Decode, "garbage"),
            502,
            "decode",
            "server_error",
        ),
        (
            MockFailure::custom(ErrorKind::Config, "no key"),
            500,
            "config",
            "server_error",
        ),
    ];
    for (failure, status, code, kind) in cases {
        let mock = MockProvider::new().fail_next(failure.clone());
        let server =
            Server::start(Gateway::builder().chat_model("m", Arc::new(mock)).build()).await;
        let resp = post(&server, "/v1/chat/completions", &ask("m")).await;
        assert_eq!(resp.status(), status, "{failure:?}");
        assert!(resp.headers().contains_key("x-request-id"));
        let body = json(resp).await;
        assert_openai_shape(&body);
        assert_eq!(body["error"]["code"], code, "{failure:?}");
        assert_eq!(body["error"]["type"], kind, "{failure:?}");
    }
}

#[tokio::test]
async fn upstream_rate_limits_are_429_with_retry_after() {
    let mock = MockProvider::new().fail_next(MockFailure::RateLimited {
        retry_after: Duration::from_millis(2500),
    });
    let server = Server::start(Gateway::builder().chat_model("m", Arc::new(mock)).build()).await;
    let resp = post(&server, "/v1/chat/completions", &ask("m")).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "3");
    assert_eq!(resp.headers()["retry-after-ms"], "2500");
    let body = json(resp).await;
    assert_eq!(body["error"]["type"], "rate_limit_error");
    assert_eq!(body["error"]["code"], "rate_limited");
}

#[tokio::test]
async fn unknown_model_is_404_model_not_found() {
    let server = Server::start(
        Gateway::builder()
            .chat_model("m", Arc::new(MockProvider::new()))
            .build(),
    )
    .await;
    let resp = post(&server, "/v1/chat/completions", &ask("gpt-99")).await;
    assert_eq!(resp.status(), 404);
    let body = json(resp).await;
    assert_eq!(
        body,
        json!({"error": {
            "message": "The model `gpt-99` does not exist or you do not have access to it.",
            "type": "invalid_request_error",
            "param": "model",
            "code": "model_not_found"
        }})
    );
}

#[tokio::test]
async fn caller_keys_401_and_404_for_models_the_key_may_not_use() {
    let mock = Arc::new(MockProvider::new());
    let gateway = Gateway::builder()
        .chat_model("a", mock.clone())
        .chat_model("b", mock)
        .caller_key(CallerKey::from_secret("team", "sk-team-secret-1").allow_models(["a"]))
        .build();
    let server = Server::start(gateway).await;
    let url = server.url("/v1/chat/completions");

    let resp = client().post(&url).json(&ask("a")).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let body = json(resp).await;
    assert_eq!(body["error"]["code"], "missing_api_key");
    assert_eq!(body["error"]["type"], "authentication_error");

    let resp = client()
        .post(&url)
        .bearer_auth("sk-team-secret-2")
        .json(&ask("a"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let text = resp.text().await.unwrap();
    assert!(!text.contains("sk-team-secret"), "{text}");
    assert!(text.contains("invalid_api_key"));

    let ok = client()
        .post(&url)
        .bearer_auth("sk-team-secret-1")
        .json(&ask("a"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);

    // A model that exists but is not this key's: the same 404 as an unknown one.
    let resp = client()
        .post(&url)
        .bearer_auth("sk-team-secret-1")
        .json(&ask("b"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(json(resp).await["error"]["code"], "model_not_found");

    // Health and metrics need no key.
    for path in ["/health/live", "/health/ready", "/metrics"] {
        let resp = client().get(server.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn unknown_paths_are_openai_404s() {
    let server = Server::start(Gateway::builder().build()).await;
    let resp = client()
        .get(server.url("/v1/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert!(resp.headers().contains_key("x-request-id"));
    let body = json(resp).await;
    assert_eq!(body["error"]["code"], "unknown_url");
    assert_openai_shape(&body);
}
