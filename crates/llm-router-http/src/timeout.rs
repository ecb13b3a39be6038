//! Idle timeout between chunks and a total deadline for streams.
//!
//! Two settings, as tower-http separates `TimeoutBody` (idle) and a deadline: a stream that
//! keeps producing is not cut by the idle timeout, and a stream that trickles forever is cut
//! by the deadline.

use std::time::Duration;

use futures_util::{Stream, StreamExt as _};
use llm_router_core::{Error, ErrorKind};
use tokio::time::Instant;

/// Stream time limits. `None` means no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamTimeouts {
    /// Longest wait for the next item.
    pub idle: Option<Duration>,
    /// Longest time from the start of the stream to its end.
    pub total: Option<Duration>,
}

impl StreamTimeouts {
    /// Idle and total limits.
    pub fn new(idle: Option<Duration>, total: Option<Duration>) -> Self {
        Self { idle, total }
    }
}

/// Applies `limits` to `stream`: when one is exceeded the stream yields one
/// [`ErrorKind::Timeout`] error and ends (dropping, so cancelling, the inner stream).
pub fn with_timeouts<S, T>(
    provider: &str,
    stream: S,
    limits: StreamTimeouts,
) -> impl Stream<Item = Result<T, Error>> + Send + use<S, T>
where
    S: Stream<Item = Result<T, Error>> + Send + Unpin,
    T: Send,
{
    let deadline = limits.total.map(|t| Instant::now() + t);
    let provider = provider.to_owned();
    futures_util::stream::unfold(Some(stream), move |state| {
        let provider = provider.clone();
        async move {
            let mut inner = state?;
            let now = Instant::now();
            let idle_at = limits.idle.map(|d| now + d);
            let wake = match (idle_at, deadline) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let next = match wake {
                None => inner.next().await,
                Some(at) => match tokio::time::timeout_at(at, inner.next()).await {
                    Ok(item) => item,
                    Err(_) => {
                        let which = if deadline == Some(at) {
                            "the stream's total deadline passed"
                        } else {
                            "no data within the stream's idle timeout"
                        };
                        let err = Error::new(ErrorKind::Timeout, which).with_provider(provider);
                        return Some((Err(err), None));
                    }
                },
            };
            next.map(|item| (item, Some(inner)))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;

    #[tokio::test(start_paused = true)]
    async fn idle_timeout_fires_between_items() {
        let slow = stream::iter(vec![1u8, 2])
            .then(|i| async move {
                if i == 2 {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
                Ok::<_, Error>(i)
            })
            .boxed();
        let s = with_timeouts(
            "p",
            slow,
            StreamTimeouts::new(Some(Duration::from_secs(1)), None),
        );
        let items: Vec<_> = s.collect().await;
        assert_eq!(items.len(), 2);
        assert_eq!(*items[0].as_ref().unwrap(), 1);
        let err = items[1].as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout);
        assert!(err.message().contains("idle"));
    }

    #[tokio::test(start_paused = true)]
    async fn deadline_fires_even_when_items_keep_coming() {
        let ticking = stream::iter(0..100u32)
            .then(|i| async move {
                tokio::time::sleep(Duration::from_millis(450)).await;
                Ok::<_, Error>(i)
            })
            .boxed();
        let s = with_timeouts(
            "p",
            ticking,
            StreamTimeouts::new(Some(Duration::from_secs(1)), Some(Duration::from_secs(2))),
        );
        let items: Vec<_> = s.collect().await;
        assert_eq!(items.iter().filter(|i| i.is_ok()).count(), 4);
        assert!(
            items
                .last()
                .unwrap()
                .as_ref()
                .unwrap_err()
                .message()
                .contains("deadline")
        );
    }
}
