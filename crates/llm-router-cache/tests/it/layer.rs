//! The layer's behaviour independent of the backend: controls, policy, failures, replay.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use llm_router_cache::{CacheControl, CacheKey, CacheLayer, CachePolicy, CacheStore, MemoryStore};
use llm_router_core::{
    ChatChunk, ChatProvider, ChatResponse, ChatStack, Choice, Error, ErrorKind, FinishReason,
    Layer, Message, SharedChat, ToolCall, ToolDefinition, Usage, collect_stream,
};
use llm_router_mock::MockFailure;
use serde_json::json;

use crate::common::*;

fn with_control(text: &str, control: CacheControl) -> llm_router_core::ChatRequest {
    let mut req = ask(text);
    req.extensions.insert(control);
    req
}

#[tokio::test]
async fn skip_reads_nothing_but_refreshes_the_entry() {
    let s = setup_with(CacheLayer::memory(1 << 20));
    s.chat.chat(ask("hello")).await.unwrap();
    s.chat
        .chat(with_control("hello", CacheControl::refresh()))
        .await
        .unwrap();
    assert_eq!(s.mock.call_count(), 2);
    s.chat.chat(ask("hello")).await.unwrap();
    assert_eq!(s.mock.call_count(), 2);
    let st = s.cache.stats();
    assert_eq!((st.hits, st.misses, st.stores, st.skips), (1, 1, 2, 1));
}

#[tokio::test]
async fn no_store_answers_from_the_cache_but_never_writes() {
    let s = setup_with(CacheLayer::memory(1 << 20));
    let no_store = || with_control("hello", CacheControl::new().with_no_store(true));
    s.chat.chat(no_store()).await.unwrap();
    s.chat.chat(no_store()).await.unwrap();
    assert_eq!(s.mock.call_count(), 2);
    assert_eq!(s.cache.stats().stores, 0);
    // A stream with no_store passes through and stores nothing either.
    let mut req = ask_stream("hello");
    req.extensions
        .insert(CacheControl::new().with_no_store(true));
    drain(&s.chat, req).await;
    assert_eq!(s.cache.stats().stores, 0);
    // Once stored by a normal request, no_store requests hit it.
    s.chat.chat(ask("hello")).await.unwrap();
    s.chat.chat(no_store()).await.unwrap();
    assert_eq!(s.mock.call_count(), 4);
}

#[tokio::test]
async fn bypass_skips_the_cache_entirely() {
    let s = setup_with(CacheLayer::memory(1 << 20));
    s.chat.chat(ask("hello")).await.unwrap();
    s.chat
        .chat(with_control("hello", CacheControl::bypass()))
        .await
        .unwrap();
    assert_eq!(s.mock.call_count(), 2);
    let st = s.cache.stats();
    assert_eq!((st.hits, st.misses, st.stores, st.skips), (0, 1, 1, 1));
}

#[tokio::test]
async fn max_age_turns_an_older_entry_into_a_miss() {
    let s = setup_with(CacheLayer::memory(1 << 20));
    s.chat.chat(ask("hello")).await.unwrap();
    sleep(50).await;
    s.chat
        .chat(with_control(
            "hello",
            CacheControl::new().with_max_age(Duration::from_millis(10)),
        ))
        .await
        .unwrap();
    assert_eq!(s.mock.call_count(), 2);
    s.chat
        .chat(with_control(
            "hello",
            CacheControl::new().with_max_age(Duration::from_secs(60)),
        ))
        .await
        .unwrap();
    assert_eq!(s.mock.call_count(), 2);
}

#[tokio::test]
async fn nondeterministic_requests_can_be_left_out() {
    let s = setup_with(
        CacheLayer::memory(1 << 20).policy(CachePolicy::default().skip_nondeterministic(true)),
    );
    for _ in 0..2 {
        s.chat
            .chat(ask("hello").with_temperature(0.7))
            .await
            .unwrap();
    }
    assert_eq!(s.mock.call_count(), 2);
    for _ in 0..2 {
        s.chat
            .chat(ask("hello").with_temperature(0.0))
            .await
            .unwrap();
    }
    assert_eq!(s.mock.call_count(), 3);
    assert_eq!(s.cache.stats().skips, 2);

    // The default policy caches them.
    let s = setup_with(CacheLayer::memory(1 << 20));
    for _ in 0..2 {
        s.chat
            .chat(ask("hello").with_temperature(0.7))
            .await
            .unwrap();
    }
    assert_eq!(s.mock.call_count(), 1);
}

