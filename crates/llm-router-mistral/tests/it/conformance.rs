//! The shared provider suite, with Mistral's wire facts: `/v1` paths, `max_tokens`, no
//! `stream_options`, its error object.

use std::sync::Arc;

use llm_router_core::{SharedChat, SharedEmbedding};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::conformance::{Conformance, WireScript};
use serde_json::json;

use crate::{KEY, client, fixtures};

fn suite() -> Conformance {
    let auth = format!("Bearer {KEY}");
    let mut wire = WireScript::openai_dialect("/v1", ("authorization", &auth), "max_tokens");
    // Mistral's ChatCompletionRequest has no `stream_options` (usage comes in the last chunk).
    if let Some(o) = wire.basic_stream_body.as_object_mut() {
        o.remove("stream_options");
    }
    wire.error_body = Arc::new(|status| match status {
        401 => json!({"message": "Unauthorized", "request_id": "9f1c2d3e4b5a6978"}),
        429 => {
            json!({"object": "error", "message": "Requests rate limit exceeded", "type": "rate_limited", "param": null, "code": "1300"})
        }
        _ => {
            json!({"object": "error", "message": "Service unavailable.", "type": "internal_server_error", "param": null, "code": "3000"})
        }
    });
    wire.embeddings = Some(("/v1/embeddings".into(), fixtures().json("embeddings.json")));
    Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(client(base)) }),
        embed: Some(Arc::new(|base: &str| -> SharedEmbedding {
            Arc::new(client(base))
        })),
        parser: Some(Arc::new(|bytes| {
            chat_chunks(Arc::new(llm_router_mistral::dialect()), bytes)
        })),
        wire,
    }
}

#[tokio::test]
async fn mistral_passes_the_conformance_suite() {
    suite().run_all().await;
}
