//! WebSocket failures: error frames, sockets closed early, refused upgrades, timeouts, and
//! secrecy of the credentials.

use std::time::Duration;

use futures_util::StreamExt as _;
use llm_router_core::{ChatProvider, ChatRequest, ErrorKind, Message};
use llm_router_http::StreamTimeouts;

use crate::ws_server::{
    API_KEY, API_SECRET, APP_ID, End, Script, client, client_builder, frames, serve,
};

fn req() -> ChatRequest {
    ChatRequest::new("lite", vec![Message::user("你好")])
}

fn error_frame(code: i64, message: &str) -> String {
    format!(
        r#"{{"header":{{"code":{code},"message":"{message}","sid":"cht000b41d7@dx1","status":2}}}}"#
    )
}

#[tokio::test]
async fn an_error_frame_before_content_is_the_err_of_chat_stream() {
    let (base, server) = serve(Script::new(
        "/v1.1/chat",
        frames("ws_error_first.jsonl"),
        End::Close,
    ))
    .await;
    let e = client(&base).chat_stream(req()).await.err().unwrap();
    assert_eq!(e.kind(), ErrorKind::ContentFiltered, "{e}");
    assert_eq!(e.code(), Some("10013"));
    assert_eq!(e.provider(), Some("spark"));
    assert!(e.message().contains("输入内容审核不通过"), "{e}");
    assert!(
        e.message().contains("cht000b41d5@dx18e9a73ef47b8f2542"),
        "{e}"
    );
    server.await.unwrap();
}

#[tokio::test]
async fn an_error_frame_after_content() {
    let (base, _s) = serve(Script::new(
        "/v1.1/chat",
        frames("ws_error_after_content.jsonl"),
        End::Close,
    ))
    .await;
    let mut stream = client(&base).chat_stream(req()).await.unwrap();
    assert_eq!(
        stream.next().await.unwrap().unwrap().text(),
        Some("关于这个问题，")
    );
    let e = stream.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted, "{e}");
    assert_eq!(e.code(), Some("10014"));
    assert!(stream.next().await.is_none());

    // `chat` keeps the frame's own kind.
    let (base, _s) = serve(Script::new(
        "/v1.1/chat",
        frames("ws_error_after_content.jsonl"),
        End::Close,
    ))
    .await;
    let e = client(&base).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentFiltered, "{e}");
}

#[tokio::test]
async fn codes_map_to_kinds() {
    let cases = [
        (10907, ErrorKind::ContextLengthExceeded),
        (11200, ErrorKind::Authentication),
        (11201, ErrorKind::QuotaExceeded),
        (11202, ErrorKind::RateLimited),
        (11203, ErrorKind::RateLimited),
        (10014, ErrorKind::ContentFiltered),
        (10222, ErrorKind::ProviderUnavailable),
    ];
    for (code, kind) in cases {
        let (base, _s) = serve(Script::new(
            "/v1.1/chat",
            vec![error_frame(code, "error")],
            End::Close,
        ))
        .await;
        let e = client(&base).chat_stream(req()).await.err().unwrap();
        assert_eq!(e.kind(), kind, "{code}: {e}");
        assert_eq!(e.code(), Some(code.to_string().as_str()));
    }
}

#[tokio::test]
async fn a_socket_closed_before_the_last_frame_interrupts_the_stream() {
    for end in [End::Drop, End::Close] {
        let first = frames("ws_answer.jsonl").remove(0);
        let (base, _s) = serve(Script::new("/v1.1/chat", vec![first], end)).await;
        let mut stream = client(&base).chat_stream(req()).await.unwrap();
        assert_eq!(stream.next().await.unwrap().unwrap().text(), Some("你好！"));
        let e = stream.next().await.unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StreamInterrupted, "{end:?}: {e}");
        assert!(stream.next().await.is_none());
    }
    // Closed before any frame: still an error, never an empty answer.
    let (base, _s) = serve(Script::new("/v1.1/chat", vec![], End::Close)).await;
    let e = client(&base).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted, "{e}");
}

#[tokio::test]
async fn a_bad_signature_is_refused_as_an_authentication_error() {
    let (base, server) = serve(Script::new("/v1.1/chat", vec![], End::Close)).await;
    let wrong_secret = "WRONGsecretWRONGsecretWRONGsecre";
    let c = client_builder(&base)
        .api_secret(wrong_secret)
        .build()
        .unwrap();
    let e = c.chat_stream(req()).await.err().unwrap();
    assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
    assert_eq!(e.status(), Some(401));
    assert!(e.message().contains("HMAC signature does not match"), "{e}");
    for shown in [e.to_string(), format!("{e:?}"), format!("{c:?}")] {
        assert!(!shown.contains(wrong_secret), "{shown}");
        assert!(!shown.contains(API_KEY), "{shown}");
        assert!(!shown.contains("authorization="), "{shown}");
    }
    assert_eq!(server.await.unwrap().refused, Some(401));
}

#[tokio::test]
async fn a_skewed_clock_is_refused_as_an_authentication_error() {
    let (base, server) = serve(Script::new("/v1.1/chat", vec![], End::Close)).await;
    let c = client_builder(&base)
        .clock(std::time::SystemTime::now)
        .build()
        .unwrap();
    let e = c.chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
    assert_eq!(e.status(), Some(403));
    assert_eq!(server.await.unwrap().refused, Some(403));
}

#[tokio::test]
async fn idle_timeout_after_content() {
    let first = frames("ws_answer.jsonl").remove(0);
    let (base, _s) = serve(Script::new("/v1.1/chat", vec![first], End::Stall)).await;
    let c = client_builder(&base)
        .stream_timeouts(StreamTimeouts::new(Some(Duration::from_millis(200)), None))
        .build()
        .unwrap();
    let mut stream = c.chat_stream(req()).await.unwrap();
    assert!(stream.next().await.unwrap().is_ok());
    let e = stream.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted, "{e}");
    assert_eq!(e.code(), Some("timeout"));
}

#[tokio::test]
async fn refused_before_connecting() {
    // Port 9: nothing listens, so a request that were sent would fail with Connection.
    let c = client("ws://127.0.0.1:9");
    let e = c
        .chat(ChatRequest::new("gpt-4o", vec![Message::user("hi")]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ModelNotFound, "{e}");
    let e = c
        .chat(ChatRequest::new(
            "lite",
            vec![Message::tool("call_1", "{}")],
        ))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    let e = c.chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
}

#[tokio::test]
async fn missing_credentials_name_the_variables() {
    let e = llm_router_spark::ws::builder()
        .api_key(API_KEY)
        .api_secret(API_SECRET)
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("SPARKAI_APP_ID"), "{e}");
    let e = llm_router_spark::ws::builder()
        .app_id(APP_ID)
        .api_key(API_KEY)
        .build()
        .unwrap_err();
    assert!(e.message().contains("SPARKAI_API_SECRET"), "{e}");
    let e = client_builder("https://example.invalid")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
}

#[tokio::test]
async fn wss_goes_through_rustls_and_a_failed_handshake_is_a_connection_error() {
    // A TCP server that answers the TLS ClientHello with plain text and hangs up.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let (mut tcp, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 512];
        let n = tcp.read(&mut buf).await.unwrap();
        tcp.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n")
            .await
            .unwrap();
        n
    });
    let c = client(&format!("wss://127.0.0.1:{port}"));
    let e = c.chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
    assert!(!e.to_string().contains("authorization="), "{e}");
    let hello = server.await.unwrap();
    assert!(hello > 0, "the client sent a TLS ClientHello");
}
