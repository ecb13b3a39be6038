//! The shared provider conformance suite, for the parts that fit a binary event stream.
//!
//! `WireScript` carries stream transcripts as `String` served as `text/event-stream`;
//! ConverseStream frames are binary (length prefixes and CRCs are not UTF-8), so the suite's
//! stream checks (`stream_basic`, `stream_split_everywhere`, `stream_failures`) cannot take
//! them. Their equivalents run in `streams.rs` on real frames: a whole stream over HTTP with
//! exact body, every-byte and byte-by-byte splits, an exception as the first event, no
//! terminator (`metadata`), a cut mid-frame and a real TCP disconnect. Here: chat, tools,
//! vision, embeddings and HTTP errors (chat and stream), with an API-key client, whose
//! `Authorization` header is constant (a SigV4 one changes every second; it is checked in
//! `sigv4.rs`). Bodies: Converse and Cohere-embed shapes from the AWS API reference; values
//! ours.

use std::sync::Arc;

use llm_router_bedrock::EmbeddingApi;
use llm_router_core::{ErrorKind, SharedChat, SharedEmbedding};
use llm_router_testkit::conformance::{Conformance, PNG_1X1, WireScript};
use serde_json::json;

use crate::bearer_client;

fn script() -> WireScript {
    let text = "Hello there, how may I assist you today? 👋";
    let basic = json!({
        "messages": [{"role": "user", "content": [{"text": "Say hello"}]}],
        "system": [{"text": "You are terse."}],
        "inferenceConfig": {"maxTokens": 16, "temperature": 0.0}
    });
    WireScript {
        chat_path: "/model/test-model/converse".into(),
        stream_path: "/model/test-model/converse-stream".into(),
        auth_header: ("authorization".into(), "Bearer test-key".into()),
        basic_body: basic.clone(),
        basic_stream_body: basic,
        chat_ok: json!({
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 9, "outputTokens": 12, "totalTokens": 21},
            "metrics": {"latencyMs": 300}
        }),
        text: text.into(),
        // Binary transcripts do not fit a String: these checks run in streams.rs.
        stream_ok: String::new(),
        stream_without_terminator: String::new(),
        stream_error_first: String::new(),
        stream_error_kind: ErrorKind::RateLimited,
        tool_call_ok: json!({
            "output": {"message": {"role": "assistant", "content": [
                {"toolUse": {"toolUseId": "tooluse_Q1w2e3R4t5Y6u7I8o9P0aS", "name": "get_weather", "input": {"city": "Paris"}}}
            ]}},
            "stopReason": "tool_use",
            "usage": {"inputTokens": 382, "outputTokens": 58, "totalTokens": 440},
            "metrics": {"latencyMs": 800}
        }),
        image_marker: format!("{{\"bytes\":\"{PNG_1X1}\"}}"),
        error_body: Arc::new(|status: u16| match status {
            401 => json!({"message": "The security token included in the request is invalid."}),
            429 => json!({"message": "Too many requests, please wait before trying again."}),
            503 => json!({"message": "Bedrock is unable to process your request."}),
            _ => {
                json!({"message": "The server encountered an internal error while processing the request."})
            }
        }),
        // restJson1 lets the type travel in the body when the header is absent.
        quota_body: json!({"__type": "ServiceQuotaExceededException",
            "message": "Your request exceeds the service quota for your account."}),
        quota_status: 400,
        embeddings: Some((
            "/model/test-embedding/invoke".into(),
            json!({"id": "emb-1", "embeddings": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]],
                   "texts": ["hello", "world"], "response_type": "embeddings_floats"}),
        )),
    }
}

#[tokio::test]
async fn bedrock_passes_the_conformance_checks_that_fit() {
    let suite = Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(bearer_client(base)) }),
        embed: Some(Arc::new(|base: &str| -> SharedEmbedding {
            Arc::new(
                llm_router_bedrock::builder()
                    .api_key("test-key")
                    .base_url(base)
                    .embedding_api(EmbeddingApi::Cohere)
                    .build()
                    .unwrap(),
            )
        })),
        parser: None,
        wire: script(),
    };
    suite.chat_basic().await;
    suite.tool_call().await;
    suite.vision().await;
    suite.embeddings().await;
    suite.errors().await;
}
