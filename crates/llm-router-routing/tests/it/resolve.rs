//! Model ids: groups, aliases, `provider/model`, and build-time checks.

use std::sync::Arc;

use llm_router_core::{ChatProvider, EmbeddingProvider, EmbeddingRequest, ErrorKind};
use llm_router_routing::{Deployment, Fallback, ModelGroup, Router, StrategyKind};

use crate::{ask, dep, mock};

#[tokio::test]
async fn provider_and_model_split_on_the_first_slash() {
    let or = mock("openrouter");
    let router = Router::builder()
        .chat_and_embedding_provider("openrouter", Arc::new(or.clone()))
        .build()
        .unwrap();
    router.chat(ask("openrouter/openai/gpt-4o")).await.unwrap();
    assert_eq!(or.last_request().unwrap().model, "openai/gpt-4o");
    let e = router
        .embed(EmbeddingRequest::new(
            "openrouter/text-embedding-3-small",
            "x",
        ))
        .await
        .unwrap();
    assert_eq!(e.model, "text-embedding-3-small");
}

#[tokio::test]
async fn aliases_point_at_groups_or_provider_models() {
    let (a, p) = (mock("a"), mock("p"));
    let router = Router::builder()
        .provider("prov", Arc::new(p.clone()))
        .group(ModelGroup::new("fast").deployment(dep(&a)))
        .alias("default", "quick")
        .alias("quick", "fast")
        .alias("smart", "prov/big-model")
        .build()
        .unwrap();
    assert_eq!(router.chat(ask("default")).await.unwrap().text(), "from a");
    assert_eq!(router.chat(ask("smart")).await.unwrap().text(), "from p");
    assert_eq!(p.last_request().unwrap().model, "big-model");
}

#[tokio::test]
async fn unknown_models_are_model_not_found_naming_what_is_known() {
    let router = Router::builder()
        .provider("openai", Arc::new(mock("o")))
        .group(ModelGroup::new("fast").deployment(dep(&mock("a"))))
        .alias("default", "fast")
        .build()
        .unwrap();
    for model in ["gpt-4o", "anthropic/claude", ""] {
        let err = router.chat(ask(model)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ModelNotFound);
        assert_eq!(
            err.message(),
            format!(
                "router: unknown model `{model}`; groups: fast; aliases: default; \
                 providers (as `provider/model`): openai"
            )
        );
    }
    // No prefix sniffing: a bare model name is not sent to a provider.
    let err = router.chat(ask("openai")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ModelNotFound);
}

#[tokio::test]
async fn named_deployments_resolve_at_build() {
    let p = mock("p");
    let router = Router::builder()
        .provider("prov", Arc::new(p.clone()))
        .group(
            ModelGroup::new("g")
                .deployment(Deployment::named("prov", "x").weight(2))
                .deployment(Deployment::named("prov", "x"))
                .shared_strategy(StrategyKind::RoundRobin.build()),
        )
        .build()
        .unwrap();
    let ids: Vec<String> = router.health().into_iter().map(|h| h.id).collect();
    assert_eq!(ids, ["prov/x", "prov/x#2"]);
    router.chat(ask("g")).await.unwrap();
    assert_eq!(p.last_request().unwrap().model, "x");
}

#[test]
fn bad_configurations_are_config_errors() {
    let a = || dep(&mock("a"));
    let cases: Vec<(&str, Result<Router, llm_router_core::Error>)> = vec![
        (
            "has no deployments",
            Router::builder().group(ModelGroup::new("g")).build(),
        ),
        (
            "defined twice",
            Router::builder()
                .group(ModelGroup::new("g").deployment(a()))
                .group(ModelGroup::new("g").deployment(a()))
                .build(),
        ),
        (
            "which is not registered (registered: none)",
            Router::builder()
                .group(ModelGroup::new("g").deployment(Deployment::named("nope", "m")))
                .build(),
        ),
        (
            "leads to no group",
            Router::builder().alias("x", "y").build(),
        ),
        (
            "leads to no group",
            Router::builder().alias("x", "y").alias("y", "x").build(),
        ),
        (
            "has the name of a group",
            Router::builder()
                .group(ModelGroup::new("g").deployment(a()))
                .alias("g", "g")
                .build(),
        ),
        (
            "falls back to `missing`",
            Router::builder()
                .group(
                    ModelGroup::new("g")
                        .deployment(a())
                        .fallback(Fallback::to("missing")),
                )
                .build(),
        ),
        (
            "latency smoothing",
            Router::builder().latency_smoothing(0.0).build(),
        ),
    ];
    for (needle, result) in cases {
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{needle}");
        assert!(err.message().contains(needle), "{needle}: {err}");
    }
}

#[tokio::test]
async fn list_models_shows_groups_aliases_and_provider_models() {
    let p = mock("p").with_models(["m1", "m2"]);
    let router = Router::builder()
        .provider("prov", Arc::new(p))
        .group(ModelGroup::new("fast").deployment(dep(&mock("a"))))
        .alias("default", "fast")
        .build()
        .unwrap();
    let ids: Vec<String> = router
        .list_models()
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, ["fast", "default", "prov/m1", "prov/m2"]);
}
