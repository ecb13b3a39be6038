//! Embeddings through the `hf-inference` feature-extraction pipeline.

use llm_router_core::{EmbeddingProvider, EmbeddingRequest, EncodingFormat, ErrorKind};
use llm_router_testkit::wire::{json_response, only_request_json};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{KEY, client, fixtures};

const PATH: &str =
    "/hf-inference/models/intfloat/multilingual-e5-large/pipeline/feature-extraction";

async fn serve(resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("content-type", "application/json"))
        .respond_with(resp)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn texts_become_inputs_and_vectors_come_back_in_order() {
    let server = serve(json_response(
        200,
        &fixtures().json("feature_extraction.json"),
    ))
    .await;
    let mut req = EmbeddingRequest::new(
        "intfloat/multilingual-e5-large",
        vec!["Today is a sunny day.", "I will get some ice cream."],
    );
    req.extra.insert("normalize".into(), json!(true));
    req.extra.insert("truncate".into(), json!(true));
    let resp = client(&server.uri()).embed(req).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"inputs": ["Today is a sunny day.", "I will get some ice cream."],
               "normalize": true, "truncate": true})
    );
    assert_eq!(resp.data.len(), 2);
    assert_eq!(resp.data[1].index, 1);
    assert_eq!(
        resp.data[1].embedding.to_floats().unwrap(),
        vec![0.0321f32, 0.0654, -0.0987]
    );
}

#[tokio::test]
async fn a_single_text_is_sent_as_a_one_element_list() {
    let server = serve(json_response(200, &json!([[0.5, 0.25]]))).await;
    let resp = client(&server.uri())
        .embed(EmbeddingRequest::new(
            "intfloat/multilingual-e5-large",
            "hello",
        ))
        .await
        .unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"inputs": ["hello"]})
    );
    assert_eq!(resp.data[0].embedding.to_floats().unwrap(), vec![0.5, 0.25]);
}

#[tokio::test]
async fn token_level_output_is_refused_clearly() {
    let server = serve(json_response(
        200,
        &fixtures().json("feature_extraction_tokens.json"),
    ))
    .await;
    let e = client(&server.uri())
        .embed(EmbeddingRequest::new(
            "intfloat/multilingual-e5-large",
            vec!["a b", "c"],
        ))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(e.message().contains("token-level"), "{e}");
}

#[tokio::test]
async fn dimensions_and_base64_are_refused_before_sending() {
    let c = client("http://127.0.0.1:9");
    let mut req = EmbeddingRequest::new("BAAI/bge-m3", "x");
    req.dimensions = Some(256);
    assert_eq!(
        c.embed(req).await.unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    let mut req = EmbeddingRequest::new("BAAI/bge-m3", "x");
    req.encoding_format = Some(EncodingFormat::Base64);
    assert_eq!(
        c.embed(req).await.unwrap_err().kind(),
        ErrorKind::Unsupported
    );
}
