//! Test providers and helpers.
//!
//! `Probe` wraps a `MockProvider`: it records when each call starts (on tokio's clock) and can
//! sleep before delegating, so a test can make chosen attempts slow. `Scripted` yields exactly
//! the stream items it is given, lazily — including an error as the first item or a retryable
//! error after content, which the mock does not produce.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt as _;
use llm_router_core::{
    ChatChunk, ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider,
    EmbeddingRequest, EmbeddingResponse, Error, ErrorKind, Layer, Message, SharedChat,
    SharedEmbedding, async_trait,
};
use llm_router_mock::MockProvider;
use llm_router_retry::{Jitter, RetryPolicy};
use tokio::time::Instant;

pub(crate) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub(crate) fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

pub(crate) fn ask() -> ChatRequest {
    ChatRequest::new("mock-model", vec![Message::user("hi")])
}

/// A policy without jitter, so every wait is exact.
pub(crate) fn exact() -> RetryPolicy {
    RetryPolicy::new().with_jitter(Jitter::None)
}

pub(crate) fn wrap_chat(layer: impl Layer<dyn ChatProvider>, inner: SharedChat) -> SharedChat {
    layer.layer(inner)
}

pub(crate) fn wrap_embed(
    layer: impl Layer<dyn EmbeddingProvider>,
    inner: SharedEmbedding,
) -> SharedEmbedding {
    layer.layer(inner)
}

/// Drains a stream, keeping every item.
pub(crate) async fn drain(mut stream: ChatStream) -> Vec<Result<ChatChunk, Error>> {
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item);
    }
    items
}

/// The text of the chunks before the first error.
pub(crate) fn text_of(items: &[Result<ChatChunk, Error>]) -> String {
    items
        .iter()
        .map_while(|i| i.as_ref().ok())
        .filter_map(ChatChunk::text)
        .collect()
}

pub(crate) struct Probe {
    mock: MockProvider,
    delays: Mutex<VecDeque<Duration>>,
    starts: Mutex<Vec<Instant>>,
    origin: Instant,
}

impl Probe {
    pub(crate) fn new(mock: &MockProvider) -> Arc<Self> {
        Self::slow(mock, [])
    }

    /// Call `n` sleeps `delays[n]` before reaching the mock (later calls do not sleep).
    pub(crate) fn slow(
        mock: &MockProvider,
        delays: impl IntoIterator<Item = Duration>,
    ) -> Arc<Self> {
        Arc::new(Self {
            mock: mock.clone(),
            delays: Mutex::new(delays.into_iter().collect()),
            starts: Mutex::new(Vec::new()),
            origin: Instant::now(),
        })
    }

    /// When each call started, from the probe's creation.
    pub(crate) fn starts(&self) -> Vec<Duration> {
        let starts = self.starts.lock().unwrap();
        starts.iter().map(|t| *t - self.origin).collect()
    }

    /// The time between consecutive call starts.
    pub(crate) fn gaps(&self) -> Vec<Duration> {
        self.starts().windows(2).map(|w| w[1] - w[0]).collect()
    }

    pub(crate) fn calls(&self) -> usize {
        self.starts.lock().unwrap().len()
    }

    async fn enter(&self) {
        self.starts.lock().unwrap().push(Instant::now());
        let delay = self.delays.lock().unwrap().pop_front();
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
    }
}

#[async_trait]
impl ChatProvider for Probe {
    fn name(&self) -> &str {
        ChatProvider::name(&self.mock)
    }
    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        self.enter().await;
        self.mock.chat(req).await
    }
    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        self.enter().await;
        self.mock.chat_stream(req).await
    }
}

#[async_trait]
impl EmbeddingProvider for Probe {
    fn name(&self) -> &str {
        EmbeddingProvider::name(&self.mock)
    }
    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        self.enter().await;
        self.mock.embed(req).await
    }
}

/// One item of a scripted stream.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step {
    Chunk(&'static str),
    Fail(ErrorKind),
}

/// Returns its streams unstarted: errors arrive as stream items, not from `chat_stream`.
pub(crate) struct Scripted {
    streams: Mutex<VecDeque<Vec<Step>>>,
    calls: AtomicUsize,
}

impl Scripted {
    pub(crate) fn new(streams: impl IntoIterator<Item = Vec<Step>>) -> Arc<Self> {
        Arc::new(Self {
            streams: Mutex::new(streams.into_iter().collect()),
            calls: AtomicUsize::new(0),
        })
    }

    pub(crate) fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl ChatProvider for Scripted {
    fn name(&self) -> &str {
        "scripted"
    }
    async fn chat(&self, _req: ChatRequest) -> Result<ChatResponse, Error> {
        Err(Error::new(ErrorKind::Unsupported, "streams only"))
    }
    async fn chat_stream(&self, _req: ChatRequest) -> Result<ChatStream, Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let steps = self.streams.lock().unwrap().pop_front().unwrap_or_default();
        let items = steps.into_iter().map(|step| match step {
            Step::Chunk(text) => Ok(ChatChunk::text_delta("s", "m", text)),
            Step::Fail(kind) => Err(Error::new(kind, "scripted failure").with_provider("scripted")),
        });
        Ok(Box::pin(futures_util::stream::iter(items)))
    }
}
