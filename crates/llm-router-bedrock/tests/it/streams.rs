//! ConverseStream: binary frames built in the test, decoded whole, split at every byte, one
//! byte at a time, and with exceptions, cuts and disconnects.

use futures_util::StreamExt as _;
use llm_router_bedrock::chat_chunks;
use llm_router_core::{
    ChatProvider as _, ChatRequest, ChatResponse, ErrorKind, FinishReason, Message, Role,
    collect_stream,
};
use llm_router_testkit::split::{byte_by_byte, chunked, every_split, then_disconnect};
use llm_router_testkit::wire::disconnecting_server;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::frames::{event, exception, frame, transcript};
use crate::{CLAUDE, CLAUDE_PATH, sigv4_client};

const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";

fn text_frames() -> Vec<Vec<u8>> {
    vec![
        event(
            "messageStart",
            &json!({"p": "abcdefghijk", "role": "assistant"}),
        ),
        event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 0, "delta": {"text": "Hello"}, "p": "abcd"}),
        ),
        event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 0, "delta": {"text": " there, "}}),
        ),
        event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 0, "delta": {"text": "how may I assist you today? 👋"}}),
        ),
        event(
            "contentBlockStop",
            &json!({"contentBlockIndex": 0, "p": "ab"}),
        ),
        event(
            "messageStop",
            &json!({"stopReason": "end_turn", "p": "abcdefg"}),
        ),
        event(
            "metadata",
            &json!({"usage": {"inputTokens": 9, "outputTokens": 12, "totalTokens": 21},
                    "metrics": {"latencyMs": 345}, "p": "abcdef"}),
        ),
    ]
}

const TEXT: &str = "Hello there, how may I assist you today? 👋";

fn tool_frames() -> Vec<Vec<u8>> {
    vec![
        event("messageStart", &json!({"role": "assistant"})),
        event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 0, "delta": {"text": "Let me check."}}),
        ),
        event("contentBlockStop", &json!({"contentBlockIndex": 0})),
        event(
            "contentBlockStart",
            &json!({"contentBlockIndex": 1, "start": {"toolUse": {"toolUseId": "tooluse_abc123", "name": "get_weather"}}}),
        ),
        event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 1, "delta": {"toolUse": {"input": "{\"ci"}}}),
        ),
        event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 1, "delta": {"toolUse": {"input": "ty\": \"Paris\"}"}}}),
        ),
        event("contentBlockStop", &json!({"contentBlockIndex": 1})),
        event("messageStop", &json!({"stopReason": "tool_use"})),
        event(
            "metadata",
            &json!({"usage": {"inputTokens": 50, "outputTokens": 20, "totalTokens": 1070,
                              "cacheReadInputTokens": 1000}, "metrics": {"latencyMs": 10}}),
        ),
    ]
}

async fn parse(bytes: llm_router_http::ByteStream) -> Result<ChatResponse, llm_router_core::Error> {
    collect_stream(chat_chunks(bytes, "req-1".into())).await
}

#[tokio::test]
async fn text_stream_decodes_with_usage_from_metadata() {
    let body = transcript(&text_frames());
    let r = parse(chunked(&body, &[])).await.unwrap();
    assert_eq!(r.text(), TEXT);
    assert_eq!(r.id, "req-1");
    let m = r.message().unwrap();
    assert_eq!(m.role, Role::Assistant);
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
    let u = r.usage.unwrap();
    assert_eq!(
        (u.input_tokens(), u.output_tokens(), u.total_tokens),
        (9, 12, 21)
    );
}

#[tokio::test]
async fn split_at_every_byte_gives_the_same_response() {
    for frames in [text_frames(), tool_frames()] {
        let body = transcript(&frames);
        let whole = parse(chunked(&body, &[])).await.unwrap();
        for (i, s) in every_split(&body) {
            let got = parse(s)
                .await
                .unwrap_or_else(|e| panic!("split at byte {i}: {e}"));
            assert_eq!(got, whole, "split at byte {i}");
        }
        assert_eq!(
            parse(byte_by_byte(&body)).await.unwrap(),
            whole,
            "byte by byte"
        );
        // Several frames per read, cut inside preludes and payloads.
        let cuts: Vec<usize> = (0..body.len()).step_by(7).collect();
        assert_eq!(parse(chunked(&body, &cuts)).await.unwrap(), whole);
    }
}

#[tokio::test]
async fn tool_use_stream_reassembles_the_call_and_cache_usage() {
    let r = parse(chunked(&transcript(&tool_frames()), &[]))
        .await
        .unwrap();
    let m = r.message().unwrap();
    assert_eq!(m.text(), "Let me check.");
    assert_eq!(m.tool_calls.len(), 1);
    assert_eq!(m.tool_calls[0].id, "tooluse_abc123");
    assert_eq!(m.tool_calls[0].function.name, "get_weather");
    assert_eq!(
        m.tool_calls[0].function.parse_arguments().unwrap(),
        json!({"city": "Paris"})
    );
    assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
    let u = r.usage.unwrap();
    assert_eq!((u.prompt_tokens, u.cache_read_tokens()), (1050, 1000));
}

#[tokio::test]
async fn reasoning_deltas_keep_their_signature() {
    let frames = vec![
        event("messageStart", &json!({"role": "assistant"})),
        event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "Let me "}}}),
        ),
        event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "think."}}}),
        ),
        event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 0, "delta": {"reasoningContent": {"signature": "sig=="}}}),
        ),
        event("contentBlockStop", &json!({"contentBlockIndex": 0})),
        event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 1, "delta": {"text": "Done."}}),
        ),
        event("messageStop", &json!({"stopReason": "end_turn"})),
        event(
            "metadata",
            &json!({"usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3}}),
        ),
    ];
    let r = parse(chunked(&transcript(&frames), &[])).await.unwrap();
    let m = r.message().unwrap();
    assert_eq!(m.text(), "Done.");
    assert_eq!(m.reasoning_content.as_deref(), Some("Let me think."));
    assert_eq!(m.reasoning_details.len(), 1);
    assert_eq!(
        m.reasoning_details[0].text.as_deref(),
        Some("Let me think.")
    );
    assert_eq!(m.reasoning_details[0].signature.as_deref(), Some("sig=="));
    assert_eq!(
        m.reasoning_details[0].format.as_deref(),
        Some("bedrock-converse")
    );
}

