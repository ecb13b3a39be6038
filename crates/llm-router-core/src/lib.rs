//! The canonical schema and traits of llm-router.
//!
//! Everything in llm-router speaks these types. The mental model is one function:
//! `async fn(ChatRequest) -> Result<ChatResponse, Error>` (plus a streaming twin that yields
//! [`ChatChunk`]s). The types are OpenAI's wire format, serde-exact, so OpenAI JSON goes in and
//! comes out unchanged; provider adapters translate from and to them. Unknown fields are kept in
//! `extra` maps and unknown enum values in `Other(_)` variants, so a provider's new field is
//! never a decode failure.
//!
//! This crate holds data and traits only: no HTTP client, no runtime.
//!
//! # Example
//!
//! ```
//! use llm_router_core::{ChatRequest, ChatResponse, Message, ToolDefinition};
//! use serde_json::json;
//!
//! let req = ChatRequest::new("gpt-4o-mini", vec![
//!     Message::system("You are terse."),
//!     Message::user("Weather in Paris?"),
//! ])
//! .with_tools([ToolDefinition::function(
//!     "get_weather",
//!     "Current weather",
//!     json!({"type": "object", "properties": {"city": {"type": "string"}}}),
//! )]);
//! let wire = serde_json::to_value(&req)?;
//! assert_eq!(wire["tools"][0]["function"]["name"], "get_weather");
//!
//! let back: ChatRequest = serde_json::from_value(wire)?;
//! assert_eq!(back, req);
//! # Ok::<(), serde_json::Error>(())
//! ```

mod batch;
mod chat;
mod embedding;
mod error;
mod extensions;
mod image;
mod layer;
mod model;
mod open_enum;
mod provider;
mod provider_info;
mod secret;
mod serde_util;

pub use batch::{
    BatchCounts, BatchErrorRecord, BatchItem, BatchItemResult, BatchJob, BatchProvider,
    BatchResultRecord, BatchStatus, CANCELLED_CODE, EXPIRED_CODE, SharedBatch, cancelled_error,
    check_custom_ids, expired_error, is_cancelled, is_expired,
};
pub use chat::*;
pub use embedding::{
    Embedding, EmbeddingData, EmbeddingInput, EmbeddingRequest, EmbeddingResponse, EncodingFormat,
    InputType,
};
pub use error::{BoxError, Error, ErrorKind};
pub use extensions::Extensions;
pub use image::{ImageData, ImageRequest, ImageResponse};
pub use layer::{ChatStack, EmbeddingStack, Layer, LayerFn, Stack, layer_fn};
pub use model::{ModelInfo, ModelList};
pub use provider::{
    ChatProvider, ChatStream, EmbeddingProvider, ImageProvider, SharedChat, SharedEmbedding,
    SharedImage, collect_stream, stream_from_chunks,
};
pub use provider_info::{Capabilities, ProviderInfo};
pub use secret::ApiKey;

/// Re-exported so provider crates and users implement the traits with the same macro.
pub use async_trait::async_trait;
