//! A gateway on an ephemeral port, a real HTTP client, an SSE reader, and test providers.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::StreamExt as _;
use llm_router::gateway::Gateway;
use llm_router::{
    ChatChunk, ChatProvider, ChatRequest, ChatResponse, ChatStream, Error, FinishReason,
    async_trait,
};
use llm_router_http::reqwest;
use serde_json::Value;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

/// A running gateway.
pub struct Server {
    pub base: String,
    stop: Option<oneshot::Sender<()>>,
    pub task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    pub async fn start(gateway: Gateway) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            gateway
                .serve(listener, async move {
                    let _ = rx.await;
                })
                .await
        });
        Self {
            base,
            stop: Some(tx),
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Starts the graceful shutdown.
    pub fn shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

pub fn client() -> reqwest::Client {
    // A client of our own (not the shared one): some tests need fresh connections.
    llm_router_http::ensure_crypto_provider();
    reqwest::Client::builder().build().unwrap()
}

pub async fn post(server: &Server, path: &str, body: &Value) -> reqwest::Response {
    client()
        .post(server.url(path))
        .json(body)
        .send()
        .await
        .unwrap()
}

pub async fn json(resp: reqwest::Response) -> Value {
    let bytes = resp.bytes().await.unwrap();
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
}

/// Reads SSE `data:` payloads from a response, one at a time, as they arrive.
pub struct SseReader {
    stream: futures_util::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buf: Vec<u8>,
}

impl SseReader {
    pub fn new(resp: reqwest::Response) -> Self {
        Self {
            stream: resp.bytes_stream().boxed(),
            buf: Vec::new(),
        }
    }

    /// The next event's data (`None` at the end of the body).
    pub async fn next(&mut self) -> Option<String> {
        self.read().await.unwrap()
    }

    /// The next event's data, or the transport error that cut the body.
    pub async fn read(&mut self) -> reqwest::Result<Option<String>> {
        loop {
            if let Some(pos) = self.buf.windows(2).position(|w| w == b"\n\n") {
                let event: Vec<u8> = self.buf.drain(..pos + 2).collect();
                let text = String::from_utf8(event).unwrap();
                let data: Vec<&str> = text
                    .lines()
                    .filter_map(|l| l.strip_prefix("data: "))
                    .collect();
                return Ok(Some(data.join("\n")));
            }
            match self.stream.next().await {
                Some(chunk) => self.buf.extend_from_slice(&chunk?),
                None => {
                    assert!(self.buf.is_empty(), "trailing bytes: {:?}", self.buf);
                    return Ok(None);
                }
            }
        }
    }

    /// Every remaining event.
    pub async fn rest(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(e) = self.next().await {
            out.push(e);
        }
        out
    }
}

pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), fut)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

/// A chat provider whose stream yields one chunk, then waits for [`Gated::release`], then
/// yields a second chunk and the finish chunk. It records when its stream is dropped.
#[derive(Clone, Default)]
pub struct Gated {
    pub gate: Arc<Notify>,
    pub dropped: Arc<AtomicBool>,
    pub streams: Arc<AtomicUsize>,
}

impl Gated {
    pub fn release(&self) {
        self.gate.notify_one();
    }
}

/// Sets its flag when dropped (a provider call or stream that was given up on).
pub struct DropFlag(pub Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[async_trait]
impl ChatProvider for Gated {
    fn name(&self) -> &str {
        "gated"
    }

    async fn chat(&self, _req: ChatRequest) -> Result<ChatResponse, Error> {
        unreachable!("streams only")
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        self.streams.fetch_add(1, Ordering::SeqCst);
        let gate = Arc::clone(&self.gate);
        let flag = DropFlag(Arc::clone(&self.dropped));
        let model = req.model.clone();
        let stream = async_stream(move |tx| async move {
            let _flag = flag;
            let _ = tx.send(ChatChunk::text_delta("g", &model, "first ")).await;
            gate.notified().await;
            let _ = tx.send(ChatChunk::text_delta("g", &model, "second")).await;
            let mut last = ChatChunk::text_delta("g", &model, "");
            last.choices[0].delta.content = None;
            last.choices[0].finish_reason = Some(FinishReason::Stop);
            let _ = tx.send(last).await;
        });
        Ok(stream)
    }
}

/// A stream fed by a producer future that is polled only while the stream is polled (no
/// spawned task), so dropping the stream drops the producer.
fn async_stream<F, Fut>(producer: F) -> ChatStream
where
    F: FnOnce(tokio::sync::mpsc::Sender<ChatChunk>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let producer = Box::pin(producer(tx));
    let state = (Some(producer), rx);
    Box::pin(futures_util::stream::unfold(
        state,
        |(mut producer, mut rx)| async move {
            loop {
                if let Some(p) = producer.as_mut() {
                    tokio::select! {
                        biased;
                        item = rx.recv() => return item.map(|c| (Ok(c), (producer, rx))),
                        () = p => { producer = None; }
                    }
                } else {
                    return rx.recv().await.map(|c| (Ok(c), (producer, rx)));
                }
            }
        },
    ))
}

/// A chat provider that always answers with the given stream chunks (usage included even
/// when not asked for, like llm-router's OpenAI-dialect adapters).
#[derive(Clone)]
pub struct Scripted(pub Vec<ChatChunk>);

#[async_trait]
impl ChatProvider for Scripted {
    fn name(&self) -> &str {
        "scripted"
    }

    async fn chat(&self, _req: ChatRequest) -> Result<ChatResponse, Error> {
        unreachable!("streams only")
    }

    async fn chat_stream(&self, _req: ChatRequest) -> Result<ChatStream, Error> {
        Ok(llm_router::stream_from_chunks(self.0.clone()))
    }
}
