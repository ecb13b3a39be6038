//! `POST /v1/messages/count_tokens`: Anthropic's token counting endpoint (Claude Code calls
//! it). The body is a Messages request without the required `max_tokens`; the answer is
//! `{"input_tokens": N}`. Authentication, model lookup, body limit and errors are those of
//! `/v1/messages`; nothing is sent upstream and the key's limits are not charged.
//!
//! The count is `llm-router-tokens`' OpenAI accounting over the converted canonical request
//! (per-message overhead, reply priming, the cookbook's tool overhead) with the encoding of
//! the model sent upstream: exact for OpenAI model families, an estimate for every other
//! model (Claude, Gemini, Llama, … have tokenizers of their own, so the o200k fallback is only
//! close). Anthropic-only fields such as `thinking` are not counted.

use std::sync::{Arc, LazyLock};

use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use llm_router_core::{ChatRequest, Error};
use llm_router_messages_api::{parse_request, request_from_value};
use llm_router_tokens::{TiktokenCounter, TokenCounter as _};
use serde_json::{Value, json};

use super::read_body;
use crate::context::Ctx;
use crate::error::{Failure, Flavor};
use crate::keys::KeySource;
use crate::metrics::Route;
use crate::state::Inner;

/// OpenAI's default encoding table; the BPE tables load once per process.
static COUNTER: LazyLock<TiktokenCounter> = LazyLock::new(TiktokenCounter::default);

pub(crate) async fn handle(
    State(g): State<Arc<Inner>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut ctx = Ctx::begin(g, Route::CountTokens, &headers);
    let result = count(&mut ctx, &headers, body);
    ctx.answer(result, Flavor::Anthropic)
}

fn count(
    ctx: &mut Ctx,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Vec<u8>, Failure> {
    let g = Arc::clone(&ctx.g);
    let caller = g.keys.authenticate(headers, KeySource::ApiKeyOrBearer)?;
    let body = read_body(body)?;
    let req = parse(&body).map_err(Failure::from)?;
    let target = g.chat.get(&req.model, caller.as_deref())?;
    ctx.set_model(&req.model, target.metric);
    if let Some(c) = &caller {
        ctx.span.record("caller", tracing::field::display(&*c.name));
    }
    let model = target.upstream.as_deref().unwrap_or(&req.model);
    let input_tokens = input_tokens(&COUNTER, model, &req);
    Ok(serde_json::to_vec(&json!({ "input_tokens": input_tokens })).unwrap_or_default())
}

/// The tokens of `req`'s messages (the system prompt among them) and tools, with the
/// encoding `model` maps to.
fn input_tokens(counter: &TiktokenCounter, model: &str, req: &ChatRequest) -> usize {
    let c = counter.for_model(model);
    c.count_messages(&req.messages) + c.count_tools(&req.tools)
}

/// A Messages body without `max_tokens` → the canonical request. The converter requires
/// `max_tokens`, which does not change the input count, so a missing one is filled with 1; a
/// body that is not JSON gets the very error `/v1/messages` gives.
fn parse(body: &[u8]) -> Result<ChatRequest, Error> {
    let Ok(mut value) = serde_json::from_slice::<Value>(body) else {
        return parse_request(body);
    };
    if let Some(o) = value.as_object_mut() {
        o.entry("max_tokens").or_insert(json!(1));
    }
    request_from_value(&value)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use llm_router_core::{ErrorKind, Message};

    #[test]
    fn max_tokens_is_optional_and_does_not_change_the_count() {
        let without =
            parse(br#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#).unwrap();
        let with =
            parse(br#"{"model":"m","max_tokens":999,"messages":[{"role":"user","content":"hi"}]}"#)
                .unwrap();
        let counter = TiktokenCounter::default();
        assert_eq!(
            input_tokens(&counter, "m", &without),
            input_tokens(&counter, "m", &with)
        );
        // 3 per message + "user" + "hi" + 3 to prime the reply.
        assert_eq!(input_tokens(&counter, "gpt-4o", &without), 3 + 1 + 1 + 3);
        assert_eq!(without.messages, vec![Message::user("hi")]);
    }

    #[test]
    fn malformed_bodies_are_invalid_requests() {
        for body in [&b"{nope"[..], b"[1]", b"{\"model\":\"m\"}", b"\xff"] {
            assert_eq!(parse(body).unwrap_err().kind(), ErrorKind::InvalidRequest);
        }
    }
}
