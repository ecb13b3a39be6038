//! The Redis backend against a real server: two layers on two connections share one budget.
//!
//! Reads `REDIS_URL`; CI exports `redis://127.0.0.1:6379`. Without it, CI fails with a clear
//! message and a local run uses `redis://127.0.0.1:6379`. Every test uses a key prefix of its
//! own, so runs never see each other's buckets.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use llm_router_core::{ErrorKind, SharedChat};
use llm_router_limiter::{
    Bucket, LimitKind, LimiterBackend, OnBackendError, Rate, RateLimitLayer, RedisBackend,
};
use llm_router_mock::MockProvider;
use llm_router_tokens::CharEstimate;
use redis::AsyncCommands as _;

use crate::support::{ask, wrap};

fn redis_url() -> String {
    match std::env::var("REDIS_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var_os("CI").is_some() => panic!(
            "REDIS_URL is not set, but CI is: the Redis limiter tests need a Redis server \
             (export REDIS_URL=redis://127.0.0.1:6379)"
        ),
        _ => "redis://127.0.0.1:6379".to_owned(),
    }
}

/// A prefix no other test or run uses.
fn unique_prefix(test: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("llm-router-test:{}:{nanos}:{test}", std::process::id())
}

async fn backend(prefix: &str) -> RedisBackend {
    let url = redis_url();
    RedisBackend::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach Redis at {url} (set REDIS_URL): {e}"))
        .key_prefix(prefix)
}

