//! The shared provider suite with AI21's wire facts: `max_tokens`, no `stream_options` (usage
//! arrives on the last chunk), no vision, no embeddings.

use std::sync::Arc;

use llm_router_core::{ChatProvider, EmbeddingProvider, ErrorKind, SharedChat};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::conformance::{Conformance, WireScript, requests};

use crate::{KEY, client};

fn suite() -> Conformance {
    let auth = format!("Bearer {KEY}");
    let mut wire = WireScript::openai_dialect("", ("authorization", &auth), "max_tokens");
    if let Some(o) = wire.basic_stream_body.as_object_mut() {
        o.remove("stream_options");
    }
    wire.embeddings = None;
    Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(client(base)) }),
        embed: None,
        parser: Some(Arc::new(|bytes| {
            chat_chunks(Arc::new(llm_router_ai21::dialect()), bytes)
        })),
        wire,
    }
}

#[tokio::test]
async fn ai21_passes_the_conformance_suite() {
    let s = suite();
    s.chat_basic().await;
    s.stream_basic().await;
    s.stream_split_everywhere().await;
    s.tool_call().await;
    s.errors().await;
    s.stream_failures().await;
    // Vision and embeddings are not offered: see the test below.
}

#[tokio::test]
async fn image_input_and_embeddings_are_refused_before_sending() {
    // Port 9: nothing listens, so a request that were sent would fail with Connection.
    let c = client("http://127.0.0.1:9");
    let e = c.chat(requests::with_image()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert_eq!(e.provider(), Some("ai21"));
    let e = c.embed(requests::embeddings()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
}
