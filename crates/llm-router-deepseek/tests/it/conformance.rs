//! The shared provider suite, with DeepSeek's wire facts: no `/v1` in paths, `max_tokens`,
//! 402 for an empty balance, no vision and no embeddings.

use std::sync::Arc;

use llm_router_core::{ChatProvider, ErrorKind, SharedChat};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::conformance::{Conformance, WireScript, requests};
use serde_json::json;

use crate::{KEY, client};

fn suite() -> Conformance {
    let auth = format!("Bearer {KEY}");
    let mut wire = WireScript::openai_dialect("", ("authorization", &auth), "max_tokens");
    wire.quota_status = 402;
    wire.quota_body = json!({"error": {"message": "Insufficient Balance", "type": "unknown_error", "param": null, "code": "invalid_request_error"}});
    wire.embeddings = None;
    Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(client(base)) }),
        embed: None,
        parser: Some(Arc::new(|bytes| {
            chat_chunks(Arc::new(llm_router_deepseek::dialect()), bytes)
        })),
        wire,
    }
}

#[tokio::test]
async fn deepseek_passes_the_conformance_suite() {
    let s = suite();
    s.chat_basic().await;
    s.stream_basic().await;
    s.stream_split_everywhere().await;
    s.tool_call().await;
    s.errors().await;
    s.stream_failures().await;
    // `vision` and `embeddings` are not offered: see `image_input_is_refused_before_sending`.
}

#[tokio::test]
async fn image_input_is_refused_before_sending() {
    // Port 9: nothing listens, so a request that were sent would fail with Connection.
    let e = client("http://127.0.0.1:9")
        .chat(requests::with_image())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert_eq!(e.provider(), Some("deepseek"));
}
