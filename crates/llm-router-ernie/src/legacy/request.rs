//! Canonical requests → the legacy API's bodies.
//!
//! The legacy chat body differs from OpenAI's in shape and in rules:
//!
//! - System (and developer) messages become the top-level `system` string (joined with a blank
//!   line when there are several).
//! - Roles are `user`, `assistant` and `function` only, and the conversation must **alternate**
//!   user-side (`user` or `function`) and `assistant`, **starting and ending on the user
//!   side** (an odd count). Consecutive messages of the same role are merged into one (texts
//!   joined with a blank line), since splitting a turn is a canonical-format habit the legacy
//!   API rejects; what still breaks the rule after merging (a conversation starting with the
//!   assistant, ending with it, or a user message right after a function result) is refused
//!   as [`ErrorKind::InvalidRequest`] before anything is sent.
//! - A tool call is `function_call: {name, arguments, thoughts?}` on the assistant message
//!   (one per turn; the model's `thoughts` travel in `reasoning_content`), and its result a
//!   `function` message named after the function (there are no call ids).
//! - `temperature` must be in (0, 1]: 0 (greedy in OpenAI's terms) is sent as
//!   [`MIN_TEMPERATURE`](crate::legacy::MIN_TEMPERATURE), values above 1 as 1.
//! - The output limit is `max_output_tokens`, the end-user id `user_id`, tools are `functions`.

use llm_router_core::{
    ChatRequest, Content, EmbeddingRequest, EncodingFormat, Error, ErrorKind, Message,
    ResponseFormat, Role, ToolChoice, ToolType,
};
use serde_json::{Map, Value, json};

use super::MIN_TEMPERATURE;
use crate::PROVIDER;

fn unsupported(what: &str) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("the legacy ERNIE API does not support {what}"),
    )
    .with_provider(PROVIDER)
}

fn invalid(what: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidRequest, what.into()).with_provider(PROVIDER)
}

/// The chat body for `req`.
pub(crate) fn chat_body(req: &ChatRequest, stream: bool) -> Result<Value, Error> {
    if req.n.is_some_and(|n| n > 1) {
        return Err(unsupported("several choices (n > 1)"));
    }
    let (system, messages) = convert_messages(&req.messages)?;
    let mut body = Map::new();
    body.insert("messages".into(), Value::Array(messages));
    if let Some(s) = system {
        body.insert("system".into(), Value::String(s));
    }
    if let Some(t) = req.temperature {
        body.insert("temperature".into(), json!(clamp_temperature(t)));
    }
    if let Some(p) = req.top_p {
        body.insert("top_p".into(), json!(p));
    }
    if let Some(stop) = &req.stop {
        let stop = stop.to_vec();
        if !stop.is_empty() {
            body.insert("stop".into(), json!(stop));
        }
    }
    if let Some(n) = req.output_token_limit() {
        body.insert("max_output_tokens".into(), json!(n));
    }
    if let Some(user) = &req.user {
        body.insert("user_id".into(), json!(user));
    }
    match &req.response_format {
        None => {}
        Some(ResponseFormat::Text) => {
            body.insert("response_format".into(), json!("text"));
        }
        Some(ResponseFormat::JsonObject) => {
            body.insert("response_format".into(), json!("json_object"));
        }
        Some(_) => {
            return Err(unsupported(
                "response_format other than text or json_object",
            ));
        }
    }
    add_functions(req, &mut body)?;
    body.insert("stream".into(), Value::Bool(stream));
    for (k, v) in &req.extra {
        body.insert(k.clone(), v.clone());
    }
    Ok(Value::Object(body))
}

/// `temperature` in (0, 1]: 0 or less → [`MIN_TEMPERATURE`], above 1 → 1.
pub(crate) fn clamp_temperature(t: f64) -> f64 {
    if t.is_nan() || t <= 0.0 {
        MIN_TEMPERATURE
    } else {
        t.min(1.0)
    }
}

