//! The shared provider suite with the legacy API's wire facts.
//!
//! What does not fit the suite as written, and how it is handled:
//! - The suite requires an auth *header*; the legacy token travels in the query string. The
//!   script names `content-type: application/json` (sent with every request) as the header,
//!   and the clients are built with a given access token, so no token request is made; the
//!   token query parameter, the token endpoint and refreshes are tested in `legacy_token`.
//! - Vision is not offered by the legacy API (refused before sending, see
//!   `legacy_requests::what_the_legacy_api_cannot_take_is_refused_before_sending`), so
//!   `vision()` is not run.
//! - Errors: the suite's HTTP statuses carry `error_code` bodies; the quota case is the real
//!   shape, HTTP **200** with `error_code` 17, for chat and stream requests alike.

use std::sync::Arc;

use llm_router_core::{ErrorKind, SharedChat, SharedEmbedding};
use llm_router_testkit::conformance::{Conformance, WireScript, requests};
use serde_json::{Value, json};

use crate::PREFIX;

const GIVEN_TOKEN: &str = "24.conformance-token-0001";

fn client(base: &str) -> llm_router_ernie::legacy::Client {
    llm_router_ernie::legacy::builder()
        .access_token(GIVEN_TOKEN)
        .base_url(base)
        .build()
        .unwrap()
}

fn event(sentence: u32, text: &str, end: bool) -> Value {
    let mut v = json!({"id": "as-conf123", "object": "chat.completion", "created": 1709089502,
                       "sentence_id": sentence, "is_end": end, "is_truncated": false,
                       "result": text, "need_clear_history": false, "finish_reason": "normal",
                       "usage": {"prompt_tokens": 9, "completion_tokens": sentence, "total_tokens": 9 + sentence}});
    if end {
        v["usage"] = json!({"prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21});
    }
    v
}

fn transcript(events: &[Value]) -> String {
    llm_router_testkit::wire::sse_transcript(events, false)
}

fn script() -> WireScript {
    let text = "Hello there, how may I assist you today? 👋";
    let chat_path = format!("{PREFIX}/chat/{}", requests::MODEL);
    let basic = |stream: bool| {
        json!({"messages": [{"role": "user", "content": "Say hello"}],
               "system": "You are terse.", "temperature": 0.01, "max_output_tokens": 16,
               "stream": stream})
    };
    let content = [
        event(0, "Hello", false),
        event(1, " there, ", false),
        event(2, "how may I assist you today? 👋", false),
    ];
    let mut all = content.to_vec();
    all.push(event(3, "", true));
    WireScript {
        chat_path: chat_path.clone(),
        stream_path: chat_path,
        auth_header: ("content-type".into(), "application/json".into()),
        basic_body: basic(false),
        basic_stream_body: basic(true),
        chat_ok: json!({"id": "as-conf123", "object": "chat.completion", "created": 1680167072,
                        "result": text, "is_truncated": false, "need_clear_history": false,
                        "finish_reason": "normal",
                        "usage": {"prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21}}),
        text: text.to_owned(),
        stream_ok: transcript(&all),
        stream_without_terminator: transcript(&content),
        stream_error_first:
            "data: {\"error_code\":336501,\"error_msg\":\"Rate limit reached for RPM\"}\n\n".into(),
        stream_error_kind: ErrorKind::RateLimited,
        tool_call_ok: json!({"id": "as-tool123", "object": "chat.completion", "created": 1693449832,
                             "result": "", "is_truncated": false, "need_clear_history": false,
                             "finish_reason": "function_call",
                             "function_call": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}",
                                               "thoughts": "I should look up the weather."},
                             "usage": {"prompt_tokens": 82, "completion_tokens": 17, "total_tokens": 99}}),
        image_marker: String::new(),
        error_body: Arc::new(|status| match status {
            401 => {
                json!({"error_code": 110, "error_msg": "Access token invalid or no longer valid"})
            }
            429 => json!({"error_code": 18, "error_msg": "Open api qps request limit reached"}),
            503 => json!({"error_code": 2, "error_msg": "Service temporarily unavailable"}),
            _ => json!({"error_code": 336000, "error_msg": "Internal error"}),
        }),
        quota_body: json!({"error_code": 17, "error_msg": "Open api daily request limit reached"}),
        quota_status: 200,
        embeddings: Some((
            format!("{PREFIX}/embeddings/{}", requests::embeddings().model),
            json!({"id": "as-emb123", "object": "embedding_list", "created": 1687155816,
                   "data": [{"object": "embedding", "embedding": [0.0023064255, -0.009327292, -0.0028842222], "index": 0},
                            {"object": "embedding", "embedding": [0.0105, 0.0451, -0.0338], "index": 1}],
                   "usage": {"prompt_tokens": 2, "total_tokens": 2}}),
        )),
    }
}

#[tokio::test]
async fn legacy_passes_the_conformance_suite() {
    let suite = Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(client(base)) }),
        embed: Some(Arc::new(|base: &str| -> SharedEmbedding {
            Arc::new(client(base))
        })),
        parser: Some(Arc::new(|bytes| {
            llm_router_ernie::legacy::parse_stream(bytes, requests::MODEL)
        })),
        wire: script(),
    };
    suite.chat_basic().await;
    suite.stream_basic().await;
    suite.stream_split_everywhere().await;
    suite.tool_call().await;
    suite.embeddings().await;
    suite.errors().await;
    suite.stream_failures().await;
}