fn response(finish: FinishReason) -> ChatResponse {
    ChatResponse {
        id: "r1".into(),
        created: 7,
        model: "m".into(),
        choices: vec![Choice {
            index: 0,
            message: Message::assistant("cut off mid"),
            finish_reason: Some(finish),
            ..Choice::default()
        }],
        usage: Some(Usage::new(3, 4)),
        ..ChatResponse::default()
    }
}

#[tokio::test]
async fn incomplete_answers_are_not_stored_unless_asked() {
    for (finish, policy, stored) in [
        (FinishReason::Length, CachePolicy::default(), false),
        (FinishReason::ContentFilter, CachePolicy::default(), false),
        (
            FinishReason::Length,
            CachePolicy::default().cache_truncated(true),
            true,
        ),
        (FinishReason::Stop, CachePolicy::default(), true),
    ] {
        let provider = Fixed::new(response(finish.clone()), Vec::new());
        let cache = CacheLayer::memory(1 << 20).policy(policy);
        let chat = cache.layer(provider.clone() as SharedChat);
        chat.chat(ask("x")).await.unwrap();
        chat.chat(ask("x")).await.unwrap();
        assert_eq!(provider.calls(), if stored { 1 } else { 2 }, "{finish:?}");
    }
}

#[tokio::test]
async fn provider_errors_are_returned_and_not_stored() {
    let s = setup_with(CacheLayer::memory(1 << 20));
    let mock = s
        .mock
        .clone()
        .fail_next(MockFailure::ServerError { status: 503 });
    let err = s.chat.chat(ask("hello")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ProviderUnavailable);
    let mock = mock.fail_next(MockFailure::Auth);
    let err = s.chat.chat_stream(ask_stream("hello")).await.err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(s.cache.stats().stores, 0);
    s.chat.chat(ask("hello")).await.unwrap();
    assert_eq!(mock.call_count(), 3);
}

/// A stream that ends without a finish reason (and without an error) is not complete.
#[tokio::test]
async fn a_stream_without_a_finish_reason_is_not_stored() {
    let provider = Fixed::new(
        response(FinishReason::Stop),
        vec![ChatChunk::text_delta("c", "m", "half an ans")],
    );
    let cache = CacheLayer::memory(1 << 20);
    let chat = cache.layer(provider.clone() as SharedChat);
    drain(&chat, ask_stream("x")).await;
    drain(&chat, ask_stream("x")).await;
    assert_eq!(provider.calls(), 2);
    assert_eq!(cache.stats().stores, 0);
}

/// A store that always fails.
struct Broken;

#[async_trait::async_trait]
impl CacheStore for Broken {
    fn name(&self) -> &str {
        "broken"
    }
    async fn get(&self, _: &CacheKey) -> Result<Option<Bytes>, Error> {
        Err(Error::new(ErrorKind::Cache, "disk on fire"))
    }
    async fn put(&self, _: &CacheKey, _: Bytes, _: Option<Duration>) -> Result<(), Error> {
        Err(Error::new(ErrorKind::Cache, "disk on fire"))
    }
    async fn remove(&self, _: &CacheKey) -> Result<(), Error> {
        Err(Error::new(ErrorKind::Cache, "disk on fire"))
    }
    async fn clear_namespace(&self, _: &str) -> Result<(), Error> {
        Err(Error::new(ErrorKind::Cache, "disk on fire"))
    }
}

