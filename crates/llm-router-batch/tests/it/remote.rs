use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use llm_router_batch::{CancelToken, in_input_order, wait_for, wait_for_cancellable};
use llm_router_core::{
    BatchCounts, BatchItem, BatchItemResult, BatchJob, BatchProvider, BatchStatus, ChatRequest,
    ChatResponse, Error, ErrorKind, Message, async_trait, is_cancelled,
};

/// Plays back a scripted list of statuses; records what it was asked.
#[derive(Default)]
struct Scripted {
    statuses: Mutex<VecDeque<BatchStatus>>,
    calls: Mutex<Vec<String>>,
}

fn job(id: &str, status: BatchStatus) -> BatchJob {
    BatchJob {
        id: id.into(),
        provider: "scripted".into(),
        status,
        counts: BatchCounts::default(),
        created_at: 1,
        ended_at: None,
        expires_at: None,
        extra: Default::default(),
    }
}

#[async_trait]
impl BatchProvider for Scripted {
    fn name(&self) -> &str {
        "scripted"
    }
    async fn submit(&self, items: Vec<BatchItem>) -> Result<BatchJob, Error> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("submit {}", items.len()));
        Ok(job("b1", BatchStatus::Validating))
    }
    async fn status(&self, id: &str) -> Result<BatchJob, Error> {
        self.calls.lock().unwrap().push(format!("status {id}"));
        match self.statuses.lock().unwrap().pop_front() {
            Some(s) => Ok(job(id, s)),
            None => Err(Error::new(ErrorKind::ProviderUnavailable, "script ended")),
        }
    }
    async fn results(&self, id: &str) -> Result<Vec<BatchItemResult>, Error> {
        self.calls.lock().unwrap().push(format!("results {id}"));
        Ok(vec![
            BatchItemResult::new("c", Ok(ChatResponse::default())),
            BatchItemResult::new("a", Err(Error::new(ErrorKind::InvalidRequest, "bad"))),
            BatchItemResult::new("zzz", Ok(ChatResponse::default())),
        ])
    }
    async fn cancel(&self, id: &str) -> Result<BatchJob, Error> {
        self.calls.lock().unwrap().push(format!("cancel {id}"));
        Ok(job(id, BatchStatus::Cancelling))
    }
}

#[tokio::test]
async fn wait_for_polls_until_terminal() {
    let p = Scripted::default();
    p.statuses.lock().unwrap().extend([
        BatchStatus::Validating,
        BatchStatus::InProgress,
        BatchStatus::Finalizing,
        BatchStatus::Completed,
        BatchStatus::InProgress,
    ]);
    let mut seen = Vec::new();
    let done = wait_for(&p, "b1", Duration::from_millis(1), |j| {
        seen.push(j.status.clone())
    })
    .await
    .unwrap();
    assert_eq!(done.status, BatchStatus::Completed);
    assert_eq!(seen.len(), 4);
    assert_eq!(
        p.calls.lock().unwrap().len(),
        4,
        "stopped at the terminal status"
    );

    // A failing poll ends the wait with its error.
    let p = Scripted::default();
    let e = wait_for(&p, "b1", Duration::from_millis(1), |_| {})
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
}

#[tokio::test]
async fn wait_can_be_cancelled() {
    let p = Scripted::default();
    p.statuses
        .lock()
        .unwrap()
        .extend(std::iter::repeat_n(BatchStatus::InProgress, 1000));
    let token = CancelToken::new();
    let trigger = token.clone();
    let (r, ()) = tokio::join!(
        wait_for_cancellable(&p, "b1", Duration::from_millis(5), |_| {}, &token),
        async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            trigger.cancel();
        }
    );
    assert!(is_cancelled(&r.unwrap_err()));
}

#[tokio::test]
async fn pass_throughs_check_ids_and_results_come_back_in_input_order() {
    let p = Scripted::default();
    let item = |id: &str| BatchItem::new(id, ChatRequest::new("m", vec![Message::user("x")]));
    let dup = llm_router_batch::submit(&p, vec![item("a"), item("a")])
        .await
        .unwrap_err();
    assert_eq!(dup.kind(), ErrorKind::InvalidRequest);
    assert!(p.calls.lock().unwrap().is_empty(), "nothing sent");

    let job = llm_router_batch::submit(&p, vec![item("a"), item("b"), item("c")])
        .await
        .unwrap();
    assert_eq!(job.status, BatchStatus::Validating);
    let cancelling = llm_router_batch::cancel(&p, "b1").await.unwrap();
    assert_eq!(cancelling.status, BatchStatus::Cancelling);

    let got = llm_router_batch::results(&p, "b1").await.unwrap();
    let ids = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
    let ordered = in_input_order(&ids, got);
    assert_eq!(
        ordered
            .iter()
            .map(|r| r.custom_id.as_str())
            .collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
    assert_eq!(
        ordered[0].result.as_ref().unwrap_err().kind(),
        ErrorKind::InvalidRequest
    );
    let missing = ordered[1].result.as_ref().unwrap_err();
    assert!(
        missing.message().contains("no result for custom_id \"b\""),
        "{missing}"
    );
    assert!(ordered[2].result.is_ok());
    assert_eq!(
        *p.calls.lock().unwrap(),
        ["submit 3", "cancel b1", "results b1"]
    );
}

#[test]
fn missing_results_of_a_cancelled_or_expired_job_say_so() {
    let ids = ["a".to_owned(), "b".to_owned()];
    let got = || vec![BatchItemResult::new("a", Ok(ChatResponse::default()))];
    let ended = |s: BatchStatus| job("b9", s);

    let out = llm_router_batch::job_results_in_order(&ended(BatchStatus::Cancelled), &ids, got());
    assert!(out[0].result.is_ok());
    let e = out[1].result.as_ref().unwrap_err();
    assert!(is_cancelled(e), "{e}");
    assert_eq!(e.provider(), Some("scripted"));
    assert!(e.message().contains("batch b9"), "{e}");

    let out = llm_router_batch::job_results_in_order(&ended(BatchStatus::Expired), &ids, got());
    assert!(llm_router_core::is_expired(
        out[1].result.as_ref().unwrap_err()
    ));

    let out = llm_router_batch::job_results_in_order(&ended(BatchStatus::Completed), &ids, got());
    assert_eq!(
        out[1].result.as_ref().unwrap_err().kind(),
        ErrorKind::Decode
    );
}
