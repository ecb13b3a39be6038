//! Message Batches against wiremock: exact methods, paths, headers and bodies, documented
//! response bodies, results mapped back by `custom_id` (errored, canceled and expired too).

use llm_router_core::{
    BatchItem, BatchProvider, BatchStatus, ChatRequest, ErrorKind, FinishReason, Message,
    ToolDefinition, is_cancelled, is_expired,
};
use llm_router_testkit::wire::json_response;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{KEY, client, fixtures};

const ID: &str = "msgbatch_013Zva2CMHLNnXjNJJKqJ2EF";

fn call(verb: &str, p: &str) -> wiremock::MockBuilder {
    Mock::given(method(verb))
        .and(path(p))
        .and(header("x-api-key", KEY))
        .and(header("anthropic-version", "2023-06-01"))
}

#[tokio::test]
async fn submit_sends_each_request_as_a_messages_body() {
    let server = MockServer::start().await;
    let expected = json!({"requests": [
        {"custom_id": "my-first-request", "params": {
            "model": "claude-sonnet-4-5",
            "max_tokens": 1024,
            "messages": [{"role": "user", "content": "Hello, world"}]
        }},
        {"custom_id": "my-second-request", "params": {
            "model": "claude-sonnet-4-5",
            "max_tokens": 4096,
            "system": "Be terse.",
            "messages": [{"role": "user", "content": "Hi again, friend"}],
            "tools": [{"name": "get_weather", "description": "Weather", "input_schema": {"type": "object"}}]
        }}
    ]});
    call("POST", "/v1/messages/batches")
        .and(header("content-type", "application/json"))
        .and(body_json(&expected))
        .respond_with(json_response(
            200,
            &fixtures().json("batch/batch_created.json"),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let items = vec![
        BatchItem::new(
            "my-first-request",
            ChatRequest::new("claude-sonnet-4-5", vec![Message::user("Hello, world")])
                .with_max_tokens(1024),
        ),
        BatchItem::new(
            "my-second-request",
            ChatRequest::new(
                "claude-sonnet-4-5",
                vec![
                    Message::system("Be terse."),
                    Message::user("Hi again, friend"),
                ],
            )
            .with_tools([ToolDefinition::function(
                "get_weather",
                "Weather",
                json!({"type": "object"}),
            )]),
        ),
    ];
    let job = client(&server.uri()).submit(items).await.unwrap();
    // Each `params` is a valid Messages request body.
    for r in expected["requests"].as_array().unwrap() {
        llm_router_testkit::anthropic_spec::assert_valid_request(&r["params"], false);
    }
    assert_eq!(job.id, ID);
    assert_eq!(job.provider, "anthropic");
    assert_eq!(job.status, BatchStatus::InProgress);
    assert_eq!(
        (job.counts.total, job.counts.completed, job.counts.failed),
        (2, 0, 0)
    );
    assert_eq!(job.created_at, 1_727_203_044);
    assert_eq!(job.expires_at, Some(1_727_289_444));
    assert_eq!(job.ended_at, None);
    assert_eq!(job.extra["processing_status"], "in_progress");
    assert_eq!(job.extra["request_counts"]["processing"], 2);
}

#[tokio::test]
async fn invalid_custom_ids_are_refused_before_sending() {
    let server = MockServer::start().await;
    let c = client(&server.uri());
    let item = |id: &str| {
        BatchItem::new(
            id,
            ChatRequest::new("claude-sonnet-4-5", vec![Message::user("x")]),
        )
    };
    for bad in ["has space", "dot.ted", "", &"x".repeat(65)] {
        let e = c.submit(vec![item("ok"), item(bad)]).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{bad:?}");
        assert!(
            e.message().contains("1-64 characters of [a-zA-Z0-9_-]"),
            "{e}"
        );
    }
    let e = c
        .submit(vec![item("same"), item("same")])
        .await
        .unwrap_err();
    assert!(e.message().contains("duplicate custom_id \"same\""), "{e}");
    let e = c.submit(vec![]).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn status_and_cancel() {
    let server = MockServer::start().await;
    call("GET", &format!("/v1/messages/batches/{ID}"))
        .respond_with(json_response(
            200,
            &fixtures().json("batch/batch_ended.json"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    call("POST", &format!("/v1/messages/batches/{ID}/cancel"))
        .respond_with(json_response(
            200,
            &fixtures().json("batch/batch_canceling.json"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri());

    let job = c.status(ID).await.unwrap();
    assert_eq!(job.status, BatchStatus::Completed);
    assert_eq!(
        (job.counts.total, job.counts.completed, job.counts.failed),
        (5, 2, 3)
    );
    assert_eq!(job.ended_at, Some(1_727_205_121));
    assert!(
        job.extra["results_url"]
            .as_str()
            .unwrap()
            .ends_with("/results")
    );

    let job = c.cancel(ID).await.unwrap();
    assert_eq!(job.status, BatchStatus::Cancelling);
    assert_eq!(
        job.extra["cancel_initiated_at"],
        "2024-09-24T18:39:03.114875Z"
    );
    let reqs = server.received_requests().await.unwrap();
    assert!(reqs[1].body.is_empty(), "cancel sends no body");

    assert_eq!(
        c.status("../x").await.unwrap_err().kind(),
        ErrorKind::InvalidRequest
    );
}

#[tokio::test]
async fn results_come_from_results_url_on_the_configured_host() {
    let server = MockServer::start().await;
    call("GET", &format!("/v1/messages/batches/{ID}"))
        .respond_with(json_response(
            200,
            &fixtures().json("batch/batch_ended.json"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    call("GET", &format!("/v1/messages/batches/{ID}/results"))
        .respond_with(
            ResponseTemplate::new(200).set_body_bytes(fixtures().bytes("batch/results.jsonl")),
        )
        .expect(1)
        .mount(&server)
        .await;

    let results = client(&server.uri()).results(ID).await.unwrap();
    let ids: Vec<&str> = results.iter().map(|r| r.custom_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "my-second-request",
            "my-first-request",
            "my-third-request",
            "my-fourth-request",
            "my-fifth-request"
        ]
    );

    // The succeeded messages are valid `Message` objects of the spec.
    for line in fixtures().text("batch/results.jsonl").lines().take(2) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        llm_router_testkit::anthropic_spec::assert_valid_in(
            llm_router_testkit::anthropic_spec::Spec::Pristine,
            "Message",
            &v["result"]["message"],
        );
    }
    let first = results[1].result.as_ref().unwrap();
    assert_eq!(first.id, "msg_01FqfsLoHwgeFbguDgpz48m7");
    assert!(
        first
            .text()
            .starts_with("Hello! How can I assist you today?")
    );
    assert_eq!(first.finish_reason(), Some(&FinishReason::Stop));
    let usage = first.usage.as_ref().unwrap();
    assert_eq!((usage.prompt_tokens, usage.completion_tokens), (10, 34));
    assert_eq!(
        first.created, 1_727_205_121,
        "stamped with the batch's ended_at"
    );

    let e = results[2].result.as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert_eq!(e.code(), Some("invalid_request_error"));
    assert!(e.message().starts_with("max_tokens: 100000 > 64000"), "{e}");
    assert!(is_cancelled(results[3].result.as_ref().unwrap_err()));
    assert!(is_expired(results[4].result.as_ref().unwrap_err()));
    assert_eq!(
        results[4].result.as_ref().unwrap_err().provider(),
        Some("anthropic")
    );
}

#[tokio::test]
async fn results_before_the_end_and_http_errors() {
    let server = MockServer::start().await;
    call("GET", &format!("/v1/messages/batches/{ID}"))
        .respond_with(json_response(
            200,
            &fixtures().json("batch/batch_created.json"),
        ))
        .mount(&server)
        .await;
    call("GET", "/v1/messages/batches/msgbatch_gone")
        .respond_with(json_response(
            404,
            &json!({"type": "error", "error": {"type": "not_found_error", "message": "Message batch not found"}}),
        ))
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let e = c.results(ID).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(e.message().contains("in_progress"), "{e}");

    let e = c.status("msgbatch_gone").await.unwrap_err();
    assert_eq!(e.status(), Some(404));
    assert_eq!(e.message(), "Message batch not found");
}

#[tokio::test]
async fn a_bad_results_line_is_named() {
    let server = MockServer::start().await;
    call("GET", &format!("/v1/messages/batches/{ID}"))
        .respond_with(json_response(
            200,
            &fixtures().json("batch/batch_ended.json"),
        ))
        .mount(&server)
        .await;
    let body = format!(
        "{}\n{{\"result\": {{\"type\": \"expired\"}}}}\n",
        fixtures()
            .text("batch/results.jsonl")
            .lines()
            .next()
            .unwrap()
    );
    call("GET", &format!("/v1/messages/batches/{ID}/results"))
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(&server)
        .await;
    let e = client(&server.uri()).results(ID).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(e.message(), "results line 2: no custom_id");
}
