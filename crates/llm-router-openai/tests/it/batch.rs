//! The Batch API flow against wiremock: exact methods, paths, headers and bodies (the uploaded
//! JSONL too), documented response bodies, results mapped back by `custom_id`.

use llm_router_core::{
    BatchItem, BatchProvider, BatchStatus, ChatRequest, ErrorKind, Message, is_expired,
};
use llm_router_openai::OpenAiBatchClient;
use llm_router_testkit::wire::json_response;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::{KEY, fixtures};

fn batch_client(base: &str) -> OpenAiBatchClient {
    llm_router_openai::batch_builder()
        .api_key(KEY)
        .base_url(format!("{base}/v1"))
        .metadata("customer_id", "user_123456789")
        .build()
        .unwrap()
}

async fn mount(server: &MockServer, verb: &str, p: &str, resp: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(p))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(resp)
        .expect(1)
        .mount(server)
        .await;
}

fn items() -> Vec<BatchItem> {
    vec![
        BatchItem::new(
            "request-1",
            ChatRequest::new(
                "gpt-4o-mini",
                vec![
                    Message::system("You are a helpful assistant."),
                    Message::user("Hello world!"),
                ],
            )
            .with_max_tokens(1000),
        ),
        BatchItem::new(
            "request-2",
            ChatRequest::new("gpt-4o-mini", vec![Message::user("What is 2+2?")])
                .with_temperature(0.0),
        ),
    ]
}

fn received(reqs: &[Request], verb: &str, p: &str) -> Request {
    reqs.iter()
        .find(|r| r.method.as_str() == verb && r.url.path() == p)
        .unwrap_or_else(|| panic!("no {verb} {p}"))
        .clone()
}

#[tokio::test]
async fn submit_uploads_the_jsonl_then_creates_the_batch() {
    let server = MockServer::start().await;
    let f = fixtures();
    mount(
        &server,
        "POST",
        "/v1/files",
        json_response(200, &f.json("batch/file_uploaded.json")),
    )
    .await;
    mount(
        &server,
        "POST",
        "/v1/batches",
        json_response(200, &f.json("batch/batch_created.json")),
    )
    .await;

    let job = batch_client(&server.uri()).submit(items()).await.unwrap();
    assert_eq!(job.id, "batch_abc123");
    assert_eq!(job.provider, "openai");
    assert_eq!(job.status, BatchStatus::Validating);
    assert_eq!(job.created_at, 1711471533);
    assert_eq!(
        (job.counts.total, job.ended_at, job.expires_at),
        (0, None, None)
    );
    assert_eq!(job.extra["input_file_id"], "file-abc123");
    assert_eq!(job.extra["completion_window"], "24h");

    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 2);
    // 1. The upload: multipart with purpose=batch and the JSONL file.
    let upload = received(&reqs, "POST", "/v1/files");
    let ct = upload
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let boundary = ct
        .strip_prefix("multipart/form-data; boundary=")
        .expect(&ct);
    let jsonl = format!(
        "{}\n{}\n",
        json!({"custom_id": "request-1", "method": "POST", "url": "/v1/chat/completions", "body": {
            "model": "gpt-4o-mini",
            "messages": [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "Hello world!"}],
            "max_completion_tokens": 1000,
            "stream": false
        }}),
        json!({"custom_id": "request-2", "method": "POST", "url": "/v1/chat/completions", "body": {
            "model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": "What is 2+2?"}],
            "temperature": 0.0,
            "stream": false
        }}),
    );
    let expected = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"llm-router-batch.jsonl\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n{jsonl}\r\n--{boundary}--\r\n"
    );
    assert_eq!(String::from_utf8(upload.body.clone()).unwrap(), expected);
    // Each uploaded line is a batch input line whose body is a valid chat request.
    for line in jsonl.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        llm_router_testkit::openai_spec::assert_valid("CreateChatCompletionRequest", &v["body"]);
    }

    // 2. The batch: exact JSON body.
    let create = received(&reqs, "POST", "/v1/batches");
    assert_eq!(
        create.headers.get("content-type").unwrap(),
        "application/json"
    );
    let body: Value = serde_json::from_slice(&create.body).unwrap();
    assert_eq!(
        body,
        json!({
            "input_file_id": "file-abc123",
            "endpoint": "/v1/chat/completions",
            "completion_window": "24h",
            "metadata": {"customer_id": "user_123456789"}
        })
    );
}