#[tokio::test]
async fn a_failing_store_never_fails_a_request() {
    let warnings = Warnings::capture();
    let s = setup_with(CacheLayer::new(Broken));
    assert_eq!(
        s.chat.chat(ask("hello")).await.unwrap().text(),
        "Hello there, friend!"
    );
    let chunks: Vec<_> = drain(&s.chat, ask_stream("hello"))
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(accumulate(&chunks).text(), "Hello there, friend!");
    assert_eq!(s.mock.call_count(), 2);
    let st = s.cache.stats();
    assert_eq!((st.hits, st.misses, st.stores, st.errors), (0, 2, 0, 4));
    let w = warnings.all();
    assert_eq!(w.len(), 4, "{w:?}");
    assert!(
        w[0].contains("disk on fire") && w[0].contains("lookup"),
        "{w:?}"
    );
    // Explicit invalidation reports the error to its caller.
    assert_eq!(
        s.cache.invalidate(&ask("hello")).await.unwrap_err().kind(),
        ErrorKind::Cache
    );
}

#[tokio::test]
async fn an_unreadable_entry_is_a_miss_and_is_removed() {
    let store = MemoryStore::new(1 << 20);
    let s = setup_with(CacheLayer::new(store.clone()));
    let key = s.cache.chat_key(&ask("hello")).unwrap();
    store
        .put(&key, Bytes::from_static(b"{not json"), None)
        .await
        .unwrap();
    assert_eq!(
        s.chat.chat(ask("hello")).await.unwrap().text(),
        "Hello there, friend!"
    );
    assert_eq!(s.mock.call_count(), 1);
    let st = s.cache.stats();
    assert_eq!((st.misses, st.errors, st.stores), (1, 1, 1));
    s.chat.chat(ask("hello")).await.unwrap();
    assert_eq!(s.mock.call_count(), 1, "the fresh answer replaced it");
}

/// A tool-call answer replays as whole tool-call deltas and folds back to the same response.
#[tokio::test]
async fn tool_calls_replay_and_fold_back() {
    let s = setup_with(CacheLayer::memory(1 << 20));
    let req = ask_stream("what's the weather? use get_weather").with_tools([
        ToolDefinition::function(
            "get_weather",
            "weather",
            json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
        ),
    ]);
    let original = collect_stream(s.chat.chat_stream(req.clone()).await.unwrap())
        .await
        .unwrap();
    assert_eq!(original.finish_reason(), Some(&FinishReason::ToolCalls));
    let replayed: Vec<_> = drain(&s.chat, req.clone())
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(s.mock.call_count(), 1);
    let calls = &replayed[1].choices[0].delta.tool_calls;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].id.as_deref(), Some("call_mock_1"));
    assert_eq!(accumulate(&replayed), original);
}

/// Replay of a response with several choices, reasoning, refusal-free text and extras.
#[tokio::test]
async fn a_rich_response_replays_to_itself() {
    let mut resp = response(FinishReason::Stop);
    resp.system_fingerprint = Some("fp_1".into());
    resp.extra.insert("provider".into(), json!("acme"));
    resp.choices[0].message.reasoning_content = Some("thinking".into());
    resp.choices.push(Choice {
        index: 1,
        message: Message::assistant_tool_calls(vec![
            ToolCall::function("c1", "a", "{}"),
            ToolCall::function("c2", "b", r#"{"x":1}"#),
        ]),
        finish_reason: Some(FinishReason::ToolCalls),
        ..Choice::default()
    });
    let provider = Fixed::new(resp.clone(), Vec::new());
    let cache = CacheLayer::memory(1 << 20);
    let chat = cache.layer(provider.clone() as SharedChat);
    chat.chat(ask("x")).await.unwrap();
    let replayed = collect_stream(chat.chat_stream(ask_stream("x")).await.unwrap())
        .await
        .unwrap();
    assert_eq!(provider.calls(), 1);
    assert_eq!(replayed, resp);
}

#[tokio::test]
async fn the_layer_is_transparent_and_stacks() {
    let mock = llm_router_mock::MockProvider::new().with_name("upstream");
    let cache = CacheLayer::default();
    let chat = ChatStack::new()
        .layer(cache.clone())
        .build(Arc::new(mock.clone()) as SharedChat);
    assert_eq!(chat.name(), "upstream");
    assert_eq!(chat.list_models().await.unwrap().len(), 1);
    chat.chat(ask("hi")).await.unwrap();
    chat.chat(ask("hi")).await.unwrap();
    assert_eq!(cache.stats().hits, 1);
    assert_eq!(cache.store().name(), "memory");
    assert!(format!("{cache:?}").contains("memory"));
}
