//! The retry service: one loop shared by `chat`, `chat_stream` and `embed`.
//!
//! Each attempt sends a clone of the request. A stream counts as succeeded once its first
//! chunk has arrived (`llm_router_http::start_stream` waits for it, which costs nothing for a
//! provider that already keeps the first-event rule); errors after that pass through as
//! `StreamInterrupted` and are never retried. Logs name the provider, the attempt, the wait
//! and the error's kind and status, never the request or the provider's message.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider, EmbeddingRequest,
    EmbeddingResponse, Error, ModelInfo,
};
use tokio::time::Instant;

use super::policy::{Decision, GiveUp, RetryPolicy};
use crate::rng::JitterRng;

/// Wraps `S` and retries its calls.
pub(crate) struct Retry<S: ?Sized> {
    inner: Arc<S>,
    policy: RetryPolicy,
    rng: JitterRng,
}

impl<S: ?Sized> Retry<S> {
    pub(crate) fn new(inner: Arc<S>, policy: RetryPolicy) -> Self {
        let rng = JitterRng::new(policy.seed());
        Self { inner, policy, rng }
    }

    /// Runs `attempt` until it succeeds or the policy gives up; returns the last error.
    async fn run<T, F, Fut>(
        &self,
        provider: &str,
        operation: &str,
        mut attempt: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut + Send,
        Fut: Future<Output = Result<T, Error>> + Send,
        T: Send,
    {
        let started = Instant::now();
        let mut made = 1u32;
        loop {
            let err = match attempt().await {
                Ok(value) => return Ok(value),
                Err(err) => err,
            };
            let unit = self.rng.next_unit();
            match self.policy.decide(&err, made, started.elapsed(), unit) {
                Decision::Retry(wait) => {
                    log_retry(provider, operation, made, wait, &err);
                    tokio::time::sleep(wait).await;
                    made += 1;
                }
                Decision::GiveUp(reason) => {
                    if reason != GiveUp::NotRetryable {
                        log_give_up(provider, operation, made, reason, &err);
                    }
                    return Err(err);
                }
            }
        }
    }
}

fn log_retry(provider: &str, operation: &str, attempt: u32, wait: Duration, err: &Error) {
    tracing::debug!(
        provider,
        operation,
        attempt,
        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
        kind = %err.kind(),
        status = ?err.status(),
        retry_after_ms = ?err.retry_after().map(|d| d.as_millis()),
        "retrying after a retryable error"
    );
}

fn log_give_up(provider: &str, operation: &str, attempts: u32, reason: GiveUp, err: &Error) {
    tracing::warn!(
        provider,
        operation,
        attempts,
        reason = reason.as_str(),
        kind = %err.kind(),
        status = ?err.status(),
        retry_after_ms = ?err.retry_after().map(|d| d.as_millis()),
        "giving up retrying"
    );
}

#[async_trait]
impl ChatProvider for Retry<dyn ChatProvider> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let name = self.inner.name();
        self.run(name, "chat", || {
            let (inner, req) = (Arc::clone(&self.inner), req.clone());
            async move { inner.chat(req).await }
        })
        .await
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let name = self.inner.name();
        self.run(name, "chat_stream", || {
            let (inner, req) = (Arc::clone(&self.inner), req.clone());
            async move {
                let stream = inner.chat_stream(req).await?;
                llm_router_http::start_stream(inner.name(), stream).await
            }
        })
        .await
    }

    async fn list_models(&self) -> Result<Vec<ModelInfo>, Error> {
        self.inner.list_models().await
    }
}

#[async_trait]
impl EmbeddingProvider for Retry<dyn EmbeddingProvider> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        let name = self.inner.name();
        self.run(name, "embed", || {
            let (inner, req) = (Arc::clone(&self.inner), req.clone());
            async move { inner.embed(req).await }
        })
        .await
    }
}
