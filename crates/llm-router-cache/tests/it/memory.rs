//! The in-memory store (moka).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use llm_router_cache::{CacheKey, CacheLayer, CacheStore, MemoryStore};

use crate::common::*;

crate::backend_suite!(Arc::new(MemoryStore::new(16 * 1024 * 1024)));

fn key(n: u8) -> CacheKey {
    CacheKey::new("evict", [n; 32])
}

/// 1,000-byte values; the store holds three (key, value and overhead counted).
#[tokio::test]
async fn least_recently_used_entry_is_evicted_at_the_byte_bound() {
    let per_entry = (key(0).as_str().len() + 1000 + 128) as u64;
    let store = MemoryStore::new(3 * per_entry);
    let value = Bytes::from(vec![b'x'; 1000]);
    for n in 1..=3 {
        store.put(&key(n), value.clone(), None).await.unwrap();
    }
    store.run_pending_tasks().await;
    assert_eq!(store.entry_count(), 3);
    // Use 1, so 2 is now the least recently used.
    assert!(store.get(&key(1)).await.unwrap().is_some());
    store.put(&key(4), value.clone(), None).await.unwrap();
    store.run_pending_tasks().await;
    assert!(store.weighted_size() <= 3 * per_entry);
    assert!(store.get(&key(2)).await.unwrap().is_none(), "2 was evicted");
    for n in [1, 3, 4] {
        assert!(store.get(&key(n)).await.unwrap().is_some(), "{n} kept");
    }
}

#[tokio::test]
async fn an_entry_larger_than_the_store_is_not_kept() {
    let store = MemoryStore::new(500);
    store
        .put(&key(1), Bytes::from(vec![0; 1000]), None)
        .await
        .unwrap();
    store.run_pending_tasks().await;
    assert!(store.get(&key(1)).await.unwrap().is_none());
}

/// Through the layer: a small store forgets the oldest answers, which are then asked again.
#[tokio::test]
async fn eviction_through_the_layer_sends_the_request_again() {
    let store = MemoryStore::new(4 * 1024);
    let s = setup_with(CacheLayer::new(store.clone()).ttl(Duration::from_secs(60)));
    for i in 0..20 {
        s.chat.chat(ask(&format!("question {i}"))).await.unwrap();
    }
    store.run_pending_tasks().await;
    assert!(store.weighted_size() <= 4 * 1024);
    assert!(store.entry_count() < 20);
    s.chat.chat(ask("question 19")).await.unwrap();
    assert_eq!(s.mock.call_count(), 20, "the newest answer is still cached");
    s.chat.chat(ask("question 0")).await.unwrap();
    assert_eq!(s.mock.call_count(), 21, "the oldest was evicted");
}
