//! The cases every backend must pass, written once over `Arc<dyn CacheStore>`.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use llm_router_cache::{CacheControl, CacheLayer, CacheNamespace, CacheStore};
use llm_router_core::{
    EmbeddingProvider, EmbeddingRequest, ErrorKind, FinishReason, Layer, Role, SharedEmbedding,
};
use llm_router_mock::{MockFailure, MockProvider};

use crate::common::*;

/// Same request twice: one provider call, the same response; another request: a miss.
pub(crate) async fn hit_and_miss(store: Arc<dyn CacheStore>, ns: &str) {
    let s = setup(store, ns);
    let first = s.chat.chat(ask("hello")).await.unwrap();
    let second = s.chat.chat(ask("hello")).await.unwrap();
    assert_eq!(first.text(), "Hello there, friend!");
    assert_eq!(second, first, "a hit returns the stored response unchanged");
    assert_eq!(s.mock.call_count(), 1);
    let other = s.chat.chat(ask("something else")).await.unwrap();
    assert_ne!(other.text(), first.text());
    assert_eq!(s.mock.call_count(), 2);
    let st = s.cache.stats();
    assert_eq!(
        (st.hits, st.misses, st.stores, st.errors, st.skips),
        (1, 2, 2, 0, 0)
    );
}

/// The layer TTL and a per-request TTL: after the short one passes, that entry is a miss and
/// the long one still a hit.
pub(crate) async fn ttl_expiry(store: Arc<dyn CacheStore>, ns: &str) {
    let s = setup_with(
        CacheLayer::with_shared_store(store)
            .namespace(ns)
            .ttl(Duration::from_secs(1)),
    );
    s.chat.chat(ask("hello short")).await.unwrap();
    let mut long = ask("hello long");
    long.extensions
        .insert(CacheControl::new().with_ttl(Duration::from_secs(120)));
    s.chat.chat(long.clone()).await.unwrap();
    assert_eq!(s.cache.stats().stores, 2);
    sleep(1_600).await;
    s.chat.chat(ask("hello short")).await.unwrap();
    assert_eq!(s.mock.call_count(), 3, "the 1 s entry expired");
    s.chat.chat(long).await.unwrap();
    assert_eq!(s.mock.call_count(), 3, "the 120 s entry is still there");
}

/// Two namespaces over one store never see each other's entries; clearing one leaves the
/// other.
pub(crate) async fn namespace_isolation(store: Arc<dyn CacheStore>, ns: &str) {
    let a = format!("{ns}-a");
    let b = format!("{ns}-b");
    let s = setup(store, &a);
    let in_b = |mut req: llm_router_core::ChatRequest| {
        req.extensions.insert(CacheNamespace::new(b.clone()));
        req
    };
    s.chat.chat(ask("hello")).await.unwrap();
    s.chat.chat(in_b(ask("hello"))).await.unwrap();
    assert_eq!(s.mock.call_count(), 2, "namespace b does not see a's entry");
    s.chat.chat(ask("hello")).await.unwrap();
    s.chat.chat(in_b(ask("hello"))).await.unwrap();
    assert_eq!(s.mock.call_count(), 2, "each namespace hits its own entry");

    // A namespace that is a prefix of another is still its own.
    let prefix_ns = format!("{a}:x");
    let mut nested = ask("hello");
    nested
        .extensions
        .insert(CacheNamespace::new(prefix_ns.clone()));
    s.chat.chat(nested.clone()).await.unwrap();
    assert_eq!(s.mock.call_count(), 3);

    s.cache.clear_namespace(&a).await.unwrap();
    s.chat.chat(ask("hello")).await.unwrap();
    assert_eq!(s.mock.call_count(), 4, "a was cleared");
    s.chat.chat(in_b(ask("hello"))).await.unwrap();
    s.chat.chat(nested).await.unwrap();
    assert_eq!(s.mock.call_count(), 4, "b and `a:x` were not");
}

/// A miss streams through as it arrives and is stored only at the end; a hit replays the
/// same chunk shape with usage, for streams and plain calls alike.
pub(crate) async fn stream_tee_and_replay(store: Arc<dyn CacheStore>, ns: &str) {
    let s = setup(store.clone(), ns);
    let req = ask_stream("tell me a story");
    let key = s.cache.chat_key(&req).unwrap();

    let mut stream = s.chat.chat_stream(req.clone()).await.unwrap();
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.choices[0].delta.role, Some(Role::Assistant));
    assert!(
        store.get(&key).await.unwrap().is_none(),
        "nothing is stored before the stream finishes"
    );
    let mut chunks = vec![first];
    while let Some(item) = stream.next().await {
        chunks.push(item.unwrap());
    }
    // The mock's own shape went through untouched: one chunk per word, finish, usage.
    assert_eq!(chunks.len(), 6 + 2);
    assert!(
        store.get(&key).await.unwrap().is_some(),
        "stored at the end"
    );
    let original = accumulate(&chunks);
    assert_eq!(original.text(), "Once upon a time, the end.");

    let replayed: Vec<_> = drain(&s.chat, req.clone())
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(s.mock.call_count(), 1, "the replay is a hit");
    assert_eq!(replayed[0].choices[0].delta.role, Some(Role::Assistant));
    assert_eq!(replayed[1].text(), Some("Once upon a time, the end."));
    let finish = &replayed[replayed.len() - 2];
    assert_eq!(finish.finish_reason(), Some(&FinishReason::Stop));
    let usage = replayed.last().unwrap();
    assert!(usage.choices.is_empty());
    assert_eq!(usage.usage, original.usage);
    assert!(usage.usage.is_some());
    assert_eq!(accumulate(&replayed), original);

    // A plain call of the same request is served from the streamed entry.
    let mut plain = req;
    plain.stream = None;
    plain.stream_options = None;
    assert_eq!(s.chat.chat(plain).await.unwrap(), original);
    assert_eq!(s.mock.call_count(), 1);
}

