//! Folding a stream of chunks back into one response.

use super::chunk::{ChatChunk, ChunkChoice};
use super::content::Content;
use super::message::{Message, ReasoningDetail, Role};
use super::response::{ChatResponse, Choice, FinishReason};
use super::tool::ToolCall;
use super::usage::Usage;
use serde_json::{Map, Value};

/// Builds a [`ChatResponse`] from [`ChatChunk`]s: text and reasoning concatenated, tool-call
/// argument fragments joined per call `index`, the last usage kept.
///
/// ```
/// use llm_router_core::{ChatChunk, StreamAccumulator};
/// let mut acc = StreamAccumulator::new();
/// acc.push(&ChatChunk::text_delta("c1", "m", "Hel"));
/// acc.push(&ChatChunk::text_delta("c1", "m", "lo"));
/// assert_eq!(acc.finish().text(), "Hello");
/// ```
#[derive(Debug, Default, Clone)]
pub struct StreamAccumulator {
    id: String,
    created: u64,
    model: String,
    system_fingerprint: Option<String>,
    service_tier: Option<String>,
    usage: Option<Usage>,
    extra: Map<String, Value>,
    choices: Vec<ChoiceState>,
    chunks: usize,
}

#[derive(Debug, Default, Clone)]
struct ChoiceState {
    index: u32,
    role: Option<Role>,
    content: Option<String>,
    refusal: Option<String>,
    reasoning: Option<String>,
    reasoning_details: Vec<ReasoningDetail>,
    tool_calls: Vec<(u32, ToolCall)>,
    finish_reason: Option<FinishReason>,
    logprobs: Vec<Value>,
    extra: Map<String, Value>,
    choice_extra: Map<String, Value>,
}

fn append(slot: &mut Option<String>, text: &str) {
    slot.get_or_insert_with(String::new).push_str(text);
}

