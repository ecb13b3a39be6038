//! A user's stack: a layer written with `layer_fn` around the OpenAI client (over HTTP to
//! wiremock) and around the mock, used through the facade only.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::StreamExt as _;
use llm_router::mock::{MockFailure, MockProvider};
use llm_router::{
    ChatProvider, ChatRequest, ChatResponse, ChatStack, ChatStream, Error, ErrorKind, Message,
    SharedChat, async_trait, layer_fn,
};
use llm_router_testkit::conformance::WireScript;
use llm_router_testkit::wire::sse_response;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

/// Counts calls and tags responses: the shape of every middleware.
struct Counting {
    inner: SharedChat,
    calls: Arc<AtomicUsize>,
}

#[async_trait]
impl ChatProvider for Counting {
    fn name(&self) -> &str {
        self.inner.name()
    }
    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let mut r = self.inner.chat(req).await?;
        r.extra.insert("x-layer".into(), "counting".into());
        Ok(r)
    }
    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.chat_stream(req).await
    }
}

fn stack(calls: Arc<AtomicUsize>) -> ChatStack {
    ChatStack::new().layer(layer_fn(move |inner: SharedChat| -> SharedChat {
        Arc::new(Counting {
            inner,
            calls: calls.clone(),
        })
    }))
}

#[tokio::test]
async fn openai_over_http_through_a_layer_streams_chunk_by_chunk() {
    let wire = WireScript::openai_dialect(
        "/v1",
        ("authorization", "Bearer k"),
        "max_completion_tokens",
    );
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(sse_response(&wire.stream_ok))
        .mount(&server)
        .await;
    let openai = llm_router::openai::builder()
        .api_key("k")
        .base_url(format!("{}/v1", server.uri()))
        .build()
        .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let provider = stack(calls.clone()).build(Arc::new(openai));
    let mut stream = provider
        .chat_stream(ChatRequest::new("gpt-4o-mini", vec![Message::user("hi")]))
        .await
        .unwrap();
    let mut texts = Vec::new();
    while let Some(chunk) = stream.next().await {
        if let Some(t) = chunk.unwrap().text() {
            texts.push(t.to_owned());
        }
    }
    // Chunks arrive as the provider sent them, not merged into one.
    assert_eq!(
        texts,
        ["", "Hello", " there, ", "how may I assist you today? 👋"]
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn mock_through_a_layer_with_an_injected_rate_limit() {
    let mock =
        MockProvider::new()
            .reply("Hello", "Hi there!")
            .fail_next(MockFailure::RateLimited {
                retry_after: std::time::Duration::from_secs(3),
            });
    let calls = Arc::new(AtomicUsize::new(0));
    let provider = stack(calls.clone()).build(Arc::new(mock.clone()));
    let req = ChatRequest::new("mock-model", vec![Message::user("Hello!")]);
    let e = provider.chat(req.clone()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(3)));
    let r = provider.chat(req).await.unwrap();
    assert_eq!(r.text(), "Hi there!");
    assert_eq!(r.extra["x-layer"], "counting");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(mock.requests().len(), 2);
}
