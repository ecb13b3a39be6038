//! Liveness, readiness checks and Prometheus metrics.

use std::sync::Arc;
use std::time::Duration;

use llm_router::gateway::Gateway;
use llm_router::mock::MockProvider;
use serde_json::json;

use crate::gateway::support::{Server, client, json, post};

#[tokio::test]
async fn live_is_cheap_and_ready_runs_the_checks() {
    let gateway = Gateway::builder()
        .readiness_check("upstream", || Box::pin(async { Ok(()) }))
        .build();
    let server = Server::start(gateway).await;
    let resp = client()
        .get(server.url("/health/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(json(resp).await, json!({"status": "ok"}));
    let resp = client()
        .get(server.url("/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        json(resp).await,
        json!({"status": "ready", "failing": [], "checks": {"upstream": {"status": "ok"}}})
    );
}

#[tokio::test]
async fn ready_is_503_naming_the_failing_checks() {
    let gateway = Gateway::builder()
        .readiness_check("db", || Box::pin(async { Ok(()) }))
        .readiness_check("redis", || {
            Box::pin(async { Err("connection refused".to_owned()) })
        })
        .readiness_check("slow", || {
            Box::pin(async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                Ok(())
            })
        })
        .readiness_timeout(Duration::from_millis(100))
        .build();
    let server = Server::start(gateway).await;
    let resp = client()
        .get(server.url("/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    let body = json(resp).await;
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["failing"], json!(["redis", "slow"]));
    assert_eq!(body["checks"]["db"]["status"], "ok");
    assert_eq!(body["checks"]["redis"]["error"], "connection refused");
    assert!(
        body["checks"]["slow"]["error"]
            .as_str()
            .unwrap()
            .contains("timed out")
    );
}

#[tokio::test]
async fn metrics_count_requests_latency_and_tokens() {
    let server = Server::start(
        Gateway::builder()
            .chat_model("m", Arc::new(MockProvider::new()))
            .build(),
    )
    .await;
    let ask = json!({"model": "m", "messages": [{"role": "user", "content": "hello there"}]});
    for _ in 0..2 {
        assert_eq!(
            post(&server, "/v1/chat/completions", &ask).await.status(),
            200
        );
    }
    let missing = json!({"model": "x", "messages": []});
    assert_eq!(
        post(&server, "/v1/chat/completions", &missing)
            .await
            .status(),
        404
    );

    let resp = client().get(server.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = resp.text().await.unwrap();
    for line in [
        "# TYPE llm_router_gateway_requests_total counter",
        "llm_router_gateway_requests_total{route=\"/v1/chat/completions\",model=\"m\",status=\"200\"} 2",
        "llm_router_gateway_requests_total{route=\"/v1/chat/completions\",model=\"\",status=\"404\"} 1",
        "# TYPE llm_router_gateway_request_duration_seconds histogram",
        "llm_router_gateway_request_duration_seconds_bucket{route=\"/v1/chat/completions\",model=\"m\",le=\"+Inf\"} 2",
        "llm_router_gateway_request_duration_seconds_count{route=\"/v1/chat/completions\",model=\"m\"} 2",
        "llm_router_gateway_requests_in_flight{route=\"/v1/chat/completions\"} 0",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    let prompt_line = text
        .lines()
        .find(|l| l.starts_with("llm_router_gateway_prompt_tokens_total{model=\"m\"}"))
        .unwrap();
    let n: u64 = prompt_line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(n > 0, "{prompt_line}");
}
