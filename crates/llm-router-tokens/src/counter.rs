//! The [`TokenCounter`] trait, the message-level rules every counter shares, and the cheap
//! [`CharEstimate`] counter.
//!
//! Counting a conversation follows OpenAI's published recipe for its chat models (the
//! "How to count tokens with tiktoken" cookbook): every message costs
//! [`TOKENS_PER_MESSAGE`] on top of its role and content, a `name` costs its text plus
//! [`TOKENS_PER_NAME`], and the reply is primed with [`REPLY_PRIMING_TOKENS`]. With an exact
//! tokenizer this matches the `prompt_tokens` OpenAI reports for plain text messages; images,
//! tools and audio are estimates (see the constants).

use llm_router_core::{
    ChatRequest, Content, ContentPart, EmbeddingInput, EmbeddingRequest, ImageDetail, Message,
    ToolDefinition,
};

/// Tokens every message costs besides its role and content (`<|start|>`, the separator and
/// `<|end|>` in OpenAI's chat format).
pub const TOKENS_PER_MESSAGE: usize = 3;

/// Extra tokens for a message's `name` field, on top of the name's own tokens.
pub const TOKENS_PER_NAME: usize = 1;

/// Tokens that prime the reply (`<|start|>assistant<|message|>`), counted once per request.
pub const REPLY_PRIMING_TOKENS: usize = 3;

/// A flat estimate for an image with `detail: "low"` (OpenAI bills such an image at 85 tokens
/// on its GPT-4o family).
pub const IMAGE_TOKENS_LOW_DETAIL: usize = 85;

/// A flat estimate for any other image (`detail` high, auto or unset): 765 tokens, what OpenAI
/// bills for a 1024×1024 image at high detail on its GPT-4o family (85 + 4 tiles × 170).
/// Smaller images cost less and larger ones more; the counter never looks at the pixels.
pub const IMAGE_TOKENS: usize = 765;

/// A flat estimate for a content part that is neither text nor an image (audio, files, parts
/// this version does not know).
pub const OTHER_PART_TOKENS: usize = 256;

/// The output a request is expected to produce when it sets no `max_completion_tokens` /
/// `max_tokens` (used by [`TokenCounter::estimate_request`]).
pub const DEFAULT_EXPECTED_OUTPUT_TOKENS: usize = 256;

/// Counts tokens of text, conversations and whole requests.
///
/// Implementors provide [`count_text`](TokenCounter::count_text); the other methods have
/// default bodies built on it, following OpenAI's per-message accounting (see the module
/// constants). Counters are cheap to call and safe to share (`Send + Sync`), so a rate limiter
/// can hold an `Arc<dyn TokenCounter>`.
pub trait TokenCounter: Send + Sync {
    /// Tokens in a piece of text (special-token spellings such as `<|endoftext|>` count as
    /// ordinary text).
    fn count_text(&self, text: &str) -> usize;

    /// Whether counts are exact (`true` for [`TiktokenCounter`](crate::TiktokenCounter), exact
    /// for OpenAI models) or an estimate (`false`, the default: [`CharEstimate`] and any counter
    /// that does not say otherwise). Other vendors' models are always estimates with tiktoken;
    /// see [`TiktokenCounter::is_exact_for`](crate::TiktokenCounter::is_exact_for).
    fn is_exact(&self) -> bool {
        false
    }

    /// Tokens of a conversation as the model sees it: for each message
    /// [`TOKENS_PER_MESSAGE`], its role and its content, plus its name and
    /// [`TOKENS_PER_NAME`], the names and arguments of its tool calls, its `tool_call_id` and
    /// its refusal where present; then [`REPLY_PRIMING_TOKENS`] once. Images count
    /// [`IMAGE_TOKENS`] (or [`IMAGE_TOKENS_LOW_DETAIL`]), other non-text parts
    /// [`OTHER_PART_TOKENS`]; `reasoning_content` is not counted (providers do not take it
    /// back as input).
    fn count_messages(&self, messages: &[Message]) -> usize {
        messages
            .iter()
            .map(|m| message_tokens(self, m))
            .sum::<usize>()
            + REPLY_PRIMING_TOKENS
    }

    /// Tokens of the tool definitions, estimated as the tokens of their JSON (providers render
    /// tools into the prompt in their own format, so this is close, not exact). No tools, no
    /// tokens.
    fn count_tools(&self, tools: &[ToolDefinition]) -> usize {
        if tools.is_empty() {
            return 0;
        }
        serde_json::to_string(tools).map_or(0, |json| self.count_text(&json))
    }

