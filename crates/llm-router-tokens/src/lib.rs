//! Token counts for llm-router: how many tokens a text, a conversation or a whole request will
//! cost, before it is sent.
//!
//! [`TokenCounter`] is the one trait (`count_text`, `count_messages`, `estimate_request`); the
//! rate limiter reserves a request's estimate against a tokens-per-minute budget, and memory
//! trims conversations to a budget with it. Two counters ship:
//!
//! - [`TiktokenCounter`]: exact counts with OpenAI's tokenizers (`o200k_base` by default,
//!   `cl100k_base` selectable), the encoding per model chosen only by an [`EncodingTable`] you
//!   can change. The tables are embedded and loaded once per process (70–220 ms the first time;
//!   call [`Encoding::warm_up`] at start-up).
//! - [`CharEstimate`]: a quarter of the characters, for when the order of magnitude is enough.
//!
//! Conversations follow OpenAI's accounting: [`TOKENS_PER_MESSAGE`] per message,
//! [`TOKENS_PER_NAME`] per name, [`REPLY_PRIMING_TOKENS`] once for the reply; with tiktoken, tool
//! definitions follow the cookbook's per-function overhead ([`openai_tool_tokens`]). Images and
//! audio are estimates (see [`IMAGE_TOKENS`] and friends), and so is every count of
//! [`CharEstimate`] ([`TokenCounter::is_exact`] says which).
//!
//! [`ModelTable`] knows the context window and maximum output of known models
//! ([`ModelLimits`]), overridable from config.
//!
//! # Example
//!
//! ```
//! use llm_router_core::{ChatRequest, Message};
//! use llm_router_tokens::{CharEstimate, Encoding, TiktokenCounter, TokenCounter};
//!
//! let tiktoken = TiktokenCounter::default(); // o200k_base
//! assert_eq!(tiktoken.count_text("hello world"), 2);
//! assert_eq!(TiktokenCounter::new(Encoding::Cl100kBase).count_text("hello world"), 2);
//!
//! // 3 per message + role + content, then 3 to prime the reply: what OpenAI bills.
//! assert_eq!(tiktoken.count_messages(&[Message::user("Hello, how are you?")]), 13);
//!
//! // A request's estimate adds its tools and the output it may produce.
//! let req = ChatRequest::new("gpt-4o-mini", vec![Message::user("Hello, how are you?")])
//!     .with_max_tokens(100);
//! assert_eq!(tiktoken.estimate_request(&req), 13 + 100);
//!
//! assert_eq!(CharEstimate.count_text("hello world"), 3); // 11 chars / 4, rounded up
//! ```

mod counter;
mod limits;
mod tiktoken;
mod tools;

pub use counter::{
    CharEstimate, DEFAULT_EXPECTED_OUTPUT_TOKENS, IMAGE_TOKENS, IMAGE_TOKENS_LOW_DETAIL,
    OTHER_PART_TOKENS, REPLY_PRIMING_TOKENS, TOKENS_PER_MESSAGE, TOKENS_PER_NAME, TokenCounter,
    expected_output,
};
pub use limits::{ModelLimits, ModelTable};
pub use tiktoken::{Encoding, EncodingTable, TiktokenCounter};
pub use tools::{ToolOverhead, openai_tool_tokens};
