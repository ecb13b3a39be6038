//! Middleware as layers: tower's idea without tower's generics.
//!
//! A [`Layer`] maps a shared provider to a shared provider; a [`Stack`] applies layers with the
//! first one added outermost. Cache, limiter, retry and telemetry are layers; so is anything a
//! user writes with [`layer_fn`].

use std::sync::Arc;

use crate::provider::{ChatProvider, EmbeddingProvider};

/// Wraps a provider in another.
pub trait Layer<S: ?Sized>: Send + Sync {
    /// Returns `inner` wrapped.
    fn layer(&self, inner: Arc<S>) -> Arc<S>;
}

/// A layer from a closure.
pub struct LayerFn<F>(F);

/// Makes a layer from a closure.
pub fn layer_fn<F>(f: F) -> LayerFn<F> {
    LayerFn(f)
}

impl<S: ?Sized, F> Layer<S> for LayerFn<F>
where
    F: Fn(Arc<S>) -> Arc<S> + Send + Sync,
{
    fn layer(&self, inner: Arc<S>) -> Arc<S> {
        (self.0)(inner)
    }
}

/// An ordered list of layers; the first added is the outermost.
///
/// ```
/// use std::sync::Arc;
/// use llm_router_core::{layer_fn, ChatProvider, ChatStack, SharedChat};
/// # use llm_router_core::{ChatRequest, ChatResponse, ChatStream, Error};
/// # struct Echo;
/// # #[async_trait::async_trait]
/// # impl ChatProvider for Echo {
/// #     fn name(&self) -> &str { "echo" }
/// #     async fn chat(&self, r: ChatRequest) -> Result<ChatResponse, Error> { Ok(ChatResponse::default()) }
/// #     async fn chat_stream(&self, r: ChatRequest) -> Result<ChatStream, Error> { Ok(llm_router_core::stream_from_chunks(vec![])) }
/// # }
/// let provider: SharedChat = Arc::new(Echo);
/// let stack = ChatStack::new().layer(layer_fn(|inner: SharedChat| inner));
/// assert_eq!(stack.len(), 1);
/// let wrapped = stack.build(provider);
/// assert_eq!(wrapped.name(), "echo");
/// ```
pub struct Stack<S: ?Sized> {
    layers: Vec<Box<dyn Layer<S>>>,
}

/// A stack of chat layers.
pub type ChatStack = Stack<dyn ChatProvider>;
/// A stack of embedding layers.
pub type EmbeddingStack = Stack<dyn EmbeddingProvider>;

impl<S: ?Sized> Default for Stack<S> {
    fn default() -> Self {
        Self { layers: Vec::new() }
    }
}

impl<S: ?Sized> Stack<S> {
    /// An empty stack.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a layer inside the ones already added.
    pub fn layer(mut self, layer: impl Layer<S> + 'static) -> Self {
        self.layers.push(Box::new(layer));
        self
    }

    /// Number of layers.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Whether there are no layers.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Wraps `inner` in every layer, the first added outermost.
    pub fn build(&self, inner: Arc<S>) -> Arc<S> {
        self.layers
            .iter()
            .rev()
            .fold(inner, |acc, layer| layer.layer(acc))
    }
}

impl<S: ?Sized> std::fmt::Debug for Stack<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Stack({} layers)", self.layers.len())
    }
}
