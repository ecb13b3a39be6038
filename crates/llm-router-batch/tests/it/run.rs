use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use llm_router_batch::{Batch, CancelToken, Progress, RetryPolicy, items_from_requests};
use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, ChatStream, Error, ErrorKind, Message, async_trait,
    is_cancelled,
};
use llm_router_mock::{MockFailure, MockProvider};

fn ask(text: &str) -> ChatRequest {
    ChatRequest::new("m", vec![Message::user(text)])
}

/// Answers with the prompt upper-cased after `delay`; prompts containing "fail" fail; counts
/// requests in flight.
struct Fake {
    delay: Duration,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    started: AtomicUsize,
}

impl Fake {
    fn new(delay: Duration) -> Arc<Self> {
        Arc::new(Self {
            delay,
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            started: AtomicUsize::new(0),
        })
    }
}

#[async_trait]
impl ChatProvider for Fake {
    fn name(&self) -> &str {
        "fake"
    }
    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        self.started.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        // Later prompts finish first, so completion order differs from input order.
        let text = req.messages[0].text();
        let n: u64 = text
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .parse()
            .unwrap_or(0);
        tokio::time::sleep(self.delay.saturating_sub(Duration::from_millis(n))).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        if text.contains("fail") {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                format!("bad: {text}"),
            ));
        }
        let mut r = ChatResponse::default();
        r.choices.push(llm_router_core::Choice {
            index: 0,
            message: Message::assistant(text.to_uppercase()),
            finish_reason: None,
            logprobs: None,
            extra: Default::default(),
        });
        Ok(r)
    }
    async fn chat_stream(&self, _req: ChatRequest) -> Result<ChatStream, Error> {
        Err(Error::new(ErrorKind::Unsupported, "no streams"))
    }
}

#[tokio::test]
async fn results_keep_input_order_and_failures_stay_per_item() {
    let fake = Fake::new(Duration::from_millis(40));
    let reqs = vec![ask("a 1"), ask("fail 2"), ask("c 30"), ask("d 39")];
    let out = Batch::new(fake.clone()).concurrency(4).run(reqs).await;
    assert_eq!(out.len(), 4);
    assert_eq!(out[0].as_ref().unwrap().text(), "A 1");
    let e = out[1].as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert_eq!(e.message(), "bad: fail 2");
    assert_eq!(out[2].as_ref().unwrap().text(), "C 30");
    assert_eq!(out[3].as_ref().unwrap().text(), "D 39");
}

#[tokio::test]
async fn items_keep_their_custom_ids() {
    let fake = Fake::new(Duration::from_millis(5));
    let items = items_from_requests(vec![ask("x 3"), ask("y 1")]);
    let out = Batch::new(fake).run_items(items).await;
    assert_eq!(out[0].custom_id, "request-1");
    assert_eq!(out[1].custom_id, "request-2");
    assert_eq!(out[1].result.as_ref().unwrap().text(), "Y 1");
}

