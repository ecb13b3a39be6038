//! Streams fail over before their first chunk only.

use futures_util::StreamExt as _;
use llm_router_core::{ChatProvider, ErrorKind};
use llm_router_mock::MockFailure;

use crate::{ask, collect, mock, ordered};

#[tokio::test(start_paused = true)]
async fn a_stream_fails_over_before_its_first_chunk() {
    let a = mock("a").fail_next(MockFailure::ServerError { status: 503 });
    let b = mock("b");
    let router = ordered(&[&a, &b]);
    let s = router.chat_stream(ask("g")).await.unwrap();
    assert_eq!(collect(s).await.unwrap(), "from b");
    assert_eq!(b.last_request().unwrap().model, "m-b");
}

#[tokio::test(start_paused = true)]
async fn a_stream_cut_after_content_is_not_replayed_elsewhere() {
    let a = mock("a").fail_next(MockFailure::CutStreamAfter(1));
    let b = mock("b");
    let router = ordered(&[&a, &b]);
    let mut s = router.chat_stream(ask("g")).await.unwrap();
    let first = s.next().await.unwrap().unwrap();
    assert_eq!(first.text(), Some("from "));
    let err = s.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StreamInterrupted);
    assert!(s.next().await.is_none());
    assert_eq!(b.call_count(), 0);
    // The cut counts against `a`'s health, and the stream no longer counts as in flight.
    let h = &router.health()[0];
    assert_eq!((h.consecutive_failures, h.in_flight), (1, 0));
}

#[tokio::test(start_paused = true)]
async fn every_stream_failing_up_front_gives_the_aggregated_error() {
    let a = mock("a").fail_always(MockFailure::Timeout);
    let b = mock("b").fail_always(MockFailure::Auth);
    let router = ordered(&[&a, &b]);
    let err = router.chat_stream(ask("g")).await.err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert!(
        err.message().starts_with("all 2 attempts for `g` failed"),
        "{err}"
    );
    let h = router.health();
    assert_eq!((h[0].in_flight, h[1].in_flight), (0, 0));
}
