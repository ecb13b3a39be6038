//! Provider batch APIs, provider-agnostic: submit, poll until done, fetch results in input
//! order, cancel — over any [`BatchProvider`].

use std::collections::HashMap;
use std::time::Duration;

use llm_router_core::{
    BatchItem, BatchItemResult, BatchJob, BatchProvider, BatchStatus, Error, ErrorKind,
    cancelled_error, check_custom_ids, expired_error,
};

use crate::cancel::CancelToken;
use crate::run::race;

/// Checks the items' ids (non-empty, unique) and submits them.
pub async fn submit(
    provider: &dyn BatchProvider,
    items: Vec<BatchItem>,
) -> Result<BatchJob, Error> {
    check_custom_ids(&items)?;
    provider.submit(items).await
}

/// The job's current state.
pub async fn status(provider: &dyn BatchProvider, id: &str) -> Result<BatchJob, Error> {
    provider.status(id).await
}

/// Asks the provider to cancel the job.
pub async fn cancel(provider: &dyn BatchProvider, id: &str) -> Result<BatchJob, Error> {
    provider.cancel(id).await
}

/// The job's results in the provider's order.
pub async fn results(
    provider: &dyn BatchProvider,
    id: &str,
) -> Result<Vec<BatchItemResult>, Error> {
    provider.results(id).await
}

/// Polls `id` every `poll_interval` until its status is terminal
/// ([`BatchStatus::is_terminal`](llm_router_core::BatchStatus::is_terminal)), calling
/// `on_status` with every state seen (the first one at once). Returns the final state.
///
/// A failed poll ends the wait with its error (retry it, or wrap the provider in a retry
/// layer). Dropping the future stops the polling; so does [`wait_for_cancellable`].
///
/// ```
/// use std::time::Duration;
/// use llm_router_core::{
///     async_trait, BatchItem, BatchItemResult, BatchJob, BatchProvider, BatchStatus, Error,
/// };
///
/// struct Done;
/// #[async_trait]
/// impl BatchProvider for Done {
///     fn name(&self) -> &str { "fake" }
///     async fn submit(&self, _: Vec<BatchItem>) -> Result<BatchJob, Error> { self.status("b").await }
///     async fn status(&self, id: &str) -> Result<BatchJob, Error> {
///         Ok(serde_json::from_value(serde_json::json!({"id": id, "status": "completed"}))?)
///     }
///     async fn results(&self, _: &str) -> Result<Vec<BatchItemResult>, Error> { Ok(vec![]) }
///     async fn cancel(&self, id: &str) -> Result<BatchJob, Error> { self.status(id).await }
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
/// let job = rt.block_on(llm_router_batch::wait_for(&Done, "b", Duration::from_secs(30), |j| {
///     eprintln!("{}: {}", j.id, j.status)
/// }))?;
/// assert_eq!(job.status, BatchStatus::Completed);
/// # Ok(()) }
/// ```
pub async fn wait_for(
    provider: &dyn BatchProvider,
    id: &str,
    poll_interval: Duration,
    mut on_status: impl FnMut(&BatchJob),
) -> Result<BatchJob, Error> {
    loop {
        let job = provider.status(id).await?;
        on_status(&job);
        if job.status.is_terminal() {
            return Ok(job);
        }
        tokio::time::sleep(poll_interval).await;
    }
}

/// [`wait_for`] that stops when `token` is cancelled, with an error of code
/// [`CANCELLED_CODE`](llm_router_core::CANCELLED_CODE) (the provider's batch keeps running;
/// call [`cancel`] to stop it there).
pub async fn wait_for_cancellable(
    provider: &dyn BatchProvider,
    id: &str,
    poll_interval: Duration,
    on_status: impl FnMut(&BatchJob),
    token: &CancelToken,
) -> Result<BatchJob, Error> {
    race(token, wait_for(provider, id, poll_interval, on_status))
        .await
        .unwrap_or_else(|| Err(cancelled_error(format!("stopped waiting for batch {id}"))))
}

/// Puts `results` in the order of `custom_ids` (the submitted items' ids). An id without a
/// result gets an [`ErrorKind::Decode`] error saying so; results for unknown ids are dropped.
///
/// ```
/// use llm_router_core::{BatchItemResult, ChatResponse};
/// let got = vec![
///     BatchItemResult::new("b", Ok(ChatResponse::default())),
///     BatchItemResult::new("a", Ok(ChatResponse::default())),
/// ];
/// let ordered = llm_router_batch::in_input_order(&["a".into(), "b".into(), "c".into()], got);
/// let ids: Vec<_> = ordered.iter().map(|r| r.custom_id.as_str()).collect();
/// assert_eq!(ids, ["a", "b", "c"]);
/// assert!(ordered[2].result.is_err());
/// ```
pub fn in_input_order(
    custom_ids: &[String],
    results: Vec<BatchItemResult>,
) -> Vec<BatchItemResult> {
    order(custom_ids, results, |id| {
        Error::new(
            ErrorKind::Decode,
            format!("the provider returned no result for custom_id {id:?}"),
        )
    })
}

/// [`in_input_order`] for the results of `job`: an id without a result is a
/// [`cancelled_error`] when the job was cancelled and an [`expired_error`] when it expired
/// (providers leave requests that never ran out of their results), else the same
/// [`ErrorKind::Decode`] error.
///
/// ```
/// use llm_router_core::{BatchJob, BatchStatus, is_cancelled};
/// let job: BatchJob = serde_json::from_value(serde_json::json!({"id": "b", "status": "cancelled"}))?;
/// let ordered = llm_router_batch::job_results_in_order(&job, &["a".into()], vec![]);
/// assert!(is_cancelled(ordered[0].result.as_ref().unwrap_err()));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn job_results_in_order(
    job: &BatchJob,
    custom_ids: &[String],
    results: Vec<BatchItemResult>,
) -> Vec<BatchItemResult> {
    let provider = job.provider.clone();
    let tag = |e: Error| {
        if provider.is_empty() {
            e
        } else {
            e.with_provider(provider.as_str())
        }
    };
    match job.status {
        BatchStatus::Cancelled => order(custom_ids, results, |_| {
            tag(cancelled_error(format!(
                "batch {} was cancelled before this request ran",
                job.id
            )))
        }),
        BatchStatus::Expired => order(custom_ids, results, |_| {
            tag(expired_error(format!(
                "batch {} expired before this request ran",
                job.id
            )))
        }),
        _ => in_input_order(custom_ids, results),
    }
}

fn order(
    custom_ids: &[String],
    results: Vec<BatchItemResult>,
    missing: impl Fn(&str) -> Error,
) -> Vec<BatchItemResult> {
    let mut by_id: HashMap<String, BatchItemResult> = results
        .into_iter()
        .map(|r| (r.custom_id.clone(), r))
        .collect();
    custom_ids
        .iter()
        .map(|id| {
            by_id
                .remove(id)
                .unwrap_or_else(|| BatchItemResult::new(id.clone(), Err(missing(id))))
        })
        .collect()
}
