//! Embeddings: floats, and base64 of little-endian f32 (the OpenAI SDKs' default).

use std::sync::Arc;

use base64::Engine as _;
use llm_router::gateway::Gateway;
use llm_router::mock::MockProvider;
use llm_router::{EmbeddingProvider, EmbeddingRequest};
use serde_json::json;

use crate::gateway::support::{Server, json, post};

fn decode(b64: &str) -> Vec<f32> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[tokio::test]
async fn float_and_base64_carry_the_same_vectors() {
    let mock = MockProvider::new();
    let server = Server::start(
        Gateway::builder()
            .embedding_model("embed", Arc::new(mock.clone()))
            .build(),
    )
    .await;
    let expected = mock
        .embed(EmbeddingRequest::new("embed", vec!["alpha", "beta"]))
        .await
        .unwrap();
    let expected: Vec<Vec<f32>> = expected
        .data
        .iter()
        .map(|d| d.embedding.to_floats().unwrap())
        .collect();

    let floats = json(
        post(
            &server,
            "/v1/embeddings",
            &json!({"model": "embed", "input": ["alpha", "beta"]}),
        )
        .await,
    )
    .await;
    assert_eq!(floats["object"], "list");
    assert_eq!(floats["model"], "embed");
    assert_eq!(floats["data"][1]["index"], 1);
    assert!(floats["usage"]["prompt_tokens"].as_u64().unwrap() > 0);
    let got: Vec<Vec<f32>> = floats["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            d["embedding"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap() as f32)
                .collect()
        })
        .collect();
    assert_eq!(got, expected);

    let b64 = json(
        post(
            &server,
            "/v1/embeddings",
            &json!({"model": "embed", "input": ["alpha", "beta"], "encoding_format": "base64"}),
        )
        .await,
    )
    .await;
    for (i, d) in b64["data"].as_array().unwrap().iter().enumerate() {
        assert_eq!(decode(d["embedding"].as_str().unwrap()), expected[i]);
    }
}

/// A provider that always answers in floats (as some do, whatever was asked).
struct FloatsOnly(MockProvider);

#[llm_router::async_trait]
impl EmbeddingProvider for FloatsOnly {
    fn name(&self) -> &str {
        "floats-only"
    }
    async fn embed(
        &self,
        mut req: EmbeddingRequest,
    ) -> Result<llm_router::EmbeddingResponse, llm_router::Error> {
        req.encoding_format = None;
        self.0.embed(req).await
    }
}

#[tokio::test]
async fn base64_is_encoded_by_the_gateway_when_the_provider_sends_floats() {
    let mock = MockProvider::new();
    let gateway = Gateway::builder()
        .embedding_model("embed", Arc::new(FloatsOnly(mock.clone())))
        .build();
    let server = Server::start(gateway).await;
    let expected = mock
        .embed(EmbeddingRequest::new("embed", "alpha"))
        .await
        .unwrap()
        .data[0]
        .embedding
        .to_floats()
        .unwrap();
    let body = json(
        post(
            &server,
            "/v1/embeddings",
            &json!({"model": "embed", "input": "alpha", "encoding_format": "base64"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        decode(body["data"][0]["embedding"].as_str().unwrap()),
        expected
    );
}

#[tokio::test]
async fn embedding_errors() {
    let server = Server::start(
        Gateway::builder()
            .embedding_model("embed", Arc::new(MockProvider::new()))
            .build(),
    )
    .await;
    let resp = post(
        &server,
        "/v1/embeddings",
        &json!({"model": "other", "input": "x"}),
    )
    .await;
    assert_eq!(resp.status(), 404);
    let resp = post(&server, "/v1/embeddings", &json!({"model": "embed"})).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(json(resp).await["error"]["param"], "input");
    let resp = post(
        &server,
        "/v1/embeddings",
        &json!({"model": "embed", "input": [true]}),
    )
    .await;
    assert_eq!(resp.status(), 400);
    // The mock refuses an empty input with a 400 of its own: passed on as a 400.
    let resp = post(
        &server,
        "/v1/embeddings",
        &json!({"model": "embed", "input": []}),
    )
    .await;
    assert_eq!(resp.status(), 400);
}
