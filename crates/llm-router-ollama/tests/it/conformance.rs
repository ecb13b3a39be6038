//! The shared provider conformance suite, with Ollama's NDJSON transcripts.
//!
//! The suite serves stream transcripts with `sse_response` (content type
//! `text/event-stream`); the client does not look at the content type, so the NDJSON bodies are
//! parsed as they would be under `application/x-ndjson` (`requests.rs` checks that case too).

use std::sync::Arc;

use llm_router_core::{ErrorKind, SharedChat, SharedEmbedding};
use llm_router_testkit::conformance::{Conformance, PNG_1X1, WireScript, requests::MODEL};
use serde_json::{Value, json};

use crate::{KEY, keyed_client};

fn ndjson(lines: &[Value]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn script() -> WireScript {
    let text = "Hello there, how may I assist you today? 👋";
    let part = |content: &str, at: &str| json!({"model": MODEL, "created_at": at, "message": {"role": "assistant", "content": content}, "done": false});
    let content_lines = vec![
        part("Hello", "2025-07-07T20:22:19.101Z"),
        part(" there, ", "2025-07-07T20:22:19.102Z"),
        part("how may I assist you today? 👋", "2025-07-07T20:22:19.103Z"),
    ];
    let done = json!({"model": MODEL, "created_at": "2025-07-07T20:22:19.104Z",
        "message": {"role": "assistant", "content": ""}, "done_reason": "stop", "done": true,
        "total_duration": 182242375, "load_duration": 41295167, "prompt_eval_count": 9,
        "prompt_eval_duration": 24573166, "eval_count": 12, "eval_duration": 115959084});
    let mut all = content_lines.clone();
    all.push(done);
    let basic = |stream: bool| {
        json!({
            "model": MODEL,
            "messages": [
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": "Say hello"}
            ],
            "stream": stream,
            "options": {"temperature": 0.0, "num_predict": 16}
        })
    };
    let error_body = |status: u16| match status {
        401 => json!({"error": "unauthorized"}),
        429 => json!({"error": "too many requests, please retry later"}),
        503 => {
            json!({"error": "server busy, please try again.  maximum pending requests exceeded"})
        }
        _ => json!({"error": "the model failed to generate a response"}),
    };
    WireScript {
        chat_path: "/api/chat".into(),
        stream_path: "/api/chat".into(),
        auth_header: ("authorization".into(), format!("Bearer {KEY}")),
        basic_body: basic(false),
        basic_stream_body: basic(true),
        chat_ok: json!({"model": MODEL, "created_at": "2023-12-12T14:13:43.416799Z",
            "message": {"role": "assistant", "content": text}, "done_reason": "stop", "done": true,
            "total_duration": 5191566416u64, "load_duration": 2154458, "prompt_eval_count": 9,
            "prompt_eval_duration": 383809000, "eval_count": 12, "eval_duration": 4799921000u64}),
        text: text.into(),
        stream_ok: ndjson(&all),
        stream_without_terminator: ndjson(&content_lines),
        stream_error_first: ndjson(&[json!({"error": "the model failed to generate a response"})]),
        stream_error_kind: ErrorKind::ProviderUnavailable,
        tool_call_ok: json!({"model": MODEL, "created_at": "2024-07-22T20:33:28.123648Z",
            "message": {"role": "assistant", "content": "", "tool_calls": [
                {"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
            "done_reason": "stop", "done": true, "prompt_eval_count": 122, "eval_count": 33}),
        image_marker: format!("\"images\":[\"{PNG_1X1}\"]"),
        error_body: Arc::new(error_body),
        quota_body: json!({"error": "You've reached your usage limit, please upgrade to continue"}),
        quota_status: 402,
        embeddings: Some((
            "/api/embed".into(),
            json!({"model": "test-embedding", "embeddings": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]],
                   "total_duration": 14143917, "load_duration": 1019500, "prompt_eval_count": 2}),
        )),
    }
}

#[tokio::test]
async fn ollama_passes_the_conformance_suite() {
    let suite = Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(keyed_client(base)) }),
        embed: Some(Arc::new(|base: &str| -> SharedEmbedding {
            Arc::new(keyed_client(base))
        })),
        parser: Some(Arc::new(llm_router_ollama::chat_chunks)),
        wire: script(),
    };
    suite.run_all().await;
}
