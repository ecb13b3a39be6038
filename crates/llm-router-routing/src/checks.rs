//! Active health checks: a background task that sends each deployment a tiny request on an
//! interval and marks it healthy or down.
//!
//! A check is `"ping"` with `max_tokens: 1` (an embedding of `"ping"` for embedding-only
//! deployments), bounded by a timeout. A fallback-eligible error or a timeout cools the
//! deployment down at once; a success, or an error that shows the deployment answered
//! (`InvalidRequest`, say), makes it healthy. The task holds only a weak reference to the
//! router and stops when the returned handle is dropped.

use std::sync::{Arc, Weak};
use std::time::Duration;

use llm_router_core::{ChatRequest, EmbeddingRequest, Error, ErrorKind, Message};
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

use crate::router::{Inner, Router, Slot};

/// The longest a single check may take when the interval is longer.
const MAX_CHECK_TIMEOUT: Duration = Duration::from_secs(30);

/// Running active health checks; dropping the handle stops them.
#[derive(Debug)]
pub struct HealthChecks {
    task: JoinHandle<()>,
}

impl HealthChecks {
    /// Stops the checks (the same as dropping the handle).
    pub fn stop(self) {}
}

impl Drop for HealthChecks {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn check(slot: &Slot, timeout: Duration) {
    let result: Result<(), Error> = {
        let fut = async {
            if let Some(chat) = &slot.chat {
                let req = ChatRequest::new(slot.model.clone(), vec![Message::user("ping")])
                    .with_max_tokens(1);
                chat.chat(req).await.map(drop)
            } else if let Some(embedding) = &slot.embedding {
                embedding
                    .embed(EmbeddingRequest::new(slot.model.clone(), "ping"))
                    .await
                    .map(drop)
            } else {
                Ok(())
            }
        };
        match tokio::time::timeout(timeout, fut).await {
            Ok(r) => r,
            Err(_) => Err(Error::new(ErrorKind::Timeout, "health check timed out")),
        }
    };
    match result {
        Err(e) if e.is_fallback_eligible() => {
            tracing::debug!(deployment = %slot.id, error = %e, "router: health check failed");
            slot.state.mark_down(Instant::now());
        }
        _ => slot.state.record_success(),
    }
}

async fn run(router: Weak<Inner>, interval: Duration) {
    let timeout = interval.min(MAX_CHECK_TIMEOUT);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let Some(inner) = router.upgrade() else {
            return;
        };
        futures_util::future::join_all(inner.unique.iter().map(|s| check(s, timeout))).await;
    }
}

impl Router {
    /// Starts active health checks: every `interval` (the first at once) each deployment gets
    /// a tiny request, bounded by `interval` (at most 30 s); a failure cools it down, a
    /// success makes it healthy. Checks stop when the returned handle is dropped.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] when called outside a Tokio runtime.
    pub fn spawn_health_checks(&self, interval: Duration) -> Result<HealthChecks, Error> {
        let handle = tokio::runtime::Handle::try_current().map_err(|e| {
            Error::new(
                ErrorKind::Config,
                "router: health checks need a Tokio runtime",
            )
            .with_source(e)
        })?;
        let interval = interval.max(Duration::from_millis(1));
        let weak = Arc::downgrade(self.inner());
        Ok(HealthChecks {
            task: handle.spawn(run(weak, interval)),
        })
    }
}
