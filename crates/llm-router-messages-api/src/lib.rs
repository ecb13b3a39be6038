//! The Anthropic Messages API (`POST /v1/messages`) served over any llm-router provider.
//!
//! Pure conversions, no HTTP: an Anthropic request body becomes a canonical
//! [`ChatRequest`](llm_router_core::ChatRequest) ([`parse_request`]), a canonical response
//! becomes Anthropic's `Message` object ([`response_body`]), a canonical chunk stream becomes
//! Anthropic's SSE events ([`StreamEncoder`]), and an [`Error`](llm_router_core::Error) becomes
//! Anthropic's error body and status ([`error_body`]). A gateway route is these four calls
//! around a provider. The request mapping is the reverse of `llm-router-anthropic`'s, so a
//! request that enters here and leaves to Anthropic keeps its meaning (thinking signatures,
//! `cache_control`, `is_error`, tool ids).
//!
//! # Requests
//!
//! | Anthropic | canonical |
//! |---|---|
//! | `model`, `max_tokens` (both required) | `model`, `max_tokens` |
//! | `system` string / text blocks | system message(s); per block, `cache_control` on the message's `extra` and on its text part |
//! | user `text` / `image` (base64 → `data:` URL, `url` → URL) | text / `image_url` parts (`cache_control` and other block fields in the part's `extra`) |
//! | user `document`: base64 source | an OpenAI `file` part (`file_data` = `data:<media_type>;base64,…`, `filename` = title or `document.pdf`) |
//! | user `document`: text source | a text part |
//! | other user blocks (`search_result`, file/url documents, …) | kept as raw parts ([`ContentPart::Other`](llm_router_core::ContentPart)) |
//! | `tool_result` | one `role: tool` message per result, in order (`is_error` and `cache_control` in the message's `extra`) |
//! | assistant `text` / `tool_use` | content / `tool_calls` (input serialized as the arguments) |
//! | assistant `thinking` / `redacted_thinking` | `reasoning_content` + `reasoning_details` (`reasoning.text` with `signature`, `reasoning.encrypted`), `format` [`REASONING_FORMAT`] |
//! | `tools` (custom) | function tools (`input_schema` → `parameters`, `strict`, `cache_control` in the tool's `extra`) |
//! | server tools (`web_search_…`, `bash_…`, …) | refused: [`ErrorKind::Unsupported`](llm_router_core::ErrorKind) |
//! | `tool_choice` `auto` / `any` / `tool` / `none` | `auto` / `required` / function / `none`; `disable_parallel_tool_use: true` → `parallel_tool_calls: false` |
//! | `temperature`, `top_p`, `stop_sequences`, `stream`, `service_tier` | same meaning |
//! | `metadata.user_id` | `user` |
//! | `thinking` | kept in `extra`; `enabled` also sets `reasoning_effort` from `budget_tokens` (< 4096 `low`, < 16384 `medium`, else `high`) |
//! | `output_config.format` / `output_format` (`json_schema`) | `response_format` `json_schema` named `output` |
//! | `output_config.effort` | `reasoning_effort` (and `output_config` kept in `extra`) |
//! | `top_k` and every unknown field | `extra`, as sent |
//!
//! Anthropic's own fields are kept where `llm-router-anthropic` reads them, so nothing is lost
//! when Claude serves the request. For other providers, call [`strip_anthropic_only`] on the
//! parsed request: strict OpenAI-dialect providers reject unknown body fields.
//!
//! # Responses and streams
//!
//! `id` is `msg_…` derived from the provider's id; `model` is what the client asked for;
//! content is thinking blocks, text, then `tool_use` blocks (arguments that are not a JSON
//! object become `input: {}`); finish reasons map with [`stop_reason`]; usage is
//! `input_tokens` (without cached tokens), `output_tokens`, `cache_read_input_tokens`,
//! `cache_creation_input_tokens`. [`StreamEncoder`] produces the same content as events.
//!
//! # Example
//!
//! ```
//! use llm_router_core::{ChatChunk, ChatResponse, Choice, Message, Role};
//! use llm_router_messages_api::{StreamEncoder, parse_request, response_body};
//!
//! let req = parse_request(br#"{
//!     "model": "claude-sonnet-4-5", "max_tokens": 1024,
//!     "system": "Be terse.",
//!     "messages": [{"role": "user", "content": "Hello"}]
//! }"#)?;
//! assert_eq!(req.messages[0].role, Role::System);
//! assert_eq!(req.max_tokens, Some(1024));
//!
//! // A provider answers with a canonical response…
//! let resp = ChatResponse {
//!     id: "chatcmpl-1".into(),
//!     choices: vec![Choice { message: Message::assistant("Hi!"), ..Choice::default() }],
//!     ..ChatResponse::default()
//! };
//! let body = response_body(&resp, &req.model);
//! assert_eq!(body["type"], "message");
//! assert_eq!(body["content"][0]["text"], "Hi!");
//!
//! // …or with chunks, which become Anthropic's events.
//! let mut enc = StreamEncoder::new(&req.model);
//! let mut events: Vec<_> = enc.push(&ChatChunk::text_delta("chatcmpl-1", "gpt-4o", "Hi!"));
//! events.extend(enc.finish());
//! let names: Vec<_> = events.iter().map(|f| f.event).collect();
//! assert_eq!(names, [
//!     "message_start", "content_block_start", "content_block_delta",
//!     "content_block_stop", "message_delta", "message_stop",
//! ]);
//! assert!(events[2].to_sse().starts_with("event: content_block_delta\ndata: {"));
//! # Ok::<(), llm_router_core::Error>(())
//! ```

mod error;
mod json;
mod portable;
mod request;
mod response;
mod stream;

pub use error::{error_body, error_type};
pub use portable::strip_anthropic_only;
pub use request::{parse_request, request_from_value};
pub use response::{message_id, response_body, stop_reason};
pub use stream::{SseFrame, StreamEncoder};

/// The `format` of the reasoning blocks this crate reads from `thinking` blocks; the same one
/// `llm-router-anthropic` writes and sends back, so signatures survive a round trip.
pub const REASONING_FORMAT: &str = "anthropic-claude-v1";
