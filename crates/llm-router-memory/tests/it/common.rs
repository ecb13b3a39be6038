//! Helpers shared by the test modules.

use std::collections::HashSet;

use llm_router_core::{Message, Role, ToolCall};

/// A tool-call unit: an assistant message calling `ids`, then one result per id.
pub(crate) fn tool_unit(ids: &[&str], result: &str) -> Vec<Message> {
    let calls = ids
        .iter()
        .map(|id| ToolCall::function(*id, "lookup", r#"{"q":"x"}"#))
        .collect();
    let mut out = vec![Message::assistant_tool_calls(calls)];
    out.extend(ids.iter().map(|id| Message::tool(*id, result)));
    out
}

/// Panics if a tool message answers no call made before it in `msgs`, or a call made in
/// `msgs` has a result in `original` that `msgs` lacks.
pub(crate) fn assert_no_orphans(msgs: &[Message], original: &[Message]) {
    let mut called = HashSet::new();
    for m in msgs {
        for c in &m.tool_calls {
            called.insert(c.id.clone());
        }
        if m.role == Role::Tool {
            let id = m.tool_call_id.clone().unwrap();
            assert!(called.contains(&id), "orphan tool result {id}");
        }
    }
    let answered_in = |set: &[Message], id: &str| {
        set.iter()
            .any(|m| m.role == Role::Tool && m.tool_call_id.as_deref() == Some(id))
    };
    for id in &called {
        if answered_in(original, id) {
            assert!(answered_in(msgs, id), "call {id} sent without its result");
        }
    }
}
