//! Scopes: each key has its own budget.

use std::sync::Arc;

use llm_router_core::{ChatProvider, ChatRequest, ErrorKind, Message};
use llm_router_limiter::{RateLimitLayer, RequestInfo, Scope};
use llm_router_mock::MockProvider;
use llm_router_tokens::CharEstimate;

use crate::support::{ask, ask_as, wrap};

fn one_per_minute(scope: Scope) -> RateLimitLayer {
    RateLimitLayer::builder()
        .requests_per_minute(1)
        .scope(scope)
        .build()
        .unwrap()
}

fn refused(r: Result<llm_router_core::ChatResponse, llm_router_core::Error>) -> bool {
    matches!(r, Err(e) if e.kind() == ErrorKind::RateLimited)
}

#[tokio::test(start_paused = true)]
async fn two_caller_keys_have_separate_budgets() {
    let layer = one_per_minute(Scope::CallerKey);
    let provider = wrap(&layer, MockProvider::new());
    provider.chat(ask_as("a")).await.unwrap();
    assert!(refused(provider.chat(ask_as("a")).await));
    provider.chat(ask_as("b")).await.unwrap();
    assert!(refused(provider.chat(ask_as("b")).await));
    // Requests without a key share one budget of their own.
    provider.chat(ask("hi")).await.unwrap();
    assert!(refused(provider.chat(ask("hi")).await));
}

#[tokio::test(start_paused = true)]
async fn caller_token_budgets_are_separate_too() {
    let layer = RateLimitLayer::builder()
        .tokens_per_minute(1000)
        .token_counter(CharEstimate)
        .scope(Scope::CallerKey)
        .build()
        .unwrap();
    let provider = wrap(&layer, MockProvider::new());
    provider.chat(ask_as("a")).await.unwrap();
    let a = layer.available_tokens("caller:a").await.unwrap().unwrap();
    assert!(a < 1000);
    assert_eq!(
        layer.available_tokens("caller:b").await.unwrap(),
        Some(1000)
    );
}

#[tokio::test(start_paused = true)]
async fn provider_scope_separates_providers_and_global_does_not() {
    let per_provider = one_per_minute(Scope::Provider);
    let a = wrap(&per_provider, MockProvider::new().with_name("a"));
    let b = wrap(&per_provider, MockProvider::new().with_name("b"));
    a.chat(ask("hi")).await.unwrap();
    b.chat(ask("hi")).await.unwrap();
    assert!(refused(a.chat(ask("hi")).await));

    let global = one_per_minute(Scope::Global);
    let a = wrap(&global, MockProvider::new().with_name("a"));
    let b = wrap(&global, MockProvider::new().with_name("b"));
    a.chat(ask("hi")).await.unwrap();
    assert!(refused(b.chat(ask("hi")).await));
}

#[tokio::test(start_paused = true)]
async fn model_scope_separates_models() {
    let layer = one_per_minute(Scope::Model);
    let provider = wrap(&layer, MockProvider::new());
    let on = |model: &str| ChatRequest::new(model, vec![Message::user("hi")]);
    provider.chat(on("m1")).await.unwrap();
    provider.chat(on("m2")).await.unwrap();
    assert!(refused(provider.chat(on("m1")).await));
    let ext = Default::default();
    assert_eq!(
        layer.scope_key(&RequestInfo::new("mock", "m1", &ext)),
        "model:mock/m1"
    );
}

#[tokio::test(start_paused = true)]
async fn custom_scopes_key_by_any_function() {
    // One budget per model family: everything before the first '-'.
    let layer = one_per_minute(Scope::custom(|info| {
        info.model.split('-').next().unwrap_or_default().to_owned()
    }));
    let provider: Arc<dyn ChatProvider> = wrap(&layer, MockProvider::new());
    let on = |model: &str| ChatRequest::new(model, vec![Message::user("hi")]);
    provider.chat(on("gpt-4o")).await.unwrap();
    assert!(refused(provider.chat(on("gpt-4.1")).await));
    provider.chat(on("claude-sonnet")).await.unwrap();
}
