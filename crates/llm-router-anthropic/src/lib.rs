//! Anthropic for llm-router: Claude through the native Messages API (`POST /v1/messages`),
//! with streaming, tools, vision, extended thinking and prompt caching.
//!
//! The client implements [`ChatProvider`](llm_router_core::ChatProvider): OpenAI-shaped
//! requests in, OpenAI-shaped responses and chunks out. What differs from the OpenAI dialect,
//! and how this crate bridges it:
//!
//! - **System prompt.** `system`/`developer` messages are hoisted into the top-level `system`
//!   (joined with blank lines; as text blocks when a message has `cache_control` in its
//!   `extra`).
//! - **`max_tokens` is required.** The request's `max_completion_tokens`/`max_tokens`, else
//!   the client's default, [`DEFAULT_MAX_TOKENS`] (4096) unless set with
//!   [`AnthropicBuilder::default_max_tokens`].
//! - **Tools.** Tool calls are `tool_use` blocks (arguments parsed to an object; invalid JSON
//!   is an `InvalidRequest` error before sending), tool results are `tool_result` blocks in a
//!   user turn (consecutive results merge into one turn), ids are kept both ways.
//!   `tool_choice`: `auto` → `{type: auto}`, `required` → `{type: any}`, a function →
//!   `{type: tool, name}`, `none` → `{type: none}`; `parallel_tool_calls: false` →
//!   `disable_parallel_tool_use: true`.
//! - **Images.** `data:` URLs become base64 sources, `http(s)` URLs URL sources.
//! - **PDFs.** An OpenAI `file` part whose `file_data` is a `data:application/pdf;base64,…`
//!   URL (or bare base64 with a `.pdf` filename) becomes a `document` block with a base64
//!   source, `filename` as its `title` (`cache_control`, `title`, `context`, `citations` on the
//!   part kept). Other file types and OpenAI `file_id`s are refused before sending.
//! - **Thinking.** Pass `thinking` in [`ChatRequest::extra`](llm_router_core::ChatRequest)
//!   (every `extra` field reaches the body: `thinking`, `top_k`, `metadata`, `output_config`,
//!   …). Thinking blocks come back as `reasoning_content` plus `reasoning_details`
//!   (`reasoning.text` with its `signature`, `reasoning.encrypted` for `redacted_thinking`,
//!   `format: "anthropic-claude-v1"`); an assistant message carrying them sends them back,
//!   signatures intact, before its text and tool calls, as Anthropic requires.
//! - **Caching.** `cache_control` in a message's `extra` lands on that message's last block,
//!   in a tool definition's `extra` on the tool. Usage: `prompt_tokens` is the whole input
//!   (`input_tokens + cache_read_input_tokens + cache_creation_input_tokens`), with
//!   `cached_tokens` and `cache_write_tokens` in `prompt_tokens_details`.
//! - **Stop reasons.** `end_turn`/`stop_sequence` → `stop`, `max_tokens` → `length`,
//!   `model_context_window_exceeded` → `length`, `tool_use` → `tool_calls`, `refusal` →
//!   `content_filter`, `pause_turn` (and anything newer) kept as is. The matched stop
//!   sequence (`stop_sequence` of the response or of the stream's `message_delta`) is kept in
//!   the choice's `extra` as `stop_sequence`, so a Messages API front end can answer
//!   `stop_reason: stop_sequence`.
//! - **Other request fields.** `stop` → `stop_sequences`, `metadata.user_id` (else `user`) →
//!   `metadata.user_id`, `service_tier` (`auto`/`standard_only` only), a `json_schema`
//!   `response_format` → `output_config.format`. Refused before sending: `n > 1`, `response_format: json_object`,
//!   audio input. Not sent (no Anthropic equivalent): `seed`, penalties, `logit_bias`,
//!   `logprobs`, `store`, other `metadata` keys, `reasoning_effort`, `stream_options`.
//! - **Errors.** `{"type":"error","error":{"type","message"}}` over HTTP and as `event: error`
//!   inside a 200 stream; 529 `overloaded_error` → `ProviderUnavailable`, `rate_limit_error` →
//!   `RateLimited` with `Retry-After` read and the `anthropic-ratelimit-*` headers appended to
//!   the message (a 429 or 529 without `retry-after` waits until the latest reset of the
//!   exhausted limits, `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-reset`,
//!   measured from the response's `date`, at most an hour), `billing_error` →
//!   `QuotaExceeded`. A stream that ends before `message_stop` ends with `StreamInterrupted`.
//! - **Batches.** The client implements
//!   [`BatchProvider`](llm_router_core::BatchProvider) over Message Batches
//!   (`/v1/messages/batches`): each request's `params` is the body a direct call would send;
//!   results go through the same converter, errored items through the same error mapping.
//! - **Not here:** embeddings and image generation (Anthropic has neither).
//!
//! # Example
//!
//! ```
//! use llm_router_core::{ChatRequest, Message};
//!
//! let client = llm_router_anthropic::builder()
//!     .api_key("sk-ant-test")
//!     .base_url("http://127.0.0.1:9")
//!     .default_max_tokens(1024)
//!     .build()?;
//! assert!(!format!("{client:?}").contains("sk-ant-test"));
//!
//! let req = ChatRequest::new(
//!     "claude-sonnet-4-5",
//!     vec![Message::system("Be terse."), Message::user("Hi")],
//! );
//! let body = client.request_body(&req, false)?;
//! assert_eq!(body["system"], "Be terse.");
//! assert_eq!(body["max_tokens"], 1024);
//! assert_eq!(body["messages"][0]["content"], "Hi");
//! # Ok::<(), llm_router_core::Error>(())
//! ```
//!
//! A real call (`ANTHROPIC_API_KEY` set):
//!
//! ```no_run
//! use llm_router_core::{ChatProvider, ChatRequest, Message};
//!
//! # async fn run() -> Result<(), llm_router_core::Error> {
//! let claude = llm_router_anthropic::from_env()?;
//! let resp = claude
//!     .chat(ChatRequest::new("claude-sonnet-4-5", vec![Message::user("Say hi")]))
//!     .await?;
//! println!("{}", resp.text());
//! # Ok(()) }
//! ```