impl StreamAccumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one chunk.
    pub fn push(&mut self, chunk: &ChatChunk) {
        self.chunks += 1;
        if self.id.is_empty() && !chunk.id.is_empty() {
            self.id.clone_from(&chunk.id);
        }
        if self.created == 0 {
            self.created = chunk.created;
        }
        if self.model.is_empty() && !chunk.model.is_empty() {
            self.model.clone_from(&chunk.model);
        }
        if chunk.system_fingerprint.is_some() {
            self.system_fingerprint
                .clone_from(&chunk.system_fingerprint);
        }
        if chunk.service_tier.is_some() {
            self.service_tier.clone_from(&chunk.service_tier);
        }
        if let Some(u) = &chunk.usage {
            self.usage = Some(u.clone());
        }
        for (k, v) in &chunk.extra {
            self.extra.insert(k.clone(), v.clone());
        }
        for c in &chunk.choices {
            self.push_choice(c);
        }
    }

    fn choice(&mut self, index: u32) -> &mut ChoiceState {
        let pos = match self.choices.iter().position(|c| c.index == index) {
            Some(p) => p,
            None => {
                self.choices.push(ChoiceState {
                    index,
                    ..ChoiceState::default()
                });
                self.choices.len() - 1
            }
        };
        &mut self.choices[pos]
    }

    fn push_choice(&mut self, c: &ChunkChoice) {
        let st = self.choice(c.index);
        let d = &c.delta;
        if let Some(r) = &d.role {
            st.role = Some(r.clone());
        }
        if let Some(t) = &d.content {
            append(&mut st.content, t);
        }
        if let Some(t) = &d.refusal {
            append(&mut st.refusal, t);
        }
        if let Some(t) = &d.reasoning_content {
            append(&mut st.reasoning, t);
        }
        for rd in &d.reasoning_details {
            merge_reasoning(&mut st.reasoning_details, rd);
        }
        for tc in &d.tool_calls {
            let pos = match st.tool_calls.iter().position(|(i, _)| *i == tc.index) {
                Some(p) => p,
                None => {
                    st.tool_calls.push((tc.index, ToolCall::default()));
                    st.tool_calls.len() - 1
                }
            };
            let call = &mut st.tool_calls[pos].1;
            if let Some(id) = &tc.id
                && !id.is_empty()
            {
                call.id.clone_from(id);
            }
            if let Some(kind) = &tc.kind {
                call.kind = kind.clone();
            }
            if let Some(f) = &tc.function {
                if let Some(n) = &f.name {
                    call.function.name.push_str(n);
                }
                if let Some(a) = &f.arguments {
                    call.function.arguments.push_str(a);
                }
            }
        }
        for (k, v) in &d.extra {
            st.extra.insert(k.clone(), v.clone());
        }
        if let Some(lp) = &c.logprobs
            && !lp.is_null()
        {
            st.logprobs.push(lp.clone());
        }
        if let Some(f) = &c.finish_reason {
            st.finish_reason = Some(f.clone());
        }
        for (k, v) in &c.extra {
            if !v.is_null() {
                st.choice_extra.insert(k.clone(), v.clone());
            }
        }
    }

    /// How many chunks were pushed.
    pub fn chunk_count(&self) -> usize {
        self.chunks
    }

    /// Whether every choice seen so far has a finish reason (and at least one was seen).
    pub fn is_finished(&self) -> bool {
        !self.choices.is_empty() && self.choices.iter().all(|c| c.finish_reason.is_some())
    }

    /// The text of choice 0 so far.
    pub fn text(&self) -> &str {
        self.choices
            .iter()
            .find(|c| c.index == 0)
            .and_then(|c| c.content.as_deref())
            .unwrap_or("")
    }

    /// The usage seen so far.
    pub fn usage(&self) -> Option<&Usage> {
        self.usage.as_ref()
    }

    /// The response the chunks add up to.
    pub fn finish(self) -> ChatResponse {
        let mut choices: Vec<Choice> = self
            .choices
            .into_iter()
            .map(|mut st| {
                st.tool_calls.sort_by_key(|(i, _)| *i);
                let tool_calls = st.tool_calls.into_iter().map(|(_, c)| c).collect();
                let logprobs = merge_logprobs(st.logprobs);
                Choice {
                    index: st.index,
                    message: Message {
                        role: st.role.unwrap_or(Role::Assistant),
                        content: st.content.map(Content::Text),
                        tool_calls,
                        refusal: st.refusal,
                        reasoning_content: st.reasoning,
                        reasoning_details: st.reasoning_details,
                        extra: st.extra,
                        ..Message::default()
                    },
                    finish_reason: st.finish_reason,
                    logprobs,
                    extra: st.choice_extra,
                }
            })
            .collect();
        choices.sort_by_key(|c| c.index);
        ChatResponse {
            id: self.id,
            created: self.created,
            model: self.model,
            choices,
            usage: self.usage,
            system_fingerprint: self.system_fingerprint,
            service_tier: self.service_tier,
            extra: self.extra,
            ..ChatResponse::default()
        }
    }
}

/// Streamed reasoning blocks: a fragment with the same `index` and kind as the last block
/// continues it (text appended, signature or data set); anything else starts a new block.
fn merge_reasoning(blocks: &mut Vec<ReasoningDetail>, rd: &ReasoningDetail) {
    if let Some(last) = blocks.last_mut()
        && last.kind == rd.kind
        && last.index == rd.index
        && last.signature.is_none()
    {
        if let Some(t) = &rd.text {
            append(&mut last.text, t);
        }
        if let Some(t) = &rd.summary {
            append(&mut last.summary, t);
        }
        if let Some(t) = &rd.data {
            append(&mut last.data, t);
        }
        if rd.signature.is_some() {
            last.signature.clone_from(&rd.signature);
        }
        return;
    }
    blocks.push(rd.clone());
}