/// A stream cut mid-way reaches the caller with its error and is not stored; nor is one the
/// caller drops; the next clean one is.
pub(crate) async fn failed_stream_not_stored(store: Arc<dyn CacheStore>, ns: &str) {
    let s = setup(store.clone(), ns);
    let req = ask_stream("tell me a story");
    let key = s.cache.chat_key(&req).unwrap();
    let mock = s.mock.clone().fail_next(MockFailure::CutStreamAfter(2));
    let items = drain(&s.chat, req.clone()).await;
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[1].is_ok());
    assert_eq!(
        items[2].as_ref().unwrap_err().kind(),
        ErrorKind::StreamInterrupted
    );
    assert!(store.get(&key).await.unwrap().is_none());

    // Dropped after the first chunk.
    let mut stream = s.chat.chat_stream(req.clone()).await.unwrap();
    stream.next().await.unwrap().unwrap();
    drop(stream);
    assert!(store.get(&key).await.unwrap().is_none());
    assert_eq!(s.cache.stats().stores, 0);

    // A clean one is stored, and then hit.
    drain(&s.chat, req.clone()).await;
    drain(&s.chat, req).await;
    assert_eq!(mock.call_count(), 3);
    assert_eq!(s.cache.stats().stores, 1);
}

/// `invalidate` removes one request's entry.
pub(crate) async fn invalidation(store: Arc<dyn CacheStore>, ns: &str) {
    let s = setup(store, ns);
    s.chat.chat(ask("hello")).await.unwrap();
    s.chat.chat(ask("story")).await.unwrap();
    s.cache.invalidate(&ask("hello")).await.unwrap();
    s.chat.chat(ask("hello")).await.unwrap();
    s.chat.chat(ask("story")).await.unwrap();
    assert_eq!(
        s.mock.call_count(),
        3,
        "only the invalidated one was asked again"
    );
}

/// Embeddings: hit, miss on another parameter, invalidation.
pub(crate) async fn embeddings(store: Arc<dyn CacheStore>, ns: &str) {
    let mock = MockProvider::new();
    let cache = CacheLayer::with_shared_store(store).namespace(ns);
    let embed: SharedEmbedding = cache.layer(Arc::new(mock.clone()) as SharedEmbedding);
    let req = EmbeddingRequest::new("embed-model", vec!["a", "b"]);
    let first = embed.embed(req.clone()).await.unwrap();
    assert_eq!(embed.embed(req.clone()).await.unwrap(), first);
    assert_eq!(mock.call_count(), 1);
    let mut wide = req.clone();
    wide.dimensions = Some(16);
    assert_eq!(
        embed.embed(wide).await.unwrap().data[0]
            .embedding
            .to_floats()
            .unwrap()
            .len(),
        16
    );
    assert_eq!(mock.call_count(), 2);
    cache.invalidate_embedding(&req).await.unwrap();
    embed.embed(req).await.unwrap();
    assert_eq!(mock.call_count(), 3);
}

/// One `#[tokio::test]` per case for a backend; `$store` is an async expression giving the
/// store.
#[macro_export]
macro_rules! backend_suite {
    ($store:expr) => {
        #[tokio::test]
        async fn hit_and_miss() {
            let ns = $crate::common::unique_ns("hit");
            $crate::suite::hit_and_miss($store, &ns).await;
        }
        #[tokio::test]
        async fn ttl_expiry() {
            let ns = $crate::common::unique_ns("ttl");
            $crate::suite::ttl_expiry($store, &ns).await;
        }
        #[tokio::test]
        async fn namespace_isolation() {
            let ns = $crate::common::unique_ns("ns");
            $crate::suite::namespace_isolation($store, &ns).await;
        }
        #[tokio::test]
        async fn stream_tee_and_replay() {
            let ns = $crate::common::unique_ns("tee");
            $crate::suite::stream_tee_and_replay($store, &ns).await;
        }
        #[tokio::test]
        async fn failed_stream_not_stored() {
            let ns = $crate::common::unique_ns("cut");
            $crate::suite::failed_stream_not_stored($store, &ns).await;
        }
        #[tokio::test]
        async fn invalidation() {
            let ns = $crate::common::unique_ns("inv");
            $crate::suite::invalidation($store, &ns).await;
        }
        #[tokio::test]
        async fn embeddings() {
            let ns = $crate::common::unique_ns("emb");
            $crate::suite::embeddings($store, &ns).await;
        }
    };
}
