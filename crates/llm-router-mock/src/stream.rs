//! Mock streams, shaped like OpenAI's: the role on the first chunk, content or tool-call
//! fragments, a chunk with the finish reason, and (when asked) a usage chunk with no choices.
//!
//! The chunks are built up front and yielded in order; with a chunk delay each one waits on
//! `tokio::time::sleep` first, so tests under `tokio::time::pause()` run instantly. Without a
//! delay no timer is touched and the stream works on any executor. A cut stream yields its
//! first chunks and then `Err(StreamInterrupted)`, never the finish chunk.

use std::time::Duration;

use futures_util::StreamExt as _;
use llm_router_core::{
    ChatChunk, ChatStream, ChunkChoice, Delta, Error, FinishReason, FunctionCallDelta, Role,
    ToolCallDelta, ToolType, Usage,
};

/// The content of a stream, before it is cut into chunks.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// Text pieces, one chunk each.
    Text(Vec<String>),
    /// One tool call: a header chunk, then the arguments in fragments.
    ToolCall {
        /// `call_mock_<n>`.
        call_id: String,
        /// The tool's name.
        name: String,
        /// The argument text, in order.
        fragments: Vec<String>,
    },
}

/// Everything a mock stream is made of.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) id: String,
    pub(crate) created: u64,
    pub(crate) model: String,
    pub(crate) body: Body,
    pub(crate) finish: FinishReason,
    /// `Some` when the request asked for `include_usage`.
    pub(crate) usage: Option<Usage>,
    /// Yield this many chunks, then `StreamInterrupted`.
    pub(crate) cut_after: Option<usize>,
    pub(crate) delay: Duration,
    pub(crate) provider: String,
}

