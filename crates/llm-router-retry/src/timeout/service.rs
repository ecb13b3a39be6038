//! The timeout service.
//!
//! A stream goes through two phases. Until its first chunk, one `tokio::time::timeout` covers
//! the `chat_stream` call and the first item (the shorter of `per_attempt` and
//! `stream_total`). After it, `llm_router_http::with_timeouts` applies the idle limit and
//! what is left of the total; its `Timeout` errors are turned into `StreamInterrupted`, as
//! `start_stream` already does for every other error after the first chunk.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt as _;
use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider, EmbeddingRequest,
    EmbeddingResponse, Error, ErrorKind, ModelInfo,
};
use llm_router_http::{StreamTimeouts, start_stream, with_timeouts};
use tokio::time::Instant;

use super::layer::TimeoutLayer;

/// Wraps `S` and bounds its calls in time.
pub(crate) struct Timeout<S: ?Sized> {
    inner: Arc<S>,
    limits: TimeoutLayer,
}

impl<S: ?Sized> Timeout<S> {
    pub(crate) fn new(inner: Arc<S>, limits: TimeoutLayer) -> Self {
        Self { inner, limits }
    }
}

/// Runs `fut` within `limit` (if any); running over is a `Timeout` error saying `what`.
async fn bounded<T>(
    provider: &str,
    limit: Option<Duration>,
    what: impl FnOnce(Duration) -> String,
    fut: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match limit {
        None => fut.await,
        Some(limit) => match tokio::time::timeout(limit, fut).await {
            Ok(result) => result,
            Err(_) => Err(Error::new(ErrorKind::Timeout, what(limit)).with_provider(provider)),
        },
    }
}

/// An error after the first chunk, as the caller must see it.
fn interrupted(err: Error) -> Error {
    let kind = err.kind();
    if kind == ErrorKind::StreamInterrupted {
        return err;
    }
    let err = err.with_kind(ErrorKind::StreamInterrupted);
    if err.code().is_some() {
        err
    } else {
        err.with_code(kind.as_str())
    }
}

#[async_trait]
impl ChatProvider for Timeout<dyn ChatProvider> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let what = |d| format!("no response within the per-attempt timeout of {d:?}");
        bounded(
            self.inner.name(),
            self.limits.per_attempt,
            what,
            self.inner.chat(req),
        )
        .await
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let started = Instant::now();
        let name = self.inner.name();
        let TimeoutLayer {
            per_attempt,
            stream_idle,
            stream_total,
        } = self.limits;
        let first_limit = match (per_attempt, stream_total) {
            (Some(a), Some(t)) => Some(a.min(t)),
            (a, t) => a.or(t),
        };
        let what = |d: Duration| {
            if per_attempt == Some(d) {
                format!("no first chunk within the per-attempt timeout of {d:?}")
            } else {
                format!("no first chunk within the stream's total deadline of {d:?}")
            }
        };
        let start = async {
            let stream = self.inner.chat_stream(req).await?;
            start_stream(name, stream).await
        };
        let stream = bounded(name, first_limit, what, start).await?;
        if stream_idle.is_none() && stream_total.is_none() {
            return Ok(stream);
        }
        let left = stream_total.map(|t| t.saturating_sub(started.elapsed()));
        let limited = with_timeouts(name, stream, StreamTimeouts::new(stream_idle, left));
        Ok(Box::pin(limited.map(|item| item.map_err(interrupted))))
    }

    async fn list_models(&self) -> Result<Vec<ModelInfo>, Error> {
        let what = |d| format!("no model list within the per-attempt timeout of {d:?}");
        bounded(
            self.inner.name(),
            self.limits.per_attempt,
            what,
            self.inner.list_models(),
        )
        .await
    }
}

#[async_trait]
impl EmbeddingProvider for Timeout<dyn EmbeddingProvider> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        let what = |d| format!("no embeddings within the per-attempt timeout of {d:?}");
        bounded(
            self.inner.name(),
            self.limits.per_attempt,
            what,
            self.inner.embed(req),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_errors_become_interrupted_keeping_their_kind_as_code() {
        let e = interrupted(Error::new(ErrorKind::Timeout, "idle"));
        assert_eq!(
            (e.kind(), e.code()),
            (ErrorKind::StreamInterrupted, Some("timeout"))
        );
        assert_eq!(e.message(), "idle");
        let e = interrupted(Error::new(ErrorKind::Connection, "reset").with_code("econnreset"));
        assert_eq!(e.code(), Some("econnreset"));
        let e = interrupted(Error::new(ErrorKind::StreamInterrupted, "cut"));
        assert_eq!(e.code(), None);
    }
}