    /// What a request will cost in total before it is sent: its messages, its tools and the
    /// output it may produce (`max_completion_tokens`, else `max_tokens`, else
    /// [`DEFAULT_EXPECTED_OUTPUT_TOKENS`], times `n` choices).
    fn estimate_request(&self, req: &ChatRequest) -> usize {
        self.count_messages(&req.messages) + self.count_tools(&req.tools) + expected_output(req)
    }

    /// What an embeddings request will cost: the tokens of every text (token-array inputs
    /// count their length).
    fn estimate_embedding(&self, req: &EmbeddingRequest) -> usize {
        match &req.input {
            EmbeddingInput::Text(t) => self.count_text(t),
            EmbeddingInput::Texts(ts) => ts.iter().map(|t| self.count_text(t)).sum(),
            EmbeddingInput::Tokens(ids) => ids.len(),
            EmbeddingInput::TokenBatches(batches) => batches.iter().map(Vec::len).sum(),
            _ => 0,
        }
    }
}

/// The output budget a request may use: `max_completion_tokens`, else `max_tokens`, else
/// [`DEFAULT_EXPECTED_OUTPUT_TOKENS`]; times `n` when it asks for several choices.
pub fn expected_output(req: &ChatRequest) -> usize {
    let per_choice = req
        .output_token_limit()
        .map_or(DEFAULT_EXPECTED_OUTPUT_TOKENS, |n| n as usize);
    per_choice.saturating_mul(req.n.unwrap_or(1).max(1) as usize)
}

fn message_tokens<C: TokenCounter + ?Sized>(counter: &C, m: &Message) -> usize {
    let mut n = TOKENS_PER_MESSAGE + counter.count_text(m.role.as_str());
    if let Some(content) = &m.content {
        n += content_tokens(counter, content);
    }
    if let Some(name) = &m.name {
        n += counter.count_text(name) + TOKENS_PER_NAME;
    }
    for call in &m.tool_calls {
        n += counter.count_text(&call.function.name) + counter.count_text(&call.function.arguments);
    }
    if let Some(id) = &m.tool_call_id {
        n += counter.count_text(id);
    }
    if let Some(refusal) = &m.refusal {
        n += counter.count_text(refusal);
    }
    n
}

fn content_tokens<C: TokenCounter + ?Sized>(counter: &C, content: &Content) -> usize {
    match content {
        Content::Text(t) => counter.count_text(t),
        Content::Parts(parts) => parts.iter().map(|p| part_tokens(counter, p)).sum(),
    }
}

fn part_tokens<C: TokenCounter + ?Sized>(counter: &C, part: &ContentPart) -> usize {
    match part {
        ContentPart::Text { text, .. } => counter.count_text(text),
        ContentPart::Refusal { refusal } => counter.count_text(refusal),
        ContentPart::ImageUrl { image_url, .. } => match image_url.detail {
            Some(ImageDetail::Low) => IMAGE_TOKENS_LOW_DETAIL,
            _ => IMAGE_TOKENS,
        },
        _ => OTHER_PART_TOKENS,
    }
}

/// A cheap estimate (and it says so: [`TokenCounter::is_exact`] is `false`): a quarter of the characters, rounded up. No tables to load, the same
/// answer on every platform; good enough when a budget only needs the right order of
/// magnitude (English text averages about four characters per token).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CharEstimate;

impl TokenCounter for CharEstimate {
    fn count_text(&self, text: &str) -> usize {
        text.chars().count().div_ceil(4)
    }
}

