//! The conversation state, the budget and the strategies.

use llm_router_core::{Content, Error, Message, SharedChat};
use llm_router_tokens::TokenCounter;
use serde::{Deserialize, Serialize};

use crate::fit::{Mode, fit};
use crate::summarize::Summarizer;

/// How many tokens a request may use: the model's context window minus what is kept free
/// for the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    /// The model's context window, in tokens.
    pub context_window: usize,
    /// Tokens kept free for the reply (what you pass as `max_tokens`).
    pub reserve_for_reply: usize,
}

impl Budget {
    /// A budget of `context_window` tokens, `reserve_for_reply` of them kept for the reply.
    pub fn new(context_window: usize, reserve_for_reply: usize) -> Self {
        Self {
            context_window,
            reserve_for_reply,
        }
    }

    /// Tokens the prompt may use: the window minus the reserve (zero if the reserve is larger).
    pub fn available(&self) -> usize {
        self.context_window.saturating_sub(self.reserve_for_reply)
    }
}

/// One message of the history, and whether it is pinned (always sent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The message.
    pub message: Message,
    /// Pinned messages are never dropped, cut or summarised.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
}

/// How a conversation that is over its budget is made to fit.
///
/// Every strategy keeps the system prompt, the running summary and pinned messages, and drops
/// whole *units*: a message, or an assistant message with tool calls together with the tool
/// results answering them, so a call is never separated from its results.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Strategy {
    /// Keep the newest units that fit, optionally at most `max_messages` messages (counted in
    /// whole units; the newest unit always counts as fitting the message limit). Fails with
    /// [`ContextLengthExceeded`](llm_router_core::ErrorKind::ContextLengthExceeded) when the
    /// newest unit alone does not fit.
    SlidingWindow {
        /// An optional cap on the number of history messages sent.
        max_messages: Option<usize>,
    },
    /// Drop the oldest units; the first unit that does not fit whole (possibly the newest)
    /// is cut to the remaining room instead, keeping the *end* of its text (largest text
    /// first, at a character boundary, never inside a multi-byte character).
    TruncateOldest,
    /// When over budget, have a chat model condense the oldest turns into a running summary,
    /// incrementally (see [`Summarizer`]).
    Summarize(Summarizer),
}

impl Strategy {
    /// [`Strategy::SlidingWindow`] without a message cap.
    pub fn sliding_window() -> Self {
        Self::SlidingWindow { max_messages: None }
    }

    /// [`Strategy::Summarize`] with a [`Summarizer`] using `provider` and `model` and the
    /// default prompt.
    pub fn summarize(provider: SharedChat, model: impl Into<String>) -> Self {
        Self::Summarize(Summarizer::new(provider, model))
    }
}

/// The prefix of the system message that carries the running summary.
pub const SUMMARY_PREFIX: &str = "Summary of the earlier conversation:\n";

/// A conversation: a system prompt, the history (with pinned messages) and a running summary
/// of the turns that were summarised away. Serializable, so an application can persist it
/// (see [`ConversationStore`](crate::ConversationStore)).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Conversation {
    /// The system prompt, always sent first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<Message>,
    /// The history not yet summarised, oldest first.
    pub messages: Vec<Entry>,
    /// The running summary of the turns removed by [`Strategy::Summarize`]; sent as a system
    /// message ([`SUMMARY_PREFIX`] + summary) right after the system prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// How many messages the summary covers.
    pub summarized_messages: usize,
}

impl Conversation {
    /// An empty conversation without a system prompt.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty conversation with a system prompt.
    pub fn with_system(system: impl Into<Content>) -> Self {
        Self {
            system: Some(Message::system(system)),
            ..Self::default()
        }
    }

    /// Appends a message; returns its index in [`messages`](Self::messages).
    pub fn push(&mut self, message: Message) -> usize {
        self.messages.push(Entry {
            message,
            pinned: false,
        });
        self.messages.len() - 1
    }

    /// Appends a pinned message (always sent, never cut or summarised); returns its index.
    pub fn push_pinned(&mut self, message: Message) -> usize {
        self.messages.push(Entry {
            message,
            pinned: true,
        });
        self.messages.len() - 1
    }

    /// Pins (or with `false` unpins) the message at `index`; `false` if there is none.
    /// Pinning a message of a tool-call unit keeps the whole unit.
    pub fn set_pinned(&mut self, index: usize, pinned: bool) -> bool {
        match self.messages.get_mut(index) {
            Some(e) => {
                e.pinned = pinned;
                true
            }
            None => false,
        }
    }

    /// Pins the message at `index`; `false` if there is none.
    pub fn pin(&mut self, index: usize) -> bool {
        self.set_pinned(index, true)
    }

    /// History messages not yet summarised.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// No history (a system prompt or summary may still exist).
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// The system message carrying the running summary, if there is one.
    pub fn summary_message(&self) -> Option<Message> {
        self.summary
            .as_ref()
            .map(|s| Message::system(format!("{SUMMARY_PREFIX}{s}")))
    }

    /// The system prompt and summary message, as sent before the history.
    pub(crate) fn head(&self) -> Vec<Message> {
        self.system
            .iter()
            .cloned()
            .chain(self.summary_message())
            .collect()
    }

    /// Everything, unfitted: system prompt, summary message, then the whole history.
    pub fn all_messages(&self) -> Vec<Message> {
        let mut out = self.head();
        out.extend(self.messages.iter().map(|e| e.message.clone()));
        out
    }

    /// The messages to send under `budget`, without changing the conversation and without
    /// calling any provider ([`Strategy::Summarize`] uses the existing summary and then cuts
    /// like [`Strategy::TruncateOldest`]; use [`messages_for_request`](Self::messages_for_request)
    /// to update the summary).
    ///
    /// # Errors
    ///
    /// [`ContextLengthExceeded`](llm_router_core::ErrorKind::ContextLengthExceeded) when the
    /// system prompt, summary and pinned messages alone exceed the budget, or when the
    /// strategy cannot make the newest turn fit.
    pub fn fit<C: TokenCounter + ?Sized>(
        &self,
        strategy: &Strategy,
        budget: Budget,
        counter: &C,
    ) -> Result<Vec<Message>, Error> {
        let mode = match strategy {
            Strategy::SlidingWindow { max_messages } => Mode {
                max_messages: *max_messages,
                truncate: false,
            },
            Strategy::TruncateOldest | Strategy::Summarize(_) => Mode {
                max_messages: None,
                truncate: true,
            },
        };
        fit(
            &self.head(),
            &self.messages,
            mode,
            budget.available(),
            counter,
        )
    }

    /// The messages to send under `budget`. With [`Strategy::Summarize`] this may call the
    /// summarising model once and update [`summary`](Self::summary) (removing the turns it
    /// covers); the other strategies behave as [`fit`](Self::fit).
    ///
    /// # Errors
    ///
    /// As [`fit`](Self::fit), plus the summarising provider's errors (the conversation is
    /// then unchanged).
    pub async fn messages_for_request<C: TokenCounter + ?Sized>(
        &mut self,
        strategy: &Strategy,
        budget: Budget,
        counter: &C,
    ) -> Result<Vec<Message>, Error> {
        match strategy {
            Strategy::Summarize(s) => s.fit(self, budget, counter).await,
            other => self.fit(other, budget, counter),
        }
    }
}
