//! `request_timeout`: a provider that does not answer in time is a 504 `timeout_error` and its
//! call is cancelled; a stream only has to start in time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use llm_router::gateway::Gateway;
use llm_router::{ChatProvider, ChatRequest, ChatResponse, ChatStream, Error, async_trait};
use serde_json::{Value, json};

use crate::gateway::support::{DropFlag, Gated, Server, SseReader, json, post, within};

/// A provider that never answers; it notes when the gateway gives up on the call.
#[derive(Clone, Default)]
struct Silent {
    cancelled: Arc<AtomicBool>,
}

#[async_trait]
impl ChatProvider for Silent {
    fn name(&self) -> &str {
        "silent"
    }

    async fn chat(&self, _req: ChatRequest) -> Result<ChatResponse, Error> {
        let _flag = DropFlag(Arc::clone(&self.cancelled));
        std::future::pending().await
    }

    async fn chat_stream(&self, _req: ChatRequest) -> Result<ChatStream, Error> {
        let _flag = DropFlag(Arc::clone(&self.cancelled));
        std::future::pending().await
    }
}

fn ask(model: &str, stream: bool) -> Value {
    json!({"model": model, "stream": stream, "messages": [{"role": "user", "content": "hi"}]})
}

#[tokio::test]
async fn a_provider_past_the_request_timeout_is_a_504_and_is_cancelled() {
    for stream in [false, true] {
        let silent = Silent::default();
        let server = Server::start(
            Gateway::builder()
                .chat_model("m", Arc::new(silent.clone()))
                .request_timeout(Duration::from_millis(150))
                .build(),
        )
        .await;
        let resp = within(
            "the timeout answer",
            post(&server, "/v1/chat/completions", &ask("m", stream)),
        )
        .await;
        assert_eq!(resp.status(), 504, "stream: {stream}");
        let body = json(resp).await;
        assert_eq!(body["error"]["type"], "timeout_error", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("request timeout")),
            "{body}"
        );
        assert!(silent.cancelled.load(Ordering::SeqCst), "stream: {stream}");
    }
}

#[tokio::test]
async fn the_messages_route_answers_a_timeout_in_anthropic_shape() {
    let server = Server::start(
        Gateway::builder()
            .chat_model("m", Arc::new(Silent::default()))
            .request_timeout(Duration::from_millis(150))
            .build(),
    )
    .await;
    let body =
        json!({"model": "m", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]});
    let resp = within("the timeout answer", post(&server, "/v1/messages", &body)).await;
    assert_eq!(resp.status(), 504);
    let body = json(resp).await;
    assert_eq!(body["type"], "error", "{body}");
    assert_eq!(body["error"]["type"], "timeout_error", "{body}");
}

#[tokio::test]
async fn a_stream_that_started_in_time_may_run_longer() {
    let gated = Gated::default();
    let server = Server::start(
        Gateway::builder()
            .chat_model("m", Arc::new(gated.clone()))
            .request_timeout(Duration::from_millis(150))
            .build(),
    )
    .await;
    let resp = within(
        "headers",
        post(&server, "/v1/chat/completions", &ask("m", true)),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let mut events = SseReader::new(resp);
    within("first chunk", events.next()).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    gated.release();
    let rest = within("rest", events.rest()).await;
    assert_eq!(rest.last().map(String::as_str), Some("[DONE]"), "{rest:?}");
    assert!(rest.iter().any(|e| e.contains("second")), "{rest:?}");
}
