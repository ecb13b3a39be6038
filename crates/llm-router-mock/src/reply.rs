//! What the mock answers: reply rules, tool-call rules, and the response built from the answer.
//!
//! Everything here is a pure function of the request and the rules, so a test sees the same
//! answer on every run and in `chat` and `chat_stream` alike.

use llm_router_core::{
    ChatRequest, ChatResponse, Choice, Error, ErrorKind, FinishReason, Message, ResponseFormat,
    Role, ToolCall, ToolChoice, ToolDefinition, Usage,
};
use regex::Regex;

use crate::schema_fill;

/// Matches the last user message's text.
#[derive(Debug, Clone)]
pub(crate) enum Matcher {
    /// The text contains this.
    Substring(String),
    /// The regex matches somewhere in the text.
    Regex(Regex),
}

/// `pattern → reply`.
#[derive(Debug, Clone)]
pub(crate) struct ReplyRule {
    pub(crate) matcher: Matcher,
    /// The reply; for a regex, a template with `$1` / `${name}` references.
    pub(crate) reply: String,
}

impl ReplyRule {
    /// The reply if the rule matches `text`.
    fn apply(&self, text: &str) -> Option<String> {
        match &self.matcher {
            Matcher::Substring(p) => text.contains(p.as_str()).then(|| self.reply.clone()),
            Matcher::Regex(re) => re.captures(text).map(|caps| {
                let mut out = String::new();
                caps.expand(&self.reply, &mut out);
                out
            }),
        }
    }
}

/// `pattern → call this tool`.
#[derive(Debug, Clone)]
pub(crate) struct ToolRule {
    pub(crate) pattern: String,
    pub(crate) tool: String,
}

/// What the mock decided to say.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    /// A text reply.
    Text(String),
    /// A call of one tool with JSON arguments.
    ToolCall {
        /// The tool's name.
        name: String,
        /// The arguments as JSON text.
        arguments: String,
    },
}

impl Answer {
    /// The text the output-token estimate counts.
    fn output_text(&self) -> &str {
        match self {
            Answer::Text(t) => t,
            Answer::ToolCall { arguments, .. } => arguments,
        }
    }
}

/// The rules a decision reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules<'a> {
    pub(crate) replies: &'a [ReplyRule],
    pub(crate) tools: &'a [ToolRule],
    pub(crate) default_reply: &'a str,
    /// Under `tool_choice: auto`, call a tool whenever tools are offered (not only when named).
    pub(crate) call_offered_tools: bool,
}

/// The text of the last user message, or `""`.
fn last_user_text(req: &ChatRequest) -> String {
    req.messages
        .iter()
        .rev()
        .find(|m| m.role == Role::User)
        .map(Message::text)
        .unwrap_or_default()
}

/// Decides the answer to `req`.
///
/// A tool is called when the request offers tools, `tool_choice` is not `none`, the last
/// message is not a tool result, and: `tool_choice` names a function, or is `required`, or a
/// tool rule matches, or the last user message mentions a tool by name. Otherwise the first
/// matching reply rule answers, then a `json_schema` response format (a generated instance),
/// then the default reply.
pub(crate) fn decide(req: &ChatRequest, rules: Rules<'_>) -> Result<Answer, Error> {
    let user = last_user_text(req);
    let after_tool_result = req.messages.last().is_some_and(|m| m.role == Role::Tool);
    if !req.tools.is_empty()
        && !after_tool_result
        && let Some(tool) = pick_tool(req, &user, rules.tools, rules.call_offered_tools)?
    {
        let schema = tool.function.parameters_or_empty();
        let arguments = schema_fill::fill(&schema).to_string();
        return Ok(Answer::ToolCall {
            name: tool.function.name.clone(),
            arguments,
        });
    }
    if let Some(reply) = rules.replies.iter().find_map(|r| r.apply(&user)) {
        return Ok(Answer::Text(reply));
    }
    if let Some(ResponseFormat::JsonSchema(format)) = &req.response_format
        && let Some(schema) = &format.schema
    {
        return Ok(Answer::Text(schema_fill::fill(schema).to_string()));
    }
    Ok(Answer::Text(rules.default_reply.to_owned()))
}

