//! Streams: SSE framing, usage, late errors, no buffering, cancellation by disconnect.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use llm_router::gateway::Gateway;
use llm_router::mock::{MockFailure, MockProvider};
use llm_router::{ChatChunk, FinishReason, Usage};
use llm_router_http::reqwest;
use serde_json::{Value, json};

use crate::gateway::support::{Gated, Scripted, Server, SseReader, json, post, within};

fn ask(model: &str, text: &str) -> Value {
    json!({"model": model, "stream": true, "messages": [{"role": "user", "content": text}]})
}

fn parse(events: &[String]) -> Vec<Value> {
    events
        .iter()
        .filter(|e| *e != "[DONE]")
        .map(|e| serde_json::from_str(e).unwrap())
        .collect()
}

#[tokio::test]
async fn stream_is_openai_sse_with_done() {
    let mock = MockProvider::new().reply("hello", "Hi there, friend!");
    let server = Server::start(
        Gateway::builder()
            .chat_model("fast", Arc::new(mock))
            .build(),
    )
    .await;
    let resp = post(&server, "/v1/chat/completions", &ask("fast", "hello")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    assert!(resp.headers().contains_key("x-request-id"));
    let events = SseReader::new(resp).rest().await;
    assert_eq!(events.last().unwrap(), "[DONE]");
    let chunks = parse(&events);
    assert!(chunks.len() >= 3, "{events:?}");
    let text: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(text, "Hi there, friend!");
    for c in &chunks {
        assert_eq!(c["object"], "chat.completion.chunk");
        assert_eq!(c["model"], "fast");
        assert!(c.get("usage").is_none(), "usage not asked for: {c}");
    }
    assert_eq!(
        chunks.last().unwrap()["choices"][0]["finish_reason"],
        "stop"
    );
}

#[tokio::test]
async fn include_usage_ends_with_a_usage_chunk() {
    let mock = MockProvider::new();
    let server = Server::start(
        Gateway::builder()
            .chat_model("m", Arc::new(mock.clone()))
            .build(),
    )
    .await;
    let mut body = ask("m", "hi");
    body["stream_options"] = json!({"include_usage": true});
    let events = SseReader::new(post(&server, "/v1/chat/completions", &body).await)
        .rest()
        .await;
    assert_eq!(events.last().unwrap(), "[DONE]");
    let chunks = parse(&events);
    let last = chunks.last().unwrap();
    assert_eq!(last["choices"], json!([]));
    assert!(last["usage"]["total_tokens"].as_u64().unwrap() > 0);
    // The option reached the provider.
    assert!(mock.last_request().unwrap().wants_stream_usage());
}

#[tokio::test]
async fn usage_the_client_did_not_ask_for_is_taken_off() {
    let mut last = ChatChunk::text_delta("s", "up", "!");
    last.choices[0].finish_reason = Some(FinishReason::Stop);
    last.usage = Some(Usage::new(1, 1)); // usage on a content chunk
    let usage_only = ChatChunk {
        usage: Some(Usage::new(3, 4)),
        ..ChatChunk::default()
    };
    let provider = Scripted(vec![
        ChatChunk::text_delta("s", "up", "hi"),
        last,
        usage_only,
    ]);
    let server = Server::start(
        Gateway::builder()
            .chat_model("m", Arc::new(provider.clone()))
            .build(),
    )
    .await;

    let events = SseReader::new(post(&server, "/v1/chat/completions", &ask("m", "x")).await)
        .rest()
        .await;
    let chunks = parse(&events);
    assert_eq!(chunks.len(), 2, "{events:?}");
    assert!(chunks.iter().all(|c| c.get("usage").is_none()));
    assert!(chunks.iter().all(|c| c["model"] == "m"));
    assert_eq!(events.last().unwrap(), "[DONE]");

    // Asked for: passed through as sent.
    let mut body = ask("m", "x");
    body["stream_options"] = json!({"include_usage": true});
    let events = SseReader::new(post(&server, "/v1/chat/completions", &body).await)
        .rest()
        .await;
    let chunks = parse(&events);
    assert_eq!(chunks.len(), 3);
    assert_eq!(chunks[2]["usage"]["completion_tokens"], 4);

    // The tokens were counted either way (1 + 4 per stream).
    let metrics = crate::gateway::support::client()
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("llm_router_gateway_completion_tokens_total{model=\"m\"} 10"),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_error_after_the_stream_started_is_an_error_event_without_done() {
    let mock = MockProvider::new()
        .reply("hello", "one two three four five")
        .fail_next(MockFailure::CutStreamAfter(2));
    let server = Server::start(Gateway::builder().chat_model("m", Arc::new(mock)).build()).await;
    let resp = post(&server, "/v1/chat/completions", &ask("m", "hello")).await;
    assert_eq!(resp.status(), 200);
    let events = SseReader::new(resp).rest().await;
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(!events.contains(&"[DONE]".to_owned()));
    let err: Value = serde_json::from_str(&events[2]).unwrap();
    assert_eq!(err["error"]["code"], "stream_interrupted");
    assert_eq!(err["error"]["type"], "server_error");
    assert!(err["error"]["message"].as_str().unwrap().contains("cut"));
}

#[tokio::test]
async fn errors_before_the_first_chunk_are_plain_http_errors() {
    let mock = MockProvider::new().fail_next(MockFailure::ServerError { status: 500 });
    let server = Server::start(Gateway::builder().chat_model("m", Arc::new(mock)).build()).await;
    let resp = post(&server, "/v1/chat/completions", &ask("m", "hi")).await;
    assert_eq!(resp.status(), 502);
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(json(resp).await["error"]["type"], "server_error");

    let resp = post(&server, "/v1/chat/completions", &ask("nope", "hi")).await;
    assert_eq!(resp.status(), 404);
    assert_eq!(json(resp).await["error"]["code"], "model_not_found");
}

#[tokio::test]
async fn chunks_reach_the_client_before_the_upstream_finishes() {
    let gated = Gated::default();
    let server = Server::start(
        Gateway::builder()
            .chat_model("slow", Arc::new(gated.clone()))
            .build(),
    )
    .await;
    let resp = within(
        "headers",
        post(&server, "/v1/chat/completions", &ask("slow", "hi")),
    )
    .await;
    let mut events = SseReader::new(resp);
    // The upstream is blocked after its first chunk; the client still gets that chunk.
    let first = within("first chunk", events.next()).await.unwrap();
    let first: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["choices"][0]["delta"]["content"], "first ");
    assert!(!gated.dropped.load(Ordering::SeqCst));

    gated.release();
    let rest = within("rest", events.rest()).await;
    let chunks = parse(&rest);
    assert_eq!(chunks[0]["choices"][0]["delta"]["content"], "second");
    assert_eq!(rest.last().unwrap(), "[DONE]");
}

#[tokio::test]
async fn a_client_disconnect_drops_the_upstream_stream() {
    let gated = Gated::default();
    let server = Server::start(
        Gateway::builder()
            .chat_model("slow", Arc::new(gated.clone()))
            .build(),
    )
    .await;
    let resp = post(&server, "/v1/chat/completions", &ask("slow", "hi")).await;
    let mut events = SseReader::new(resp);
    within("first chunk", events.next()).await.unwrap();
    assert!(!gated.dropped.load(Ordering::SeqCst));

    drop(events); // closes the connection mid-stream

    within("upstream stream dropped", async {
        while !gated.dropped.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    // The in-flight gauge is back to zero and the disconnect was counted.
    let metrics = crate::gateway::support::client()
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("llm_router_gateway_requests_in_flight{route=\"/v1/chat/completions\"} 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains("llm_router_gateway_stream_disconnects_total{model=\"slow\"} 1"),
        "{metrics}"
    );
}

/// Reads the raw body until `needle` shows up (keep-alive comments are not events, so the
/// event reader would skip them).
async fn read_until(resp: &mut reqwest::Response, needle: &str) -> String {
    let mut seen = String::new();
    while !seen.contains(needle) {
        let chunk = resp.chunk().await.unwrap().expect("the stream ended early");
        seen.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    seen
}

#[tokio::test]
async fn a_silent_stream_gets_keep_alives_and_then_finishes() {
    let gated = Gated::default();
    let server = Server::start(
        Gateway::builder()
            .chat_model("slow", Arc::new(gated.clone()))
            .sse_keep_alive(Some(Duration::from_millis(60)))
            .build(),
    )
    .await;
    let mut resp = within(
        "headers",
        post(&server, "/v1/chat/completions", &ask("slow", "hi")),
    )
    .await;
    let first = within("first chunk", read_until(&mut resp, "first ")).await;
    assert!(!first.contains("keep-alive"), "{first}");
    // The upstream is silent now: two keep-alives arrive, each its own comment.
    let idle = within(
        "keep-alives",
        read_until(&mut resp, ": keep-alive\n\n: keep-alive\n\n"),
    )
    .await;
    assert!(!idle.contains("data:"), "{idle}");
    gated.release();
    let rest = within("the rest", read_until(&mut resp, "data: [DONE]")).await;
    assert!(rest.contains("second"), "{rest}");
}

#[tokio::test]
async fn the_messages_route_keeps_alive_with_ping_events() {
    let gated = Gated::default();
    let server = Server::start(
        Gateway::builder()
            .chat_model("slow", Arc::new(gated.clone()))
            .sse_keep_alive(Some(Duration::from_millis(60)))
            .build(),
    )
    .await;
    let body = json!({
        "model": "slow", "max_tokens": 16, "stream": true,
        "messages": [{"role": "user", "content": "hi"}]
    });
    let mut resp = within("headers", post(&server, "/v1/messages", &body)).await;
    within("first delta", read_until(&mut resp, "first ")).await;
    within(
        "ping",
        read_until(&mut resp, "event: ping\ndata: {\"type\": \"ping\"}\n\n"),
    )
    .await;
    gated.release();
    within("the end", read_until(&mut resp, "event: message_stop")).await;
}

#[tokio::test]
async fn keep_alives_can_be_turned_off() {
    let gated = Gated::default();
    let server = Server::start(
        Gateway::builder()
            .chat_model("slow", Arc::new(gated.clone()))
            .sse_keep_alive(None)
            .build(),
    )
    .await;
    let mut resp = within(
        "headers",
        post(&server, "/v1/chat/completions", &ask("slow", "hi")),
    )
    .await;
    within("first chunk", read_until(&mut resp, "first ")).await;
    let quiet = tokio::time::timeout(Duration::from_millis(200), resp.chunk()).await;
    assert!(quiet.is_err(), "something was written: {quiet:?}");
    gated.release();
    within("the rest", read_until(&mut resp, "data: [DONE]")).await;
}
