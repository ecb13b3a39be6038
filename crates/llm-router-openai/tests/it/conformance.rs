use std::sync::Arc;

use llm_router_core::{SharedChat, SharedEmbedding};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::conformance::{Conformance, WireScript};

use crate::{KEY, client};

#[tokio::test]
async fn openai_passes_the_conformance_suite() {
    let auth = format!("Bearer {KEY}");
    let suite = Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(client(base)) }),
        embed: Some(Arc::new(|base: &str| -> SharedEmbedding {
            Arc::new(client(base))
        })),
        parser: Some(Arc::new(|bytes| {
            chat_chunks(Arc::new(llm_router_openai::dialect()), bytes)
        })),
        wire: WireScript::openai_dialect("/v1", ("authorization", &auth), "max_completion_tokens"),
    };
    suite.run_all().await;
}