#[tokio::test]
async fn concurrency_is_bounded() {
    let fake = Fake::new(Duration::from_millis(20));
    let reqs = (0..12).map(|i| ask(&format!("q {}", i % 3))).collect();
    let out = Batch::new(fake.clone()).concurrency(3).run(reqs).await;
    assert!(out.iter().all(Result::is_ok));
    assert_eq!(fake.max_in_flight.load(Ordering::SeqCst), 3);
    assert_eq!(fake.started.load(Ordering::SeqCst), 12);

    let fake = Fake::new(Duration::from_millis(20));
    let reqs = (0..5).map(|i| ask(&format!("q {i}"))).collect();
    Batch::new(fake.clone()).concurrency(1).run(reqs).await;
    assert_eq!(fake.max_in_flight.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn retryable_failures_are_retried_honouring_retry_after() {
    let mock = MockProvider::new()
        .reply("hi", "hello")
        .fail_next(MockFailure::RateLimited {
            retry_after: Duration::from_millis(30),
        })
        .fail_next(MockFailure::ServerError { status: 503 });
    let policy = RetryPolicy::new(3).initial_backoff(Duration::from_millis(1));
    let started = tokio::time::Instant::now();
    let out = Batch::new(Arc::new(mock.clone()))
        .concurrency(1)
        .retry(policy)
        .run(vec![ask("hi")])
        .await;
    assert_eq!(out[0].as_ref().unwrap().text(), "hello");
    assert_eq!(mock.call_count(), 3);
    assert!(
        started.elapsed() >= Duration::from_millis(30),
        "waited for Retry-After"
    );
}

#[tokio::test]
async fn retries_give_up_after_max_attempts_and_on_permanent_errors() {
    let mock = MockProvider::new().fail_always(MockFailure::ServerError { status: 500 });
    let policy = RetryPolicy::new(2).initial_backoff(Duration::from_millis(1));
    let out = Batch::new(Arc::new(mock.clone()))
        .retry(policy.clone())
        .run(vec![ask("hi")])
        .await;
    assert_eq!(
        out[0].as_ref().unwrap_err().kind(),
        ErrorKind::ProviderUnavailable
    );
    assert_eq!(mock.call_count(), 2);

    let mock = MockProvider::new().fail_always(MockFailure::Auth);
    let out = Batch::new(Arc::new(mock.clone()))
        .retry(policy)
        .run(vec![ask("hi")])
        .await;
    assert_eq!(
        out[0].as_ref().unwrap_err().kind(),
        ErrorKind::Authentication
    );
    assert_eq!(mock.call_count(), 1, "a 401 is not retried");

    // Without a policy nothing is retried.
    let mock = MockProvider::new().fail_next(MockFailure::Timeout);
    let out = Batch::new(Arc::new(mock.clone()))
        .run(vec![ask("hi")])
        .await;
    assert_eq!(out[0].as_ref().unwrap_err().kind(), ErrorKind::Timeout);
    assert_eq!(mock.call_count(), 1);
}

#[tokio::test]
async fn progress_counts_every_item() {
    let fake = Fake::new(Duration::from_millis(5));
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let log = seen.clone();
    let reqs = vec![
        ask("a 1"),
        ask("fail 2"),
        ask("b 3"),
        ask("fail 4"),
        ask("c 5"),
    ];
    Batch::new(fake)
        .concurrency(2)
        .on_progress(move |p| log.lock().unwrap().push(p))
        .run(reqs)
        .await;
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 5);
    assert!(seen.iter().all(|p| p.total == 5));
    assert_eq!(
        seen.iter().map(|p| p.done).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    let last = seen[4];
    assert_eq!((last.failed, last.succeeded()), (2, 3));
    assert!(seen.windows(2).all(|w| w[0].failed <= w[1].failed));
}

#[tokio::test]
async fn cancellation_drops_running_items_and_skips_waiting_ones() {
    let fake = Fake::new(Duration::from_secs(30));
    let token = CancelToken::new();
    let trigger = token.clone();
    let progress: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let log = progress.clone();
    let batch = Batch::new(fake.clone())
        .concurrency(2)
        .cancel_token(token)
        .on_progress(move |p| log.lock().unwrap().push(p));
    let reqs = (0..6).map(|i| ask(&format!("q {i}"))).collect();
    let started = tokio::time::Instant::now();
    let (out, ()) = tokio::join!(batch.run(reqs), async move {
        tokio::time::sleep(Duration::from_millis(30)).await;
        trigger.cancel();
    });
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "did not wait for the 30 s calls"
    );
    assert_eq!(out.len(), 6);
    for r in &out {
        let e = r.as_ref().unwrap_err();
        assert!(is_cancelled(e), "{e}");
    }
    assert!(
        out[0]
            .as_ref()
            .unwrap_err()
            .message()
            .contains("while this request was running")
    );
    assert!(
        out[5]
            .as_ref()
            .unwrap_err()
            .message()
            .contains("before this request ran")
    );
    assert_eq!(
        fake.started.load(Ordering::SeqCst),
        2,
        "waiting items never started"
    );
    let last = *progress.lock().unwrap().last().unwrap();
    assert_eq!((last.done, last.failed, last.total), (6, 6, 6));

    // A token cancelled up front: nothing is sent.
    let fake = Fake::new(Duration::from_millis(1));
    let token = CancelToken::new();
    token.cancel();
    let out = Batch::new(fake.clone())
        .cancel_token(token)
        .run(vec![ask("a")])
        .await;
    assert!(is_cancelled(out[0].as_ref().unwrap_err()));
    assert_eq!(fake.started.load(Ordering::SeqCst), 0);
}
