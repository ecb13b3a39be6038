//! Chat completions: request, messages, content, tools, response, stream chunks, usage.

mod accumulate;
mod chunk;
mod content;
mod message;
mod request;
mod response;
mod tool;
mod usage;

pub use accumulate::StreamAccumulator;
pub use chunk::{ChatChunk, ChunkChoice, Delta, FunctionCallDelta, ToolCallDelta};
pub use content::{Content, ContentPart, ImageDetail, ImageUrl, InputAudio};
pub use message::{Message, ReasoningDetail, ReasoningKind, Role};
pub use request::{ChatRequest, ReasoningEffort, Stop, StreamOptions};
pub use response::{ChatResponse, Choice, FinishReason};
pub use tool::{
    FunctionCall, FunctionDefinition, JsonSchemaFormat, ResponseFormat, ToolCall, ToolChoice,
    ToolDefinition, ToolType,
};
pub use usage::{CompletionTokensDetails, PromptTokensDetails, Usage};
