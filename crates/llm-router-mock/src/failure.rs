//! Injected failures: what a real provider does on a bad day, as values a test can queue.
//!
//! `Error` is not `Clone`, so a failure is stored as a description and turned into a fresh
//! [`Error`] (carrying the mock's name as its provider) each time it fires.

use std::time::Duration;

use llm_router_core::{Error, ErrorKind};

/// A failure the mock returns instead of an answer.
///
/// Queue one with [`MockProvider::fail_next`](crate::MockProvider::fail_next) or make every call
/// fail with [`MockProvider::fail_always`](crate::MockProvider::fail_always).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MockFailure {
    /// HTTP 429 with `Retry-After`: [`ErrorKind::RateLimited`], `retry_after` set.
    RateLimited {
        /// How long the "provider" asks the caller to wait.
        retry_after: Duration,
    },
    /// An HTTP 5xx: [`ErrorKind::ProviderUnavailable`] with this status.
    ServerError {
        /// The HTTP status (500, 502, 503, 529, …).
        status: u16,
    },
    /// The request took too long: [`ErrorKind::Timeout`], no status.
    Timeout,
    /// A bad API key: [`ErrorKind::Authentication`], HTTP 401.
    Auth,
    /// Out of credit: [`ErrorKind::QuotaExceeded`], HTTP 429, code `insufficient_quota`.
    QuotaExceeded,
    /// Any other error, built from its kind and message.
    Custom {
        /// The error's kind.
        kind: ErrorKind,
        /// The error's message.
        message: String,
    },
    /// Streams only: yield this many chunks, then `Err(ErrorKind::StreamInterrupted)` and no
    /// finish chunk. `chat` and `embed` answer normally.
    CutStreamAfter(usize),
}

impl MockFailure {
    /// A [`MockFailure::Custom`] failure.
    pub fn custom(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self::Custom {
            kind,
            message: message.into(),
        }
    }

    /// The error this failure returns up front, or `None` for [`MockFailure::CutStreamAfter`]
    /// (which is not an up-front error).
    pub(crate) fn error(&self, provider: &str) -> Option<Error> {
        let err = match self {
            Self::RateLimited { retry_after } => {
                Error::new(ErrorKind::RateLimited, "mock: rate limit reached")
                    .with_status(429)
                    .with_retry_after(*retry_after)
            }
            Self::ServerError { status } => Error::new(
                ErrorKind::ProviderUnavailable,
                format!("mock: server error {status}"),
            )
            .with_status(*status),
            Self::Timeout => Error::new(ErrorKind::Timeout, "mock: request timed out"),
            Self::Auth => {
                Error::new(ErrorKind::Authentication, "mock: invalid API key").with_status(401)
            }
            Self::QuotaExceeded => Error::new(ErrorKind::QuotaExceeded, "mock: quota exceeded")
                .with_status(429)
                .with_code("insufficient_quota"),
            Self::Custom { kind, message } => Error::new(*kind, message.clone()),
            Self::CutStreamAfter(_) => return None,
        };
        Some(err.with_provider(provider))
    }

    /// The error that ends a cut stream.
    pub(crate) fn interrupted(provider: &str, after: usize) -> Error {
        Error::new(
            ErrorKind::StreamInterrupted,
            format!("mock: stream cut after {after} chunks"),
        )
        .with_provider(provider)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_become_classified_errors() {
        let e = MockFailure::RateLimited {
            retry_after: Duration::from_secs(3),
        }
        .error("m")
        .unwrap();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.status(), Some(429));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(e.provider(), Some("m"));

        let e = MockFailure::ServerError { status: 503 }.error("m").unwrap();
        assert_eq!(
            (e.kind(), e.status()),
            (ErrorKind::ProviderUnavailable, Some(503))
        );
        let e = MockFailure::Timeout.error("m").unwrap();
        assert_eq!((e.kind(), e.status()), (ErrorKind::Timeout, None));
        let e = MockFailure::Auth.error("m").unwrap();
        assert_eq!(
            (e.kind(), e.status()),
            (ErrorKind::Authentication, Some(401))
        );
        let e = MockFailure::QuotaExceeded.error("m").unwrap();
        assert_eq!(
            (e.kind(), e.status()),
            (ErrorKind::QuotaExceeded, Some(429))
        );
        let e = MockFailure::custom(ErrorKind::ContentFiltered, "nope")
            .error("m")
            .unwrap();
        assert_eq!(
            (e.kind(), e.message()),
            (ErrorKind::ContentFiltered, "nope")
        );
        assert!(MockFailure::CutStreamAfter(2).error("m").is_none());
        assert_eq!(
            MockFailure::interrupted("m", 2).kind(),
            ErrorKind::StreamInterrupted
        );
    }
}
