//! `GET /health/live`, `GET /health/ready` and `GET /metrics`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::future::join_all;
use serde_json::{Map, Value, json};

use crate::state::Inner;

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.to_string(),
    )
        .into_response()
}

/// Liveness: the process answers. No upstream is called.
pub(crate) async fn live() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        r#"{"status":"ok"}"#,
    )
        .into_response()
}

/// Readiness: every check passes (run concurrently, each within the check timeout), and the
/// gateway is not shutting down. 200 or 503, naming each check's result.
pub(crate) async fn ready(State(g): State<Arc<Inner>>) -> Response {
    let runs = g.checks.iter().map(|(name, check)| {
        let fut = check();
        let timeout = g.check_timeout;
        async move {
            let result = match tokio::time::timeout(timeout, fut).await {
                Ok(r) => r,
                Err(_) => Err(format!("timed out after {timeout:?}")),
            };
            (name.as_str(), result)
        }
    });
    let results = join_all(runs).await;
    let mut checks = Map::new();
    let mut failing = Vec::new();
    for (name, result) in results {
        let v = match result {
            Ok(()) => json!({"status": "ok"}),
            Err(e) => {
                failing.push(name);
                json!({"status": "failing", "error": e})
            }
        };
        checks.insert(name.to_owned(), v);
    }
    let shutting_down = g.shutting_down.load(Ordering::Relaxed);
    let ok = failing.is_empty() && !shutting_down;
    let status = if shutting_down {
        "shutting_down"
    } else if ok {
        "ready"
    } else {
        "not_ready"
    };
    let body = json!({"status": status, "failing": failing, "checks": checks});
    let code = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    json_response(code, &body)
}

/// Prometheus text.
pub(crate) async fn metrics(State(g): State<Arc<Inner>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        g.metrics.render(),
    )
        .into_response()
}
