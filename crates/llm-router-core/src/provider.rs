//! The provider traits every adapter, layer and router implements.

use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use futures_core::Stream;
use futures_util::StreamExt as _;

use crate::chat::{ChatChunk, ChatRequest, ChatResponse, StreamAccumulator};
use crate::embedding::{EmbeddingRequest, EmbeddingResponse};
use crate::image::{ImageRequest, ImageResponse};
use crate::model::ModelInfo;
use crate::{Error, ErrorKind};

/// A stream of chat chunks. Dropping it cancels the request and closes the connection.
///
/// A stream that fails after content has reached the caller yields
/// `Err(ErrorKind::StreamInterrupted)`; a stream that ends without its terminator ends with that
/// error too, so a cut answer is never a quiet success.
pub type ChatStream = Pin<Box<dyn Stream<Item = Result<ChatChunk, Error>> + Send>>;

/// Chat completions: `async fn(ChatRequest) -> Result<ChatResponse, Error>`, plus streaming.
///
/// Object-safe, so a router can hold different providers in one list and a layer can wrap
/// any of them.
#[async_trait]
pub trait ChatProvider: Send + Sync {
    /// A short name: `"openai"`, `"router"`, `"mock"`.
    fn name(&self) -> &str;

    /// One complete response.
    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error>;

    /// A stream of chunks. Returns once the first event is parsed, so errors before any
    /// content (HTTP status, an error as the first event) are an `Err` here that retry and
    /// routing can act on.
    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error>;

    /// The models this provider serves, where it can list them.
    async fn list_models(&self) -> Result<Vec<ModelInfo>, Error> {
        Err(Error::new(
            ErrorKind::Unsupported,
            format!("{} cannot list models", self.name()),
        ))
    }
}

/// A shared chat provider.
pub type SharedChat = Arc<dyn ChatProvider>;

/// Embeddings.
#[async_trait]
pub trait EmbeddingProvider: Send + Sync {
    /// A short name.
    fn name(&self) -> &str;

    /// One vector per input, in input order.
    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error>;
}

/// A shared embedding provider.
pub type SharedEmbedding = Arc<dyn EmbeddingProvider>;

/// Image generation.
#[async_trait]
pub trait ImageProvider: Send + Sync {
    /// A short name.
    fn name(&self) -> &str;

    /// Generates images.
    async fn generate(&self, req: ImageRequest) -> Result<ImageResponse, Error>;
}

/// A shared image provider.
pub type SharedImage = Arc<dyn ImageProvider>;

#[async_trait]
impl<T: ChatProvider + ?Sized> ChatProvider for Arc<T> {
    fn name(&self) -> &str {
        (**self).name()
    }
    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        (**self).chat(req).await
    }
    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        (**self).chat_stream(req).await
    }
    async fn list_models(&self) -> Result<Vec<ModelInfo>, Error> {
        (**self).list_models().await
    }
}

#[async_trait]
impl<T: EmbeddingProvider + ?Sized> EmbeddingProvider for Arc<T> {
    fn name(&self) -> &str {
        (**self).name()
    }
    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        (**self).embed(req).await
    }
}

#[async_trait]
impl<T: ImageProvider + ?Sized> ImageProvider for Arc<T> {
    fn name(&self) -> &str {
        (**self).name()
    }
    async fn generate(&self, req: ImageRequest) -> Result<ImageResponse, Error> {
        (**self).generate(req).await
    }
}

/// Drains a stream into one response; the first error ends it.
///
/// ```
/// # tokio_test_block_on(async {
/// use llm_router_core::{collect_stream, stream_from_chunks, ChatChunk};
/// let s = stream_from_chunks(vec![ChatChunk::text_delta("c", "m", "a"), ChatChunk::text_delta("c", "m", "b")]);
/// assert_eq!(collect_stream(s).await.unwrap().text(), "ab");
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output { futures_executor_block_on(f) }
/// # fn futures_executor_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let rt = tokio::runtime::Builder::new_current_thread().build().unwrap(); rt.block_on(f) }
/// ```
pub async fn collect_stream(mut stream: ChatStream) -> Result<ChatResponse, Error> {
    let mut acc = StreamAccumulator::new();
    while let Some(item) = stream.next().await {
        acc.push(&item?);
    }
    Ok(acc.finish())
}

/// A stream that yields the given chunks (for tests, caches and mocks).
pub fn stream_from_chunks(chunks: Vec<ChatChunk>) -> ChatStream {
    Box::pin(futures_util::stream::iter(chunks.into_iter().map(Ok)))
}
