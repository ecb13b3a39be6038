//! The shared provider suite with Azure's wire facts: the deployment (= the suite's model) in
//! the path, the `api-key` header. The `api-version` query is checked in `requests.rs`
//! (wiremock's `path` matcher ignores the query).

use std::sync::Arc;

use llm_router_core::{SharedChat, SharedEmbedding};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::conformance::{Conformance, WireScript};

use crate::{KEY, client};

fn suite() -> Conformance {
    let mut wire = WireScript::openai_dialect("", ("api-key", KEY), "max_tokens");
    wire.chat_path = "/openai/deployments/test-model/chat/completions".into();
    wire.stream_path = wire.chat_path.clone();
    if let Some((p, _)) = wire.embeddings.as_mut() {
        *p = "/openai/deployments/test-embedding/embeddings".into();
    }
    Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(client(base)) }),
        embed: Some(Arc::new(|base: &str| -> SharedEmbedding {
            Arc::new(client(base))
        })),
        parser: Some(Arc::new(|bytes| {
            chat_chunks(Arc::new(llm_router_azure::dialect()), bytes)
        })),
        wire,
    }
}

#[tokio::test]
async fn azure_passes_the_conformance_suite() {
    suite().run_all().await;
}
