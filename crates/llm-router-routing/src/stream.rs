//! A routed stream: passes chunks through untouched, while it records the time to the first
//! chunk, counts as in flight until it ends or is dropped, and reports a failure after the
//! first chunk to passive health (it is never replayed elsewhere: the caller already has
//! content).

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::Stream;
use llm_router_core::{ChatChunk, ChatStream, Error, ErrorKind};
use tokio::time::Instant;

use crate::health::{DeploymentState, InFlight};

pub(crate) struct Tracked {
    inner: ChatStream,
    state: Arc<DeploymentState>,
    started: Instant,
    first: bool,
    in_flight: Option<InFlight>,
}

impl Tracked {
    pub(crate) fn wrap(
        inner: ChatStream,
        state: Arc<DeploymentState>,
        started: Instant,
        in_flight: InFlight,
    ) -> ChatStream {
        Box::pin(Self {
            inner,
            state,
            started,
            first: true,
            in_flight: Some(in_flight),
        })
    }
}

impl Stream for Tracked {
    type Item = Result<ChatChunk, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let item = self.inner.as_mut().poll_next(cx);
        match &item {
            Poll::Ready(Some(Ok(_))) if self.first => {
                self.first = false;
                let now = Instant::now();
                self.state.record_ttft(now - self.started);
            }
            Poll::Ready(Some(Err(e))) => {
                self.first = false;
                if e.kind() == ErrorKind::StreamInterrupted || e.is_fallback_eligible() {
                    self.state.record_failure(e, Instant::now());
                }
            }
            Poll::Ready(None) => self.in_flight = None,
            _ => {}
        }
        item
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}
