//! The two stream rules every adapter shares.
//!
//! 1. *First event rule*: `chat_stream` returns only after the first chunk is parsed, so an
//!    error before any content is an `Err` from `chat_stream` that retry and routing can act on.
//! 2. *Nothing lost quietly*: once a chunk has reached the caller, any later error is yielded as
//!    [`ErrorKind::StreamInterrupted`] (its message and status kept); whether the end of the
//!    stream was clean is the protocol parser's business, which yields an error for a missing
//!    terminator.

use futures_util::StreamExt as _;
use llm_router_core::{ChatStream, Error, ErrorKind};

/// Waits for the first item of `stream` and returns the whole stream, or the first error.
pub async fn start_stream(provider: &str, mut stream: ChatStream) -> Result<ChatStream, Error> {
    let first = match stream.next().await {
        Some(Ok(chunk)) => chunk,
        Some(Err(e)) => return Err(e),
        None => {
            return Err(Error::new(
                ErrorKind::StreamInterrupted,
                "the stream ended before its first event",
            )
            .with_provider(provider));
        }
    };
    let rest = stream.map(|item| {
        item.map_err(|e| {
            if e.kind() == ErrorKind::StreamInterrupted {
                e
            } else {
                let kind = e.kind();
                e.with_kind(ErrorKind::StreamInterrupted)
                    .with_code_if_missing(kind.as_str())
            }
        })
    });
    Ok(Box::pin(
        futures_util::stream::once(async move { Ok(first) }).chain(rest),
    ))
}

trait WithCodeIfMissing {
    fn with_code_if_missing(self, code: &str) -> Self;
}

impl WithCodeIfMissing for Error {
    fn with_code_if_missing(self, code: &str) -> Self {
        if self.code().is_some() {
            self
        } else {
            self.with_code(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_core::{ChatChunk, collect_stream};

    fn s(items: Vec<Result<ChatChunk, Error>>) -> ChatStream {
        Box::pin(futures_util::stream::iter(items))
    }

    #[tokio::test]
    async fn error_before_content_is_returned() {
        let e = start_stream("p", s(vec![Err(Error::new(ErrorKind::RateLimited, "x"))]))
            .await
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        let e = start_stream("p", s(vec![])).await.err().unwrap();
        assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
    }

    #[tokio::test]
    async fn error_after_content_is_interrupted() {
        let st = start_stream(
            "p",
            s(vec![
                Ok(ChatChunk::text_delta("c", "m", "a")),
                Err(Error::new(ErrorKind::Connection, "reset")),
            ]),
        )
        .await
        .unwrap();
        let e = collect_stream(st).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
        assert_eq!(e.code(), Some("connection"));
        assert_eq!(e.message(), "reset");
    }
}
