//! Each strategy's distribution, exactly.

use std::sync::Arc;
use std::time::Duration;

use llm_router_core::ChatProvider;
use llm_router_routing::{
    Deployment, LeastBusy, LeastLatency, ModelGroup, RoundRobin, Router, StrategyKind, Weighted,
};

use crate::{Delayed, ask, collect, dep, mock};

#[tokio::test(start_paused = true)]
async fn round_robin_goes_around_in_order() {
    let (a, b, c) = (mock("a"), mock("b"), mock("c"));
    let router = Router::builder()
        .group(
            ModelGroup::new("g")
                .deployments([dep(&a), dep(&b), dep(&c)])
                .strategy(RoundRobin::new()),
        )
        .build()
        .unwrap();
    let mut seen = Vec::new();
    for _ in 0..7 {
        seen.push(router.chat(ask("g")).await.unwrap().model);
    }
    assert_eq!(seen, ["m-a", "m-b", "m-c", "m-a", "m-b", "m-c", "m-a"]);
}

#[tokio::test(start_paused = true)]
async fn weighted_5_1_1_gives_exactly_500_100_100_over_700() {
    let (a, b, c) = (mock("a"), mock("b"), mock("c"));
    let router = Router::builder()
        .group(
            ModelGroup::new("g")
                .deployments([dep(&a).weight(5), dep(&b), dep(&c)])
                .strategy(Weighted::new()),
        )
        .build()
        .unwrap();
    let mut first_cycle = Vec::new();
    for i in 0..700 {
        let r = router.chat(ask("g")).await.unwrap();
        if i < 7 {
            first_cycle.push(r.model);
        }
    }
    assert_eq!(
        (a.call_count(), b.call_count(), c.call_count()),
        (500, 100, 100)
    );
    // Smooth: the light deployments are interleaved, not bunched at the end.
    assert_eq!(
        first_cycle,
        ["m-a", "m-a", "m-b", "m-a", "m-c", "m-a", "m-a"]
    );
}

#[tokio::test(start_paused = true)]
async fn weighted_is_the_default_and_equal_weights_are_round_robin() {
    let (a, b) = (mock("a"), mock("b"));
    let router = Router::builder()
        .group(ModelGroup::new("g").deployments([dep(&a), dep(&b)]))
        .build()
        .unwrap();
    for _ in 0..10 {
        router.chat(ask("g")).await.unwrap();
    }
    assert_eq!((a.call_count(), b.call_count()), (5, 5));
}

#[tokio::test(start_paused = true)]
async fn least_latency_prefers_the_fast_deployment_after_warm_up() {
    let (slow, fast) = (mock("slow"), mock("fast"));
    let router = Router::builder()
        .group(
            ModelGroup::new("g")
                .deployment(Deployment::new(
                    Arc::new(Delayed {
                        inner: slow.clone(),
                        delay: Duration::from_millis(400),
                    }),
                    "m-slow",
                ))
                .deployment(Deployment::new(
                    Arc::new(Delayed {
                        inner: fast.clone(),
                        delay: Duration::from_millis(20),
                    }),
                    "m-fast",
                ))
                .strategy(LeastLatency::new()),
        )
        .build()
        .unwrap();
    // Warm-up: each unmeasured deployment is tried once.
    router.chat(ask("g")).await.unwrap();
    router.chat(ask("g")).await.unwrap();
    assert_eq!((slow.call_count(), fast.call_count()), (1, 1));
    for _ in 0..20 {
        assert_eq!(router.chat(ask("g")).await.unwrap().model, "m-fast");
    }
    assert_eq!((slow.call_count(), fast.call_count()), (1, 21));
    let health = router.health();
    assert_eq!(health[0].latency, Some(Duration::from_millis(400)));
    assert_eq!(health[1].latency, Some(Duration::from_millis(20)));
}

#[tokio::test(start_paused = true)]
async fn least_latency_uses_time_to_first_chunk_for_streams() {
    let slow = mock("slow").chunk_delay(Duration::from_millis(300));
    let fast = mock("fast").chunk_delay(Duration::from_millis(10));
    let router = Router::builder()
        .group(
            ModelGroup::new("g")
                .deployments([dep(&slow), dep(&fast)])
                .shared_strategy(StrategyKind::LeastLatency.build()),
        )
        .build()
        .unwrap();
    for _ in 0..2 {
        let s = router.chat_stream(ask("g")).await.unwrap();
        collect(s).await.unwrap();
    }
    for _ in 0..5 {
        let s = router.chat_stream(ask("g")).await.unwrap();
        assert_eq!(collect(s).await.unwrap(), "from fast");
    }
    assert_eq!((slow.call_count(), fast.call_count()), (1, 6));
    let health = router.health();
    assert_eq!(
        health[0].time_to_first_token,
        Some(Duration::from_millis(300))
    );
    assert_eq!(
        health[1].time_to_first_token,
        Some(Duration::from_millis(10))
    );
    // Streams do not touch the complete-response average.
    assert_eq!(health[1].latency, None);
}

#[tokio::test(start_paused = true)]
async fn least_busy_prefers_the_idle_deployment() {
    let (a, b, c) = (mock("a"), mock("b"), mock("c"));
    let router = Router::builder()
        .group(
            ModelGroup::new("g")
                .deployments([dep(&a), dep(&b), dep(&c)])
                .strategy(LeastBusy::new()),
        )
        .build()
        .unwrap();
    // Three open streams, one per deployment.
    let s1 = router.chat_stream(ask("g")).await.unwrap();
    let s2 = router.chat_stream(ask("g")).await.unwrap();
    let s3 = router.chat_stream(ask("g")).await.unwrap();
    assert_eq!((a.call_count(), b.call_count(), c.call_count()), (1, 1, 1));
    let in_flight: Vec<usize> = router.health().iter().map(|h| h.in_flight).collect();
    assert_eq!(in_flight, [1, 1, 1]);

    // `b`'s stream ends: `b` is the idle one, however often we ask.
    assert_eq!(collect(s2).await.unwrap(), "from b");
    for _ in 0..3 {
        router.chat(ask("g")).await.unwrap();
    }
    assert_eq!((a.call_count(), b.call_count(), c.call_count()), (1, 4, 1));

    // Dropping a stream counts too.
    drop(s1);
    drop(s3);
    let in_flight: Vec<usize> = router.health().iter().map(|h| h.in_flight).collect();
    assert_eq!(in_flight, [0, 0, 0]);
}

#[tokio::test(start_paused = true)]
async fn least_busy_spreads_concurrent_requests() {
    let mocks = [mock("a"), mock("b"), mock("c")];
    let router = Router::builder()
        .group(
            ModelGroup::new("g")
                .deployments(mocks.iter().map(|m| {
                    Deployment::new(
                        Arc::new(Delayed {
                            inner: m.clone(),
                            delay: Duration::from_secs(1),
                        }),
                        "m",
                    )
                    .with_id(ChatProvider::name(m))
                }))
                .strategy(LeastBusy::new()),
        )
        .build()
        .unwrap();
    // Six requests at once: two per deployment, never three on one.
    let calls = (0..6).map(|_| router.chat(ask("g")));
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok));
    let counts: Vec<usize> = mocks.iter().map(|m| m.call_count()).collect();
    assert_eq!(counts, [2, 2, 2]);
}
