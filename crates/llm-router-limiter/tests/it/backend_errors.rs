//! Backend failures (fail open or closed) and configuration errors.

use llm_router_core::{Error, ErrorKind, async_trait};
use llm_router_limiter::{Admission, Bucket, LimiterBackend, OnBackendError, RateLimitLayer};
use llm_router_mock::MockProvider;
use llm_router_tokens::CharEstimate;

use crate::support::{ask, wrap};

/// A backend whose store is down.
#[derive(Debug)]
struct Down;

#[async_trait]
impl LimiterBackend for Down {
    async fn acquire(&self, _: &Bucket<'_>, _: u64) -> Result<Admission, Error> {
        Err(Error::new(ErrorKind::Connection, "store down"))
    }
    async fn adjust(&self, _: &Bucket<'_>, _: i64) -> Result<(), Error> {
        Err(Error::new(ErrorKind::Connection, "store down"))
    }
    async fn available(&self, _: &Bucket<'_>) -> Result<Option<u64>, Error> {
        Err(Error::new(ErrorKind::Connection, "store down"))
    }
}

fn layer(policy: OnBackendError) -> RateLimitLayer {
    RateLimitLayer::builder()
        .requests_per_minute(1)
        .tokens_per_minute(100)
        .token_counter(CharEstimate)
        .backend(Down)
        .on_backend_error(policy)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_failing_backend_admits_by_default() {
    let mock = MockProvider::new();
    let provider = wrap(&layer(OnBackendError::default()), mock.clone());
    for _ in 0..3 {
        provider.chat(ask("hi")).await.unwrap();
    }
    assert_eq!(mock.call_count(), 3);
}

#[tokio::test]
async fn a_failing_backend_refuses_when_failing_closed() {
    let mock = MockProvider::new();
    let layer = layer(OnBackendError::FailClosed);
    let provider = wrap(&layer, mock.clone());
    let err = provider.chat(ask("hi")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.code(), Some("rate_limiter_unavailable"));
    assert!(std::error::Error::source(&err).is_some());
    assert_eq!(mock.call_count(), 0);
    assert_eq!(
        layer.available_tokens("global").await.unwrap_err().kind(),
        ErrorKind::Connection
    );
}

#[test]
fn bad_configurations_are_config_errors() {
    let kind = |b: llm_router_limiter::RateLimitLayerBuilder| b.build().unwrap_err().kind();
    assert_eq!(kind(RateLimitLayer::builder()), ErrorKind::Config);
    assert_eq!(
        kind(RateLimitLayer::builder().requests_per_minute(0)),
        ErrorKind::Config
    );
    assert_eq!(
        kind(RateLimitLayer::builder().tokens_per(10, std::time::Duration::ZERO)),
        ErrorKind::Config
    );
    assert_eq!(
        kind(RateLimitLayer::builder().requests_per(10, std::time::Duration::from_nanos(5))),
        ErrorKind::Config
    );
    assert_eq!(
        kind(RateLimitLayer::builder().concurrency(0)),
        ErrorKind::Config
    );
    let ok = RateLimitLayer::builder().concurrency(4).build().unwrap();
    assert!(format!("{ok:?}").contains("concurrency: Some(4)"));
    assert_eq!(ok.available_permits("global"), Some(4));
}