fn pick_tool<'r>(
    req: &'r ChatRequest,
    user: &str,
    tool_rules: &[ToolRule],
    call_offered: bool,
) -> Result<Option<&'r ToolDefinition>, Error> {
    let by_name = |name: &str| req.tools.iter().find(|t| t.function.name == name);
    let by_rule = || {
        tool_rules
            .iter()
            .filter(|r| user.contains(r.pattern.as_str()))
            .find_map(|r| by_name(&r.tool))
    };
    // The longest tool name the user mentions (so `get_weather` beats `get`).
    let by_mention = || {
        req.tools
            .iter()
            .filter(|t| !t.function.name.is_empty() && user.contains(t.function.name.as_str()))
            .max_by_key(|t| t.function.name.len())
    };
    Ok(match &req.tool_choice {
        Some(ToolChoice::None) => None,
        Some(ToolChoice::Function(name)) => match by_name(name) {
            Some(t) => Some(t),
            None => {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    format!("mock: tool_choice names `{name}`, which is not among the tools"),
                )
                .with_status(400));
            }
        },
        Some(ToolChoice::Required) => by_rule().or_else(by_mention).or(req.tools.first()),
        // `auto`, absent, or a form the mock does not model.
        _ if call_offered => by_rule().or_else(by_mention).or(req.tools.first()),
        _ => by_rule().or_else(by_mention),
    })
}

fn ceil_div4(n: usize) -> u64 {
    (n.div_ceil(4) as u64).max(1)
}

/// The token estimate: a quarter of the characters, rounded up, at least 1 each way.
pub(crate) fn usage(req: &ChatRequest, output: &str) -> Usage {
    let input: usize = req.messages.iter().map(|m| m.text().chars().count()).sum();
    Usage::new(ceil_div4(input), ceil_div4(output.chars().count()))
}

/// Usage of an answer.
pub(crate) fn answer_usage(req: &ChatRequest, answer: &Answer) -> Usage {
    usage(req, answer.output_text())
}

/// The finish reason of an answer.
pub(crate) fn finish_reason(answer: &Answer) -> FinishReason {
    match answer {
        Answer::Text(_) => FinishReason::Stop,
        Answer::ToolCall { .. } => FinishReason::ToolCalls,
    }
}

