//! Integration tests of the mock provider.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use futures_util::StreamExt as _;
use llm_router_core::{
    ChatChunk, ChatProvider, ChatRequest, ChatResponse, EmbeddingInput, EmbeddingProvider,
    EmbeddingRequest, EncodingFormat, ErrorKind, FinishReason, Message, Role, SharedChat,
    StreamOptions, ToolChoice, ToolDefinition, collect_stream,
};
use llm_router_mock::{DEFAULT_REPLY, MockFailure, MockProvider};
use serde_json::{Value, json};

fn ask(text: &str) -> ChatRequest {
    ChatRequest::new("mock-model", vec![Message::user(text)])
}

async fn drain(
    mock: &MockProvider,
    req: ChatRequest,
) -> Vec<Result<ChatChunk, llm_router_core::Error>> {
    mock.chat_stream(req).await.unwrap().collect().await
}

mod replies {
    use super::*;

    #[tokio::test]
    async fn pattern_regex_and_default() {
        let mock = MockProvider::new()
            .reply("capital of France", "Paris.")
            .reply_regex(r"(?i)add (\d+) and (\d+)", "You want $1 + $2.")
            .unwrap()
            .reply("France", "Not reached when the first rule matches.");
        assert_eq!(
            mock.chat(ask("What is the capital of France?"))
                .await
                .unwrap()
                .text(),
            "Paris."
        );
        assert_eq!(
            mock.chat(ask("Please ADD 2 and 40")).await.unwrap().text(),
            "You want 2 + 40."
        );
        assert_eq!(
            mock.chat(ask("Nothing matches")).await.unwrap().text(),
            DEFAULT_REPLY
        );

        let mock = mock.default_reply("Fallback.");
        let r = mock.chat(ask("still nothing")).await.unwrap();
        assert_eq!(r.text(), "Fallback.");
        assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
        assert_eq!(r.model, "mock-model");
        assert!(r.id.starts_with("mock-"));
        let u = r.usage.unwrap();
        // "still nothing" = 13 chars → 4; "Fallback." = 9 chars → 3.
        assert_eq!(
            (u.prompt_tokens, u.completion_tokens, u.total_tokens),
            (4, 3, 7)
        );
    }

    #[tokio::test]
    async fn invalid_regex_is_a_config_error() {
        let err = MockProvider::new()
            .reply_regex("[unclosed", "x")
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
    }

    #[tokio::test]
    async fn requests_are_recorded() {
        let mock = MockProvider::new();
        let shared: SharedChat = std::sync::Arc::new(mock.clone());
        shared.chat(ask("one")).await.unwrap();
        drain(&mock, ask("two")).await;
        let mock = mock.fail_next(MockFailure::Timeout);
        assert!(shared.chat(ask("three")).await.is_err());

        let texts: Vec<String> = mock
            .requests()
            .iter()
            .map(|r| r.messages[0].text())
            .collect();
        assert_eq!(texts, ["one", "two", "three"]);
        assert_eq!(mock.last_request().unwrap().messages[0].text(), "three");
        assert_eq!(mock.call_count(), 3);
        mock.clear_requests();
        assert!(mock.requests().is_empty());
        assert_eq!(mock.call_count(), 0);
    }

    #[tokio::test]
    async fn models_are_listed() {
        let mock = MockProvider::new();
        let ids: Vec<String> = mock
            .list_models()
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(ids, ["mock-model"]);
    }
}

mod streaming {
    use super::*;

    #[tokio::test]
    async fn stream_reassembles_to_the_plain_reply() {
        let mock = MockProvider::new().reply("story", "Once  upon a\ntime, the end.");
        let plain = mock.chat(ask("tell a story")).await.unwrap();

        let chunks: Vec<ChatChunk> = drain(&mock, ask("tell a story"))
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let pieces: Vec<&str> = chunks.iter().filter_map(ChatChunk::text).collect();
        assert_eq!(pieces, ["Once  ", "upon ", "a\n", "time, ", "the ", "end."]);
        assert_eq!(chunks[0].choices[0].delta.role, Some(Role::Assistant));
        assert!(
            chunks[1..]
                .iter()
                .all(|c| c.choices[0].delta.role.is_none())
        );
        let last = chunks.last().unwrap();
        assert_eq!(last.finish_reason(), Some(&FinishReason::Stop));
        assert!(last.usage.is_none(), "no usage unless asked for");
        let id = &chunks[0].id;
        assert!(chunks.iter().all(|c| &c.id == id
            && c.object == "chat.completion.chunk"
            && c.model == "mock-model"));

        let streamed = collect_stream(mock.chat_stream(ask("tell a story")).await.unwrap())
            .await
            .unwrap();
        assert_eq!(streamed.text(), plain.text());
        assert_eq!(streamed.message(), plain.message());
        assert_eq!(streamed.finish_reason(), plain.finish_reason());
    }