fn add_functions(req: &ChatRequest, body: &mut Map<String, Value>) -> Result<(), Error> {
    if req.tools.is_empty() || req.tool_choice == Some(ToolChoice::None) {
        return Ok(());
    }
    let mut functions = Vec::with_capacity(req.tools.len());
    for t in &req.tools {
        if t.kind != ToolType::Function {
            return Err(unsupported("tools other than functions"));
        }
        let mut f = Map::new();
        f.insert("name".into(), json!(t.function.name));
        if let Some(d) = &t.function.description {
            f.insert("description".into(), json!(d));
        }
        f.insert("parameters".into(), t.function.parameters_or_empty());
        functions.push(Value::Object(f));
    }
    body.insert("functions".into(), Value::Array(functions));
    match &req.tool_choice {
        None | Some(ToolChoice::Auto) => {}
        Some(ToolChoice::Function(name)) => {
            body.insert(
                "tool_choice".into(),
                json!({"type": "function", "function": {"name": name}}),
            );
        }
        Some(_) => {
            return Err(unsupported(
                "tool_choice other than auto, none or a function",
            ));
        }
    }
    Ok(())
}

/// The text of a message; image, audio and other non-text parts are refused.
fn text_of(m: &Message) -> Result<String, Error> {
    match &m.content {
        None => Ok(String::new()),
        Some(Content::Text(t)) => Ok(t.clone()),
        Some(c @ Content::Parts(parts)) => {
            if parts
                .iter()
                .any(|p| !matches!(p, llm_router_core::ContentPart::Text { .. }))
            {
                return Err(unsupported("image, audio or other non-text content"));
            }
            Ok(c.text())
        }
    }
}

/// One legacy message being built.
struct Turn {
    role: &'static str,
    content: String,
    name: Option<String>,
    function_call: Option<Value>,
}

impl Turn {
    fn into_value(self) -> Value {
        let mut m = Map::new();
        m.insert("role".into(), json!(self.role));
        m.insert("content".into(), Value::String(self.content));
        if let Some(n) = self.name {
            m.insert("name".into(), json!(n));
        }
        if let Some(fc) = self.function_call {
            m.insert("function_call".into(), fc);
        }
        Value::Object(m)
    }
}

/// The `system` string and the legacy `messages`.
pub(crate) fn convert_messages(
    messages: &[Message],
) -> Result<(Option<String>, Vec<Value>), Error> {
    let mut system: Vec<String> = Vec::new();
    let mut turns: Vec<Turn> = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let turn = match &m.role {
            Role::System | Role::Developer => {
                system.push(text_of(m)?);
                continue;
            }
            Role::User => Turn {
                role: "user",
                content: text_of(m)?,
                name: None,
                function_call: None,
            },
            Role::Assistant => assistant_turn(m)?,
            Role::Tool => Turn {
                role: "function",
                content: text_of(m)?,
                name: Some(function_name(messages, i)?),
                function_call: None,
            },
            other => {
                return Err(invalid(format!(
                    "the legacy ERNIE API has no role {:?}",
                    other.as_str()
                )));
            }
        };
        push_merged(&mut turns, turn);
    }
    check_alternation(&turns)?;
    let system = (!system.is_empty()).then(|| system.join("\n\n"));
    Ok((system, turns.into_iter().map(Turn::into_value).collect()))
}

fn assistant_turn(m: &Message) -> Result<Turn, Error> {
    let content = text_of(m)?;
    match m.tool_calls.as_slice() {
        [] => Ok(Turn {
            role: "assistant",
            content,
            name: None,
            function_call: None,
        }),
        [call] => {
            let mut fc = Map::new();
            fc.insert("name".into(), json!(call.function.name));
            fc.insert("arguments".into(), json!(call.function.arguments));
            if let Some(t) = m.reasoning_content.as_deref().filter(|t| !t.is_empty()) {
                fc.insert("thoughts".into(), json!(t));
            }
            // `content` is required (a string, possibly empty) on every non-function message,
            // function calls included (the official Go SDK sends `""`).
            Ok(Turn {
                role: "assistant",
                content,
                name: None,
                function_call: Some(Value::Object(fc)),
            })
        }
        _ => Err(unsupported("several tool calls in one assistant turn")),
    }
}

