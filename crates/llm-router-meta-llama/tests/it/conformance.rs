//! The shared conformance suite, twice: with the native shapes (as typed in the official
//! `llama-api-python` SDK; values ours) and through the OpenAI-compatible surface.

use std::sync::Arc;

use llm_router_core::{ErrorKind, SharedChat};
use llm_router_testkit::conformance::{Conformance, PNG_1X1, WireScript, requests::MODEL};
use serde_json::{Value, json};

use crate::{KEY, client, http};

fn sse(chunks: &[Value]) -> String {
    chunks.iter().map(|c| format!("data: {c}\n\n")).collect()
}

fn metrics(p: u64, c: u64) -> Value {
    json!([{"metric": "num_completion_tokens", "value": c, "unit": "tokens"},
           {"metric": "num_prompt_tokens", "value": p, "unit": "tokens"},
           {"metric": "num_total_tokens", "value": p + c, "unit": "tokens"}])
}

fn native_script() -> WireScript {
    let text = "Hello there, how may I assist you today? 👋";
    let id = "AmXnZ8kcrT4Lq1sPpD3aQu";
    let ev = |event: Value| json!({"id": id, "event": event});
    let head = vec![
        ev(json!({"event_type": "start", "delta": {"type": "text", "text": ""}})),
        ev(json!({"event_type": "progress", "delta": {"type": "text", "text": "Hello there, "}})),
        ev(
            json!({"event_type": "progress", "delta": {"type": "text", "text": "how may I assist you today? 👋"}}),
        ),
    ];
    let mut all = head.clone();
    all.push(ev(json!({"event_type": "complete", "delta": {"type": "text", "text": ""}, "stop_reason": "stop"})));
    all.push(ev(json!({"event_type": "metrics", "delta": {"type": "text", "text": ""}, "metrics": metrics(9, 12)})));
    let basic = |stream: bool| {
        json!({"model": MODEL,
               "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hello"}],
               "max_completion_tokens": 16, "temperature": 0.0, "stream": stream})
    };
    WireScript {
        chat_path: "/v1/chat/completions".into(),
        stream_path: "/v1/chat/completions".into(),
        auth_header: ("authorization".into(), format!("Bearer {KEY}")),
        basic_body: basic(false),
        basic_stream_body: basic(true),
        chat_ok: json!({"id": id, "completion_message": {"role": "assistant",
            "content": {"type": "text", "text": text}, "stop_reason": "stop"},
            "metrics": metrics(9, 12)}),
        text: text.into(),
        stream_ok: sse(&all),
        stream_without_terminator: sse(&head),
        stream_error_first: "event: error\ndata: {\"title\": \"Too Many Requests\", \"detail\": \"rate limit exceeded\", \"status\": 429}\n\n".into(),
        stream_error_kind: ErrorKind::RateLimited,
        tool_call_ok: json!({"id": "tool-1", "completion_message": {"role": "assistant",
            "content": {"type": "text", "text": ""}, "stop_reason": "tool_calls",
            "tool_calls": [{"id": "call_9Kf2xTqM1", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
            "metrics": metrics(40, 18)}),
        image_marker: format!("\"url\":\"data:image/png;base64,{PNG_1X1}\""),
        error_body: Arc::new(|status: u16| match status {
            401 => json!({"title": "Unauthorized", "detail": "Invalid API key", "status": 401}),
            429 => json!({"title": "Too Many Requests", "detail": "rate limit exceeded", "status": 429}),
            503 => json!({"title": "Service Unavailable", "detail": "overloaded", "status": 503}),
            _ => json!({"title": "Internal Server Error", "detail": "internal error", "status": 500}),
        }),
        quota_body: json!({"title": "Too Many Requests", "detail": "You exceeded your current quota (insufficient_quota)", "status": 429}),
        quota_status: 429,
        embeddings: None,
    }
}

#[tokio::test]
async fn the_native_client_passes_the_conformance_suite() {
    let suite = Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(client(base)) }),
        embed: None,
        parser: Some(Arc::new(llm_router_meta_llama::chat_chunks)),
        wire: native_script(),
    };
    suite.run_all().await;
}

#[tokio::test]
async fn the_openai_compatible_client_passes_the_conformance_suite() {
    let wire = WireScript::openai_dialect(
        "/compat/v1",
        ("authorization", &format!("Bearer {KEY}")),
        "max_completion_tokens",
    );
    let suite = Conformance {
        chat: Arc::new(|base: &str| -> SharedChat {
            Arc::new(
                llm_router_meta_llama::builder()
                    .api_key(KEY)
                    .base_url(format!("{base}/compat/v1"))
                    .http_client(http())
                    .openai_compatible()
                    .build()
                    .unwrap(),
            )
        }),
        embed: None,
        parser: None,
        wire: WireScript {
            embeddings: None,
            ..wire
        },
    };
    suite.run_all().await;
}
