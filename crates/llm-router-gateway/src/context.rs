//! One request's bookkeeping: its id, route, model slot, clock, in-flight count and span.
//! Every route builds one first and answers through it, so ids, metrics and logs are the
//! same for every wire format.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use tracing::Span;

use crate::error::{Failure, Flavor};
use crate::metrics::Route;
use crate::request_id::REQUEST_ID;
use crate::state::Inner;

/// A request in progress.
pub(crate) struct Ctx {
    pub(crate) g: Arc<Inner>,
    pub(crate) route: Route,
    pub(crate) id: HeaderValue,
    pub(crate) model: usize,
    started: Instant,
    pub(crate) span: Span,
}

impl Ctx {
    /// Starts the clock, takes or makes the request id, counts the request in flight.
    pub(crate) fn begin(g: Arc<Inner>, route: Route, headers: &HeaderMap) -> Self {
        let id = g.ids.for_request(headers);
        g.metrics.enter(route);
        let span = tracing::info_span!(
            "gateway",
            // `display`: the fmt subscriber writes span fields as they are recorded, and a
            // plain `&str` goes through `Debug` (escaped char by char).
            request_id = tracing::field::display(id.to_str().unwrap_or("")),
            route = tracing::field::display(route.path()),
            model = tracing::field::Empty,
            caller = tracing::field::Empty,
        );
        let model = g.metrics.unknown_model();
        Self {
            g,
            route,
            id,
            model,
            started: Instant::now(),
            span,
        }
    }

    /// Notes the model (for metrics and the span).
    pub(crate) fn set_model(&mut self, name: &str, metric: usize) {
        self.model = metric;
        self.span.record("model", tracing::field::display(name));
    }

    /// Counts the request as answered with `status` now.
    pub(crate) fn record(&self, status: StatusCode) {
        self.g.metrics.record(
            self.route,
            self.model,
            status.as_u16(),
            self.started.elapsed(),
        );
    }

    /// A 200 JSON answer.
    pub(crate) fn json(self, body: Vec<u8>) -> Response {
        self.record(StatusCode::OK);
        let mut resp = Response::new(Body::from(body));
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        h.insert(REQUEST_ID, self.id.clone());
        resp
    }

    /// The error answer in the route's format, logged (5xx as warnings).
    pub(crate) fn fail(self, failure: Failure, flavor: Flavor) -> Response {
        let resp = failure_response(&self, failure, flavor);
        self.record(resp.status());
        resp
    }

    /// `Ok` bodies as JSON, errors in the route's format.
    pub(crate) fn answer(self, result: Result<Vec<u8>, Failure>, flavor: Flavor) -> Response {
        match result {
            Ok(body) => self.json(body),
            Err(f) => self.fail(f, flavor),
        }
    }
}

fn failure_response(ctx: &Ctx, failure: Failure, flavor: Flavor) -> Response {
    let _in = ctx.span.enter();
    let err = &failure.error;
    let status = failure.status();
    if status.is_server_error() {
        tracing::warn!(status = status.as_u16(), error = %err, "request failed");
    } else {
        tracing::debug!(status = status.as_u16(), error = %err, "request refused");
    }
    failure.into_response(flavor, &ctx.id)
}

impl Drop for Ctx {
    fn drop(&mut self) {
        self.g.metrics.leave(self.route);
    }
}

/// Parses a JSON body; malformed JSON, wrong types and missing fields are OpenAI-shaped 400s.
pub(crate) fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, Failure> {
    serde_json::from_slice(body).map_err(|e| {
        use serde_json::error::Category;
        let kind = llm_router_core::ErrorKind::InvalidRequest;
        match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => Failure::new(
                kind,
                "invalid_json",
                format!("We could not parse the JSON body of your request: {e}"),
            ),
            Category::Data => {
                let msg = e.to_string();
                let failure = Failure::new(
                    kind,
                    "invalid_request",
                    format!("Invalid request body: {msg}"),
                );
                match missing_field(&msg) {
                    Some(field) => failure.with_param(field),
                    None => failure,
                }
            }
        }
    })
}

/// `missing field `model`` → `model`.
fn missing_field(msg: &str) -> Option<&str> {
    let rest = msg.strip_prefix("missing field `")?;
    rest.split('`').next()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use llm_router_core::ChatRequest;

    #[test]
    fn parse_errors_are_400s_with_param() {
        let f = parse::<ChatRequest>(&Bytes::from_static(b"{\"messages\": []}")).unwrap_err();
        assert_eq!(f.status(), StatusCode::BAD_REQUEST);
        assert_eq!(f.error.code(), Some("invalid_request"));
        let body: serde_json::Value =
            serde_json::from_slice(&crate::error::openai_body(&f.error, Some("model"))).unwrap();
        assert_eq!(body["error"]["param"], "model");
        let f = parse::<ChatRequest>(&Bytes::from_static(b"{nope")).unwrap_err();
        assert_eq!(f.error.code(), Some("invalid_json"));
        assert_eq!(
            missing_field("missing field `input` at line 1"),
            Some("input")
        );
    }
}
