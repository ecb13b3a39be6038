//! Legacy stream transcripts split at every byte offset parse the same; the end is `is_end`.

use futures_util::StreamExt as _;
use llm_router_core::{
    ChatProvider, ChatRequest, ErrorKind, FinishReason, Message, collect_stream,
};
use llm_router_testkit::split::{byte_by_byte, chunked, every_split};
use llm_router_testkit::wire::sse_response;
use wiremock::MockServer;

use crate::{TOKEN, chat_mock, fixtures, legacy_client, mount_token};

fn parse(bytes: llm_router_http::ByteStream) -> llm_router_core::ChatStream {
    llm_router_ernie::legacy::parse_stream(bytes, "ERNIE-4.0-8K")
}

#[tokio::test]
async fn the_stream_at_every_split() {
    for name in ["legacy_stream.sse", "legacy_stream_function_call.sse"] {
        let body = fixtures().bytes(name);
        let whole = collect_stream(parse(chunked(&body, &[]))).await.unwrap();
        for (i, s) in every_split(&body) {
            assert_eq!(
                collect_stream(parse(s)).await.unwrap(),
                whole,
                "{name} split at byte {i}"
            );
        }
        assert_eq!(
            collect_stream(parse(byte_by_byte(&body))).await.unwrap(),
            whole,
            "{name} byte by byte"
        );
        assert!(whole.finish_reason().is_some());
    }
    let whole = collect_stream(parse(chunked(&fixtures().bytes("legacy_stream.sse"), &[])))
        .await
        .unwrap();
    assert_eq!(whole.text(), "您好，我是文心一言，很高兴为您服务。");
    assert_eq!(whole.finish_reason(), Some(&FinishReason::Stop));
}

#[tokio::test]
async fn without_is_end_the_stream_is_interrupted_at_every_split() {
    let body = fixtures().bytes("legacy_stream_no_end.sse");
    for (i, s) in every_split(&body).chain(std::iter::once((0, byte_by_byte(&body)))) {
        let items: Vec<_> = parse(s).collect().await;
        assert_eq!(items.len(), 3, "split {i}");
        assert_eq!(items[0].as_ref().unwrap().text(), Some("您好，"));
        let e = items[2].as_ref().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StreamInterrupted, "split {i}");
    }
}

#[tokio::test]
async fn windows_line_endings_and_comments_are_fine() {
    let body = fixtures()
        .text("legacy_stream.sse")
        .replace("\n\n", "\r\n: keep-alive\r\n\r\n");
    let r = collect_stream(parse(chunked(body.as_bytes(), &[7, 300, 301])))
        .await
        .unwrap();
    assert_eq!(r.text(), "您好，我是文心一言，很高兴为您服务。");
}

#[tokio::test]
async fn an_error_after_content_ends_the_stream_interrupted() {
    let mut body = fixtures().text("legacy_stream_no_end.sse");
    body.push_str(&format!(
        "data: {{\"error_code\":336100,\"error_msg\":\"try again later ({TOKEN})\"}}\n\n"
    ));
    let server = MockServer::start().await;
    mount_token(&server, fixtures().json("legacy_token.json"), 1).await;
    chat_mock("completions_pro", TOKEN, sse_response(&body))
        .mount(&server)
        .await;
    let stream = legacy_client(&server.uri())
        .chat_stream(ChatRequest::new(
            "ERNIE-4.0-8K",
            vec![Message::user("你好")],
        ))
        .await
        .unwrap();
    let items: Vec<_> = stream.collect().await;
    let e = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
    assert_eq!(e.code(), Some("336100"));
    assert!(!e.to_string().contains(TOKEN), "{e}");
}

#[tokio::test]
async fn a_token_rejected_as_the_first_event_is_refreshed() {
    let server = MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path(crate::TOKEN_PATH))
        .respond_with(llm_router_testkit::wire::json_response(
            200,
            &crate::token_body("24.fresh-token-0002", 2_592_000),
        ))
        .expect(1)
        .mount(&server)
        .await;
    chat_mock(
        "completions_pro",
        "24.stale-token-0001",
        sse_response("data: {\"error_code\":111,\"error_msg\":\"Access token expired\"}\n\n"),
    )
    .expect(1)
    .mount(&server)
    .await;
    chat_mock(
        "completions_pro",
        "24.fresh-token-0002",
        sse_response(&fixtures().text("legacy_stream.sse")),
    )
    .expect(1)
    .mount(&server)
    .await;
    let c = llm_router_ernie::legacy::builder()
        .api_key(crate::AK)
        .secret_key(crate::SK)
        .access_token("24.stale-token-0001")
        .base_url(server.uri())
        .build()
        .unwrap();
    let r = collect_stream(
        c.chat_stream(ChatRequest::new(
            "ERNIE-4.0-8K",
            vec![Message::user("你好")],
        ))
        .await
        .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(r.text(), "您好，我是文心一言，很高兴为您服务。");
}
