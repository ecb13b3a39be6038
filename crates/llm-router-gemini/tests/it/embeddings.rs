//! Embeddings: `embedContent` for one text, `batchEmbedContents` for several; task types,
//! dimensions, base64; bodies validated against the vendored schemas.

use llm_router_core::{
    EmbeddingInput, EmbeddingProvider, EmbeddingRequest, EncodingFormat, ErrorKind, InputType,
};
use llm_router_testkit::wire::{only_request_json, received};
use serde_json::json;
use wiremock::MockServer;

use crate::spec::assert_valid;
use crate::{answer, client, expect_post, fixtures, ok};

#[tokio::test]
async fn one_text_uses_embed_content_with_task_type_and_dimensions() {
    let mut req = EmbeddingRequest::new(
        "models/gemini-embedding-001",
        "What is the meaning of life?",
    );
    req.input_type = Some(InputType::Query);
    req.dimensions = Some(3);
    let expected = json!({"content": {"parts": [{"text": "What is the meaning of life?"}]}, "taskType": "RETRIEVAL_QUERY", "outputDimensionality": 3});
    assert_valid("EmbedContentRequest", &expected);
    let s = expect_post(
        "/v1beta/models/gemini-embedding-001:embedContent",
        &expected,
        ok(&fixtures().json("embed_single.json")),
    )
    .await;
    let r = client(&s.uri()).embed(req).await.unwrap();
    assert_eq!(r.model, "gemini-embedding-001");
    assert_eq!(r.data.len(), 1);
    assert_eq!(
        r.data[0].embedding.to_floats().unwrap(),
        vec![0.013168523, -0.008711934, -0.046782676]
    );
    assert_valid("EmbedContentRequest", &only_request_json(&s).await);
}

#[tokio::test]
async fn several_texts_use_batch_embed_contents_and_base64_is_honoured() {
    let mut req = EmbeddingRequest::new("gemini-embedding-001", vec!["a", "b"]);
    req.input_type = Some(InputType::Document);
    req.encoding_format = Some(EncodingFormat::Base64);
    req.extra.insert("title".into(), json!("Notes"));
    let one = |t: &str| json!({"model": "models/gemini-embedding-001", "content": {"parts": [{"text": t}]}, "taskType": "RETRIEVAL_DOCUMENT", "title": "Notes"});
    let expected = json!({"requests": [one("a"), one("b")]});
    assert_valid("BatchEmbedContentsRequest", &expected);
    let s = expect_post(
        "/v1beta/models/gemini-embedding-001:batchEmbedContents",
        &expected,
        ok(&fixtures().json("embed_batch.json")),
    )
    .await;
    let r = client(&s.uri()).embed(req).await.unwrap();
    assert!(matches!(
        r.data[0].embedding,
        llm_router_core::Embedding::Base64(_)
    ));
    assert_eq!(
        r.data[0].embedding.to_floats().unwrap(),
        vec![0.5, -1.25, 3.0]
    );
    assert_eq!(r.data[1].index, 1);
    assert_eq!(
        r.data[1].embedding.to_floats().unwrap(),
        vec![1.0, 0.0, -0.5]
    );
}

#[tokio::test]
async fn input_types_and_explicit_task_types() {
    let cases = [
        (
            Some(InputType::Classification),
            None,
            Some("CLASSIFICATION"),
        ),
        (Some(InputType::Clustering), None, Some("CLUSTERING")),
        (
            Some(InputType::Query),
            Some("SEMANTIC_SIMILARITY"),
            Some("SEMANTIC_SIMILARITY"),
        ),
        (None, None, None),
    ];
    for (input_type, explicit, want) in cases {
        let mut req = EmbeddingRequest::new("gemini-embedding-001", "x");
        req.input_type = input_type;
        if let Some(t) = explicit {
            req.extra.insert("taskType".into(), json!(t));
        }
        let mut expected = json!({"content": {"parts": [{"text": "x"}]}});
        if let Some(t) = want {
            expected["taskType"] = json!(t);
        }
        let s = expect_post(
            "/v1beta/models/gemini-embedding-001:embedContent",
            &expected,
            ok(&fixtures().json("embed_single.json")),
        )
        .await;
        client(&s.uri()).embed(req).await.unwrap();
    }
}

#[tokio::test]
async fn token_input_and_count_mismatch_are_errors() {
    let server = MockServer::start().await;
    let req = EmbeddingRequest::new("gemini-embedding-001", EmbeddingInput::Tokens(vec![1, 2]));
    let e = client(&server.uri()).embed(req).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(received(&server).await.is_empty());

    let s = answer(
        "/v1beta/models/gemini-embedding-001:batchEmbedContents",
        ok(&json!({"embeddings": [{"values": [1.0]}]})),
    )
    .await;
    let req = EmbeddingRequest::new("gemini-embedding-001", vec!["a", "b"]);
    let e = client(&s.uri()).embed(req).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
}