mod batch;
mod client;
mod convert;
mod error;
mod ratelimit;
mod stream;
mod wire;

use llm_router_core::{Capabilities, Error, ProviderInfo};

pub use batch::{MAX_CUSTOM_ID_LEN, check_batch_custom_id};
pub use client::{AnthropicBuilder, AnthropicClient};
pub use llm_router_http::StreamTimeouts;
pub use stream::chat_chunks;

/// The provider's short name.
pub(crate) const NAME: &str = "anthropic";

/// Anthropic's API base URL (requests go to `<base>/v1/messages`).
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";

/// The environment variable holding the API key.
pub const API_KEY_ENV: &str = "ANTHROPIC_API_KEY";

/// The environment variable that overrides the base URL.
pub const BASE_URL_ENV: &str = "ANTHROPIC_BASE_URL";

/// The `anthropic-version` header sent with every request.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// The `max_tokens` sent when a request sets no output limit. Anthropic requires the field;
/// 4096 fits every current Claude model's output limit.
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

/// What this crate is and supports (the README's provider table is generated from it).
pub const INFO: ProviderInfo = ProviderInfo {
    name: NAME,
    display_name: "Anthropic",
    crate_name: "llm-router-anthropic",
    feature: "anthropic",
    env_vars: &[API_KEY_ENV, BASE_URL_ENV],
    default_base_url: DEFAULT_BASE_URL,
    capabilities: Capabilities {
        chat: true,
        streaming: true,
        tools: true,
        vision: true,
        embeddings: false,
        images: false,
        reasoning: true,
    },
    notes: "native Messages API; thinking signatures round-trip; default `max_tokens` 4096",
};

/// A builder; set the key with `.api_key(…)`.
pub fn builder() -> AnthropicBuilder {
    AnthropicBuilder::new()
}

/// A client configured from the environment: `ANTHROPIC_API_KEY` (required) and
/// `ANTHROPIC_BASE_URL` (optional).
pub fn from_env() -> Result<AnthropicClient, Error> {
    let mut b = builder().api_key_from_env(API_KEY_ENV);
    if let Ok(url) = std::env::var(BASE_URL_ENV)
        && !url.trim().is_empty()
    {
        b = b.base_url(url.trim());
    }
    b.build()
}
