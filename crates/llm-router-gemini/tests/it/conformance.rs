//! The shared conformance suite, with Gemini's documented wire shapes.

use std::sync::Arc;

use llm_router_core::{ErrorKind, SharedChat, SharedEmbedding};
use llm_router_testkit::conformance::{Conformance, PNG_1X1, WireScript, requests};
use serde_json::{Value, json};

use crate::spec::assert_valid;
use crate::{KEY, client};

/// `data: <json>\r\n\r\n` per event, as `alt=sse` frames them.
pub(crate) fn sse(events: &[Value]) -> String {
    events
        .iter()
        .map(|e| format!("data: {e}\r\n\r\n"))
        .collect()
}

fn event(text: &str, finish: Option<&str>, usage: Value) -> Value {
    let mut cand = json!({"content": {"parts": [{"text": text}], "role": "model"}, "index": 0});
    if let Some(f) = finish {
        cand["finishReason"] = json!(f);
    }
    json!({"candidates": [cand], "usageMetadata": usage, "modelVersion": "test-model", "responseId": "resp-1"})
}

pub(crate) fn script() -> WireScript {
    let text = "Hello there, how may I assist you today? 👋".to_owned();
    let events = vec![
        event(
            "Hello",
            None,
            json!({"promptTokenCount": 9, "totalTokenCount": 9}),
        ),
        event(
            " there, ",
            None,
            json!({"promptTokenCount": 9, "candidatesTokenCount": 3, "totalTokenCount": 12}),
        ),
        event(
            "how may I assist you today? 👋",
            None,
            json!({"promptTokenCount": 9, "candidatesTokenCount": 11, "totalTokenCount": 20}),
        ),
        event(
            "",
            Some("STOP"),
            json!({"promptTokenCount": 9, "candidatesTokenCount": 12, "totalTokenCount": 21,
                   "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 9}],
                   "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 12}]}),
        ),
    ];
    let basic = json!({
        "contents": [{"role": "user", "parts": [{"text": "Say hello"}]}],
        "systemInstruction": {"parts": [{"text": "You are terse."}]},
        "generationConfig": {"temperature": 0.0, "maxOutputTokens": 16}
    });
    let error_body = |status: u16| match status {
        401 => {
            json!({"error": {"code": 401, "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", "status": "UNAUTHENTICATED"}})
        }
        429 => {
            json!({"error": {"code": 429, "message": "You exceeded your current quota, please check your plan and billing details.", "status": "RESOURCE_EXHAUSTED",
            "details": [
                {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests", "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "quotaValue": "10"}]},
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"}
            ]}})
        }
        503 => {
            json!({"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}})
        }
        _ => {
            json!({"error": {"code": 500, "message": "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", "status": "INTERNAL"}})
        }
    };
    WireScript {
        chat_path: format!("/v1beta/models/{}:generateContent", requests::MODEL),
        stream_path: format!("/v1beta/models/{}:streamGenerateContent", requests::MODEL),
        auth_header: ("x-goog-api-key".to_owned(), KEY.to_owned()),
        basic_body: basic.clone(),
        basic_stream_body: basic,
        chat_ok: json!({
            "candidates": [{"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 12, "totalTokenCount": 21},
            "modelVersion": "test-model", "responseId": "resp-1"
        }),
        text,
        stream_ok: sse(&events),
        stream_without_terminator: sse(&events[..3]),
        stream_error_first: "data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded. Please try again later.\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n".to_owned(),
        stream_error_kind: ErrorKind::ProviderUnavailable,
        tool_call_ok: json!({
            "candidates": [{"content": {"parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}], "role": "model"}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 40, "candidatesTokenCount": 7, "totalTokenCount": 47},
            "modelVersion": "test-model"
        }),
        image_marker: PNG_1X1.to_owned(),
        error_body: Arc::new(error_body),
        quota_body: json!({"error": {"code": 429, "message": "You exceeded your current quota, please check your plan and billing details.", "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests", "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier", "quotaValue": "250"}]}]}}),
        quota_status: 429,
        embeddings: Some((
            "/v1beta/models/test-embedding:batchEmbedContents".to_owned(),
            json!({"embeddings": [{"values": [0.0023064255, -0.009327292, -0.0028842222]}, {"values": [0.0105, 0.0451, -0.0338]}]}),
        )),
    }
}

#[tokio::test]
async fn gemini_passes_the_conformance_suite() {
    let suite = Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(client(base)) }),
        embed: Some(Arc::new(|base: &str| -> SharedEmbedding {
            Arc::new(client(base))
        })),
        parser: Some(Arc::new(llm_router_gemini::chat_chunks)),
        wire: script(),
    };
    assert_valid("GenerateContentRequest", &suite.wire.basic_body);
    assert_valid("GenerateContentResponse", &suite.wire.chat_ok);
    assert_valid("GenerateContentResponse", &suite.wire.tool_call_ok);
    // The "cut mid-event" check cuts at 2/3 of the transcript: that must fall inside the
    // final (finishReason) event, or the cut stream would be complete.
    let w = &suite.wire;
    assert!(w.stream_ok.len() * 2 / 3 > w.stream_without_terminator.len());
    suite.run_all().await;
}
