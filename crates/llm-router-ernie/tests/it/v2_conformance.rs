//! The shared provider suite with Qianfan v2's wire facts: `/v2` paths, bearer key,
//! `max_completion_tokens`.

use std::sync::Arc;

use llm_router_core::{SharedChat, SharedEmbedding};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::conformance::{Conformance, WireScript};

use crate::V2_KEY;

pub(crate) fn client(base: &str) -> llm_router_ernie::v2::Client {
    llm_router_ernie::v2::builder()
        .api_key(V2_KEY)
        .base_url(format!("{base}/v2"))
        .build()
        .unwrap()
}

#[tokio::test]
async fn v2_passes_the_conformance_suite() {
    let auth = format!("Bearer {V2_KEY}");
    let wire = WireScript::openai_dialect("/v2", ("authorization", &auth), "max_completion_tokens");
    let suite = Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(client(base)) }),
        embed: Some(Arc::new(|base: &str| -> SharedEmbedding {
            Arc::new(client(base))
        })),
        parser: Some(Arc::new(|bytes| {
            chat_chunks(Arc::new(llm_router_ernie::v2::dialect()), bytes)
        })),
        wire,
    };
    suite.run_all().await;
}
