//! Options on the wire and on the vectors, against the mock provider: dimensions (native and
//! local), normalisation, base64, the input-type hint.

use std::sync::Arc;

use llm_router_core::{EncodingFormat, ErrorKind, InputType};
use llm_router_embeddings::{Embedder, l2_norm, normalize};
use llm_router_mock::MockProvider;

use crate::support::Fake;

fn embedder(mock: &MockProvider, model: &str) -> Embedder {
    Embedder::new(Arc::new(mock.clone()), model)
}

#[tokio::test]
async fn native_dimensions_are_sent() {
    let mock = MockProvider::new();
    let v = embedder(&mock, "m")
        .dimensions(16)
        .native_dimensions(true)
        .embed_one("hello")
        .await
        .unwrap();
    assert_eq!(v.len(), 16);
    assert_eq!(mock.embedding_requests()[0].dimensions, Some(16));
}

#[tokio::test]
async fn local_dimensions_truncate_and_renormalise() {
    let mock = MockProvider::new(); // 8 dimensions unless asked
    let full = embedder(&mock, "m").embed_one("hello").await.unwrap();
    assert_eq!(full.len(), 8);

    let short = embedder(&mock, "m")
        .dimensions(3)
        .native_dimensions(false)
        .embed_one("hello")
        .await
        .unwrap();
    assert_eq!(mock.embedding_requests()[1].dimensions, None, "not sent");
    let mut expected = full[..3].to_vec();
    normalize(&mut expected);
    assert_eq!(short.len(), 3);
    for (a, b) in short.iter().zip(&expected) {
        assert!((a - b).abs() < 1e-6, "{short:?} vs {expected:?}");
    }
    assert!((l2_norm(&short) - 1.0).abs() < 1e-6);
    // Explicitly: each component is the original divided by the norm of the kept prefix.
    let prefix_norm = full[..3].iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((short[0] - full[0] / prefix_norm).abs() < 1e-6);
}

#[tokio::test]
async fn native_dimensions_ignored_by_the_provider_are_applied_locally() {
    // The fake always answers `[number, length]`, whatever `dimensions` says.
    let fake = Arc::new(Fake::new());
    let v = Embedder::new(fake.clone(), "m")
        .dimensions(1)
        .native_dimensions(true)
        .embed_one("-3")
        .await
        .unwrap();
    assert_eq!(fake.requests()[0].dimensions, Some(1), "sent");
    assert_eq!(v, [-1.0], "then truncated and re-normalised");
}

#[tokio::test]
async fn fewer_dimensions_than_asked_is_an_error() {
    let mock = MockProvider::new();
    let err = embedder(&mock, "m")
        .dimensions(16)
        .native_dimensions(false)
        .embed_one("hello")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.message().contains("8-dimensional"), "{err}");
    assert_eq!(err.provider(), Some("mock"));
}

#[tokio::test]
async fn native_dimensions_default_follows_the_model_table() {
    let mock = MockProvider::new();
    assert!(embedder(&mock, "text-embedding-3-small").uses_native_dimensions());
    assert!(!embedder(&mock, "some-local-model").uses_native_dimensions());
    embedder(&mock, "text-embedding-3-small")
        .dimensions(8)
        .embed_one("a")
        .await
        .unwrap();
    embedder(&mock, "some-local-model")
        .dimensions(8)
        .embed_one("a")
        .await
        .unwrap();
    let sent: Vec<Option<u32>> = mock
        .embedding_requests()
        .iter()
        .map(|r| r.dimensions)
        .collect();
    assert_eq!(sent, [Some(8), None]);
}

#[tokio::test]
async fn base64_responses_are_decoded() {
    let mock = MockProvider::new();
    let texts = ["a", "b", "c"];
    let floats = embedder(&mock, "m").embed(texts).await.unwrap();
    let b64 = embedder(&mock, "m")
        .encoding_format(EncodingFormat::Base64)
        .embed(texts)
        .await
        .unwrap();
    assert_eq!(floats.vectors, b64.vectors);
    assert_eq!(
        mock.embedding_requests()[1].encoding_format,
        Some(EncodingFormat::Base64)
    );
}

#[tokio::test]
async fn input_type_and_user_travel_on_the_request() {
    let mock = MockProvider::new();
    let e = embedder(&mock, "m")
        .input_type(InputType::Clustering)
        .user("u-1");
    e.embed(["a"]).await.unwrap();
    e.embed_query("q").await.unwrap();
    e.embed_documents(["d1", "d2"]).await.unwrap();
    let types: Vec<Option<InputType>> = mock
        .embedding_requests()
        .iter()
        .map(|r| r.input_type.clone())
        .collect();
    assert_eq!(
        types,
        [
            Some(InputType::Clustering),
            Some(InputType::Query),
            Some(InputType::Document)
        ]
    );
    assert!(
        mock.embedding_requests()
            .iter()
            .all(|r| r.user.as_deref() == Some("u-1"))
    );
}

#[tokio::test]
async fn identical_texts_get_identical_vectors_in_any_batch() {
    let mock = MockProvider::new();
    let out = embedder(&mock, "m")
        .limits(llm_router_embeddings::BatchLimits::new(2, None))
        .embed(["x", "y", "z", "x"])
        .await
        .unwrap();
    assert_eq!(out.requests, 2);
    assert_eq!(out.vectors[0], out.vectors[3]);
    assert_ne!(out.vectors[0], out.vectors[1]);
}