/// The response carrying `answer`. `call_id` names a tool call.
pub(crate) fn response(
    req: &ChatRequest,
    id: String,
    created: u64,
    answer: &Answer,
    call_id: &str,
) -> ChatResponse {
    let message = match answer {
        Answer::Text(t) => Message::assistant(t.as_str()),
        Answer::ToolCall { name, arguments } => {
            Message::assistant_tool_calls(vec![ToolCall::function(
                call_id,
                name.as_str(),
                arguments.as_str(),
            )])
        }
    };
    ChatResponse {
        id,
        created,
        model: req.model.clone(),
        choices: vec![Choice {
            index: 0,
            message,
            finish_reason: Some(finish_reason(answer)),
            ..Choice::default()
        }],
        usage: Some(answer_usage(req, answer)),
        ..ChatResponse::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_core::{JsonSchemaFormat, ToolDefinition};
    use serde_json::json;

    fn rules<'a>(replies: &'a [ReplyRule], tools: &'a [ToolRule]) -> Rules<'a> {
        Rules {
            replies,
            tools,
            default_reply: "default",
            call_offered_tools: false,
        }
    }

    fn tool(name: &str) -> ToolDefinition {
        ToolDefinition::function(
            name,
            "",
            json!({"type": "object", "properties": {"q": {"type": "string"}}}),
        )
    }

    #[test]
    fn only_the_last_user_message_counts() {
        let replies = [ReplyRule {
            matcher: Matcher::Substring("hello".into()),
            reply: "hi".into(),
        }];
        let req = ChatRequest::new(
            "m",
            vec![
                Message::user("hello"),
                Message::assistant("hi"),
                Message::user("bye"),
            ],
        );
        assert_eq!(
            decide(&req, rules(&replies, &[])).unwrap(),
            Answer::Text("default".into())
        );
    }

    #[test]
    fn regex_templates_expand() {
        let replies = [ReplyRule {
            matcher: Matcher::Regex(Regex::new(r"weather in (\w+)").unwrap()),
            reply: "Sunny in ${1}!".into(),
        }];
        let req = ChatRequest::new("m", vec![Message::user("What's the weather in Oslo?")]);
        assert_eq!(
            decide(&req, rules(&replies, &[])).unwrap(),
            Answer::Text("Sunny in Oslo!".into())
        );
    }

    #[test]
    fn offered_tools_are_called_under_auto_when_asked_to() {
        let eager = |tools: &'static [ToolRule]| Rules {
            call_offered_tools: true,
            ..rules(&[], tools)
        };
        let name = |req: &ChatRequest| match decide(req, eager(&[])).unwrap() {
            Answer::ToolCall { name, .. } => Some(name),
            Answer::Text(_) => None,
        };
        let base = ChatRequest::new("m", vec![Message::user("please use beta")])
            .with_tools([tool("alpha"), tool("beta")]);
        // The named tool wins, else the first; `none` and a tool result still mean text.
        assert_eq!(name(&base).as_deref(), Some("beta"));
        let plain = ChatRequest::new("m", vec![Message::user("please")])
            .with_tools([tool("alpha"), tool("beta")]);
        assert_eq!(name(&plain).as_deref(), Some("alpha"));
        assert_eq!(
            name(&plain.clone().with_tool_choice(ToolChoice::None)),
            None
        );
        let mut answered = plain;
        answered.messages.push(Message::tool("call_1", "done"));
        assert_eq!(name(&answered), None);
    }

    #[test]
    fn tool_choice_rules() {
        let base = ChatRequest::new("m", vec![Message::user("please")])
            .with_tools([tool("alpha"), tool("beta")]);
        let name = |req: &ChatRequest, tr: &[ToolRule]| match decide(req, rules(&[], tr)).unwrap() {
            Answer::ToolCall { name, .. } => Some(name),
            Answer::Text(_) => None,
        };
        assert_eq!(name(&base, &[]), None);
        let req = base.clone().with_tool_choice(ToolChoice::Required);
        assert_eq!(name(&req, &[]).as_deref(), Some("alpha"));
        let req = base
            .clone()
            .with_tool_choice(ToolChoice::Function("beta".into()));
        assert_eq!(name(&req, &[]).as_deref(), Some("beta"));
        let req = base
            .clone()
            .with_tool_choice(ToolChoice::Function("zz".into()));
        assert_eq!(
            decide(&req, rules(&[], &[])).unwrap_err().kind(),
            ErrorKind::InvalidRequest
        );
        let tr = [ToolRule {
            pattern: "please".into(),
            tool: "beta".into(),
        }];
        assert_eq!(name(&base, &tr).as_deref(), Some("beta"));
        let req = base.clone().with_tool_choice(ToolChoice::None);
        assert_eq!(name(&req, &tr), None);
        let mut req = base.clone();
        req.messages = vec![Message::user("use beta now")];
        assert_eq!(name(&req, &[]).as_deref(), Some("beta"));
        // After a tool result the mock answers in text, so a tool loop ends.
        req.messages.push(Message::tool("call_1", "done"));
        assert_eq!(name(&req, &[]), None);
    }

    #[test]
    fn json_schema_output() {
        let req = ChatRequest::new("m", vec![Message::user("x")]).with_response_format(
            ResponseFormat::JsonSchema(JsonSchemaFormat {
                name: "x".into(),
                description: None,
                schema: Some(json!({"type": "object", "properties": {"n": {"type": "integer", "minimum": 3}}})),
                strict: None,
            }),
        );
        assert_eq!(
            decide(&req, rules(&[], &[])).unwrap(),
            Answer::Text(r#"{"n":3}"#.into())
        );
    }

    #[test]
    fn usage_is_a_quarter_of_the_characters() {
        let req = ChatRequest::new("m", vec![Message::system("abcd"), Message::user("e")]);
        let u = usage(&req, "123456789");
        assert_eq!(
            (u.prompt_tokens, u.completion_tokens, u.total_tokens),
            (2, 3, 5)
        );
        let u = usage(&ChatRequest::default(), "");
        assert_eq!((u.prompt_tokens, u.completion_tokens), (1, 1));
    }
}
