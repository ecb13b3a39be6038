//! Integration tests of the router and the model router, against mock providers under
//! paused Tokio time (so cool-downs, latencies and health-check intervals are exact).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod balance;
mod failover;
mod fallback;
mod health;
mod resolve;
mod rules;
mod streams;

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, ChatStream, Error, Message, async_trait,
};
use llm_router_mock::MockProvider;
use llm_router_routing::{Deployment, ModelGroup, Ordered, Router};

/// A mock named `name` whose default reply is `"from <name>"`.
pub(crate) fn mock(name: &str) -> MockProvider {
    MockProvider::new()
        .with_name(name)
        .default_reply(format!("from {name}"))
}

/// A deployment of `m-<name>` at the mock.
pub(crate) fn dep(m: &MockProvider) -> Deployment {
    let name = ChatProvider::name(m).to_owned();
    Deployment::new(Arc::new(m.clone()), format!("m-{name}"))
}

pub(crate) fn ask(model: &str) -> ChatRequest {
    ChatRequest::new(model, vec![Message::user("hello")])
}

/// A router with one group `g` over the mocks, tried in order.
pub(crate) fn ordered(mocks: &[&MockProvider]) -> Router {
    Router::builder()
        .group(
            ModelGroup::new("g")
                .deployments(mocks.iter().map(|m| dep(m)))
                .strategy(Ordered),
        )
        .build()
        .unwrap()
}

pub(crate) async fn collect(mut s: ChatStream) -> Result<String, Error> {
    let mut text = String::new();
    while let Some(c) = s.next().await {
        text.push_str(c?.text().unwrap_or(""));
    }
    Ok(text)
}

/// A mock that waits before answering (for latency and in-flight tests).
pub(crate) struct Delayed {
    pub(crate) inner: MockProvider,
    pub(crate) delay: Duration,
}

#[async_trait]
impl ChatProvider for Delayed {
    fn name(&self) -> &str {
        ChatProvider::name(&self.inner)
    }
    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        tokio::time::sleep(self.delay).await;
        self.inner.chat(req).await
    }
    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        tokio::time::sleep(self.delay).await;
        self.inner.chat_stream(req).await
    }
}
