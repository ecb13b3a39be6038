//! Helpers: requests, wrapping, and a provider whose calls wait at a gate.

use std::sync::Arc;

use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, ChatStack, ChatStream, Error, Message, SharedChat,
    async_trait,
};
use llm_router_limiter::{CallerKey, RateLimitLayer};
use llm_router_mock::MockProvider;
use tokio::sync::Semaphore;

pub(crate) fn ask(text: &str) -> ChatRequest {
    ChatRequest::new("mock-model", vec![Message::user(text)])
}

pub(crate) fn ask_as(caller: &str) -> ChatRequest {
    let mut req = ask("hi");
    req.extensions.insert(CallerKey(caller.into()));
    req
}

pub(crate) fn wrap(layer: &RateLimitLayer, inner: impl ChatProvider + 'static) -> SharedChat {
    ChatStack::new().layer(layer.clone()).build(Arc::new(inner))
}

/// A provider whose `chat` waits for a permit of `gate` (one per call), then asks the mock.
pub(crate) struct Gated {
    pub(crate) mock: MockProvider,
    pub(crate) gate: Arc<Semaphore>,
}

impl Gated {
    pub(crate) fn closed(mock: MockProvider) -> (Self, Arc<Semaphore>) {
        let gate = Arc::new(Semaphore::new(0));
        (
            Self {
                mock,
                gate: Arc::clone(&gate),
            },
            gate,
        )
    }
}

#[async_trait]
impl ChatProvider for Gated {
    fn name(&self) -> &str {
        "gated"
    }
    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        self.gate.acquire().await.unwrap().forget();
        self.mock.chat(req).await
    }
    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        self.gate.acquire().await.unwrap().forget();
        self.mock.chat_stream(req).await
    }
}

/// Lets spawned tasks run until they block.
pub(crate) async fn settle_tasks() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}