async fn raw() -> redis::aio::MultiplexedConnection {
    redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

async fn cleanup(prefix: &str) {
    let mut conn = raw().await;
    let keys: Vec<String> = conn.keys(format!("{prefix}:*")).await.unwrap();
    if !keys.is_empty() {
        let _: () = conn.del(keys).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_never_admit_more_than_the_limit_together() {
    const LIMIT: u32 = 40;
    let prefix = unique_prefix("shared");
    let mock = MockProvider::new();
    // Two layers, two connection managers: as two gateway replicas would have. The period is
    // an hour, so nothing refills during the few seconds of the test.
    let mut replicas: Vec<SharedChat> = Vec::new();
    for _ in 0..2 {
        let layer = RateLimitLayer::builder()
            .requests_per(LIMIT, Duration::from_secs(3600))
            .backend(backend(&prefix).await)
            .on_backend_error(OnBackendError::FailClosed)
            .build()
            .unwrap();
        replicas.push(wrap(&layer, mock.clone()));
    }

    let admitted = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(AtomicUsize::new(0));
    let deadline = tokio::time::Instant::now() + Duration::from_millis(1500);
    let mut tasks = Vec::new();
    for t in 0..32 {
        let provider = Arc::clone(&replicas[t % 2]);
        let (admitted, refused) = (Arc::clone(&admitted), Arc::clone(&refused));
        tasks.push(tokio::spawn(async move {
            while tokio::time::Instant::now() < deadline {
                match provider.chat(ask("hi")).await {
                    Ok(_) => admitted.fetch_add(1, Ordering::Relaxed),
                    Err(e) => {
                        assert_eq!(e.kind(), ErrorKind::RateLimited, "{e}");
                        assert_eq!(e.code(), Some("local_rate_limit"), "{e}");
                        assert!(e.retry_after().unwrap() > Duration::from_secs(1));
                        refused.fetch_add(1, Ordering::Relaxed)
                    }
                };
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let admitted = admitted.load(Ordering::Relaxed);
    let refused = refused.load(Ordering::Relaxed);
    assert!(refused > 0, "demand must exceed the limit");
    assert_eq!(
        admitted, LIMIT as usize,
        "{admitted} admitted, {refused} refused"
    );
    assert_eq!(mock.call_count(), LIMIT as usize);
    cleanup(&prefix).await;
}

#[tokio::test]
async fn tokens_are_reserved_and_settled_in_redis() {
    let prefix = unique_prefix("tokens");
    let layer = |backend| {
        RateLimitLayer::builder()
            .tokens_per(1000, Duration::from_secs(3600))
            .token_counter(CharEstimate)
            .backend(backend)
            .build()
            .unwrap()
    };
    let a = layer(backend(&prefix).await);
    let b = layer(backend(&prefix).await);
    let provider = wrap(&a, MockProvider::new());
    // Estimated 9 + 100, used 8 (see the tokens module).
    provider
        .chat(ask("hello").with_max_tokens(100))
        .await
        .unwrap();
    assert_eq!(a.available_tokens("global").await.unwrap(), Some(992));
    // The other instance sees the same bucket.
    assert_eq!(b.available_tokens("global").await.unwrap(), Some(992));

    let key = format!("{prefix}:global:tokens");
    let ttl: i64 = raw().await.pttl(&key).await.unwrap();
    assert!(ttl > 0, "bucket keys expire (pttl {ttl})");
    cleanup(&prefix).await;
}

#[tokio::test]
async fn the_script_refuses_with_retry_after_and_adjusts_both_ways() {
    let prefix = unique_prefix("script");
    let redis = backend(&prefix).await;
    let bucket = Bucket {
        key: "k",
        kind: LimitKind::Tokens,
        rate: Rate::new(100, Duration::from_secs(100)), // 1 per second
    };
    assert_eq!(redis.redis_key(&bucket), format!("{prefix}:k:tokens"));
    assert_eq!(redis.available(&bucket).await.unwrap(), Some(100));
    assert_eq!(
        redis.acquire(&bucket, 90).await.unwrap(),
        llm_router_limiter::Admission::Admitted
    );
    match redis.acquire(&bucket, 20).await.unwrap() {
        llm_router_limiter::Admission::Denied { retry_after } => {
            // 10 short at 1 per second (a little less: time passes between the calls).
            assert!(retry_after <= Duration::from_secs(10), "{retry_after:?}");
            assert!(retry_after > Duration::from_secs(9), "{retry_after:?}");
        }
        other => panic!("{other:?}"),
    }
    redis.adjust(&bucket, 50).await.unwrap(); // debt
    assert_eq!(redis.available(&bucket).await.unwrap(), Some(0));
    redis.adjust(&bucket, -1000).await.unwrap(); // refund, capped at the size
    assert_eq!(redis.available(&bucket).await.unwrap(), Some(100));
    // A full bucket is no key at all.
    let exists: bool = raw()
        .await
        .exists(format!("{prefix}:k:tokens"))
        .await
        .unwrap();
    assert!(!exists);
    cleanup(&prefix).await;
}

#[tokio::test]
async fn redis_errors_fail_open_or_closed() {
    let prefix = unique_prefix("broken");
    // A key of the wrong type makes the script fail, like a broken store would.
    let _: () = raw()
        .await
        .set(format!("{prefix}:global:requests"), "not a hash")
        .await
        .unwrap();
    let mock = MockProvider::new();
    let mut providers = Vec::new();
    for policy in [OnBackendError::FailOpen, OnBackendError::FailClosed] {
        let layer = RateLimitLayer::builder()
            .requests_per_minute(1)
            .backend(backend(&prefix).await)
            .on_backend_error(policy)
            .build()
            .unwrap();
        providers.push(wrap(&layer, mock.clone()));
    }
    let (open, closed) = (&providers[0], &providers[1]);
    open.chat(ask("hi")).await.unwrap();
    open.chat(ask("hi")).await.unwrap();

    let err = closed.chat(ask("hi")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.code(), Some("rate_limiter_unavailable"));
    assert_eq!(mock.call_count(), 2);
    cleanup(&prefix).await;
}

#[tokio::test]
async fn connecting_to_nothing_is_a_connection_error() {
    let err = RedisBackend::connect("redis://127.0.0.1:1")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection);
    let err = RedisBackend::connect("not a url").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
}