    #[tokio::test]
    async fn include_usage_adds_a_final_usage_chunk() {
        let mock = MockProvider::new();
        let mut req = ask("hi");
        req.stream_options = Some(StreamOptions {
            include_usage: Some(true),
            ..StreamOptions::default()
        });
        let plain = mock.chat(req.clone()).await.unwrap();
        let chunks: Vec<ChatChunk> = drain(&mock, req)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let last = chunks.last().unwrap();
        assert!(last.choices.is_empty());
        assert_eq!(last.usage, plain.usage);
        let before = &chunks[chunks.len() - 2];
        assert_eq!(before.finish_reason(), Some(&FinishReason::Stop));
    }

    #[tokio::test]
    async fn scripted_stream_yields_exactly_the_pieces() {
        let mock = MockProvider::new().script_stream(["Hel", "lo", " wor", "ld"]);
        let chunks: Vec<ChatChunk> = drain(&mock, ask("x"))
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let pieces: Vec<&str> = chunks.iter().filter_map(ChatChunk::text).collect();
        assert_eq!(pieces, ["Hel", "lo", " wor", "ld"]);
        // The script was used once; the next stream is the normal reply.
        let r = collect_stream(mock.chat_stream(ask("x")).await.unwrap())
            .await
            .unwrap();
        assert_eq!(r.text(), DEFAULT_REPLY);
    }

