//! The shared provider suite with OpenRouter's wire facts: `/api/v1` paths, `max_tokens`,
//! its error bodies (`{"error": {"code": <int>, "message"}}`), 402 for missing credits and its
//! documented error chunk as the first stream event.

use std::sync::Arc;

use llm_router_core::{ErrorKind, SharedChat, SharedEmbedding};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::conformance::{Conformance, WireScript};
use serde_json::json;

use crate::{KEY, client};

#[tokio::test]
async fn openrouter_passes_the_conformance_suite() {
    let auth = format!("Bearer {KEY}");
    let mut wire = WireScript::openai_dialect("/api/v1", ("authorization", &auth), "max_tokens");
    wire.error_body = Arc::new(|status| match status {
        401 => json!({"error": {"code": 401, "message": "No auth credentials found"}}),
        429 => {
            json!({"error": {"code": 429, "message": "Rate limit exceeded: limit_rpm/openai/gpt-4o", "metadata": {"headers": {"X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0"}}}})
        }
        503 => {
            json!({"error": {"code": 503, "message": "No allowed providers are available for the selected model."}})
        }
        s => json!({"error": {"code": s, "message": "Internal Server Error"}}),
    });
    wire.quota_status = 402;
    wire.quota_body = json!({"error": {"code": 402, "message": "Insufficient credits. Add more using https://openrouter.ai/credits"}});
    wire.stream_error_first = "data: {\"id\":\"cmpl-abc123\",\"object\":\"chat.completion.chunk\",\"created\":1234567890,\"model\":\"test-model\",\"provider\":\"openai\",\"error\":{\"code\":\"server_error\",\"message\":\"Provider disconnected unexpectedly\"},\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}]}\n\n".into();
    wire.stream_error_kind = ErrorKind::ProviderUnavailable;
    let suite = Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(client(base)) }),
        embed: Some(Arc::new(|base: &str| -> SharedEmbedding {
            Arc::new(client(base))
        })),
        parser: Some(Arc::new(|bytes| {
            chat_chunks(Arc::new(llm_router_openrouter::dialect()), bytes)
        })),
        wire,
    };
    suite.run_all().await;
}