/// The function a tool result answers: the name of the matching call in the nearest earlier
/// assistant message (or the tool message's own `name`).
fn function_name(messages: &[Message], at: usize) -> Result<String, Error> {
    let m = &messages[at];
    if let Some(id) = &m.tool_call_id
        && let Some(name) = messages[..at].iter().rev().find_map(|prev| {
            prev.tool_calls
                .iter()
                .find(|c| &c.id == id)
                .map(|c| c.function.name.clone())
        })
    {
        return Ok(name);
    }
    m.name.clone().ok_or_else(|| {
        invalid("a tool result must answer a tool call of an earlier assistant message")
    })
}

/// Appends `turn`, merging it into the previous one when both have the same role and neither
/// is a function call or result.
fn push_merged(turns: &mut Vec<Turn>, turn: Turn) {
    if let Some(prev) = turns.last_mut()
        && prev.role == turn.role
        && turn.role != "function"
        && prev.function_call.is_none()
        && turn.function_call.is_none()
    {
        if prev.content.is_empty() {
            prev.content = turn.content;
        } else if !turn.content.is_empty() {
            prev.content.push_str("\n\n");
            prev.content.push_str(&turn.content);
        }
        return;
    }
    turns.push(turn);
}

/// user-side (`user`/`function`) and `assistant` alternate, starting and ending user-side.
fn check_alternation(turns: &[Turn]) -> Result<(), Error> {
    if turns.is_empty() {
        return Err(invalid(
            "the legacy ERNIE API needs at least one user message",
        ));
    }
    for (i, t) in turns.iter().enumerate() {
        let user_side = t.role != "assistant";
        if user_side != (i % 2 == 0) {
            return Err(invalid(format!(
                "the legacy ERNIE API needs messages alternating user and assistant, starting and \
                 ending with the user (message {} is {:?})",
                i + 1,
                t.role
            )));
        }
        if i > 0 && t.role == "user" && turns[i - 1].role == "function" {
            return Err(invalid(
                "the legacy ERNIE API cannot take a user message right after a tool result",
            ));
        }
    }
    if turns.len().is_multiple_of(2) {
        return Err(invalid(
            "the legacy ERNIE API needs the conversation to end with a user message or a tool result",
        ));
    }
    Ok(())
}

