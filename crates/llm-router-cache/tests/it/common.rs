//! Helpers shared by the test modules.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt as _;
use llm_router_cache::{CacheLayer, CacheStore};
use llm_router_core::{
    ChatChunk, ChatProvider, ChatRequest, ChatResponse, Error, Layer, Message, SharedChat,
    StreamAccumulator, StreamOptions,
};
use llm_router_mock::MockProvider;

pub(crate) fn ask(text: &str) -> ChatRequest {
    ChatRequest::new("mock-model", vec![Message::user(text)])
}

/// A streaming request that asks for usage, as every adapter does.
pub(crate) fn ask_stream(text: &str) -> ChatRequest {
    let mut req = ask(text);
    req.stream = Some(true);
    req.stream_options = Some(StreamOptions {
        include_usage: Some(true),
        ..StreamOptions::default()
    });
    req
}

/// A namespace no other test or run uses (Redis is shared).
pub(crate) fn unique_ns(test: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "test-{test}-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub(crate) struct Setup {
    pub(crate) cache: CacheLayer,
    pub(crate) chat: SharedChat,
    pub(crate) mock: MockProvider,
}

/// A mock behind a cache over `store` in namespace `ns`.
pub(crate) fn setup(store: Arc<dyn CacheStore>, ns: &str) -> Setup {
    setup_with(CacheLayer::with_shared_store(store).namespace(ns))
}

pub(crate) fn setup_with(cache: CacheLayer) -> Setup {
    let mock = MockProvider::new()
        .reply("hello", "Hello there, friend!")
        .reply("story", "Once upon a time, the end.");
    let chat = cache.layer(Arc::new(mock.clone()) as SharedChat);
    Setup { cache, chat, mock }
}

pub(crate) async fn drain(chat: &SharedChat, req: ChatRequest) -> Vec<Result<ChatChunk, Error>> {
    chat.chat_stream(req).await.unwrap().collect().await
}

pub(crate) fn accumulate(chunks: &[ChatChunk]) -> ChatResponse {
    let mut acc = StreamAccumulator::new();
    for c in chunks {
        acc.push(c);
    }
    acc.finish()
}

/// Warnings logged on this thread while the guard lives.
pub(crate) struct Warnings {
    seen: Arc<Mutex<Vec<String>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

impl Warnings {
    pub(crate) fn capture() -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let guard = tracing::subscriber::set_default(WarnSink(seen.clone()));
        Self {
            seen,
            _guard: guard,
        }
    }

    pub(crate) fn all(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

struct WarnSink(Arc<Mutex<Vec<String>>>);

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={:?} ", field.name(), value));
    }
}

impl tracing::Subscriber for WarnSink {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if *event.metadata().level() == tracing::Level::WARN {
            let mut f = Fields(String::new());
            event.record(&mut f);
            self.0.lock().unwrap().push(f.0);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Sleeps in real time (moka, the disk store and Redis expire on the wall clock).
pub(crate) async fn sleep(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

/// A provider that does not exist in the mock: answers with a fixed response, and streams
/// fixed chunks.
pub(crate) struct Fixed {
    pub(crate) response: ChatResponse,
    pub(crate) chunks: Vec<ChatChunk>,
    pub(crate) calls: AtomicU64,
}

impl Fixed {
    pub(crate) fn new(response: ChatResponse, chunks: Vec<ChatChunk>) -> Arc<Self> {
        Arc::new(Self {
            response,
            chunks,
            calls: AtomicU64::new(0),
        })
    }
    pub(crate) fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
}

#[async_trait::async_trait]
impl ChatProvider for Fixed {
    fn name(&self) -> &str {
        "fixed"
    }
    async fn chat(&self, _req: ChatRequest) -> Result<ChatResponse, Error> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Ok(self.response.clone())
    }
    async fn chat_stream(&self, _req: ChatRequest) -> Result<llm_router_core::ChatStream, Error> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Ok(llm_router_core::stream_from_chunks(self.chunks.clone()))
    }
}
