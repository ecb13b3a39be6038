//! The shared provider conformance suite, with Cohere's v2 bodies and SSE events (shapes from
//! the official spec's `ChatResponseV2`, `StreamedChatResponseV2`, `EmbedByTypeResponse`;
//! values ours).

use std::sync::Arc;

use llm_router_core::{ErrorKind, SharedChat, SharedEmbedding};
use llm_router_testkit::conformance::{Conformance, PNG_1X1, WireScript, requests::MODEL};
use serde_json::{Value, json};

use crate::{KEY, client};

fn sse(events: &[Value]) -> String {
    events
        .iter()
        .map(|e| format!("event: {}\ndata: {e}\n\n", e["type"].as_str().unwrap()))
        .collect()
}

fn usage() -> Value {
    json!({"billed_units": {"input_tokens": 9, "output_tokens": 12},
           "tokens": {"input_tokens": 9, "output_tokens": 12}})
}

pub(crate) fn script() -> WireScript {
    let text = "Hello there, how may I assist you today? 👋";
    let head = vec![
        json!({"type": "message-start", "id": "29f14a5a-11de-4cae-9800-25e4747408ea", "delta": {"message": {"role": "assistant"}}}),
        json!({"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "text", "text": ""}}}}),
        json!({"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "Hello there, "}}}}),
        json!({"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "how may I assist you today? 👋"}}}}),
    ];
    let mut all = head.clone();
    all.push(json!({"type": "content-end", "index": 0}));
    all.push(
        json!({"type": "message-end", "delta": {"finish_reason": "COMPLETE", "usage": usage()}}),
    );
    let basic = |stream: bool| {
        json!({
            "model": MODEL,
            "messages": [
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": "Say hello"}
            ],
            "max_tokens": 16,
            "temperature": 0.0,
            "stream": stream
        })
    };
    WireScript {
        chat_path: "/v2/chat".into(),
        stream_path: "/v2/chat".into(),
        auth_header: ("authorization".into(), format!("Bearer {KEY}")),
        basic_body: basic(false),
        basic_stream_body: basic(true),
        chat_ok: json!({"id": "c14c80c3-18eb-4519-9460-6c92edd8cfb4", "finish_reason": "COMPLETE",
            "message": {"role": "assistant", "content": [{"type": "text", "text": text}]},
            "usage": usage()}),
        text: text.into(),
        stream_ok: sse(&all),
        stream_without_terminator: sse(&head),
        stream_error_first: sse(&[json!({"type": "message-end",
            "delta": {"finish_reason": "ERROR", "error": "too many requests: rate limit exceeded"}})]),
        stream_error_kind: ErrorKind::RateLimited,
        tool_call_ok: json!({"id": "9e5f00aa-bf1e-481a-abe3-0eceac18c3ec", "finish_reason": "TOOL_CALL",
            "message": {"role": "assistant", "tool_plan": "I will look up the weather in Paris.",
                "tool_calls": [{"id": "get_weather_hgxxmkby3wta", "type": "function",
                    "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
            "usage": {"billed_units": {"input_tokens": 27, "output_tokens": 19},
                      "tokens": {"input_tokens": 932, "output_tokens": 44}}}),
        image_marker: format!("\"url\":\"data:image/png;base64,{PNG_1X1}\""),
        error_body: Arc::new(|status: u16| match status {
            401 => json!({"id": "e-401", "message": "invalid api token"}),
            429 => {
                json!({"id": "e-429", "message": "You are past the per minute request limit, please wait and try again later."})
            }
            503 => json!({"id": "e-503", "message": "service unavailable"}),
            _ => {
                json!({"id": "e-500", "message": "internal server error, this has been reported to our developers"})
            }
        }),
        quota_body: json!({"id": "e-402", "message": "Please add or update your payment method at https://dashboard.cohere.com/billing?tab=payment to continue"}),
        quota_status: 402,
        embeddings: Some((
            "/v2/embed".into(),
            json!({"id": "bc57846a-3e56-4327-8acc-588ca1a37b8a", "texts": ["hello", "world"],
                   "embeddings": {"float": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]},
                   "meta": {"api_version": {"version": "2"}, "billed_units": {"input_tokens": 2}},
                   "response_type": "embeddings_by_type"}),
        )),
    }
}

#[tokio::test]
async fn cohere_passes_the_conformance_suite() {
    let suite = Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(client(base)) }),
        embed: Some(Arc::new(|base: &str| -> SharedEmbedding {
            Arc::new(client(base))
        })),
        parser: Some(Arc::new(llm_router_cohere::chat_chunks)),
        wire: script(),
    };
    suite.run_all().await;
}
