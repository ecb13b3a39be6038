//! Streams through the cache: a miss is teed, a hit is replayed.
//!
//! **Tee.** Each chunk is handed to the caller as it arrives and folded into a
//! [`StreamAccumulator`]; only when the inner stream ends cleanly, with every choice
//! finished, is the accumulated response stored. An error item (a cut or failed stream) or a
//! stream the caller drops early stores nothing. The write happens before the stream reports
//! its end, so once a caller has drained the stream the entry is there.
//!
//! **Replay.** A cached response goes back out in the shape providers emit: per choice a
//! role chunk, one chunk with all the content (text, refusal, reasoning), one chunk with
//! every tool call whole; then a finish chunk per choice and a usage chunk with no choices.
//! Folding the replay with [`StreamAccumulator`] gives the stored response back.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use llm_router_core::{
    ChatChunk, ChatResponse, ChatStream, ChunkChoice, Delta, FunctionCallDelta, StreamAccumulator,
    ToolCallDelta,
};
use serde_json::Map;

use crate::key::CacheKey;
use crate::service::Shared;

/// The chunks that replay `resp`.
pub(crate) fn replay_chunks(resp: &ChatResponse) -> Vec<ChatChunk> {
    let chunk = |choices: Vec<ChunkChoice>| ChatChunk {
        id: resp.id.clone(),
        created: resp.created,
        model: resp.model.clone(),
        choices,
        system_fingerprint: resp.system_fingerprint.clone(),
        service_tier: resp.service_tier.clone(),
        ..ChatChunk::default()
    };
    let one = |index: u32, delta: Delta| {
        chunk(vec![ChunkChoice {
            index,
            delta,
            ..ChunkChoice::default()
        }])
    };
    let mut out = Vec::with_capacity(resp.choices.len() * 4 + 1);
    for c in &resp.choices {
        let m = &c.message;
        out.push(one(
            c.index,
            Delta {
                role: Some(m.role.clone()),
                ..Delta::default()
            },
        ));
        let content = Delta {
            content: m.content.as_ref().map(|c| c.text()),
            refusal: m.refusal.clone(),
            reasoning_content: m.reasoning_content.clone(),
            reasoning_details: m.reasoning_details.clone(),
            extra: m.extra.clone(),
            ..Delta::default()
        };
        if content != Delta::default() || c.logprobs.is_some() {
            let mut ch = one(c.index, content);
            if let Some(first) = ch.choices.first_mut() {
                first.logprobs.clone_from(&c.logprobs);
            }
            out.push(ch);
        }
        if !m.tool_calls.is_empty() {
            let calls = m
                .tool_calls
                .iter()
                .enumerate()
                .map(|(i, tc)| ToolCallDelta {
                    index: u32::try_from(i).unwrap_or(u32::MAX),
                    id: Some(tc.id.clone()),
                    kind: Some(tc.kind.clone()),
                    function: Some(FunctionCallDelta {
                        name: Some(tc.function.name.clone()),
                        arguments: Some(tc.function.arguments.clone()),
                    }),
                })
                .collect();
            out.push(one(
                c.index,
                Delta {
                    tool_calls: calls,
                    ..Delta::default()
                },
            ));
        }
    }
    for c in &resp.choices {
        out.push(chunk(vec![ChunkChoice {
            index: c.index,
            delta: Delta::default(),
            finish_reason: c.finish_reason.clone(),
            logprobs: None,
            extra: Map::new(),
        }]));
    }
    if let Some(usage) = &resp.usage {
        let mut last = chunk(Vec::new());
        last.usage = Some(usage.clone());
        out.push(last);
    }
    if let Some(first) = out.first_mut() {
        first.extra.clone_from(&resp.extra);
    }
    out
}

/// A stream that replays `resp`.
pub(crate) fn replay(resp: &ChatResponse) -> ChatStream {
    llm_router_core::stream_from_chunks(replay_chunks(resp))
}

struct Tee {
    inner: ChatStream,
    acc: StreamAccumulator,
    failed: bool,
    shared: Arc<Shared>,
    key: CacheKey,
    ttl: Option<Duration>,
}

/// Passes `inner` through and stores what it adds up to after a clean finish.
pub(crate) fn tee(
    inner: ChatStream,
    shared: Arc<Shared>,
    key: CacheKey,
    ttl: Option<Duration>,
) -> ChatStream {
    let state = Tee {
        inner,
        acc: StreamAccumulator::new(),
        failed: false,
        shared,
        key,
        ttl,
    };
    Box::pin(futures_util::stream::unfold(state, |mut st| async move {
        match st.inner.next().await {
            Some(Ok(chunk)) => {
                if !st.failed {
                    st.acc.push(&chunk);
                }
                Some((Ok(chunk), st))
            }
            Some(Err(e)) => {
                st.failed = true;
                Some((Err(e), st))
            }
            None => {
                if !st.failed && st.acc.is_finished() {
                    let resp = st.acc.finish();
                    if st.shared.policy.caches_response(&resp) {
                        st.shared.save(&st.key, &resp, st.ttl).await;
                    }
                }
                None
            }
        }
    }))
}
