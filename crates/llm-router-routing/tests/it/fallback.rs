//! Fallback chains across groups.

use llm_router_core::{ChatProvider, ErrorKind};
use llm_router_mock::MockFailure;
use llm_router_routing::{Attempts, Deployment, Fallback, ModelGroup, Router};

use crate::{ask, dep, mock};

fn too_long() -> MockFailure {
    MockFailure::custom(ErrorKind::ContextLengthExceeded, "prompt too long")
}

#[tokio::test(start_paused = true)]
async fn context_window_exceeded_falls_back_to_a_larger_model() {
    let small = mock("small").fail_always(too_long());
    let large = mock("large");
    let router = Router::builder()
        .group(
            ModelGroup::new("chat")
                .deployment(dep(&small))
                .fallback(Fallback::to("long")),
        )
        .group(ModelGroup::new("long").deployment(dep(&large)))
        .build()
        .unwrap();
    let r = router.chat(ask("chat")).await.unwrap();
    assert_eq!(r.text(), "from large");
    assert_eq!(large.last_request().unwrap().model, "m-large");
    // Context-length errors are the caller's, not the deployment's: no cool-down.
    assert_eq!(router.health()[0].consecutive_failures, 0);
}

#[tokio::test(start_paused = true)]
async fn content_filter_falls_back_only_when_configured() {
    let strict =
        mock("strict").fail_always(MockFailure::custom(ErrorKind::ContentFiltered, "policy"));
    let lenient = mock("lenient");
    let router = Router::builder()
        .group(
            ModelGroup::new("default-fallbacks")
                .deployment(dep(&strict))
                .fallback(Fallback::to("other")),
        )
        .group(
            ModelGroup::new("asked")
                .deployment(dep(&strict))
                .fallback(Fallback::on_context_window("other"))
                .fallback(Fallback::on_content_filter("other")),
        )
        .group(ModelGroup::new("other").deployment(dep(&lenient)))
        .build()
        .unwrap();
    let err = router.chat(ask("default-fallbacks")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ContentFiltered);
    assert_eq!(lenient.call_count(), 0);

    let r = router.chat(ask("asked")).await.unwrap();
    assert_eq!(r.text(), "from lenient");
}

#[tokio::test(start_paused = true)]
async fn chains_follow_several_groups_and_never_loop() {
    let a = mock("a").fail_always(MockFailure::ServerError { status: 500 });
    let b = mock("b").fail_always(MockFailure::Timeout);
    let c = mock("c");
    let router = Router::builder()
        .group(
            ModelGroup::new("one")
                .deployment(dep(&a))
                .fallback(Fallback::to("two")),
        )
        .group(
            ModelGroup::new("two")
                .deployment(dep(&b))
                .fallback(Fallback::to("one"))
                .fallback(Fallback::to("three")),
        )
        .group(ModelGroup::new("three").deployment(dep(&c)))
        .build()
        .unwrap();
    assert_eq!(router.chat(ask("one")).await.unwrap().text(), "from c");
    assert_eq!((a.call_count(), b.call_count(), c.call_count()), (1, 1, 1));

    // With `three` down too, each group is tried once and the error lists all of them.
    let _ = c.clone().fail_always(MockFailure::Auth);
    let err = router.chat(ask("one")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    let attempts = std::error::Error::source(&err)
        .unwrap()
        .downcast_ref::<Attempts>()
        .unwrap();
    let groups: Vec<&str> = attempts.iter().map(|a| a.group.as_str()).collect();
    assert_eq!(groups, ["one", "two", "three"]);
}

#[tokio::test(start_paused = true)]
async fn explicit_kinds_limit_the_trigger() {
    let a = mock("a").fail_always(MockFailure::ServerError { status: 500 });
    let b = mock("b");
    let router = Router::builder()
        .group(
            ModelGroup::new("g")
                .deployment(dep(&a))
                .fallback(Fallback::on("b", [ErrorKind::RateLimited])),
        )
        .group(ModelGroup::new("b").deployment(dep(&b)))
        .build()
        .unwrap();
    assert_eq!(
        router.chat(ask("g")).await.unwrap_err().kind(),
        ErrorKind::ProviderUnavailable
    );
    assert_eq!(b.call_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_fallback_may_name_a_provider_and_model() {
    let a = mock("a").fail_always(too_long());
    let big = mock("big");
    let router = Router::builder()
        .provider("bigco", std::sync::Arc::new(big.clone()))
        .group(
            ModelGroup::new("g")
                .deployment(dep(&a))
                .fallback(Fallback::to("bigco/huge-1m")),
        )
        .build()
        .unwrap();
    assert_eq!(router.chat(ask("g")).await.unwrap().text(), "from big");
    assert_eq!(big.last_request().unwrap().model, "huge-1m");
    // The implicit group is a fallback only, not a new public name.
    assert_eq!(router.groups(), ["g"]);
}

#[tokio::test(start_paused = true)]
async fn a_fallback_through_an_alias_to_named_deployments() {
    let a = mock("a").fail_always(MockFailure::Timeout);
    let b = mock("b");
    let router = Router::builder()
        .provider("bee", std::sync::Arc::new(b.clone()))
        .alias("backup", "reserve")
        .group(
            ModelGroup::new("g")
                .deployment(dep(&a))
                .fallback(Fallback::to("backup")),
        )
        .group(ModelGroup::new("reserve").deployment(Deployment::named("bee", "m-reserve")))
        .build()
        .unwrap();
    assert_eq!(router.chat(ask("g")).await.unwrap().text(), "from b");
    assert_eq!(b.last_request().unwrap().model, "m-reserve");
}
