use std::sync::Arc;

use llm_router_core::{SharedChat, SharedEmbedding};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::conformance::{Conformance, WireScript};
use llm_router_testkit::openai_spec::assert_valid;

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
    // The bodies the suite expects are valid OpenAI requests.
    assert_valid("CreateChatCompletionRequest", &suite.wire.basic_body);
    assert_valid("CreateChatCompletionRequest", &suite.wire.basic_stream_body);
    suite.run_all().await;
}