/// The embeddings body for `req`: `{"input": [...], "user_id"?}`.
pub(crate) fn embedding_body(req: &EmbeddingRequest) -> Result<Value, Error> {
    let Some(texts) = req.input.texts() else {
        return Err(unsupported("token arrays as embedding input"));
    };
    if req.dimensions.is_some() {
        return Err(unsupported("embedding dimensions"));
    }
    if matches!(&req.encoding_format, Some(f) if *f != EncodingFormat::Float) {
        return Err(unsupported("embeddings encoded other than as floats"));
    }
    let mut body = Map::new();
    body.insert("input".into(), json!(texts));
    if let Some(user) = &req.user {
        body.insert("user_id".into(), json!(user));
    }
    for (k, v) in &req.extra {
        body.insert(k.clone(), v.clone());
    }
    Ok(Value::Object(body))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use llm_router_core::{ContentPart, ToolCall, ToolDefinition};

    fn kind(r: Result<(Option<String>, Vec<Value>), Error>) -> ErrorKind {
        r.err().unwrap().kind()
    }

    #[test]
    fn system_goes_top_level_and_same_roles_merge() {
        let (system, messages) = convert_messages(&[
            Message::system("Be brief."),
            Message::user("Hi"),
            Message::user("Who are you?"),
            Message::assistant("ERNIE."),
            Message::developer("Answer in Chinese."),
            Message::user("Thanks"),
        ])
        .unwrap();
        assert_eq!(system.as_deref(), Some("Be brief.\n\nAnswer in Chinese."));
        assert_eq!(
            Value::Array(messages),
            json!([{"role": "user", "content": "Hi\n\nWho are you?"},
                   {"role": "assistant", "content": "ERNIE."},
                   {"role": "user", "content": "Thanks"}])
        );
    }

    #[test]
    fn tool_turns_become_function_call_and_function_messages() {
        let mut call = Message::assistant_tool_calls(vec![ToolCall::function(
            "call_1",
            "get_weather",
            r#"{"city":"北京"}"#,
        )]);
        call.reasoning_content = Some("需要查询天气".into());
        let (_, messages) = convert_messages(&[
            Message::user("北京天气？"),
            call,
            Message::tool("call_1", r#"{"temperature":25}"#),
        ])
        .unwrap();
        assert_eq!(
            Value::Array(messages),
            json!([{"role": "user", "content": "北京天气？"},
                   {"role": "assistant", "content": "", "function_call":
                       {"name": "get_weather", "arguments": "{\"city\":\"北京\"}", "thoughts": "需要查询天气"}},
                   {"role": "function", "name": "get_weather", "content": "{\"temperature\":25}"}])
        );
    }

    #[test]
    fn what_cannot_be_expressed_is_refused() {
        assert_eq!(
            kind(convert_messages(&[Message::assistant("Hello")])),
            ErrorKind::InvalidRequest
        );
        assert_eq!(
            kind(convert_messages(&[
                Message::user("a"),
                Message::assistant("b")
            ])),
            ErrorKind::InvalidRequest
        );
        assert_eq!(kind(convert_messages(&[])), ErrorKind::InvalidRequest);
        assert_eq!(
            kind(convert_messages(&[Message::tool("nope", "x")])),
            ErrorKind::InvalidRequest
        );
        let two_calls = Message::assistant_tool_calls(vec![
            ToolCall::function("a", "f", "{}"),
            ToolCall::function("b", "g", "{}"),
        ]);
        assert_eq!(
            kind(convert_messages(&[Message::user("x"), two_calls])),
            ErrorKind::Unsupported
        );
        let image = Message::user(vec![
            ContentPart::text("what?"),
            ContentPart::image_url("https://example.com/a.png"),
        ]);
        assert_eq!(kind(convert_messages(&[image])), ErrorKind::Unsupported);
    }

    #[test]
    fn parameters() {
        let req = ChatRequest::new("ernie-4.0-8k", vec![Message::user("hi")])
            .with_temperature(0.0)
            .with_max_tokens(100)
            .with_tools([ToolDefinition::function(
                "f",
                "does f",
                json!({"type": "object"}),
            )])
            .with_tool_choice(ToolChoice::Function("f".into()))
            .with_extra("penalty_score", 1.2);
        let b = chat_body(&req, true).unwrap();
        assert_eq!(
            b,
            json!({"messages": [{"role": "user", "content": "hi"}], "temperature": MIN_TEMPERATURE,
                   "max_output_tokens": 100, "stream": true, "penalty_score": 1.2,
                   "functions": [{"name": "f", "description": "does f", "parameters": {"type": "object"}}],
                   "tool_choice": {"type": "function", "function": {"name": "f"}}})
        );
        assert_eq!(clamp_temperature(1.7), 1.0);
        assert_eq!(clamp_temperature(0.3), 0.3);
        let none = ChatRequest::new("m", vec![Message::user("hi")])
            .with_tools([ToolDefinition::function(
                "f",
                "does f",
                json!({"type": "object"}),
            )])
            .with_tool_choice(ToolChoice::None);
        assert!(chat_body(&none, false).unwrap().get("functions").is_none());
        let required = none.clone().with_tool_choice(ToolChoice::Required);
        assert_eq!(
            chat_body(&required, false).unwrap_err().kind(),
            ErrorKind::Unsupported
        );
    }
}
