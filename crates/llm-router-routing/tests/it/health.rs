//! Passive health (cool-down, half-open probe, recovery) and active health checks, under
//! paused time.

use std::sync::Arc;
use std::time::Duration;

use llm_router_core::{ChatProvider, ErrorKind};
use llm_router_mock::MockFailure;
use llm_router_routing::{Deployment, HealthPolicy, HealthStatus, ModelGroup, Ordered, Router};

use crate::{Delayed, ask, dep, mock};

fn router(policy: HealthPolicy, deps: Vec<Deployment>) -> Router {
    Router::builder()
        .health_policy(policy)
        .group(ModelGroup::new("g").deployments(deps).strategy(Ordered))
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn cools_down_after_n_failures_and_recovers_through_one_probe() {
    let (a, b) = (
        mock("a").fail_always(MockFailure::ServerError { status: 500 }),
        mock("b"),
    );
    let policy = HealthPolicy::default()
        .failure_threshold(3)
        .cooldown(Duration::from_secs(30));
    let router = router(policy, vec![dep(&a), dep(&b)]);

    for _ in 0..3 {
        assert_eq!(router.chat(ask("g")).await.unwrap().text(), "from b");
    }
    assert_eq!(a.call_count(), 3);
    assert_eq!(
        router.health()[0].status,
        HealthStatus::CoolingDown {
            remaining: Duration::from_secs(30)
        }
    );
    // Cooling: `a` is skipped.
    for _ in 0..5 {
        router.chat(ask("g")).await.unwrap();
    }
    assert_eq!(a.call_count(), 3);

    // Still failing after the cool-down: one probe, which cools it down again at once.
    tokio::time::advance(Duration::from_secs(30)).await;
    assert_eq!(router.health()[0].status, HealthStatus::HalfOpen);
    router.chat(ask("g")).await.unwrap();
    router.chat(ask("g")).await.unwrap();
    assert_eq!(a.call_count(), 4);
    assert!(matches!(
        router.health()[0].status,
        HealthStatus::CoolingDown { .. }
    ));

    // Recovered: the probe succeeds and `a` takes traffic again.
    let a = a.clear_failures();
    tokio::time::advance(Duration::from_secs(29)).await;
    router.chat(ask("g")).await.unwrap();
    assert_eq!(a.call_count(), 4, "still cooling at 29 s");
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(router.chat(ask("g")).await.unwrap().text(), "from a");
    assert_eq!(router.chat(ask("g")).await.unwrap().text(), "from a");
    let h = &router.health()[0];
    assert_eq!(
        (h.status, h.consecutive_failures),
        (HealthStatus::Healthy, 0)
    );
}

#[tokio::test(start_paused = true)]
async fn only_one_request_probes_a_half_open_deployment() {
    let a = mock("a").fail_always(MockFailure::Timeout);
    let b = mock("b");
    let slow_a = Deployment::new(
        Arc::new(Delayed {
            inner: a.clone(),
            delay: Duration::from_secs(2),
        }),
        "m-a",
    );
    let policy = HealthPolicy::default()
        .failure_threshold(1)
        .cooldown(Duration::from_secs(10));
    let router = router(policy, vec![slow_a, dep(&b)]);
    router.chat(ask("g")).await.unwrap();
    assert_eq!(a.call_count(), 1);
    let a = a.clear_failures();
    tokio::time::advance(Duration::from_secs(10)).await;

    // Three requests at once: the first probes `a` (slowly), the others go to `b`.
    let calls = (0..3).map(|_| router.chat(ask("g")));
    let results = futures_util::future::join_all(calls).await;
    let texts: Vec<String> = results.into_iter().map(|r| r.unwrap().text()).collect();
    assert_eq!(texts, ["from a", "from b", "from b"]);
    assert_eq!(a.call_count(), 2);
    assert_eq!(router.health()[0].status, HealthStatus::Healthy);
}

#[tokio::test(start_paused = true)]
async fn when_every_deployment_cools_down_they_are_tried_anyway() {
    let a = mock("a").fail_always(MockFailure::Timeout);
    let b = mock("b").fail_always(MockFailure::Timeout);
    let policy = HealthPolicy::default().failure_threshold(1);
    let router = router(policy, vec![dep(&a), dep(&b)]);
    assert_eq!(
        router.chat(ask("g")).await.unwrap_err().kind(),
        ErrorKind::Timeout
    );
    assert!(
        router
            .health()
            .iter()
            .all(|h| matches!(h.status, HealthStatus::CoolingDown { .. }))
    );
    // Both cooling: no failure without trying.
    let _ = b.clone().clear_failures();
    assert_eq!(router.chat(ask("g")).await.unwrap().text(), "from b");
    assert_eq!((a.call_count(), b.call_count()), (2, 2));
    assert_eq!(router.health()[1].status, HealthStatus::Healthy);
}

#[tokio::test(start_paused = true)]
async fn a_429_retry_after_sets_the_cool_down() {
    let a = mock("a").fail_next(MockFailure::RateLimited {
        retry_after: Duration::from_secs(5),
    });
    let b = mock("b");
    let router = router(HealthPolicy::default(), vec![dep(&a), dep(&b)]);
    router.chat(ask("g")).await.unwrap();
    assert_eq!(
        router.health()[0].status,
        HealthStatus::CoolingDown {
            remaining: Duration::from_secs(5)
        }
    );
    router.chat(ask("g")).await.unwrap();
    assert_eq!(a.call_count(), 1);
    tokio::time::advance(Duration::from_secs(5)).await;
    assert_eq!(router.chat(ask("g")).await.unwrap().text(), "from a");

    // Switched off: a single 429 does not cool down.
    let a = a.fail_next(MockFailure::RateLimited {
        retry_after: Duration::from_secs(5),
    });
    let router = self::router(
        HealthPolicy::default().retry_after_cooldown(false),
        vec![dep(&a), dep(&b)],
    );
    router.chat(ask("g")).await.unwrap();
    assert_eq!(router.health()[0].status, HealthStatus::Healthy);
}

#[tokio::test(start_paused = true)]
async fn active_checks_mark_a_dead_deployment_down_and_back_up() {
    let a = mock("a").fail_always(MockFailure::custom(ErrorKind::Connection, "refused"));
    let b = mock("b");
    let router = router(HealthPolicy::default(), vec![dep(&a), dep(&b)]);
    let checks = router.spawn_health_checks(Duration::from_secs(10)).unwrap();

    // The first round runs at once.
    tokio::time::sleep(Duration::from_millis(1)).await;
    let h = router.health();
    assert!(
        matches!(h[0].status, HealthStatus::CoolingDown { .. }),
        "{h:?}"
    );
    assert_eq!(h[1].status, HealthStatus::Healthy);
    let probe = a.last_request().unwrap();
    assert_eq!((probe.model.as_str(), probe.max_tokens), ("m-a", Some(1)));
    assert_eq!((a.call_count(), b.call_count()), (1, 1));

    // Traffic avoids `a` without ever having failed on it.
    assert_eq!(router.chat(ask("g")).await.unwrap().text(), "from b");
    assert_eq!(a.call_count(), 1);

    // `a` comes back; the next round marks it healthy.
    let a = a.clear_failures();
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(router.health()[0].status, HealthStatus::Healthy);
    assert_eq!(router.chat(ask("g")).await.unwrap().text(), "from a");

    // Dropping the handle stops the checks.
    drop(checks);
    let before = a.call_count();
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(a.call_count(), before);
}

#[tokio::test(start_paused = true)]
async fn a_hanging_deployment_fails_its_health_check() {
    let a = mock("a");
    let hangs = Deployment::new(
        Arc::new(Delayed {
            inner: a.clone(),
            delay: Duration::from_secs(3600),
        }),
        "m-a",
    );
    let router = router(HealthPolicy::default(), vec![hangs, dep(&mock("b"))]);
    let _checks = router.spawn_health_checks(Duration::from_secs(5)).unwrap();
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert!(matches!(
        router.health()[0].status,
        HealthStatus::CoolingDown { .. }
    ));
}

#[test]
fn health_checks_need_a_runtime() {
    let router = crate::ordered(&[&mock("a")]);
    let err = router
        .spawn_health_checks(Duration::from_secs(1))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
}

#[tokio::test(start_paused = true)]
async fn groups_share_the_state_of_the_same_deployment() {
    let a = mock("a").fail_always(MockFailure::Timeout);
    let b = mock("b");
    let router = Router::builder()
        .health_policy(HealthPolicy::default().failure_threshold(2))
        .group(
            ModelGroup::new("one")
                .deployments([dep(&a), dep(&b)])
                .strategy(Ordered),
        )
        .group(
            ModelGroup::new("two")
                .deployments([dep(&a), dep(&b)])
                .strategy(Ordered),
        )
        .build()
        .unwrap();
    router.chat(ask("one")).await.unwrap();
    router.chat(ask("two")).await.unwrap();
    assert_eq!(router.health().len(), 2);
    assert!(matches!(
        router.health()[0].status,
        HealthStatus::CoolingDown { .. }
    ));
    router.chat(ask("one")).await.unwrap();
    assert_eq!(a.call_count(), 2);
}