    #[tokio::test]
    async fn a_cut_stream_ends_in_stream_interrupted() {
        let mock = MockProvider::new()
            .reply("count", "one two three four five")
            .fail_next(MockFailure::CutStreamAfter(2));
        let items = drain(&mock, ask("count")).await;
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].as_ref().unwrap().text(), Some("one "));
        assert_eq!(items[1].as_ref().unwrap().text(), Some("two "));
        let err = items[2].as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StreamInterrupted);
        assert_eq!(err.provider(), Some("mock"));
        assert!(items.iter().flatten().all(|c| c.finish_reason().is_none()));

        let err = collect_stream(
            mock.clone()
                .fail_next(MockFailure::CutStreamAfter(1))
                .chat_stream(ask("count"))
                .await
                .unwrap(),
        )
        .await
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StreamInterrupted);
    }

    #[tokio::test]
    async fn up_front_stream_failures_are_an_err_from_chat_stream() {
        let mock = MockProvider::new().fail_next(MockFailure::ServerError { status: 503 });
        let Err(err) = mock.chat_stream(ask("x")).await else {
            panic!("expected an error before the stream");
        };
        assert_eq!(
            (err.kind(), err.status()),
            (ErrorKind::ProviderUnavailable, Some(503))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn chunk_delay_is_honoured() {
        let delay = Duration::from_millis(250);
        let mock = MockProvider::new().reply("x", "a b c").chunk_delay(delay);
        let mut stream = mock.chat_stream(ask("x")).await.unwrap();
        let start = tokio::time::Instant::now();
        let mut arrivals = Vec::new();
        while let Some(item) = stream.next().await {
            item.unwrap();
            arrivals.push(start.elapsed());
        }
        // Three words and the finish chunk, each `delay` after the one before.
        let expected: Vec<Duration> = (1..=4).map(|i| delay * i).collect();
        assert_eq!(arrivals, expected);
    }
}

mod failures {
    use super::*;

    #[tokio::test]
    async fn fail_next_429_then_success() {
        let mock = MockProvider::new()
            .with_name("flaky")
            .fail_next(MockFailure::RateLimited {
                retry_after: Duration::from_secs(7),
            });
        let err = mock.chat(ask("hi")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RateLimited);
        assert_eq!(err.status(), Some(429));
        assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
        assert_eq!(err.provider(), Some("flaky"));
        assert!(err.is_retryable());
        assert_eq!(mock.chat(ask("hi")).await.unwrap().text(), DEFAULT_REPLY);
        assert_eq!(mock.call_count(), 2);
    }

    #[tokio::test]
    async fn fail_always_until_cleared() {
        let mock = MockProvider::new().fail_always(MockFailure::QuotaExceeded);
        for _ in 0..3 {
            let err = mock.chat(ask("hi")).await.unwrap_err();
            assert_eq!(
                (err.kind(), err.status()),
                (ErrorKind::QuotaExceeded, Some(429))
            );
        }
        let err = mock
            .embed(EmbeddingRequest::new("e", "x"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::QuotaExceeded);
        let mock = mock.clear_failures();
        assert!(mock.chat(ask("hi")).await.is_ok());
    }
}

mod tools {
    use super::*;

    fn booking_tool() -> ToolDefinition {
        ToolDefinition::function(
            "book_table",
            "Books a table",
            json!({
                "type": "object",
                "properties": {
                    "restaurant": {"type": "string"},
                    "party": {
                        "type": "object",
                        "properties": {
                            "size": {"type": "integer", "minimum": 2},
                            "names": {"type": "array", "items": {"type": "string"}, "minItems": 2}
                        },
                        "required": ["size", "names"]
                    },
                    "seating": {"type": "string", "enum": ["indoor", "terrace"]},
                    "when": {"type": "string", "format": "date-time"},
                    "notes": {"type": "string"}
                },
                "required": ["restaurant", "party", "seating", "when"]
            }),
        )
    }

    fn check_arguments(args: &Value) {
        assert_eq!(args["restaurant"], "example");
        assert_eq!(args["party"]["size"], 2);
        assert_eq!(args["party"]["names"].as_array().unwrap().len(), 2);
        assert_eq!(args["seating"], "indoor");
        assert_eq!(args["when"], "2024-01-01T00:00:00Z");
        assert!(
            args.get("notes").is_none(),
            "optional properties are left out"
        );
    }

    #[tokio::test]
    async fn tool_call_arguments_fit_the_schema() {
        let mock = MockProvider::new();
        let req = ask("Book it")
            .with_tools([booking_tool()])
            .with_tool_choice(ToolChoice::Required);
        let r = mock.chat(req).await.unwrap();
        assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
        let msg = r.message().unwrap();
        assert!(msg.content.is_none());
        assert_eq!(msg.tool_calls.len(), 1);
        let call = &msg.tool_calls[0];
        assert_eq!(call.id, "call_mock_1");
        assert_eq!(call.function.name, "book_table");
        check_arguments(&call.function.parse_arguments().unwrap());
    }

    #[tokio::test]
    async fn tools_are_called_by_mention_or_rule_and_the_loop_ends() {
        let weather = ToolDefinition::function(
            "get_weather",
            "Weather",
            json!({"type": "object", "properties": {"city": {"type": "string"}}}),
        );
        let mock = MockProvider::new()
            .call_tool_when("umbrella", "get_weather")
            .reply("umbrella", "Yes, take one.");
        let name = |r: &ChatResponse| {
            r.message()
                .unwrap()
                .tool_calls
                .first()
                .map(|c| c.function.name.clone())
        };

        // No tools offered: text.
        assert_eq!(
            mock.chat(ask("umbrella?")).await.unwrap().text(),
            "Yes, take one."
        );
        // By rule, and by mention.
        let req = ask("Do I need an umbrella?").with_tools([weather.clone()]);
        let first = mock.chat(req.clone()).await.unwrap();
        assert_eq!(name(&first).as_deref(), Some("get_weather"));
        let r = mock
            .chat(ask("call get_weather").with_tools([weather.clone()]))
            .await
            .unwrap();
        assert_eq!(name(&r).as_deref(), Some("get_weather"));
        // tool_choice none: never.
        let r = mock
            .chat(req.clone().with_tool_choice(ToolChoice::None))
            .await
            .unwrap();
        assert_eq!(r.text(), "Yes, take one.");
        // After the tool result: text, matched against the last user message.
        let mut follow_up = req;
        let call = first.message().unwrap().tool_calls.clone();
        follow_up
            .messages
            .push(Message::assistant_tool_calls(call.clone()));
        follow_up
            .messages
            .push(Message::tool(call[0].id.clone(), r#"{"rain": true}"#));
        let r = mock.chat(follow_up).await.unwrap();
        assert_eq!(r.text(), "Yes, take one.");
        assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
    }

    #[tokio::test]
    async fn streamed_tool_call_reassembles_to_the_same_arguments() {
        let mock = MockProvider::new();
        let req = ask("Book it")
            .with_tools([booking_tool()])
            .with_tool_choice(ToolChoice::Function("book_table".into()));
        let plain = mock.chat(req.clone()).await.unwrap();

        let chunks: Vec<ChatChunk> = drain(&mock, req.clone())
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let head = &chunks[0].choices[0].delta;
        assert_eq!(head.role, Some(Role::Assistant));
        let head_call = &head.tool_calls[0];
        assert_eq!(head_call.index, 0);
        assert!(head_call.id.as_deref().unwrap().starts_with("call_mock_"));
        let head_fn = head_call.function.as_ref().unwrap();
        assert_eq!(head_fn.name.as_deref(), Some("book_table"));
        assert_eq!(head_fn.arguments.as_deref(), Some(""));
        let fragments = chunks[1..]
            .iter()
            .filter(|c| {
                c.choices
                    .first()
                    .is_some_and(|ch| !ch.delta.tool_calls.is_empty())
            })
            .count();
        assert!(fragments >= 2, "{fragments}");
        assert_eq!(
            chunks.last().unwrap().finish_reason(),
            Some(&FinishReason::ToolCalls)
        );

        let streamed = collect_stream(mock.chat_stream(req).await.unwrap())
            .await
            .unwrap();
        let s = &streamed.message().unwrap().tool_calls[0];
        let p = &plain.message().unwrap().tool_calls[0];
        assert_eq!(s.function, p.function);
        check_arguments(&s.function.parse_arguments().unwrap());
        assert_eq!(streamed.finish_reason(), Some(&FinishReason::ToolCalls));
    }
}

mod embeddings {
    use super::*;

    fn norm(v: &[f32]) -> f32 {
        v.iter().map(|x| x * x).sum::<f32>().sqrt()
    }

    #[tokio::test]
    async fn deterministic_normalised_and_sized() {
        let mock = MockProvider::new();
        let mut req = EmbeddingRequest::new("embed", vec!["alpha", "beta", "alpha"]);
        req.dimensions = Some(64);
        let r = mock.embed(req.clone()).await.unwrap();
        let v: Vec<Vec<f32>> = r
            .data
            .iter()
            .map(|d| d.embedding.to_floats().unwrap())
            .collect();
        assert_eq!(v.len(), 3);
        assert!(v.iter().all(|x| x.len() == 64));
        assert!(v.iter().all(|x| (norm(x) - 1.0).abs() < 1e-5));
        assert_eq!(v[0], v[2]);
        assert_ne!(v[0], v[1]);
        assert_eq!(
            r.data.iter().map(|d| d.index).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        // "alphabetaalpha" = 14 chars → 4 tokens.
        assert_eq!(r.usage.as_ref().unwrap().prompt_tokens, 4);

        // The same text gives the same vector on another mock and in another request.
        let other = MockProvider::new();
        let again = other.embed(EmbeddingRequest {
            dimensions: Some(64),
            ..EmbeddingRequest::new("embed", "alpha")
        });
        assert_eq!(
            again.await.unwrap().data[0].embedding.to_floats().unwrap(),
            v[0]
        );

        // Default dimension.
        let r = mock
            .embed(EmbeddingRequest::new("embed", "alpha"))
            .await
            .unwrap();
        assert_eq!(r.data[0].embedding.to_floats().unwrap().len(), 8);
        assert_eq!(mock.embedding_requests().len(), 2);
    }

    #[tokio::test]
    async fn base64_decodes_to_the_same_floats() {
        let mock = MockProvider::new();
        let floats = mock
            .embed(EmbeddingRequest::new("embed", "hello"))
            .await
            .unwrap();
        let mut req = EmbeddingRequest::new("embed", "hello");
        req.encoding_format = Some(EncodingFormat::Base64);
        let b64 = mock.embed(req).await.unwrap();
        assert!(matches!(
            b64.data[0].embedding,
            llm_router_core::Embedding::Base64(_)
        ));
        assert_eq!(
            b64.data[0].embedding.to_floats().unwrap(),
            floats.data[0].embedding.to_floats().unwrap()
        );
    }

    #[tokio::test]
    async fn token_inputs_are_embedded() {
        let mock = MockProvider::new();
        let r = mock
            .embed(EmbeddingRequest::new(
                "embed",
                EmbeddingInput::Tokens(vec![1, 2, 3]),
            ))
            .await
            .unwrap();
        assert_eq!(r.data.len(), 1);
        assert_eq!(r.usage.unwrap().prompt_tokens, 3);
    }
}
