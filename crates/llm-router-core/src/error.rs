//! The one error type that crosses crates on the request path.
//!
//! Every failure answers the same questions — what kind, which provider, which HTTP status, how
//! long to wait — whatever went wrong. The kind decides what retry and routing do with it.

use std::fmt;
use std::time::Duration;

/// Boxed source error.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong, in terms a caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request is malformed or has a value the provider rejects (HTTP 400/422).
    InvalidRequest,
    /// The API key is missing, wrong or expired (HTTP 401).
    Authentication,
    /// The key is valid but may not do this (HTTP 403).
    PermissionDenied,
    /// The model (or deployment, or route) does not exist (HTTP 404, unknown alias).
    ModelNotFound,
    /// The prompt does not fit the model's context window.
    ContextLengthExceeded,
    /// The provider's safety system refused the prompt or the answer.
    ContentFiltered,
    /// Too many requests right now; see [`Error::retry_after`].
    RateLimited,
    /// The account is out of credit or over its quota; waiting does not help.
    QuotaExceeded,
    /// The request or a stream took too long.
    Timeout,
    /// The connection could not be made or broke before a response.
    Connection,
    /// The provider is down or overloaded (HTTP 5xx, Anthropic 529).
    ProviderUnavailable,
    /// A stream failed after content had reached the caller, or ended without its terminator.
    StreamInterrupted,
    /// A response body could not be decoded.
    Decode,
    /// The provider or adapter cannot do what was asked.
    Unsupported,
    /// The client or router is configured wrongly (missing key, bad URL).
    Config,
    /// A cache backend failed.
    Cache,
}

impl ErrorKind {
    /// The kind's name in snake_case, as used in metrics and the gateway's error `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::Authentication => "authentication",
            Self::PermissionDenied => "permission_denied",
            Self::ModelNotFound => "model_not_found",
            Self::ContextLengthExceeded => "context_length_exceeded",
            Self::ContentFiltered => "content_filtered",
            Self::RateLimited => "rate_limited",
            Self::QuotaExceeded => "quota_exceeded",
            Self::Timeout => "timeout",
            Self::Connection => "connection",
            Self::ProviderUnavailable => "provider_unavailable",
            Self::StreamInterrupted => "stream_interrupted",
            Self::Decode => "decode",
            Self::Unsupported => "unsupported",
            Self::Config => "config",
            Self::Cache => "cache",
        }
    }

    /// Worth trying again at the same target after a pause.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::RateLimited | Self::Timeout | Self::Connection | Self::ProviderUnavailable
        )
    }

    /// Worth trying at another target (a router's fallback): retryable kinds plus the ones that
    /// are specific to one account or deployment.
    pub fn is_fallback_eligible(self) -> bool {
        self.is_retryable()
            || matches!(
                self,
                Self::QuotaExceeded | Self::Authentication | Self::ModelNotFound
            )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Most provider error text is short; longer bodies are cut so logs stay readable.
const MAX_MESSAGE_CHARS: usize = 2000;

/// The error of every llm-router operation on the request path.
///
/// Build one with [`Error::new`] and the `with_*` methods:
///
/// ```
/// use llm_router_core::{Error, ErrorKind};
/// use std::time::Duration;
///
/// let err = Error::new(ErrorKind::RateLimited, "slow down")
///     .with_provider("openai")
///     .with_status(429)
///     .with_retry_after(Duration::from_secs(2));
/// assert!(err.is_retryable());
/// assert_eq!(err.to_string(), "rate_limited: slow down (provider openai, HTTP 429)");
/// ```
#[derive(Debug, thiserror::Error)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    provider: Option<String>,
    status: Option<u16>,
    code: Option<String>,
    retry_after: Option<Duration>,
    #[source]
    source: Option<BoxError>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)?;
        match (&self.provider, self.status) {
            (Some(p), Some(s)) => write!(f, " (provider {p}, HTTP {s})"),
            (Some(p), None) => write!(f, " (provider {p})"),
            (None, Some(s)) => write!(f, " (HTTP {s})"),
            (None, None) => Ok(()),
        }
    }
}

impl Error {
    /// A new error of `kind`. The message is cut to 2,000 characters.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let mut message = message.into();
        if message.chars().count() > MAX_MESSAGE_CHARS {
            let cut = message
                .char_indices()
                .nth(MAX_MESSAGE_CHARS)
                .map_or(message.len(), |(i, _)| i);
            message.truncate(cut);
            message.push('…');
        }
        Self {
            kind,
            message,
            provider: None,
            status: None,
            code: None,
            retry_after: None,
            source: None,
        }
    }

    /// Sets the provider that produced the error.
    pub fn with_provider(mut self, provider: impl Into<String>) -> Self {
        self.provider = Some(provider.into());
        self
    }

    /// Sets the HTTP status of the provider's response.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Sets the provider's own error code (`insufficient_quota`, `overloaded_error`, …).
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Sets how long the provider asked to wait before trying again.
    pub fn with_retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    /// Sets the underlying cause.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The human-readable message (provider text included, never secrets).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The provider that produced the error, if any.
    pub fn provider(&self) -> Option<&str> {
        self.provider.as_deref()
    }

    /// The HTTP status of the provider's response, if there was one.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The provider's own error code, if it sent one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// How long the provider asked to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// See [`ErrorKind::is_retryable`].
    pub fn is_retryable(&self) -> bool {
        self.kind.is_retryable()
    }

    /// See [`ErrorKind::is_fallback_eligible`].
    pub fn is_fallback_eligible(&self) -> bool {
        self.kind.is_fallback_eligible()
    }

    /// Replaces every occurrence of `secret` in the message with `***` (a provider that echoes
    /// the key back in its error text must not put it in our logs).
    pub fn redact(mut self, secret: &str) -> Self {
        if secret.len() >= 4 && self.message.contains(secret) {
            self.message = self.message.replace(secret, "***");
        }
        self
    }

    /// The same error with another kind (used when a failure after the first chunk of a stream
    /// becomes [`ErrorKind::StreamInterrupted`]).
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::new(ErrorKind::Decode, format!("invalid JSON: {e}")).with_source(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_cut_on_a_char_boundary() {
        let err = Error::new(ErrorKind::Decode, "é".repeat(3000));
        assert_eq!(err.message().chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(err.message().ends_with('…'));
    }

    #[test]
    fn classification() {
        assert!(ErrorKind::ProviderUnavailable.is_retryable());
        assert!(!ErrorKind::QuotaExceeded.is_retryable());
        assert!(ErrorKind::QuotaExceeded.is_fallback_eligible());
        assert!(!ErrorKind::InvalidRequest.is_fallback_eligible());
        assert!(!ErrorKind::StreamInterrupted.is_fallback_eligible());
    }
}
