//! Conversation memory for llm-router: keep a chat history within a model's context window.
//!
//! A [`Conversation`] holds a system prompt, the history (some messages pinned) and a running
//! summary. [`Conversation::fit`] / [`Conversation::messages_for_request`] return the messages
//! to send under a [`Budget`] (context window minus a reserve for the reply), counted with any
//! [`TokenCounter`](llm_router_tokens::TokenCounter), using a [`Strategy`]:
//!
//! - [`Strategy::SlidingWindow`]: the newest turns that fit (optionally at most N messages);
//! - [`Strategy::TruncateOldest`]: the same, but the first turn that does not fit is cut to
//!   the remaining room, keeping the end of its text, at a character boundary;
//! - [`Strategy::Summarize`]: a chat model folds the oldest turns into a running summary,
//!   incrementally — only new overflow is sent, with the previous summary.
//!
//! Guarantees, whatever the strategy: the result never exceeds the budget (or you get
//! [`ErrorKind::ContextLengthExceeded`](llm_router_core::ErrorKind::ContextLengthExceeded));
//! the system prompt, the summary and pinned messages are always sent; an assistant message
//! with tool calls and the tool results answering it are kept or dropped together; text is
//! never cut inside a multi-byte character.
//!
//! Conversations serialize with serde; [`ConversationStore`] saves them by id, in memory
//! ([`MemoryStore`]) or, with the `redis` feature, in Redis (`RedisStore`) for gateway
//! replicas sharing sessions.
//!
//! # Example
//!
//! ```
//! use llm_router_core::{Message, ToolCall};
//! use llm_router_memory::{Budget, Conversation, Strategy};
//! use llm_router_tokens::{CharEstimate, TokenCounter as _};
//!
//! # fn main() -> Result<(), llm_router_core::Error> {
//! let mut conv = Conversation::with_system("You are terse.");
//! conv.push_pinned(Message::user("My name is Ada."));
//! for i in 0..50 {
//!     conv.push(Message::user(format!("Question {i}: what is {i} squared?")));
//!     conv.push(Message::assistant(format!("{}", i * i)));
//! }
//! conv.push(Message::assistant_tool_calls(vec![ToolCall::function("c1", "clock", "{}")]));
//! conv.push(Message::tool("c1", "12:00"));
//!
//! let budget = Budget::new(300, 100); // 200 tokens for the prompt
//! let sent = conv.fit(&Strategy::sliding_window(), budget, &CharEstimate)?;
//! assert!(CharEstimate.count_messages(&sent) <= budget.available());
//! assert_eq!(sent[0].text(), "You are terse.");
//! assert_eq!(sent[1].text(), "My name is Ada."); // pinned
//! assert_eq!(sent.last().map(|m| m.text()).as_deref(), Some("12:00"));
//! assert!(sent.len() < conv.len());
//!
//! // Conversations round-trip through JSON.
//! let json = serde_json::to_string(&conv)?;
//! assert_eq!(serde_json::from_str::<Conversation>(&json)?, conv);
//! # Ok(())
//! # }
//! ```

mod conversation;
mod fit;
#[cfg(feature = "redis")]
mod redis;
mod store;
mod summarize;

pub use conversation::{Budget, Conversation, Entry, SUMMARY_PREFIX, Strategy};
pub use fit::{Keep, truncate_text, truncate_to_tokens};
#[cfg(feature = "redis")]
pub use redis::{DEFAULT_REDIS_PREFIX, RedisStore, RedisStoreBuilder};
pub use store::{ConversationStore, MemoryStore};
pub use summarize::{DEFAULT_SUMMARY_PROMPT, Summarizer};
