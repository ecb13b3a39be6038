//! `MockProvider`: the handle, its builder methods, its record, and the trait impls.
//!
//! The handle is cheap to clone and every clone shares one state (rules, queued failures,
//! scripts, the record), so a test can keep a clone to inspect or re-script the mock after
//! handing another to the code under test. The lock is a std `Mutex`, held only for
//! bookkeeping and never across an await; a poisoned lock is recovered, not propagated.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider, EmbeddingRequest,
    EmbeddingResponse, Error, ErrorKind, ImageProvider, ImageRequest, ImageResponse, ModelInfo,
};
use regex::Regex;

use crate::failure::MockFailure;
use crate::reply::{self, Answer, Matcher, ReplyRule, Rules, ToolRule};
use crate::stream::{self, Body, Plan};
use crate::{embed, image};

/// The reply when no rule matches and none was set.
pub const DEFAULT_REPLY: &str = "This is a mock response.";

/// A scriptable provider for tests: chat, streaming, tools, embeddings and images, with no
/// network.
///
/// Build it with the methods below (each takes and returns the mock, so they chain), hand a
/// clone to the code under test, and inspect the record through another clone. All clones
/// share rules, failures, scripts and the record; only the [name](MockProvider::with_name)
/// belongs to each handle.
///
/// How a chat request is answered, first match wins:
///
/// 1. a queued [`fail_next`](MockProvider::fail_next) failure, else a
///    [`fail_always`](MockProvider::fail_always) one, is returned as an error;
/// 2. if the request offers tools, `tool_choice` is not `none` and the last message is not a
///    tool result: a tool call when `tool_choice` names a function or is `required` (first
///    tool), when a [`call_tool_when`](MockProvider::call_tool_when) rule matches, or when the
///    last user message mentions a tool's name — or, with
///    [`call_offered_tools`](MockProvider::call_offered_tools), whenever tools are offered
///    (first tool). Its arguments are generated from the tool's JSON Schema;
/// 3. the first [`reply`](MockProvider::reply) / [`reply_regex`](MockProvider::reply_regex)
///    rule whose pattern matches the last user message;
/// 4. for `response_format: json_schema`, JSON generated from the schema;
/// 5. the [default reply](MockProvider::default_reply).
///
/// Usage is estimated as a quarter of the characters (rounded up, at least 1) of all message
/// texts in and of the reply out.
#[derive(Debug, Clone)]
pub struct MockProvider {
    name: Arc<str>,
    state: Arc<Mutex<State>>,
}

#[derive(Debug)]
struct State {
    default_reply: String,
    replies: Vec<ReplyRule>,
    tool_rules: Vec<ToolRule>,
    fail_next: VecDeque<MockFailure>,
    fail_always: Option<MockFailure>,
    scripts: VecDeque<Vec<String>>,
    chunk_delay: Duration,
    models: Vec<String>,
    requests: Vec<ChatRequest>,
    embedding_requests: Vec<EmbeddingRequest>,
    image_requests: Vec<ImageRequest>,
    calls: usize,
    completions: u64,
    tool_calls: u64,
    call_offered_tools: bool,
}

impl Default for State {
    fn default() -> Self {
        Self {
            default_reply: DEFAULT_REPLY.to_owned(),
            replies: Vec::new(),
            tool_rules: Vec::new(),
            fail_next: VecDeque::new(),
            fail_always: None,
            scripts: VecDeque::new(),
            chunk_delay: Duration::ZERO,
            models: vec!["mock-model".to_owned()],
            requests: Vec::new(),
            embedding_requests: Vec::new(),
            image_requests: Vec::new(),
            calls: 0,
            completions: 0,
            tool_calls: 0,
            call_offered_tools: false,
        }
    }
}

impl State {
    /// The failure for this call: a queued one first, then the permanent one.
    fn take_failure(&mut self) -> Option<MockFailure> {
        self.fail_next
            .pop_front()
            .or_else(|| self.fail_always.clone())
    }
}

impl Default for MockProvider {
    fn default() -> Self {
        Self::new()
    }
}