/// Stream logprobs arrive as `{"content": [...]}` per chunk; join the arrays.
fn merge_logprobs(parts: Vec<Value>) -> Option<Value> {
    if parts.is_empty() {
        return None;
    }
    let mut merged = Map::new();
    for p in parts {
        let Value::Object(o) = p else { continue };
        for (k, v) in o {
            match (merged.get_mut(&k), v) {
                (Some(Value::Array(acc)), Value::Array(more)) => acc.extend(more),
                (_, v) => {
                    merged.insert(k, v);
                }
            }
        }
    }
    Some(Value::Object(merged))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chunk(v: Value) -> ChatChunk {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn tool_calls_are_reassembled_by_index() {
        let mut acc = StreamAccumulator::new();
        for v in [
            json!({"id":"c","model":"m","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]}}]}),
            json!({"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"get_time","arguments":"{\"tz\""}}]}}]}),
            json!({"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]}),
            json!({"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}},{"index":1,"function":{"arguments":":\"UTC\"}"}}]}}]}),
            json!({"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}),
            json!({"id":"c","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}),
        ] {
            acc.push(&chunk(v));
        }
        assert!(acc.is_finished());
        let r = acc.finish();
        let m = r.message().unwrap();
        assert_eq!(m.tool_calls.len(), 2);
        assert_eq!(m.tool_calls[0].id, "call_1");
        assert_eq!(m.tool_calls[0].function.arguments, r#"{"city":"Paris"}"#);
        assert_eq!(m.tool_calls[1].function.name, "get_time");
        assert_eq!(m.tool_calls[1].function.arguments, r#"{"tz":"UTC"}"#);
        assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
        assert_eq!(r.usage.unwrap().total_tokens, 12);
        assert_eq!(r.model, "m");
    }

    #[test]
    fn reasoning_blocks_keep_their_signature() {
        let mut acc = StreamAccumulator::new();
        for v in [
            json!({"choices":[{"index":0,"delta":{"reasoning_content":"Let me ","reasoning_details":[{"type":"reasoning.text","text":"Let me ","index":0}]}}]}),
            json!({"choices":[{"index":0,"delta":{"reasoning_content":"think","reasoning_details":[{"type":"reasoning.text","text":"think","index":0}]}}]}),
            json!({"choices":[{"index":0,"delta":{"reasoning_details":[{"type":"reasoning.text","signature":"sig==","index":0}]}}]}),
            json!({"choices":[{"index":0,"delta":{"content":"42"},"finish_reason":"stop"}]}),
        ] {
            acc.push(&chunk(v));
        }
        let r = acc.finish();
        let m = r.message().unwrap();
        assert_eq!(m.reasoning_content.as_deref(), Some("Let me think"));
        assert_eq!(m.reasoning_details.len(), 1);
        assert_eq!(m.reasoning_details[0].text.as_deref(), Some("Let me think"));
        assert_eq!(m.reasoning_details[0].signature.as_deref(), Some("sig=="));
        assert_eq!(r.text(), "42");
    }

    #[test]
    fn choice_level_extras_are_kept() {
        let mut acc = StreamAccumulator::new();
        acc.push(&chunk(
            json!({"choices":[{"index":0,"delta":{"content":"a"},"native_finish_reason":null}]}),
        ));
        acc.push(&chunk(json!({"choices":[{"index":0,"delta":{},"finish_reason":"stop","native_finish_reason":"end_turn"}]})));
        assert_eq!(
            acc.finish().choices[0].extra["native_finish_reason"],
            "end_turn"
        );
    }

    #[test]
    fn several_choices_stay_apart() {
        let mut acc = StreamAccumulator::new();
        acc.push(&chunk(json!({"choices":[{"index":1,"delta":{"content":"b"}},{"index":0,"delta":{"content":"a"}}]})));
        assert!(!acc.is_finished());
        let r = acc.finish();
        assert_eq!(r.choices[0].message.text(), "a");
        assert_eq!(r.choices[1].message.text(), "b");
    }
}
