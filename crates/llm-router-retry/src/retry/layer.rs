//! `RetryLayer`: the public face of the retry service.

use std::sync::Arc;

use llm_router_core::{ChatProvider, EmbeddingProvider, Layer};

use super::policy::RetryPolicy;
use super::service::Retry;

/// Retries failed calls whose error [is retryable](llm_router_core::Error::is_retryable), as
/// its [`RetryPolicy`] says.
///
/// Wraps chat providers (`chat`, and `chat_stream` until the first chunk) and embedding
/// providers (`embed`). Put a [`TimeoutLayer`](crate::TimeoutLayer) *inside* it to give each
/// attempt its own deadline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RetryLayer {
    policy: RetryPolicy,
}

impl RetryLayer {
    /// A layer retrying by `policy`.
    pub fn new(policy: RetryPolicy) -> Self {
        Self { policy }
    }

    /// The policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }
}

impl From<RetryPolicy> for RetryLayer {
    fn from(policy: RetryPolicy) -> Self {
        Self::new(policy)
    }
}

impl Layer<dyn ChatProvider> for RetryLayer {
    fn layer(&self, inner: Arc<dyn ChatProvider>) -> Arc<dyn ChatProvider> {
        Arc::new(Retry::new(inner, self.policy.clone()))
    }
}

impl Layer<dyn EmbeddingProvider> for RetryLayer {
    fn layer(&self, inner: Arc<dyn EmbeddingProvider>) -> Arc<dyn EmbeddingProvider> {
        Arc::new(Retry::new(inner, self.policy.clone()))
    }
}