/// Splits text into words, each with the whitespace after it; leading whitespace stays on
/// the first piece. The pieces concatenate to `text`; `""` is one empty piece.
pub(crate) fn split_words(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut prev_space = false;
    for c in text.chars() {
        let space = c.is_whitespace();
        if !space && prev_space && !current.trim_start().is_empty() {
            pieces.push(std::mem::take(&mut current));
        }
        current.push(c);
        prev_space = space;
    }
    if !current.is_empty() || pieces.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// Splits tool-call arguments into at least two fragments (for any text of two or more
/// characters), on character boundaries.
pub(crate) fn split_arguments(args: &str) -> Vec<String> {
    let chars: Vec<char> = args.chars().collect();
    if chars.len() < 2 {
        return vec![args.to_owned()];
    }
    let parts = chars.len().min(3);
    let size = chars.len().div_ceil(parts);
    chars.chunks(size).map(|c| c.iter().collect()).collect()
}

impl Plan {
    fn chunk(&self, delta: Delta, finish: Option<FinishReason>) -> ChatChunk {
        ChatChunk {
            id: self.id.clone(),
            created: self.created,
            model: self.model.clone(),
            choices: vec![ChunkChoice {
                index: 0,
                delta,
                finish_reason: finish,
                ..ChunkChoice::default()
            }],
            ..ChatChunk::default()
        }
    }

    /// The content chunks (role on the first).
    fn content_chunks(&self) -> Vec<ChatChunk> {
        let role = |i: usize| (i == 0).then_some(Role::Assistant);
        match &self.body {
            Body::Text(pieces) => {
                let pieces: &[String] = if pieces.is_empty() {
                    &[String::new()]
                } else {
                    pieces
                };
                pieces
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let delta = Delta {
                            role: role(i),
                            content: Some(p.clone()),
                            ..Delta::default()
                        };
                        self.chunk(delta, None)
                    })
                    .collect()
            }
            Body::ToolCall {
                call_id,
                name,
                fragments,
            } => {
                let header = ToolCallDelta {
                    index: 0,
                    id: Some(call_id.clone()),
                    kind: Some(ToolType::Function),
                    function: Some(FunctionCallDelta {
                        name: Some(name.clone()),
                        arguments: Some(String::new()),
                    }),
                };
                let mut out = vec![self.chunk(
                    Delta {
                        role: role(0),
                        tool_calls: vec![header],
                        ..Delta::default()
                    },
                    None,
                )];
                out.extend(fragments.iter().map(|f| {
                    let delta = Delta {
                        tool_calls: vec![ToolCallDelta {
                            index: 0,
                            function: Some(FunctionCallDelta {
                                name: None,
                                arguments: Some(f.clone()),
                            }),
                            ..ToolCallDelta::default()
                        }],
                        ..Delta::default()
                    };
                    self.chunk(delta, None)
                }));
                out
            }
        }
    }

    /// Every item the stream yields, in order.
    pub(crate) fn items(&self) -> Vec<Result<ChatChunk, Error>> {
        let mut chunks = self.content_chunks();
        if let Some(n) = self.cut_after {
            let n = n.min(chunks.len());
            chunks.truncate(n);
            let mut items: Vec<_> = chunks.into_iter().map(Ok).collect();
            items.push(Err(crate::MockFailure::interrupted(&self.provider, n)));
            return items;
        }
        chunks.push(self.chunk(Delta::default(), Some(self.finish.clone())));
        if let Some(usage) = &self.usage {
            chunks.push(ChatChunk {
                id: self.id.clone(),
                created: self.created,
                model: self.model.clone(),
                usage: Some(usage.clone()),
                ..ChatChunk::default()
            });
        }
        chunks.into_iter().map(Ok).collect()
    }

    /// The stream: each item after `delay`.
    pub(crate) fn into_stream(self) -> ChatStream {
        let items = self.items();
        let delay = self.delay;
        Box::pin(
            futures_util::stream::iter(items).then(move |item| async move {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                item
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_core::ErrorKind;

    #[test]
    fn words_keep_their_spaces() {
        assert_eq!(
            split_words("Hello  big\nworld "),
            ["Hello  ", "big\n", "world "]
        );
        assert_eq!(split_words("  lead"), ["  lead"]);
        assert_eq!(split_words(""), [""]);
        assert_eq!(split_words("one"), ["one"]);
        for s in ["a b c", " x  y ", "über  straße"] {
            assert_eq!(split_words(s).concat(), s);
        }
    }

    #[test]
    fn arguments_split_in_two_or_more() {
        assert_eq!(split_arguments("{}"), ["{", "}"]);
        let parts = split_arguments(r#"{"city":"Paris"}"#);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts.concat(), r#"{"city":"Paris"}"#);
        assert_eq!(split_arguments("ü→ß").concat(), "ü→ß");
    }

    fn plan(cut_after: Option<usize>, usage: bool) -> Plan {
        Plan {
            id: "mock-1".into(),
            created: 1,
            model: "m".into(),
            body: Body::Text(split_words("a b c")),
            finish: FinishReason::Stop,
            usage: usage.then(|| Usage::new(1, 2)),
            cut_after,
            delay: Duration::ZERO,
            provider: "mock".into(),
        }
    }

    #[test]
    fn chunk_layout() {
        let items = plan(None, true).items();
        let chunks: Vec<ChatChunk> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(chunks.len(), 5);
        assert_eq!(chunks[0].choices[0].delta.role, Some(Role::Assistant));
        assert_eq!(chunks[1].choices[0].delta.role, None);
        assert_eq!(chunks[3].finish_reason(), Some(&FinishReason::Stop));
        assert!(chunks[4].choices.is_empty());
        assert_eq!(chunks[4].usage.as_ref().map(|u| u.total_tokens), Some(3));
        assert!(
            chunks
                .iter()
                .all(|c| c.id == "mock-1" && c.object == "chat.completion.chunk")
        );
    }

    #[test]
    fn cut_streams_end_in_an_error() {
        let items = plan(Some(2), true).items();
        assert_eq!(items.len(), 3);
        assert!(items[..2].iter().all(Result::is_ok));
        let err = items[2].as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StreamInterrupted);
        // Cutting after more chunks than there are still never yields the finish chunk.
        let items = plan(Some(99), false).items();
        assert_eq!(items.len(), 4);
        assert!(items[3].is_err());
    }
}
