//! Retries of `chat` and `embed`: which errors, how long between attempts, `retry_after`,
//! the cap and the budget.

use std::sync::Arc;
use std::time::Duration;

use llm_router_core::{ChatProvider, EmbeddingProvider, EmbeddingRequest, ErrorKind};
use llm_router_mock::{DEFAULT_REPLY, MockFailure, MockProvider};
use llm_router_retry::{Jitter, RetryLayer, RetryPolicy};
use tokio::time::Instant;

use crate::support::{Probe, ask, exact, ms, secs, wrap_chat, wrap_embed};

#[tokio::test(start_paused = true)]
async fn server_errors_are_retried_until_success() {
    let mock = MockProvider::new()
        .fail_next(MockFailure::ServerError { status: 500 })
        .fail_next(MockFailure::ServerError { status: 500 });
    let chat = wrap_chat(RetryLayer::default(), Arc::new(mock.clone()));
    let resp = chat.chat(ask()).await.unwrap();
    assert_eq!(resp.text(), DEFAULT_REPLY);
    assert_eq!(mock.call_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn every_retryable_kind_is_retried() {
    let mock = MockProvider::new()
        .fail_next(MockFailure::Timeout)
        .fail_next(MockFailure::custom(ErrorKind::Connection, "reset"))
        .fail_next(MockFailure::RateLimited {
            retry_after: ms(10),
        })
        .fail_next(MockFailure::ServerError { status: 529 });
    let chat = wrap_chat(
        RetryLayer::new(RetryPolicy::new().with_max_attempts(5)),
        Arc::new(mock.clone()),
    );
    assert!(chat.chat(ask()).await.is_ok());
    assert_eq!(mock.call_count(), 5);
}

#[tokio::test(start_paused = true)]
async fn attempts_run_out_with_the_last_error() {
    let mock = MockProvider::new()
        .fail_next(MockFailure::ServerError { status: 500 })
        .fail_always(MockFailure::ServerError { status: 502 });
    let chat = wrap_chat(RetryLayer::default(), Arc::new(mock.clone()));
    let err = chat.chat(ask()).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.status(), err.provider()),
        (ErrorKind::ProviderUnavailable, Some(502), Some("mock"))
    );
    assert_eq!(
        mock.call_count(),
        RetryPolicy::DEFAULT_MAX_ATTEMPTS as usize
    );
}