/// What one chat call will do, decided under the lock.
struct Turn {
    id: String,
    call_id: String,
    answer: Answer,
    cut_after: Option<usize>,
    script: Option<Vec<String>>,
    delay: Duration,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl MockProvider {
    /// A mock named `"mock"` that answers everything with [`DEFAULT_REPLY`] and serves the
    /// model `"mock-model"`.
    pub fn new() -> Self {
        Self {
            name: Arc::from("mock"),
            state: Arc::new(Mutex::new(State::default())),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn edit(self, f: impl FnOnce(&mut State)) -> Self {
        f(&mut self.state());
        self
    }

    /// Sets the name this handle reports (and puts on its errors). Other clones keep theirs.
    pub fn with_name(mut self, name: &str) -> Self {
        self.name = Arc::from(name);
        self
    }

    /// Replies `text` when the last user message contains `pattern`.
    pub fn reply(self, pattern: impl Into<String>, text: impl Into<String>) -> Self {
        let rule = ReplyRule {
            matcher: Matcher::Substring(pattern.into()),
            reply: text.into(),
        };
        self.edit(|s| s.replies.push(rule))
    }

    /// Replies `template` when `pattern` matches the last user message. The template may use
    /// the match's groups: `$1`, `${1}`, `${name}` (`$$` is a literal `$`; write `${1}x`, not
    /// `$1x`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] when `pattern` is not a valid regex.
    pub fn reply_regex(self, pattern: &str, template: impl Into<String>) -> Result<Self, Error> {
        let re = Regex::new(pattern).map_err(|e| {
            Error::new(ErrorKind::Config, format!("mock: invalid reply regex: {e}")).with_source(e)
        })?;
        let rule = ReplyRule {
            matcher: Matcher::Regex(re),
            reply: template.into(),
        };
        Ok(self.edit(|s| s.replies.push(rule)))
    }

    /// The reply when no rule matches.
    pub fn default_reply(self, text: impl Into<String>) -> Self {
        let text = text.into();
        self.edit(|s| s.default_reply = text)
    }

    /// Calls the tool `tool_name` when the last user message contains `pattern` and the
    /// request offers that tool (and `tool_choice` allows a call).
    pub fn call_tool_when(self, pattern: impl Into<String>, tool_name: impl Into<String>) -> Self {
        let rule = ToolRule {
            pattern: pattern.into(),
            tool: tool_name.into(),
        };
        self.edit(|s| s.tool_rules.push(rule))
    }

    /// Queues a failure for the next call of `chat`, `chat_stream`, `embed` or `generate`.
    /// Queued failures fire in order, one per call, before any `fail_always` failure.
    pub fn fail_next(self, failure: MockFailure) -> Self {
        self.edit(|s| s.fail_next.push_back(failure))
    }

    /// Makes every call fail this way (after queued failures are used up).
    pub fn fail_always(self, failure: MockFailure) -> Self {
        self.edit(|s| s.fail_always = Some(failure))
    }

    /// Removes queued and permanent failures: the "provider" is healthy again.
    pub fn clear_failures(self) -> Self {
        self.edit(|s| {
            s.fail_next.clear();
            s.fail_always = None;
        })
    }

    /// Calls a tool whenever the request offers tools (and `tool_choice` allows one) and the
    /// last message is not a tool result: the one a rule or the user's text names, else the
    /// first. After the tool result comes back the mock answers in text, so an agent loop
    /// ends. This is how `llm-router serve`'s built-in `mock-chat` behaves; without it the
    /// mock calls a tool under `auto` only when a rule or the user's text names it.
    ///
    /// ```
    /// use llm_router_core::{ChatProvider, ChatRequest, Message, ToolDefinition};
    /// use llm_router_mock::MockProvider;
    ///
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// # rt.block_on(async {
    /// let mock = MockProvider::new().call_offered_tools();
    /// let req = ChatRequest::new("m", vec![Message::user("What is the weather?")])
    ///     .with_tools(vec![ToolDefinition::function("get_weather", "Weather", serde_json::json!({
    ///         "type": "object",
    ///         "properties": {"city": {"type": "string"}},
    ///         "required": ["city"]
    ///     }))]);
    /// let resp = mock.chat(req).await.unwrap();
    /// let call = &resp.message().unwrap().tool_calls[0];
    /// assert_eq!(call.function.name, "get_weather");
    /// assert!(call.function.arguments.contains("city"));
    /// # });
    /// ```
    pub fn call_offered_tools(self) -> Self {
        self.edit(|s| s.call_offered_tools = true)
    }

    /// Waits this long (with `tokio::time::sleep`) before each stream chunk.
    pub fn chunk_delay(self, delay: Duration) -> Self {
        self.edit(|s| s.chunk_delay = delay)
    }

    /// Makes the next stream yield exactly these text pieces, one chunk each, instead of the
    /// reply (then a finish chunk, and usage when asked). Scripts queue up, one per stream; a
    /// stream that fails up front leaves the script for the next one.
    pub fn script_stream<S: Into<String>>(self, pieces: impl IntoIterator<Item = S>) -> Self {
        let pieces: Vec<String> = pieces.into_iter().map(Into::into).collect();
        self.edit(|s| s.scripts.push_back(pieces))
    }

    /// The models [`list_models`](ChatProvider::list_models) returns (default `["mock-model"]`).
    pub fn with_models<S: Into<String>>(self, models: impl IntoIterator<Item = S>) -> Self {
        let models: Vec<String> = models.into_iter().map(Into::into).collect();
        self.edit(|s| s.models = models)
    }

    /// The chat requests received (`chat` and `chat_stream`, failed ones included), oldest
    /// first.
    pub fn requests(&self) -> Vec<ChatRequest> {
        self.state().requests.clone()
    }

    /// The last chat request received.
    pub fn last_request(&self) -> Option<ChatRequest> {
        self.state().requests.last().cloned()
    }

    /// The embedding requests received, oldest first.
    pub fn embedding_requests(&self) -> Vec<EmbeddingRequest> {
        self.state().embedding_requests.clone()
    }

    /// The image requests received, oldest first.
    pub fn image_requests(&self) -> Vec<ImageRequest> {
        self.state().image_requests.clone()
    }

    /// How many calls of `chat`, `chat_stream`, `embed` and `generate` were made, failed
    /// ones included.
    pub fn call_count(&self) -> usize {
        self.state().calls
    }

    /// Forgets the recorded requests and resets [`call_count`](MockProvider::call_count).
    /// Rules, failures and scripts stay.
    pub fn clear_requests(&self) {
        let mut s = self.state();
        s.requests.clear();
        s.embedding_requests.clear();
        s.image_requests.clear();
        s.calls = 0;
    }

    /// Records the request and decides the answer.
    fn begin(&self, req: &ChatRequest, streaming: bool) -> Result<Turn, Error> {
        let mut s = self.state();
        s.requests.push(req.clone());
        s.calls += 1;
        let failure = s.take_failure();
        let cut_after = match &failure {
            Some(MockFailure::CutStreamAfter(n)) => Some(*n),
            Some(f) => {
                if let Some(err) = f.error(&self.name) {
                    return Err(err);
                }
                None
            }
            None => None,
        };
        let answer = reply::decide(
            req,
            Rules {
                replies: &s.replies,
                tools: &s.tool_rules,
                default_reply: &s.default_reply,
                call_offered_tools: s.call_offered_tools,
            },
        )
        .map_err(|e| e.with_provider(&*self.name))?;
        s.completions += 1;
        let id = format!("mock-{}", s.completions);
        let call_id = if matches!(answer, Answer::ToolCall { .. }) {
            s.tool_calls += 1;
            format!("call_mock_{}", s.tool_calls)
        } else {
            String::new()
        };
        let script = if streaming {
            s.scripts.pop_front()
        } else {
            None
        };
        Ok(Turn {
            id,
            call_id,
            answer,
            cut_after: cut_after.filter(|_| streaming),
            script,
            delay: s.chunk_delay,
        })
    }

    /// Records a non-chat call and returns its failure, if one fires.
    fn begin_other(&self, record: impl FnOnce(&mut State)) -> Result<(), Error> {
        let mut s = self.state();
        record(&mut s);
        s.calls += 1;
        match s.take_failure() {
            Some(f) => f.error(&self.name).map_or(Ok(()), Err),
            None => Ok(()),
        }
    }
}

#[async_trait]
impl ChatProvider for MockProvider {
    fn name(&self) -> &str {
        &self.name
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let turn = self.begin(&req, false)?;
        Ok(reply::response(
            &req,
            turn.id,
            now(),
            &turn.answer,
            &turn.call_id,
        ))
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let turn = self.begin(&req, true)?;
        let (body, finish, usage) = match (turn.script, &turn.answer) {
            (Some(pieces), _) => {
                let usage = reply::usage(&req, &pieces.concat());
                let finish = reply::finish_reason(&Answer::Text(String::new()));
                (Body::Text(pieces), finish, usage)
            }
            (None, Answer::Text(text)) => (
                Body::Text(stream::split_words(text)),
                reply::finish_reason(&turn.answer),
                reply::answer_usage(&req, &turn.answer),
            ),
            (None, Answer::ToolCall { name, arguments }) => (
                Body::ToolCall {
                    call_id: turn.call_id.clone(),
                    name: name.clone(),
                    fragments: stream::split_arguments(arguments),
                },
                reply::finish_reason(&turn.answer),
                reply::answer_usage(&req, &turn.answer),
            ),
        };
        let plan = Plan {
            id: turn.id,
            created: now(),
            model: req.model.clone(),
            body,
            finish,
            usage: req.wants_stream_usage().then_some(usage),
            cut_after: turn.cut_after,
            delay: turn.delay,
            provider: self.name.to_string(),
        };
        Ok(plan.into_stream())
    }

    async fn list_models(&self) -> Result<Vec<ModelInfo>, Error> {
        let models = self.state().models.clone();
        Ok(models
            .into_iter()
            .map(|id| ModelInfo::new(id, &*self.name))
            .collect())
    }
}

#[async_trait]
impl EmbeddingProvider for MockProvider {
    fn name(&self) -> &str {
        &self.name
    }

    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        self.begin_other(|s| s.embedding_requests.push(req.clone()))?;
        embed::respond(&req, &self.name)
    }
}

#[async_trait]
impl ImageProvider for MockProvider {
    fn name(&self) -> &str {
        &self.name
    }

    async fn generate(&self, req: ImageRequest) -> Result<ImageResponse, Error> {
        self.begin_other(|s| s.image_requests.push(req.clone()))?;
        image::respond(&req, &self.name, now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_core::Message;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn clones_share_state_but_not_names() {
        let a = MockProvider::new();
        let b = a.clone().with_name("other").reply("x", "y");
        let r = block_on(a.chat(ChatRequest::new("m", vec![Message::user("x")]))).unwrap();
        assert_eq!(r.text(), "y");
        assert_eq!(b.call_count(), 1);
        assert_eq!(ChatProvider::name(&a), "mock");
        assert_eq!(ChatProvider::name(&b), "other");
    }

    #[test]
    fn a_poisoned_lock_is_recovered() {
        let mock = MockProvider::new();
        let m2 = mock.clone();
        let _ = std::thread::spawn(move || {
            let _guard = m2.state.lock().unwrap();
            panic!("poison the lock");
        })
        .join();
        assert!(mock.state.is_poisoned());
        assert_eq!(mock.call_count(), 0);
        let r = block_on(mock.chat(ChatRequest::new("m", vec![Message::user("hi")]))).unwrap();
        assert_eq!(r.text(), DEFAULT_REPLY);
    }

    #[test]
    fn failures_fire_in_order_then_always() {
        let mock = MockProvider::new()
            .fail_always(MockFailure::Timeout)
            .fail_next(MockFailure::Auth);
        let req = || ChatRequest::new("m", vec![Message::user("hi")]);
        let kind = |r: Result<ChatResponse, Error>| r.unwrap_err().kind();
        assert_eq!(kind(block_on(mock.chat(req()))), ErrorKind::Authentication);
        assert_eq!(kind(block_on(mock.chat(req()))), ErrorKind::Timeout);
        let mock = mock.clear_failures();
        assert!(block_on(mock.chat(req())).is_ok());
        assert_eq!(mock.call_count(), 3);
        mock.clear_requests();
        assert_eq!((mock.call_count(), mock.requests().len()), (0, 0));
    }

    #[test]
    fn cut_stream_failures_do_not_break_chat() {
        let mock = MockProvider::new().fail_next(MockFailure::CutStreamAfter(1));
        let r = block_on(mock.chat(ChatRequest::new("m", vec![Message::user("hi")]))).unwrap();
        assert_eq!(r.text(), DEFAULT_REPLY);
    }

    #[test]
    fn models_and_images() {
        let mock = MockProvider::new()
            .with_name("fake")
            .with_models(["a", "b"]);
        let models = block_on(mock.list_models()).unwrap();
        assert_eq!(models.len(), 2);
        assert_eq!(
            (models[1].id.as_str(), models[1].owned_by.as_str()),
            ("b", "fake")
        );
        let img = block_on(mock.generate(ImageRequest::new("m", "cat"))).unwrap();
        assert_eq!(img.data.len(), 1);
        assert_eq!(mock.image_requests().len(), 1);
        let mock = mock.fail_next(MockFailure::ServerError { status: 503 });
        let err = block_on(mock.generate(ImageRequest::new("m", "cat"))).unwrap_err();
        assert_eq!(err.provider(), Some("fake"));
    }

    #[test]
    fn bad_regex_is_a_config_error() {
        let err = MockProvider::new().reply_regex("(", "x").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
    }
}
