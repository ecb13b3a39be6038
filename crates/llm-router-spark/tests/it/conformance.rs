//! The shared provider suite with Spark's HTTP wire facts: `/v1` paths, bearer APIPassword,
//! `max_tokens`, no `stream_options`, no vision and no embeddings.

use std::sync::Arc;

use llm_router_core::{ChatProvider, ErrorKind, SharedChat};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::conformance::{Conformance, WireScript, requests};

use crate::{PASSWORD, http_client};

#[tokio::test]
async fn spark_http_passes_the_conformance_suite() {
    let auth = format!("Bearer {PASSWORD}");
    let mut wire = WireScript::openai_dialect("/v1", ("authorization", &auth), "max_tokens");
    if let Some(o) = wire.basic_stream_body.as_object_mut() {
        o.remove("stream_options");
    }
    wire.embeddings = None;
    let suite = Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(http_client(base)) }),
        embed: None,
        parser: Some(Arc::new(|bytes| {
            chat_chunks(Arc::new(llm_router_spark::http::dialect()), bytes)
        })),
        wire,
    };
    suite.chat_basic().await;
    suite.stream_basic().await;
    suite.stream_split_everywhere().await;
    suite.tool_call().await;
    suite.errors().await;
    suite.stream_failures().await;
    // No vision and no embeddings: see `image_input_is_refused_before_sending`.
}

#[tokio::test]
async fn image_input_is_refused_before_sending() {
    let e = http_client("http://127.0.0.1:9")
        .chat(requests::with_image())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
}