#[tokio::test]
async fn status_and_cancel() {
    let server = MockServer::start().await;
    let f = fixtures();
    mount(
        &server,
        "GET",
        "/v1/batches/batch_abc123",
        json_response(200, &f.json("batch/batch_completed.json")),
    )
    .await;
    mount(
        &server,
        "POST",
        "/v1/batches/batch_abc123/cancel",
        json_response(200, &f.json("batch/batch_cancelling.json")),
    )
    .await;
    let c = batch_client(&server.uri());

    let job = c.status("batch_abc123").await.unwrap();
    assert_eq!(job.status, BatchStatus::Completed);
    assert_eq!(
        (job.counts.total, job.counts.completed, job.counts.failed),
        (100, 95, 5)
    );
    assert_eq!(job.ended_at, Some(1711493163));
    assert_eq!(job.expires_at, Some(1711557933));
    assert_eq!(job.extra["output_file_id"], "file-cvaTdG");
    assert_eq!(job.extra["finalizing_at"], 1711493133);
    assert!(!job.extra.contains_key("status"));

    let job = c.cancel("batch_abc123").await.unwrap();
    assert_eq!(job.status, BatchStatus::Cancelling);
    assert_eq!(job.counts.completed, 23);
    assert_eq!(job.extra["cancelling_at"], 1711475133);

    let reqs = server.received_requests().await.unwrap();
    assert!(reqs[1].body.is_empty(), "cancel sends no body");

    // Ids never reach a path unchecked.
    let e = c.status("../files").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
}

#[tokio::test]
async fn results_map_both_files_back_by_custom_id() {
    let server = MockServer::start().await;
    let f = fixtures();
    mount(
        &server,
        "GET",
        "/v1/batches/batch_abc123",
        json_response(200, &f.json("batch/batch_completed.json")),
    )
    .await;
    mount(
        &server,
        "GET",
        "/v1/files/file-cvaTdG/content",
        ResponseTemplate::new(200).set_body_bytes(f.bytes("batch/output.jsonl")),
    )
    .await;
    mount(
        &server,
        "GET",
        "/v1/files/file-HOWS94/content",
        ResponseTemplate::new(200).set_body_bytes(f.bytes("batch/errors.jsonl")),
    )
    .await;

    let results = batch_client(&server.uri())
        .results("batch_abc123")
        .await
        .unwrap();
    let ids: Vec<&str> = results.iter().map(|r| r.custom_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "request-2",
            "request-1",
            "request-5",
            "request-3",
            "request-4"
        ]
    );
    let by_id = |id: &str| &results.iter().find(|r| r.custom_id == id).unwrap().result;

    let ok = by_id("request-2").as_ref().unwrap();
    assert_eq!(ok.text(), "2 + 2 equals 4.");
    assert_eq!(ok.id, "chatcmpl-9758Iw");
    assert_eq!(ok.usage.as_ref().unwrap().total_tokens, 39);
    assert_eq!(
        by_id("request-1").as_ref().unwrap().text(),
        "Hello! How can I help?"
    );

    let e = by_id("request-5").as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContextLengthExceeded);
    assert_eq!(e.status(), Some(400));
    assert_eq!(e.code(), Some("context_length_exceeded"));
    assert!(
        e.message()
            .ends_with("(request 0538a1cc8f8f8500bbe07250e6aa2b26)"),
        "{e}"
    );

    let e = by_id("request-3").as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.provider(), Some("openai"));

    let e = by_id("request-4").as_ref().unwrap_err();
    assert!(is_expired(e), "{e}");

    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 3);
}

#[tokio::test]
async fn results_before_the_end_and_of_a_failed_batch_are_errors() {
    let server = MockServer::start().await;
    let mut running = fixtures().json("batch/batch_created.json");
    running["status"] = json!("in_progress");
    mount(
        &server,
        "GET",
        "/v1/batches/batch_run",
        json_response(200, &running),
    )
    .await;
    let mut failed = fixtures().json("batch/batch_created.json");
    failed["status"] = json!("failed");
    failed["errors"] = json!({"object": "list", "data": [{"code": "invalid_json_line", "message": "This line is not parseable as valid JSON.", "param": null, "line": 2}]});
    mount(
        &server,
        "GET",
        "/v1/batches/batch_bad",
        json_response(200, &failed),
    )
    .await;
    let c = batch_client(&server.uri());

    let e = c.results("batch_run").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(e.message().contains("in_progress"), "{e}");

    let e = c.results("batch_bad").await.unwrap_err();
    assert_eq!(e.code(), Some("invalid_json_line"));
    assert_eq!(
        e.message(),
        "batch batch_bad failed: line 2: This line is not parseable as valid JSON."
    );
}

#[tokio::test]
async fn http_errors_are_classified_and_the_key_redacted() {
    let server = MockServer::start().await;
    let body = json!({"error": {"message": format!("Incorrect API key provided: {KEY}."), "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}});
    mount(&server, "POST", "/v1/files", json_response(401, &body)).await;
    let e = batch_client(&server.uri())
        .submit(items())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(!e.to_string().contains(KEY), "{e}");

    // Duplicate ids are refused before anything is sent.
    let server = MockServer::start().await;
    let mut dup = items();
    dup[1].custom_id = "request-1".into();
    let e = batch_client(&server.uri()).submit(dup).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn a_key_is_required_and_never_shown() {
    let e = llm_router_openai::batch_builder().build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    let c = llm_router_openai::batch_builder()
        .api_key(KEY)
        .build()
        .unwrap();
    assert!(!format!("{c:?}").contains(KEY));
}
