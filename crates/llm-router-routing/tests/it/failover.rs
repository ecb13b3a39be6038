//! Failover inside a group: eligible errors move on with the model rewritten, others stop.

use std::time::Duration;

use llm_router_core::{ChatProvider, EmbeddingProvider, EmbeddingRequest, ErrorKind};
use llm_router_mock::MockFailure;
use llm_router_routing::{Attempts, ModelGroup, Ordered, Router};

use crate::{ask, dep, mock, ordered};

#[tokio::test(start_paused = true)]
async fn fails_over_on_429_and_500_with_the_model_rewritten() {
    let (a, b, c) = (mock("a"), mock("b"), mock("c"));
    let a = a.fail_next(MockFailure::RateLimited {
        retry_after: Duration::from_secs(1),
    });
    let b = b.fail_next(MockFailure::ServerError { status: 500 });
    let router = ordered(&[&a, &b, &c]);
    let r = router.chat(ask("g")).await.unwrap();
    assert_eq!(r.text(), "from c");
    let models = |m: &llm_router_mock::MockProvider| -> Vec<String> {
        m.requests().into_iter().map(|r| r.model).collect()
    };
    assert_eq!(models(&a), ["m-a"]);
    assert_eq!(models(&b), ["m-b"]);
    assert_eq!(models(&c), ["m-c"]);
}

#[tokio::test(start_paused = true)]
async fn every_fallback_eligible_kind_moves_on() {
    let failures = [
        MockFailure::Timeout,
        MockFailure::custom(ErrorKind::Connection, "refused"),
        MockFailure::QuotaExceeded,
        MockFailure::Auth,
        MockFailure::custom(ErrorKind::ModelNotFound, "no such model"),
    ];
    for f in failures {
        let (a, b) = (mock("a").fail_next(f.clone()), mock("b"));
        let router = ordered(&[&a, &b]);
        let r = router.chat(ask("g")).await.unwrap();
        assert_eq!(r.text(), "from b", "{f:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn invalid_request_is_returned_at_once_unchanged() {
    let a = mock("a").fail_next(MockFailure::custom(
        ErrorKind::InvalidRequest,
        "bad temperature",
    ));
    let b = mock("b");
    let router = ordered(&[&a, &b]);
    let err = router.chat(ask("g")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(
        err.to_string(),
        "invalid_request: bad temperature (provider a)"
    );
    assert_eq!(b.call_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_non_eligible_error_after_failures_stops_and_lists_them() {
    let a = mock("a").fail_next(MockFailure::ServerError { status: 502 });
    let b = mock("b").fail_next(MockFailure::custom(ErrorKind::ContentFiltered, "refused"));
    let c = mock("c");
    let router = ordered(&[&a, &b, &c]);
    let err = router.chat(ask("g")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ContentFiltered);
    assert_eq!(c.call_count(), 0);
    assert!(
        err.message().contains("[a/m-a] provider_unavailable"),
        "{err}"
    );
    assert!(
        err.message().contains("[b/m-b] content_filtered: refused"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn all_down_gives_one_error_listing_every_attempt() {
    let a = mock("a").fail_always(MockFailure::RateLimited {
        retry_after: Duration::from_secs(7),
    });
    let b = mock("b").fail_always(MockFailure::ServerError { status: 503 });
    let c = mock("c").fail_always(MockFailure::Timeout);
    let router = ordered(&[&a, &b, &c]);
    let err = router.chat(ask("g")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "the last attempt's kind");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(
        err.message(),
        "all 3 attempts for `g` failed: \
         [a/m-a] rate_limited: mock: rate limit reached (provider a, HTTP 429); \
         [b/m-b] provider_unavailable: mock: server error 503 (provider b, HTTP 503); \
         [c/m-c] timeout: mock: request timed out (provider c)"
    );
    let attempts = std::error::Error::source(&err)
        .unwrap()
        .downcast_ref::<Attempts>()
        .unwrap();
    let summary: Vec<(&str, &str, ErrorKind)> = attempts
        .iter()
        .map(|a| (a.deployment.as_str(), a.model.as_str(), a.error.kind()))
        .collect();
    assert_eq!(
        summary,
        [
            ("a/m-a", "m-a", ErrorKind::RateLimited),
            ("b/m-b", "m-b", ErrorKind::ProviderUnavailable),
            ("c/m-c", "m-c", ErrorKind::Timeout),
        ]
    );
    assert!(attempts.iter().all(|a| a.group == "g"));
}

#[tokio::test(start_paused = true)]
async fn a_group_of_one_returns_its_error_unchanged() {
    let a = mock("a").fail_next(MockFailure::ServerError { status: 500 });
    let router = ordered(&[&a]);
    let err = router.chat(ask("g")).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert!(std::error::Error::source(&err).is_none());
}

#[tokio::test(start_paused = true)]
async fn passes_go_over_the_group_again() {
    let a = mock("a")
        .fail_next(MockFailure::Timeout)
        .fail_next(MockFailure::Timeout);
    let router = Router::builder()
        .group(ModelGroup::new("g").deployment(dep(&a)).passes(3))
        .build()
        .unwrap();
    assert_eq!(router.chat(ask("g")).await.unwrap().text(), "from a");
    assert_eq!(a.call_count(), 3);

    let a = a
        .fail_next(MockFailure::Timeout)
        .fail_next(MockFailure::Timeout);
    let once = Router::builder()
        .group(ModelGroup::new("g").deployment(dep(&a)))
        .build()
        .unwrap();
    assert_eq!(
        once.chat(ask("g")).await.unwrap_err().kind(),
        ErrorKind::Timeout
    );
}

#[tokio::test(start_paused = true)]
async fn embeddings_fail_over_too() {
    let (a, b) = (mock("a"), mock("b"));
    let a = a.fail_next(MockFailure::ServerError { status: 500 });
    let router = Router::builder()
        .group(
            ModelGroup::new("emb")
                .deployments([
                    dep(&a).with_embeddings(std::sync::Arc::new(a.clone())),
                    dep(&b).with_embeddings(std::sync::Arc::new(b.clone())),
                ])
                .strategy(Ordered),
        )
        .build()
        .unwrap();
    let r = router
        .embed(EmbeddingRequest::new("emb", "hello"))
        .await
        .unwrap();
    assert_eq!(r.model, "m-b");
    assert_eq!(a.embedding_requests()[0].model, "m-a");
    // A chat-only group cannot embed.
    let chat_only = ordered(&[&a]);
    let err = chat_only
        .embed(EmbeddingRequest::new("g", "x"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
}
