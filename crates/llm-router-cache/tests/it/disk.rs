//! The disk store (cacache): the shared suite plus eviction, restart, corruption and torn
//! index lines.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use llm_router_cache::{CacheKey, CacheLayer, CacheStore, DiskStore};

use crate::common::*;

/// A fresh directory under cargo's scratch space for integration tests.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("llm-router-cache")
        .join(unique_ns(name));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

async fn fresh(max_bytes: u64) -> DiskStore {
    DiskStore::open(scratch("disk"), max_bytes).await.unwrap()
}

crate::backend_suite!(Arc::new(fresh(64 * 1024 * 1024).await));

fn key(n: u8) -> CacheKey {
    CacheKey::new("evict", [n; 32])
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn content_files(store: &DiskStore) -> Vec<PathBuf> {
    files(&store.dir().join("content-v2"))
}

#[tokio::test]
async fn least_recently_used_entry_is_evicted_at_the_byte_bound() {
    let store = fresh(3000).await;
    for n in 1..=3 {
        store
            .put(&key(n), Bytes::from(vec![n; 1000]), None)
            .await
            .unwrap();
    }
    assert_eq!((store.len(), store.bytes()), (3, 3000));
    assert!(store.get(&key(1)).await.unwrap().is_some());
    store
        .put(&key(4), Bytes::from(vec![4; 1000]), None)
        .await
        .unwrap();
    assert_eq!((store.len(), store.bytes()), (3, 3000));
    assert!(store.get(&key(2)).await.unwrap().is_none(), "2 was evicted");
    for n in [1, 3, 4] {
        assert_eq!(
            store.get(&key(n)).await.unwrap().unwrap(),
            Bytes::from(vec![n; 1000])
        );
    }
    assert_eq!(content_files(&store).len(), 3, "the evicted file is gone");
}

#[tokio::test]
async fn identical_values_share_a_file_and_survive_each_other() {
    let store = fresh(1 << 20).await;
    let value = Bytes::from_static(b"same bytes");
    store.put(&key(1), value.clone(), None).await.unwrap();
    store.put(&key(2), value.clone(), None).await.unwrap();
    assert_eq!(content_files(&store).len(), 1);
    store.remove(&key(1)).await.unwrap();
    assert_eq!(store.get(&key(2)).await.unwrap(), Some(value));
    store.remove(&key(2)).await.unwrap();
    assert!(content_files(&store).is_empty());
    // Key 2's index file went with the content; key 1's, removed while the content was
    // shared, holds a deletion line.
    let index_files = files(&store.dir().join("index-v5"));
    assert_eq!(index_files.len(), 1);
    // Removing a key that was never stored leaves no trace.
    store.remove(&key(9)).await.unwrap();
    assert_eq!(files(&store.dir().join("index-v5")), index_files);
    let reopened = DiskStore::open(store.dir(), 1 << 20).await.unwrap();
    assert!(reopened.is_empty());
}

#[tokio::test]
async fn entries_survive_a_restart_with_their_ttl() {
    let dir = scratch("restart");
    let store = DiskStore::open(&dir, 1 << 20).await.unwrap();
    let s = setup_with(CacheLayer::new(store.clone()).ttl(Duration::from_secs(60)));
    let first = s.chat.chat(ask("hello")).await.unwrap();
    let mut short = ask("story");
    short
        .extensions
        .insert(llm_router_cache::CacheControl::new().with_ttl(Duration::from_millis(300)));
    s.chat.chat(short).await.unwrap();
    assert_eq!(store.len(), 2);
    drop(s);
    drop(store);
    sleep(500).await;

    let store = DiskStore::open(&dir, 1 << 20).await.unwrap();
    assert_eq!(store.len(), 1, "the expired entry was dropped at open");
    let s = setup_with(CacheLayer::new(store.clone()));
    assert_eq!(s.chat.chat(ask("hello")).await.unwrap(), first);
    assert_eq!(s.mock.call_count(), 0, "served from the reopened store");
    assert_eq!(content_files(&store).len(), 1);
}

#[tokio::test]
async fn reopening_over_the_bound_evicts_the_oldest() {
    let dir = scratch("shrink");
    let store = DiskStore::open(&dir, 1 << 20).await.unwrap();
    for n in 1..=4 {
        store
            .put(&key(n), Bytes::from(vec![n; 1000]), None)
            .await
            .unwrap();
        // cacache stamps entries in milliseconds: keep the write order visible.
        sleep(3).await;
    }
    drop(store);
    let store = DiskStore::open(&dir, 2000).await.unwrap();
    assert_eq!(store.len(), 2);
    assert!(store.get(&key(1)).await.unwrap().is_none());
    assert!(store.get(&key(2)).await.unwrap().is_none());
    assert!(store.get(&key(4)).await.unwrap().is_some());
}

/// Damaged content on disk is never served: the read fails its integrity check, the entry is
/// removed, and the request goes to the provider.
#[tokio::test]
async fn a_corrupt_entry_is_a_miss_and_is_removed() {
    let store = fresh(1 << 20).await;
    let s = setup_with(CacheLayer::new(store.clone()));
    let fresh_answer = s.chat.chat(ask("hello")).await.unwrap();
    let files = content_files(&store);
    assert_eq!(files.len(), 1);
    let mut bytes = std::fs::read(&files[0]).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20; // one flipped bit, same length
    std::fs::write(&files[0], &bytes).unwrap();

    let key = s.cache.chat_key(&ask("hello")).unwrap();
    let err = store.get(&key).await.unwrap_err();
    assert!(err.to_string().contains("corrupt"), "{err}");
    assert_eq!(store.len(), 0, "removed");
    assert!(store.get(&key).await.unwrap().is_none());

    // Through the layer: damage the re-stored entry, then ask.
    s.chat.chat(ask("hello")).await.unwrap();
    assert_eq!(s.mock.call_count(), 2);
    let files = content_files(&store);
    std::fs::write(&files[0], b"garbage").unwrap();
    let answer = s.chat.chat(ask("hello")).await.unwrap();
    assert_eq!(answer.text(), fresh_answer.text());
    assert_eq!(s.mock.call_count(), 3, "the provider answered");
    assert_eq!(s.cache.stats().errors, 1);
    s.chat.chat(ask("hello")).await.unwrap();
    assert_eq!(s.mock.call_count(), 3, "and its answer was stored again");
}

/// What a crash mid-write leaves behind — a half-written temporary file, a torn index line —
/// is ignored: the last complete entry is served, and a key whose index line was torn is a
/// plain miss.
#[tokio::test]
async fn a_torn_write_is_never_served() {
    let dir = scratch("torn");
    let store = DiskStore::open(&dir, 1 << 20).await.unwrap();
    store
        .put(&key(1), Bytes::from_static(b"complete"), None)
        .await
        .unwrap();
    drop(store);
    // A crash while appending a newer index line for key 1, and one for key 2.
    let buckets = files(&dir.join("index-v5"));
    assert_eq!(buckets.len(), 1);
    let mut line = std::fs::read(&buckets[0]).unwrap();
    line.extend_from_slice(
        b"\n9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\t{\"key\":\"evict:",
    );
    std::fs::write(&buckets[0], line).unwrap();
    std::fs::create_dir_all(dir.join("tmp")).unwrap();
    std::fs::write(dir.join("tmp").join("half-written"), b"{\"v\":1,\"sto").unwrap();

    let store = DiskStore::open(&dir, 1 << 20).await.unwrap();
    assert_eq!(
        store.get(&key(1)).await.unwrap(),
        Some(Bytes::from_static(b"complete"))
    );
    assert!(store.get(&key(2)).await.unwrap().is_none());
    assert_eq!(store.len(), 1);
}