impl<T: TokenCounter + ?Sized> TokenCounter for std::sync::Arc<T> {
    fn count_text(&self, text: &str) -> usize {
        (**self).count_text(text)
    }
    fn is_exact(&self) -> bool {
        (**self).is_exact()
    }
    fn count_messages(&self, messages: &[Message]) -> usize {
        (**self).count_messages(messages)
    }
    fn count_tools(&self, tools: &[ToolDefinition]) -> usize {
        (**self).count_tools(tools)
    }
    fn estimate_request(&self, req: &ChatRequest) -> usize {
        (**self).estimate_request(req)
    }
    fn estimate_embedding(&self, req: &EmbeddingRequest) -> usize {
        (**self).estimate_embedding(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_core::{ContentPart, ToolCall};
    use serde_json::json;

    #[test]
    fn char_estimate_is_a_quarter_of_the_characters_rounded_up() {
        assert_eq!(CharEstimate.count_text(""), 0);
        assert_eq!(CharEstimate.count_text("abcd"), 1);
        assert_eq!(CharEstimate.count_text("abcde"), 2);
        // characters, not bytes
        assert_eq!(CharEstimate.count_text("ééééé"), 2);
        assert!(!CharEstimate.is_exact());
    }

    #[test]
    fn message_overhead_is_three_per_message_plus_three_for_the_reply() {
        // "user" = 1 char-token, "abcd" = 1.
        let msgs = [Message::user("abcd"), Message::user("abcd")];
        assert_eq!(CharEstimate.count_messages(&msgs), 2 * (3 + 1 + 1) + 3);
        assert_eq!(CharEstimate.count_messages(&[]), REPLY_PRIMING_TOKENS);
    }

    #[test]
    fn names_tool_calls_and_images_are_counted() {
        let mut named = Message::user("abcd");
        named.name = Some("abcdefgh".into()); // 2 + 1
        let calls = Message::assistant_tool_calls(vec![ToolCall::function(
            "c1",
            "abcd",
            "{\"a\":1}", // 7 chars = 2
        )]);
        let tool = Message::tool("id12", "abcd"); // role "tool" 1, content 1, id 1
        let image = Message::user(vec![
            ContentPart::text("abcd"),
            ContentPart::image_url("https://example.com/cat.png"),
        ]);
        let c = CharEstimate;
        assert_eq!(
            c.count_messages(std::slice::from_ref(&named)),
            3 + 1 + 1 + 3 + 3
        );
        // "assistant" = 9 chars = 3 tokens
        assert_eq!(
            c.count_messages(std::slice::from_ref(&calls)),
            3 + 3 + 1 + 2 + 3
        );
        assert_eq!(
            c.count_messages(std::slice::from_ref(&tool)),
            3 + 1 + 1 + 1 + 3
        );
        assert_eq!(
            c.count_messages(std::slice::from_ref(&image)),
            3 + 1 + 1 + IMAGE_TOKENS + 3
        );
    }

    #[test]
    fn low_detail_images_and_audio_use_their_flat_amounts() {
        let parts: Content = serde_json::from_value(json!([
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": "low"}},
            {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
        ]))
        .unwrap();
        assert_eq!(
            content_tokens(&CharEstimate, &parts),
            IMAGE_TOKENS_LOW_DETAIL + OTHER_PART_TOKENS
        );
    }

    #[test]
    fn estimate_adds_tools_and_expected_output() {
        let tool = ToolDefinition::function("f", "d", json!({"type": "object"}));
        let tools_json = serde_json::to_string(std::slice::from_ref(&tool)).unwrap();
        let base = ChatRequest::new("m", vec![Message::user("abcd")]);
        let prompt = CharEstimate.count_messages(&base.messages);

        assert_eq!(
            CharEstimate.estimate_request(&base),
            prompt + DEFAULT_EXPECTED_OUTPUT_TOKENS
        );
        let limited = base.clone().with_max_tokens(10).with_tools([tool]);
        assert_eq!(
            CharEstimate.estimate_request(&limited),
            prompt + CharEstimate.count_text(&tools_json) + 10
        );
        let mut two = limited.clone();
        two.n = Some(2);
        two.max_completion_tokens = Some(7); // wins over max_tokens
        assert_eq!(expected_output(&two), 14);
    }

    #[test]
    fn embedding_estimates() {
        let req = EmbeddingRequest::new("e", vec!["abcd", "abcdefgh"]);
        assert_eq!(CharEstimate.estimate_embedding(&req), 3);
        let mut req = EmbeddingRequest::new("e", "x");
        req.input = EmbeddingInput::TokenBatches(vec![vec![1, 2], vec![3]]);
        assert_eq!(CharEstimate.estimate_embedding(&req), 3);
    }

    #[test]
    fn arc_counters_forward() {
        let c: std::sync::Arc<dyn TokenCounter> = std::sync::Arc::new(CharEstimate);
        assert_eq!(c.count_text("abcdefgh"), 2);
        assert!(!c.is_exact());
        let req = ChatRequest::new("m", vec![Message::user("abcd")]).with_max_tokens(1);
        assert_eq!(
            c.estimate_request(&req),
            CharEstimate.estimate_request(&req)
        );
    }
}
