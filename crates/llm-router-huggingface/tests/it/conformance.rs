//! The shared provider suite: the router is OpenAI's dialect at `/v1`; embeddings come from
//! the feature-extraction pipeline.

use std::sync::Arc;

use llm_router_core::{SharedChat, SharedEmbedding};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::conformance::{Conformance, WireScript};

use crate::{KEY, client, fixtures};

fn suite() -> Conformance {
    let auth = format!("Bearer {KEY}");
    let mut wire = WireScript::openai_dialect("/v1", ("authorization", &auth), "max_tokens");
    wire.embeddings = Some((
        "/hf-inference/models/test-embedding/pipeline/feature-extraction".into(),
        fixtures().json("feature_extraction.json"),
    ));
    Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(client(base)) }),
        embed: Some(Arc::new(|base: &str| -> SharedEmbedding {
            Arc::new(client(base))
        })),
        parser: Some(Arc::new(|bytes| {
            chat_chunks(Arc::new(llm_router_huggingface::dialect()), bytes)
        })),
        wire,
    }
}

#[tokio::test]
async fn huggingface_passes_the_conformance_suite() {
    suite().run_all().await;
}
