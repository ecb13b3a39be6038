//! Spark's HTTP errors: business codes inside 200 bodies and stream chunks, `invalid user`,
//! secrecy of the password.

use futures_util::StreamExt as _;
use llm_router_core::{ChatProvider, ChatRequest, ErrorKind, Message};
use llm_router_testkit::wire::{json_response, sse_response};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{PASSWORD, fixtures, http_client};

async fn server(resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(resp)
        .mount(&server)
        .await;
    server
}

fn req() -> ChatRequest {
    ChatRequest::new("generalv3.5", vec![Message::user("hi")])
}

#[tokio::test]
async fn non_zero_codes_in_200_bodies() {
    let cases = [
        (
            10013,
            "输入内容审核不通过，涉嫌违规，请重新调整输入内容",
            ErrorKind::ContentFiltered,
        ),
        (
            10907,
            "token数量超过上限。对话历史+问题的字数太多，需要精简输入",
            ErrorKind::ContextLengthExceeded,
        ),
        (
            11200,
            "授权错误：该appId没有相关功能的授权 或者 业务量超过限制",
            ErrorKind::Authentication,
        ),
        (
            11201,
            "授权错误：日流控超限。超过当日最大访问量的限制",
            ErrorKind::QuotaExceeded,
        ),
        (
            11202,
            "授权错误：秒级流控超限。秒级并发超过授权路数限制",
            ErrorKind::RateLimited,
        ),
        (
            11203,
            "授权错误：并发流控超限。并发路数超过授权路数限制",
            ErrorKind::RateLimited,
        ),
        (10110, "服务忙，请稍后再试", ErrorKind::ProviderUnavailable),
    ];
    for (code, message, kind) in cases {
        let s = server(json_response(
            200,
            &json!({"code": code, "message": message, "sid": "cha000b0004@dx1", "choices": []}),
        ))
        .await;
        let e = http_client(&s.uri()).chat(req()).await.unwrap_err();
        assert_eq!(e.kind(), kind, "{code}: {e}");
        assert_eq!(e.code(), Some(code.to_string().as_str()));
        assert!(e.message().contains(message), "{e}");
        assert!(
            e.message().contains("cha000b0004@dx1"),
            "the sid is kept: {e}"
        );
    }
}

#[tokio::test]
async fn a_code_as_the_first_chunk_is_the_err_of_chat_stream() {
    let s = server(sse_response(
        "data:{\"code\":11202,\"message\":\"授权错误：秒级流控超限。秒级并发超过授权路数限制\",\"sid\":\"cha1\",\"choices\":[]}\n\n",
    ))
    .await;
    let e = http_client(&s.uri())
        .chat_stream(req())
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.is_retryable());
}

#[tokio::test]
async fn a_code_after_content_interrupts_the_stream() {
    let s = server(sse_response(&fixtures().text("http_stream_code_error.sse"))).await;
    let mut stream = http_client(&s.uri()).chat_stream(req()).await.unwrap();
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.text(), Some("关于这个问题"));
    let e = stream.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
    assert_eq!(e.code(), Some("10014"));
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn invalid_user_is_an_authentication_error_without_the_password() {
    let body = json!({"error": {"message": "invalid user", "type": "api_error", "param": null, "code": null}});
    for status in [200, 401] {
        let s = server(json_response(status, &body)).await;
        let e = http_client(&s.uri()).chat(req()).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Authentication, "HTTP {status}: {e}");
        assert!(!e.is_retryable());
        assert!(!format!("{e:?}").contains(PASSWORD));
    }
    let c = http_client("http://127.0.0.1:9");
    assert!(!format!("{c:?}").contains(PASSWORD));
}

#[tokio::test]
async fn a_code_in_an_http_error_body_decides_the_kind() {
    let s = server(json_response(
        400,
        &json!({"code": 10907, "message": "token数量超过上限", "sid": "cha2"}),
    ))
    .await;
    let e = http_client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContextLengthExceeded);
    assert_eq!(e.status(), Some(400));
}

#[tokio::test]
async fn a_missing_password_names_the_variable() {
    let e = llm_router_spark::http::builder().build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("SPARKAI_API_PASSWORD"), "{e}");
}
