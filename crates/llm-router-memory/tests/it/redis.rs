//! The Redis store against the server at `REDIS_URL`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use llm_router_core::Message;
use llm_router_memory::{Conversation, ConversationStore, RedisStore};

fn redis_url() -> String {
    match std::env::var("REDIS_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var_os("CI").is_some() => {
            panic!("REDIS_URL is not set: CI must start Redis and export REDIS_URL (see .ci/run)")
        }
        _ => "redis://127.0.0.1:6379".to_owned(),
    }
}

fn unique_prefix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("llm-router-memory-test:{}:{nanos}:", std::process::id())
}

#[tokio::test]
async fn redis_store_suite() {
    let store = RedisStore::builder(redis_url())
        .prefix(unique_prefix())
        .build()
        .unwrap();
    crate::store::store_suite(&store, "").await;
}

#[tokio::test]
async fn redis_store_ttl_expires_conversations() {
    let store = RedisStore::builder(redis_url())
        .prefix(unique_prefix())
        .ttl(Duration::from_millis(200))
        .build()
        .unwrap();
    let mut conv = Conversation::new();
    conv.push(Message::user("short-lived"));
    store.save("c", &conv).await.unwrap();
    assert!(store.load("c").await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(store.load("c").await.unwrap().is_none());
}

#[tokio::test]
async fn shared_by_two_replicas() {
    let prefix = unique_prefix();
    let a = RedisStore::builder(redis_url())
        .prefix(&prefix)
        .build()
        .unwrap();
    let b = RedisStore::builder(redis_url())
        .prefix(&prefix)
        .build()
        .unwrap();
    let mut conv = Conversation::with_system("sys");
    conv.push(Message::user("from replica a"));
    a.save("s", &conv).await.unwrap();
    assert_eq!(b.load("s").await.unwrap(), Some(conv));
    b.delete("s").await.unwrap();
    assert!(a.load("s").await.unwrap().is_none());
}

#[test]
fn building_outside_a_runtime_is_a_config_error() {
    let err = RedisStore::builder(redis_url()).build().unwrap_err();
    assert_eq!(err.kind(), llm_router_core::ErrorKind::Config);
}
