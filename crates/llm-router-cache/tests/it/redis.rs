//! The Redis store: the shared suite against the server at `REDIS_URL`, eviction and failure
//! cases against private `redis-server` processes (the shared server is never stopped).

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use llm_router_cache::{CacheKey, CacheLayer, CacheStore, RedisStore};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::process::{Child, Command};

use crate::common::*;

/// The shared server: `REDIS_URL`, which CI must set.
fn redis_url() -> String {
    match std::env::var("REDIS_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var_os("CI").is_some() => {
            panic!("REDIS_URL is not set: CI must start Redis and export REDIS_URL (see .ci/run)")
        }
        _ => "redis://127.0.0.1:6379".to_owned(),
    }
}

fn shared_store() -> Arc<RedisStore> {
    // A generous timeout: the shared server is up, and a slow CI machine must not turn a
    // hit into a miss.
    Arc::new(
        RedisStore::builder(redis_url())
            .op_timeout(Duration::from_secs(2))
            .build()
            .unwrap(),
    )
}

crate::backend_suite!(shared_store());

/// A `redis-server` of our own on a free port, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    async fn start(extra: &[&str]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_on(port, extra).await
    }

    async fn start_on(port: u16, extra: &[&str]) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server must be on PATH for the Redis tests");
        let server = Self { child, port };
        for _ in 0..100 {
            if server.ping().await {
                return server;
            }
            sleep(50).await;
        }
        panic!("redis-server on port {port} did not answer PING within 5 s");
    }

    async fn ping(&self) -> bool {
        let Ok(mut s) = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await else {
            return false;
        };
        if s.write_all(b"PING\r\n").await.is_err() {
            return false;
        }
        let mut buf = [0u8; 7];
        s.read_exact(&mut buf).await.is_ok() && &buf == b"+PONG\r\n"
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    async fn kill(mut self) -> u16 {
        self.child.kill().await.unwrap();
        self.port
    }
}

/// Redis evicts our entries itself when `maxmemory` is reached (allkeys-lru): every write
/// succeeds, and what is left fits the bound. (Which keys go is not asserted: Redis's LRU clock
/// ticks once a second, so keys written within one second look equally old to it.)
#[tokio::test]
async fn the_server_evicts_at_its_memory_bound() {
    let server = Server::start(&["--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru"]).await;
    let store = RedisStore::builder(server.url())
        .op_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let value = |n: u8| Bytes::from(vec![n; 100 * 1024]);
    for n in 0..80u8 {
        store
            .put(
                &CacheKey::new("evict", [n; 32]),
                value(n),
                Some(Duration::from_secs(600)),
            )
            .await
            .unwrap();
    }
    let mut kept = 0;
    for n in 0..80u8 {
        if let Some(v) = store.get(&CacheKey::new("evict", [n; 32])).await.unwrap() {
            assert_eq!(v, value(n));
            kept += 1;
        }
    }
    assert!(
        kept > 0 && kept < 40,
        "8 MB written into 4 MB: {kept} of 80 kept"
    );
}

/// Redis stopped mid-test: requests keep succeeding (a miss, a warning, the provider
/// answers), and the cache works again once Redis is back.
#[tokio::test]
async fn redis_stopped_mid_test_requests_still_succeed() {
    let warnings = Warnings::capture();
    let server = Server::start(&[]).await;
    let store = RedisStore::builder(server.url())
        .op_timeout(Duration::from_millis(500))
        .backoff(Duration::from_millis(300))
        .build()
        .unwrap();
    let s = setup_with(CacheLayer::new(store));
    s.chat.chat(ask("hello")).await.unwrap();
    s.chat.chat(ask("hello")).await.unwrap();
    assert_eq!(s.mock.call_count(), 1, "cached while Redis is up");
    assert!(warnings.all().is_empty());

    let port = server.kill().await;
    let answer = s.chat.chat(ask("hello")).await.unwrap();
    assert_eq!(answer.text(), "Hello there, friend!");
    assert_eq!(s.mock.call_count(), 2, "the provider answered");
    let chunks: Vec<_> = drain(&s.chat, ask_stream("story"))
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(accumulate(&chunks).text(), "Once upon a time, the end.");
    for _ in 0..5 {
        s.chat.chat(ask("hello")).await.unwrap();
    }
    assert_eq!(s.mock.call_count(), 8);
    let st = s.cache.stats();
    assert_eq!(st.hits, 1);
    assert!(st.errors >= 7, "{st:?}");
    let w = warnings.all();
    assert!(!w.is_empty(), "the failure was logged as a warning");
    assert!(w[0].contains("redis"), "{w:?}");

    // Back up on the same port: after the back-off the cache stores and hits again.
    let _server = Server::start_on(port, &[]).await;
    let mut stored = false;
    for _ in 0..50 {
        sleep(100).await;
        let before = s.cache.stats().stores;
        s.chat.chat(ask("after restart")).await.unwrap();
        if s.cache.stats().stores > before {
            stored = true;
            break;
        }
    }
    assert!(stored, "the store reconnected");
    let calls = s.mock.call_count();
    s.chat.chat(ask("after restart")).await.unwrap();
    assert_eq!(s.mock.call_count(), calls, "a hit again");
}

/// A Redis that is down from the start: every request is answered by the provider.
#[tokio::test]
async fn redis_down_from_the_start_is_only_a_miss() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store = RedisStore::builder(format!("redis://127.0.0.1:{port}"))
        .op_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let s = setup_with(CacheLayer::new(store));
    for _ in 0..3 {
        assert_eq!(
            s.chat.chat(ask("hello")).await.unwrap().text(),
            "Hello there, friend!"
        );
    }
    assert_eq!(s.mock.call_count(), 3);
    assert_eq!(s.cache.stats().hits, 0);
}

#[tokio::test]
async fn keys_are_prefixed_and_expire_in_redis() {
    let store = shared_store();
    let ns = unique_ns("prefix");
    let key = CacheKey::new(&ns, [7; 32]);
    assert_eq!(
        store.redis_key(&key),
        format!("llm-router:cache:{ns}:{}", "07".repeat(32))
    );
    store
        .put(&key, Bytes::from_static(b"v"), Some(Duration::from_secs(1)))
        .await
        .unwrap();
    assert_eq!(
        store.get(&key).await.unwrap(),
        Some(Bytes::from_static(b"v"))
    );
    sleep(1_500).await;
    assert!(store.get(&key).await.unwrap().is_none());
}

#[test]
fn building_outside_a_runtime_is_a_config_error() {
    let err = RedisStore::new("redis://127.0.0.1:6379").unwrap_err();
    assert_eq!(err.kind(), llm_router_core::ErrorKind::Config);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = rt.block_on(async { RedisStore::new("nonsense://x").unwrap_err() });
    assert_eq!(err.kind(), llm_router_core::ErrorKind::Config);
    let store = rt.block_on(async { RedisStore::new("redis://:secret@127.0.0.1:1").unwrap() });
    assert!(!format!("{store:?}").contains("secret"));
}
