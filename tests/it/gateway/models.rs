//! `/v1/models`: the list and one model, filtered by the caller's key.

use std::sync::Arc;

use llm_router::gateway::{CallerKey, Gateway};
use llm_router::mock::MockProvider;

use crate::gateway::support::{Server, client, json};

fn gateway(keys: bool) -> Gateway {
    let mock = Arc::new(MockProvider::new());
    let mut b = Gateway::builder()
        .chat_model("gpt-fast", mock.clone())
        .chat_model("openai/gpt-4o", mock.clone())
        .embedding_model("embed", mock.clone())
        .embedding_model("gpt-fast", mock.clone()) // same name, two kinds: listed once
        .image_model("draw", mock)
        .owned_by("openai/gpt-4o", "openai");
    if keys {
        b = b
            .caller_key(CallerKey::from_secret("all", "sk-all"))
            .caller_key(CallerKey::from_secret("some", "sk-some").allow_models(["embed", "draw"]));
    }
    b.build()
}

#[tokio::test]
async fn lists_every_model_once_in_openai_shape() {
    let server = Server::start(gateway(false)).await;
    let body = json(client().get(server.url("/v1/models")).send().await.unwrap()).await;
    assert_eq!(body["object"], "list");
    let ids: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["gpt-fast", "openai/gpt-4o", "embed", "draw"]);
    let m = &body["data"][1];
    assert_eq!(m["object"], "model");
    assert_eq!(m["owned_by"], "openai");
    assert!(m["created"].as_u64().unwrap() > 0);
    assert_eq!(body["data"][0]["owned_by"], "llm-router");

    // One model, ids with a slash included.
    let resp = client()
        .get(server.url("/v1/models/openai/gpt-4o"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(json(resp).await["id"], "openai/gpt-4o");
    let resp = client()
        .get(server.url("/v1/models/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(json(resp).await["error"]["code"], "model_not_found");
}

#[tokio::test]
async fn a_key_sees_only_its_models() {
    let server = Server::start(gateway(true)).await;
    let list = |key: &'static str| {
        let url = server.url("/v1/models");
        async move {
            let body = json(client().get(url).bearer_auth(key).send().await.unwrap()).await;
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list("sk-all").await.len(), 4);
    assert_eq!(list("sk-some").await, ["embed", "draw"]);
    let resp = client()
        .get(server.url("/v1/models/gpt-fast"))
        .bearer_auth("sk-some")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let resp = client().get(server.url("/v1/models")).send().await.unwrap();
    assert_eq!(resp.status(), 401);
}
