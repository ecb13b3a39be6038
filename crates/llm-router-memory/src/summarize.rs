//! The summarising strategy: the oldest turns are condensed into a running summary by a chat
//! model, incrementally.

use std::fmt;
use std::fmt::Write as _;

use llm_router_core::{ChatRequest, Error, Message, SharedChat};
use llm_router_tokens::TokenCounter;

use crate::conversation::{Budget, Conversation};
use crate::fit::{Costs, Mode, fit, units};

/// The default instructions for the summarising model.
pub const DEFAULT_SUMMARY_PROMPT: &str = "You maintain the running summary of a conversation \
between a user and an assistant. You receive the current summary (possibly empty) and the \
messages that follow it. Reply with the updated summary only: keep facts, names, numbers, \
decisions, open questions and tool results that may matter later; drop small talk. Be concise.";

/// Condenses the oldest turns of a [`Conversation`] into its running summary.
///
/// When the whole conversation exceeds the budget, the oldest units (never pinned ones, never
/// the newest unit) are sent — with the current summary, not the turns it already covers — to
/// the model, until what remains is at most [`target`](Self::target) of the budget. The
/// model's reply replaces the summary and the summarised messages leave the history, so each
/// later call only summarises *new* overflow: one provider call per overflow, none while the
/// conversation fits. If the result is still over budget (a long newest turn, a long summary),
/// it is cut like [`Strategy::TruncateOldest`](crate::Strategy::TruncateOldest).
#[derive(Clone)]
pub struct Summarizer {
    provider: SharedChat,
    model: String,
    prompt: String,
    target: f64,
    max_summary_tokens: Option<u32>,
}

impl fmt::Debug for Summarizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Summarizer")
            .field("model", &self.model)
            .field("target", &self.target)
            .field("max_summary_tokens", &self.max_summary_tokens)
            .finish_non_exhaustive()
    }
}

impl Summarizer {
    /// A summariser calling `model` on `provider`, with [`DEFAULT_SUMMARY_PROMPT`], a target
    /// of half the budget and no limit on the summary's length.
    pub fn new(provider: SharedChat, model: impl Into<String>) -> Self {
        Self {
            provider,
            model: model.into(),
            prompt: DEFAULT_SUMMARY_PROMPT.to_owned(),
            target: 0.5,
            max_summary_tokens: None,
        }
    }

    /// Replaces the instructions (sent as the system message of the summary request).
    pub fn prompt(mut self, prompt: impl Into<String>) -> Self {
        self.prompt = prompt.into();
        self
    }

    /// After summarising, the history left should use at most this fraction of the budget
    /// (clamped to 0..=1; default 0.5). Lower means fewer, larger summary calls.
    pub fn target(mut self, fraction: f64) -> Self {
        self.target = fraction.clamp(0.0, 1.0);
        self
    }

    /// Sets `max_tokens` on the summary request.
    pub fn max_summary_tokens(mut self, tokens: u32) -> Self {
        self.max_summary_tokens = Some(tokens);
        self
    }

    /// The request that folds `new` into `summary`.
    fn request(&self, summary: Option<&str>, new: &[Message]) -> ChatRequest {
        let mut text = String::from("Current summary:\n");
        text.push_str(summary.unwrap_or("(none)"));
        text.push_str("\n\nNew messages:\n");
        for m in new {
            let _ = write!(text, "{}", m.role.as_str());
            if let Some(id) = &m.tool_call_id {
                let _ = write!(text, " (result of {id})");
            }
            let _ = writeln!(text, ": {}", m.text());
            for call in &m.tool_calls {
                let _ = writeln!(
                    text,
                    "{} called tool {}({}) [{}]",
                    m.role.as_str(),
                    call.function.name,
                    call.function.arguments,
                    call.id
                );
            }
        }
        let mut req = ChatRequest::new(
            self.model.clone(),
            vec![Message::system(self.prompt.clone()), Message::user(text)],
        );
        if let Some(n) = self.max_summary_tokens {
            req = req.with_max_tokens(n);
        }
        req
    }

    /// Fits `conv` into `budget`, summarising first when it is over budget (see the type's
    /// docs). On a provider error the conversation is unchanged.
    ///
    /// # Errors
    ///
    /// The provider's errors, or
    /// [`ContextLengthExceeded`](llm_router_core::ErrorKind::ContextLengthExceeded) as for
    /// [`Conversation::fit`].
    pub async fn fit<C: TokenCounter + ?Sized>(
        &self,
        conv: &mut Conversation,
        budget: Budget,
        counter: &C,
    ) -> Result<Vec<Message>, Error> {
        let available = budget.available();
        let costs = Costs::new(counter);
        let head = conv.head();
        let mut total = costs.base
            + head.iter().map(|m| costs.of(m)).sum::<usize>()
            + costs.of_entries(&conv.messages);
        if total > available {
            let target = (available as f64 * self.target) as usize;
            let all_units = units(&conv.messages);
            let newest = all_units.iter().rposition(|u| !u.pinned);
            let mut selected = Vec::new();
            for (ui, u) in all_units.iter().enumerate() {
                if total <= target || Some(ui) == newest {
                    break;
                }
                if u.pinned {
                    continue;
                }
                total -= costs.of_entries(&conv.messages[u.range.clone()]);
                selected.push(u.range.clone());
            }
            if !selected.is_empty() {
                let new: Vec<Message> = selected
                    .iter()
                    .flat_map(|r| conv.messages[r.clone()].iter().map(|e| e.message.clone()))
                    .collect();
                let req = self.request(conv.summary.as_deref(), &new);
                let summary = self.provider.chat(req).await?.text();
                conv.summary = Some(summary);
                conv.summarized_messages += new.len();
                let mut index = 0usize;
                let mut ranges = selected.iter().peekable();
                conv.messages.retain(|_| {
                    let i = index;
                    index += 1;
                    while ranges.peek().is_some_and(|r| r.end <= i) {
                        ranges.next();
                    }
                    !ranges.peek().is_some_and(|r| r.contains(&i))
                });
            }
        }
        fit(
            &conv.head(),
            &conv.messages,
            Mode {
                max_messages: None,
                truncate: true,
            },
            available,
            counter,
        )
    }
}
