//! Running many chat requests against one provider: bounded concurrency, per-item retry,
//! progress reports, cancellation; results in input order.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures_util::StreamExt as _;
use futures_util::future::{Either, select};
use llm_router_core::{
    BatchItem, BatchItemResult, ChatProvider, ChatRequest, ChatResponse, Error, SharedChat,
    cancelled_error,
};

use crate::cancel::CancelToken;
use crate::retry::RetryPolicy;

/// How far a batch has got, reported after every finished item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Items finished, successfully or not.
    pub done: usize,
    /// Of those, items that failed (cancelled ones included).
    pub failed: usize,
    /// Items in the batch.
    pub total: usize,
}

impl Progress {
    /// Items that finished successfully.
    pub fn succeeded(&self) -> usize {
        self.done - self.failed
    }
}

type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Runs a list of chat requests against one provider.
///
/// Every item gets its own result, in input order: a failed item never loses the others.
/// At most [`concurrency`](Self::concurrency) requests are in flight (default 8). With a
/// [`RetryPolicy`], retryable failures are tried again after a backoff that honours
/// `Retry-After`. The [`on_progress`](Self::on_progress) callback hears about every finished
/// item. When the [`CancelToken`] fires, running requests are dropped (their connections
/// closed) and every unfinished item fails with
/// [`cancelled_error`](llm_router_core::cancelled_error)
/// ([`is_cancelled`](llm_router_core::is_cancelled) is true for it).
///
/// The requests run as futures inside the caller's task (no spawning), so the provider needs
/// no `'static` bound beyond the `Arc`.
///
/// ```
/// use std::sync::Arc;
/// use llm_router_batch::{Batch, RetryPolicy};
/// use llm_router_core::{ChatRequest, Message};
/// use llm_router_mock::MockProvider;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
/// let results = rt.block_on(async {
///     let mock = MockProvider::new().reply("ping", "pong");
///     let requests = (0..5)
///         .map(|i| ChatRequest::new("m", vec![Message::user(format!("ping {i}"))]))
///         .collect();
///     Batch::new(Arc::new(mock))
///         .concurrency(2)
///         .retry(RetryPolicy::new(3))
///         .on_progress(|p| eprintln!("{}/{} ({} failed)", p.done, p.total, p.failed))
///         .run(requests)
///         .await
/// });
/// assert_eq!(results.len(), 5);
/// assert_eq!(results[0].as_ref().map(|r| r.text()).ok().as_deref(), Some("pong"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Batch {
    provider: SharedChat,
    concurrency: usize,
    retry: Option<RetryPolicy>,
    on_progress: Option<ProgressFn>,
    cancel: Option<CancelToken>,
}

impl fmt::Debug for Batch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batch")
            .field("provider", &self.provider.name())
            .field("concurrency", &self.concurrency)
            .field("retry", &self.retry)
            .field("on_progress", &self.on_progress.as_ref().map(|_| ".."))
            .field("cancel", &self.cancel)
            .finish()
    }
}

impl Batch {
    /// The default number of requests in flight.
    pub const DEFAULT_CONCURRENCY: usize = 8;

    /// A batch runner for `provider`: 8 at a time, no retry, no progress, no cancellation.
    pub fn new(provider: SharedChat) -> Self {
        Self {
            provider,
            concurrency: Self::DEFAULT_CONCURRENCY,
            retry: None,
            on_progress: None,
            cancel: None,
        }
    }

    /// At most `n` requests in flight (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Tries failed items again by `policy`.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Calls `f` after every finished item (from the task running the batch; keep it quick).
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(f));
        self
    }

    /// Stops the batch when `token` is cancelled.
    pub fn cancel_token(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Runs `requests`; one result per request, in input order.
    pub async fn run(&self, requests: Vec<ChatRequest>) -> Vec<Result<ChatResponse, Error>> {
        self.run_indexed(requests).await
    }

    /// Runs `items`; one result per item, in input order, tagged with its `custom_id`.
    pub async fn run_items(&self, items: Vec<BatchItem>) -> Vec<BatchItemResult> {
        let (ids, requests): (Vec<String>, Vec<ChatRequest>) =
            items.into_iter().map(|i| (i.custom_id, i.request)).unzip();
        let results = self.run_indexed(requests).await;
        ids.into_iter()
            .zip(results)
            .map(|(id, result)| BatchItemResult::new(id, result))
            .collect()
    }

    async fn run_indexed(&self, requests: Vec<ChatRequest>) -> Vec<Result<ChatResponse, Error>> {
        let total = requests.len();
        let mut out: Vec<Option<Result<ChatResponse, Error>>> =
            std::iter::repeat_with(|| None).take(total).collect();
        let mut progress = Progress {
            done: 0,
            failed: 0,
            total,
        };
        let mut finished = futures_util::stream::iter(requests.into_iter().enumerate())
            .map(|(i, req)| async move { (i, self.one(req).await) })
            .buffer_unordered(self.concurrency);
        while let Some((i, result)) = finished.next().await {
            progress.done += 1;
            if result.is_err() {
                progress.failed += 1;
            }
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(result);
            }
            if let Some(f) = &self.on_progress {
                f(progress);
            }
        }
        out.into_iter()
            .map(|r| r.unwrap_or_else(|| Err(cancelled_error("the batch ended before this item"))))
            .collect()
    }

    /// One item: not started if already cancelled, dropped if cancelled while running.
    async fn one(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let Some(token) = &self.cancel else {
            return self.with_retry(req).await;
        };
        if token.is_cancelled() {
            return Err(cancelled_error(
                "the batch was cancelled before this request ran",
            ));
        }
        race(token, self.with_retry(req)).await.unwrap_or_else(|| {
            Err(cancelled_error(
                "the batch was cancelled while this request was running",
            ))
        })
    }

    async fn with_retry(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let Some(policy) = &self.retry else {
            return self.provider.chat(req).await;
        };
        let mut attempt = 1;
        loop {
            match self.provider.chat(req.clone()).await {
                Ok(r) => return Ok(r),
                Err(e) => match policy.wait_after(attempt, &e) {
                    Some(wait) => {
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                    }
                    None => return Err(e),
                },
            }
        }
    }
}

/// `fut`'s output, or `None` if `token` is cancelled first (then `fut` is dropped).
pub(crate) async fn race<T>(token: &CancelToken, fut: impl Future<Output = T>) -> Option<T> {
    let fut = std::pin::pin!(fut);
    let cancelled = std::pin::pin!(token.cancelled());
    match select(fut, cancelled).await {
        Either::Left((out, _)) => Some(out),
        Either::Right(((), _)) => None,
    }
}

/// Requests as items with the ids `request-1`, `request-2`, … (1-based input positions).
///
/// ```
/// use llm_router_core::{ChatRequest, Message};
/// let items = llm_router_batch::items_from_requests(vec![
///     ChatRequest::new("m", vec![Message::user("a")]),
///     ChatRequest::new("m", vec![Message::user("b")]),
/// ]);
/// assert_eq!(items[1].custom_id, "request-2");
/// ```
pub fn items_from_requests(requests: Vec<ChatRequest>) -> Vec<BatchItem> {
    requests
        .into_iter()
        .enumerate()
        .map(|(i, r)| BatchItem::new(format!("request-{}", i + 1), r))
        .collect()
}