#[tokio::test(start_paused = true)]
async fn non_retryable_errors_are_returned_at_once() {
    for failure in [
        MockFailure::custom(ErrorKind::InvalidRequest, "bad field"),
        MockFailure::QuotaExceeded,
        MockFailure::Auth,
        MockFailure::custom(ErrorKind::ContextLengthExceeded, "too long"),
    ] {
        let mock = MockProvider::new().fail_always(failure.clone());
        let chat = wrap_chat(RetryLayer::default(), Arc::new(mock.clone()));
        let started = Instant::now();
        let err = chat.chat(ask()).await.unwrap_err();
        assert!(!err.is_retryable(), "{failure:?}");
        assert_eq!(mock.call_count(), 1, "{failure:?}");
        assert_eq!(started.elapsed(), Duration::ZERO, "{failure:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn backoff_grows_exponentially_up_to_the_cap() {
    let mock = MockProvider::new().fail_always(MockFailure::ServerError { status: 503 });
    let probe = Probe::new(&mock);
    let policy = exact()
        .with_max_attempts(6)
        .with_base_delay(ms(100))
        .with_max_delay(ms(500));
    let chat = wrap_chat(RetryLayer::new(policy), probe.clone());
    let started = Instant::now();
    chat.chat(ask()).await.unwrap_err();
    assert_eq!(probe.gaps(), [ms(100), ms(200), ms(400), ms(500), ms(500)]);
    // No sleep after the last attempt.
    assert_eq!(started.elapsed(), ms(1700));
}

/// Tokio's timer has millisecond resolution, so a jittered wait may end up to 1 ms late.
const TICK: Duration = Duration::from_millis(1);

async fn jittered_gaps(policy: RetryPolicy) -> Vec<Duration> {
    let mock = MockProvider::new().fail_always(MockFailure::ServerError { status: 503 });
    let probe = Probe::new(&mock);
    let chat = wrap_chat(RetryLayer::new(policy), probe.clone());
    chat.chat(ask()).await.unwrap_err();
    probe.gaps()
}

#[tokio::test(start_paused = true)]
async fn full_jitter_stays_between_zero_and_the_backoff() {
    let mut all = Vec::new();
    for seed in 0..20 {
        let policy = RetryPolicy::new()
            .with_jitter(Jitter::Full)
            .with_max_attempts(6)
            .with_base_delay(ms(100))
            .with_max_delay(ms(1000))
            .with_seed(seed);
        let gaps = jittered_gaps(policy.clone()).await;
        assert_eq!(gaps.len(), 5);
        for (i, gap) in gaps.iter().enumerate() {
            let cap = policy.backoff(i as u32 + 1);
            assert!(
                *gap <= cap + TICK,
                "seed {seed}, retry {}: {gap:?} > {cap:?}",
                i + 1
            );
            assert!(*gap <= policy.max_delay() + TICK);
        }
        all.extend(gaps);
    }
    // Jitter really spreads the waits.
    all.sort();
    all.dedup();
    assert!(all.len() > 50, "only {} distinct waits", all.len());
}

#[tokio::test(start_paused = true)]
async fn equal_jitter_waits_at_least_half_the_backoff() {
    for seed in 0..20 {
        let policy = RetryPolicy::new()
            .with_jitter(Jitter::Equal)
            .with_max_attempts(6)
            .with_base_delay(ms(100))
            .with_max_delay(ms(1000))
            .with_seed(seed);
        let gaps = jittered_gaps(policy.clone()).await;
        for (i, gap) in gaps.iter().enumerate() {
            let cap = policy.backoff(i as u32 + 1);
            assert!(
                *gap >= cap / 2 && *gap <= cap + TICK,
                "seed {seed}: {gap:?} vs {cap:?}"
            );
        }
        // Growth is visible through the jitter: each lower bound is the previous upper bound.
        assert!(gaps[2] >= gaps[0], "seed {seed}: {gaps:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_seed_makes_the_waits_reproducible() {
    let policy = RetryPolicy::new().with_max_attempts(5).with_seed(42);
    let a = jittered_gaps(policy.clone()).await;
    let b = jittered_gaps(policy).await;
    assert_eq!(a, b);
    let c = jittered_gaps(RetryPolicy::new().with_max_attempts(5).with_seed(43)).await;
    assert_ne!(a, c);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_waited_exactly_without_jitter() {
    let mock = MockProvider::new().fail_next(MockFailure::RateLimited {
        retry_after: secs(3),
    });
    let probe = Probe::new(&mock);
    let policy = RetryPolicy::new().with_jitter(Jitter::Full).with_seed(7);
    let chat = wrap_chat(RetryLayer::new(policy), probe.clone());
    let started = Instant::now();
    chat.chat(ask()).await.unwrap();
    assert_eq!(probe.gaps(), [secs(3)]);
    assert_eq!(started.elapsed(), secs(3));
}

#[tokio::test(start_paused = true)]
async fn retry_after_replaces_the_backoff_even_when_shorter() {
    let mock = MockProvider::new().fail_next(MockFailure::RateLimited {
        retry_after: ms(50),
    });
    let probe = Probe::new(&mock);
    let policy = exact().with_base_delay(secs(2));
    let chat = wrap_chat(RetryLayer::new(policy), probe.clone());
    chat.chat(ask()).await.unwrap();
    assert_eq!(probe.gaps(), [ms(50)]);
}

#[tokio::test(start_paused = true)]
async fn retry_after_at_the_cap_is_still_waited() {
    let mock = MockProvider::new().fail_next(MockFailure::RateLimited {
        retry_after: secs(10),
    });
    let chat = wrap_chat(RetryLayer::default(), Arc::new(mock.clone()));
    let started = Instant::now();
    chat.chat(ask()).await.unwrap();
    assert_eq!((started.elapsed(), mock.call_count()), (secs(10), 2));
}

#[tokio::test(start_paused = true)]
async fn retry_after_above_the_cap_returns_at_once_for_fallback() {
    let mock = MockProvider::new().fail_next(MockFailure::RateLimited {
        retry_after: secs(11),
    });
    let chat = wrap_chat(RetryLayer::default(), Arc::new(mock.clone()));
    let started = Instant::now();
    let err = chat.chat(ask()).await.unwrap_err();
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(mock.call_count(), 1);
    // The error is handed back as it came, retry_after included, for the router to act on.
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(secs(11)));
    assert!(err.is_fallback_eligible());
}

#[tokio::test(start_paused = true)]
async fn a_cap_set_lower_applies_to_retry_after() {
    let mock = MockProvider::new().fail_next(MockFailure::RateLimited {
        retry_after: secs(2),
    });
    let policy = RetryPolicy::new().with_max_delay(secs(1));
    let chat = wrap_chat(RetryLayer::new(policy), Arc::new(mock.clone()));
    let started = Instant::now();
    chat.chat(ask()).await.unwrap_err();
    assert_eq!((started.elapsed(), mock.call_count()), (Duration::ZERO, 1));
}

#[tokio::test(start_paused = true)]
async fn the_budget_ends_retries_before_a_wait_would_overrun_it() {
    let mock = MockProvider::new().fail_always(MockFailure::ServerError { status: 503 });
    let probe = Probe::new(&mock);
    // Waits would be 1 s, 2 s, 4 s…; the second would end at 3 s, past the 2.5 s budget.
    let policy = exact()
        .with_max_attempts(10)
        .with_base_delay(secs(1))
        .with_budget(ms(2500));
    let chat = wrap_chat(RetryLayer::new(policy), probe.clone());
    let started = Instant::now();
    let err = chat.chat(ask()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ProviderUnavailable);
    assert_eq!(probe.starts(), [Duration::ZERO, secs(1)]);
    assert_eq!(started.elapsed(), secs(1));
}

#[tokio::test(start_paused = true)]
async fn the_budget_counts_time_spent_in_attempts() {
    let mock = MockProvider::new().fail_always(MockFailure::ServerError { status: 503 });
    // The first attempt itself takes 2 s; a 1 s wait would end past the 2.5 s budget.
    let probe = Probe::slow(&mock, [secs(2)]);
    let policy = exact().with_base_delay(secs(1)).with_budget(ms(2500));
    let chat = wrap_chat(RetryLayer::new(policy), probe.clone());
    chat.chat(ask()).await.unwrap_err();
    assert_eq!(probe.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn never_makes_one_attempt() {
    let mock = MockProvider::new().fail_next(MockFailure::ServerError { status: 503 });
    let chat = wrap_chat(
        RetryLayer::new(RetryPolicy::never()),
        Arc::new(mock.clone()),
    );
    chat.chat(ask()).await.unwrap_err();
    assert_eq!(mock.call_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn embeddings_are_retried() {
    let mock = MockProvider::new()
        .fail_next(MockFailure::RateLimited {
            retry_after: secs(1),
        })
        .fail_next(MockFailure::ServerError { status: 503 });
    let embed = wrap_embed(RetryLayer::default(), Arc::new(mock.clone()));
    let started = Instant::now();
    let resp = embed
        .embed(EmbeddingRequest::new("mock-embed", "hello"))
        .await
        .unwrap();
    assert_eq!(resp.data.len(), 1);
    assert_eq!(mock.call_count(), 3);
    assert_eq!(mock.embedding_requests().len(), 3);
    assert!(started.elapsed() >= secs(1));
    assert_eq!(embed.name(), "mock");
}

#[tokio::test(start_paused = true)]
async fn embedding_errors_that_are_not_retryable_are_not_retried() {
    let mock = MockProvider::new().fail_next(MockFailure::Auth);
    let embed = wrap_embed(RetryLayer::default(), Arc::new(mock.clone()));
    let err = embed
        .embed(EmbeddingRequest::new("mock-embed", "hello"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), mock.call_count()),
        (ErrorKind::Authentication, 1)
    );
}

#[tokio::test(start_paused = true)]
async fn the_layer_is_transparent_when_nothing_fails() {
    let mock = MockProvider::new()
        .with_name("quiet")
        .with_models(["a", "b"]);
    let chat = wrap_chat(RetryLayer::default(), Arc::new(mock.clone()));
    assert_eq!(chat.name(), "quiet");
    assert_eq!(chat.list_models().await.unwrap().len(), 2);
    let started = Instant::now();
    chat.chat(ask()).await.unwrap();
    assert_eq!((started.elapsed(), mock.call_count()), (Duration::ZERO, 1));
    // Every attempt sent the same request.
    let mock = mock.fail_next(MockFailure::Timeout);
    mock.clear_requests();
    chat.chat(ask()).await.unwrap();
    let sent = mock.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0], sent[1]);
}
