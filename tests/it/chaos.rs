//! Chaos: three deployments that each fail 30% of calls with a mix of 429, 500, timeouts and
//! connection errors; 2,000 concurrent requests through the router with failover reach the
//! caller without a single error, and with every deployment down the caller gets one clear
//! error listing each attempt, at once.
//!
//! Failures come from a seeded generator (splitmix64) per deployment, drawn on each call and
//! queued on the mock with `fail_next` right before it answers, so the run is the same every
//! time: the test runs on a current-thread runtime, and nothing sleeps (cool-downs last 30 s
//! or more, far longer than the test).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt as _;
use llm_router::mock::{MockFailure, MockProvider};
use llm_router::{
    ChatProvider, ChatRequest, ChatResponse, ChatStream, Error, ErrorKind, Message, async_trait,
};
use llm_router_routing::{Attempts, Deployment, ModelGroup, RoundRobin, Router};

const REQUESTS: usize = 2_000;
const PASSES: usize = 10;

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A mock that fails 30% of its calls, the failure picked by a seeded generator.
struct Flaky {
    mock: MockProvider,
    rng: Mutex<u64>,
    injected: AtomicUsize,
}

impl Flaky {
    fn new(name: &str, seed: u64) -> Arc<Self> {
        Arc::new(Self {
            mock: MockProvider::new()
                .with_name(name)
                .default_reply(format!("from {name}")),
            rng: Mutex::new(seed),
            injected: AtomicUsize::new(0),
        })
    }

    /// Draws this call's fate and queues the failure, if any, on the mock.
    fn draw(&self) {
        let x = splitmix64(&mut self.rng.lock().unwrap());
        if x % 100 >= 30 {
            return;
        }
        let failure = match (x / 100) % 4 {
            0 => MockFailure::RateLimited {
                retry_after: Duration::from_secs(60),
            },
            1 => MockFailure::ServerError { status: 500 },
            2 => MockFailure::Timeout,
            _ => MockFailure::custom(ErrorKind::Connection, "connection reset by peer"),
        };
        self.injected.fetch_add(1, Ordering::Relaxed);
        let _ = self.mock.clone().fail_next(failure);
    }
}

#[async_trait]
impl ChatProvider for Flaky {
    fn name(&self) -> &str {
        ChatProvider::name(&self.mock)
    }
    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        // Let the other requests in flight run first: real interleaving.
        tokio::task::yield_now().await;
        self.draw();
        self.mock.chat(req).await
    }
    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        tokio::task::yield_now().await;
        self.draw();
        self.mock.chat_stream(req).await
    }
}

fn router(flaky: &[Arc<Flaky>]) -> Router {
    Router::builder()
        .group(
            ModelGroup::new("chaos")
                .deployments(flaky.iter().map(|f| {
                    let name = ChatProvider::name(&**f).to_owned();
                    Deployment::new(f.clone(), format!("m-{name}"))
                }))
                .strategy(RoundRobin::new())
                .passes(PASSES),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn two_thousand_requests_through_flaky_deployments_see_no_error() {
    let flaky = [
        Flaky::new("a", 0x5eed_0001),
        Flaky::new("b", 0x5eed_0002),
        Flaky::new("c", 0x5eed_0003),
    ];
    let router = router(&flaky);

    let results: Vec<Result<ChatResponse, Error>> = futures_util::stream::iter(0..REQUESTS)
        .map(|i| {
            let router = router.clone();
            async move {
                let req = ChatRequest::new("chaos", vec![Message::user(format!("request {i}"))]);
                router.chat(req).await
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let errors: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(ToString::to_string))
        .collect();
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        errors.first()
    );
    assert_eq!(results.len(), REQUESTS);

    // The chaos was real: about 30% of calls failed, every deployment served, and the router
    // made up for every failure with another call.
    let calls: usize = flaky.iter().map(|f| f.mock.call_count()).sum();
    let injected: usize = flaky
        .iter()
        .map(|f| f.injected.load(Ordering::Relaxed))
        .sum();
    assert_eq!(calls, REQUESTS + injected);
    let rate = injected as f64 / calls as f64;
    assert!((0.25..0.35).contains(&rate), "failure rate {rate}");
    assert!(flaky.iter().all(|f| f.mock.call_count() > 200));
    // Nothing is left in flight.
    assert!(router.health().iter().all(|h| h.in_flight == 0));

    // Streams fail over the same way.
    for i in 0..200 {
        let req = ChatRequest::new("chaos", vec![Message::user(format!("stream {i}"))]);
        let mut s = router.chat_stream(req).await.unwrap();
        while let Some(chunk) = s.next().await {
            chunk.unwrap();
        }
    }

    // Every deployment down: one clear error, at once.
    for (f, failure) in flaky.iter().zip([
        MockFailure::ServerError { status: 503 },
        MockFailure::custom(ErrorKind::Connection, "connection refused"),
        MockFailure::Timeout,
    ]) {
        let _ = f.mock.clone().fail_always(failure);
    }
    let started = std::time::Instant::now();
    let outcome = tokio::time::timeout(
        Duration::from_secs(5),
        router.chat(ChatRequest::new("chaos", vec![Message::user("anyone?")])),
    )
    .await
    .expect("the router hung with every deployment down");
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    let err = outcome.unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::ProviderUnavailable | ErrorKind::Connection | ErrorKind::Timeout
        ),
        "{err}"
    );
    assert!(
        err.message().starts_with("all ")
            && err.message().contains(" attempts for `chaos` failed: "),
        "{err}"
    );
    for id in ["[a/m-a]", "[b/m-b]", "[c/m-c]"] {
        assert!(err.message().contains(id), "{id} missing from {err}");
    }
    let attempts = std::error::Error::source(&err)
        .and_then(|s| s.downcast_ref::<Attempts>())
        .expect("the attempts are the error's source");
    // Each pass tries or skips (cooling down) each deployment once.
    assert_eq!(attempts.len() + attempts.skipped_count(), 3 * PASSES);
    assert!(attempts.iter().all(|a| a.error.is_fallback_eligible()));
}