#[tokio::test]
async fn ending_early_or_corrupt_frames_fail() {
    // No metadata event: interrupted.
    let mut frames = text_frames();
    frames.pop();
    let e = parse(chunked(&transcript(&frames), &[])).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted, "{e}");
    // Cut inside a frame: interrupted.
    let body = transcript(&text_frames());
    let e = parse(chunked(&body[..body.len() - 5], &[]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted, "{e}");
    // A flipped payload byte fails the message CRC.
    let mut bad = transcript(&text_frames()[..2]);
    let n = bad.len();
    bad[n - 8] ^= 0x01;
    let e = parse(chunked(&bad, &[])).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    // A body that is not an event stream at all.
    let e = parse(chunked(br#"{"message":"not a stream, just JSON"}"#, &[]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    // A broken connection after some content.
    let e = parse(then_disconnect(&transcript(&text_frames()[..3])))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
}

async fn stream_server(body: Vec<u8>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/model/{CLAUDE_PATH}/converse-stream")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-amzn-requestid", "f3c1a0de-0000-4e1b-9c3a-000000000001")
                .set_body_raw(body, EVENT_STREAM),
        )
        .mount(&server)
        .await;
    server
}

fn basic() -> ChatRequest {
    ChatRequest::new(
        CLAUDE,
        vec![
            Message::system("You are terse."),
            Message::user("Say hello"),
        ],
    )
    .with_max_tokens(16)
    .with_temperature(0.0)
}

#[tokio::test]
async fn converse_stream_over_http() {
    let server = stream_server(transcript(&text_frames())).await;
    let client = sigv4_client(&server.uri(), None);
    let s = client.chat_stream(basic()).await.unwrap();
    let r = collect_stream(s).await.unwrap();
    assert_eq!(r.text(), TEXT);
    assert_eq!(r.model, CLAUDE);
    assert_eq!(r.id, "f3c1a0de-0000-4e1b-9c3a-000000000001");
    assert_eq!(r.usage.unwrap().output_tokens(), 12);
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(
        reqs[0].headers.get("content-type").unwrap(),
        "application/json"
    );
    assert!(reqs[0].headers.get("x-amz-date").is_some());
    let body: serde_json::Value = serde_json::from_slice(&reqs[0].body).unwrap();
    assert_eq!(
        body,
        json!({
            "messages": [{"role": "user", "content": [{"text": "Say hello"}]}],
            "system": [{"text": "You are terse."}],
            "inferenceConfig": {"maxTokens": 16, "temperature": 0.0}
        })
    );
}

#[tokio::test]
async fn exception_frames_inside_http_200_are_typed_errors_before_content() {
    let cases = [
        ("throttlingException", ErrorKind::RateLimited),
        ("validationException", ErrorKind::InvalidRequest),
        (
            "serviceUnavailableException",
            ErrorKind::ProviderUnavailable,
        ),
        ("internalServerException", ErrorKind::ProviderUnavailable),
        ("modelStreamErrorException", ErrorKind::ProviderUnavailable),
    ];
    for (t, kind) in cases {
        // messageStart alone is not content: the exception is still the stream's Err.
        let body = transcript(&[
            event("messageStart", &json!({"role": "assistant"})),
            exception(t, "Too many tokens, please wait before trying again."),
        ]);
        let server = stream_server(body).await;
        let client = sigv4_client(&server.uri(), None);
        let e = client.chat_stream(basic()).await.err().expect("an error");
        assert_eq!(e.kind(), kind, "{t}: {e}");
        assert_eq!(e.code(), Some(t));
        assert_eq!(
            e.message(),
            "Too many tokens, please wait before trying again."
        );
    }
    // An `error` message type (`:error-code`, `:error-message`).
    let body = frame(
        &[
            (":message-type", "error"),
            (":error-code", "InternalFailure"),
            (":error-message", "boom"),
        ],
        b"",
    );
    let server = stream_server(body).await;
    let client = sigv4_client(&server.uri(), None);
    let e = client.chat_stream(basic()).await.err().expect("an error");
    assert_eq!(
        (e.kind(), e.message()),
        (ErrorKind::ProviderUnavailable, "boom")
    );
}

#[tokio::test]
async fn exception_after_content_interrupts_the_stream() {
    let mut frames = text_frames()[..3].to_vec();
    frames.push(exception("throttlingException", "slow down"));
    let server = stream_server(transcript(&frames)).await;
    let client = sigv4_client(&server.uri(), None);
    let s = client.chat_stream(basic()).await.unwrap();
    let items: Vec<_> = s.collect().await;
    assert!(items[0].is_ok());
    let e = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted, "{e}");
    assert_eq!(e.code(), Some("throttlingException"));
}

#[tokio::test]
async fn real_disconnect_mid_frame_is_interrupted() {
    let body = transcript(&text_frames());
    let cut = body[..body.len() * 2 / 3].to_vec();
    let base = disconnecting_server(EVENT_STREAM, cut).await;
    let client = sigv4_client(&base, None);
    let s = client
        .chat_stream(basic())
        .await
        .expect("starts before the cut");
    let e = collect_stream(s).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted, "{e}");
}
