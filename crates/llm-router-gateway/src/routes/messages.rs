//! `POST /v1/messages`: Anthropic's Messages API over the same models, keys, limits, metrics
//! and stream writer; only the wire format differs (`llm-router-messages-api` converts).

use std::sync::Arc;

use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use llm_router_core::{ChatChunk, Error, StreamOptions};
use llm_router_messages_api::{StreamEncoder, parse_request, response_body, strip_anthropic_only};
use tracing::Instrument as _;

use super::{ChatCall, prepare_chat};
use crate::context::Ctx;
use crate::error::{Failure, Flavor};
use crate::keys::KeySource;
use crate::metrics::Route;
use crate::sse::{self, StreamFormat, named_event};
use crate::state::Inner;

/// Anthropic's named SSE events, from the messages-api encoder.
struct AnthropicFormat(StreamEncoder);

impl StreamFormat for AnthropicFormat {
    fn chunk(&mut self, chunk: &ChatChunk, out: &mut Vec<u8>) {
        for f in self.0.push(chunk) {
            named_event(out, f.event, &f.data);
        }
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        for f in self.0.finish() {
            named_event(out, f.event, &f.data);
        }
    }

    fn error(&mut self, err: &Error, out: &mut Vec<u8>) {
        let f = self.0.error(err);
        named_event(out, f.event, &f.data);
    }

    /// Anthropic's own keep-alive event, which its SDKs expect and skip.
    fn keep_alive(&mut self, out: &mut Vec<u8>) {
        named_event(out, "ping", r#"{"type": "ping"}"#);
    }
}

pub(crate) async fn handle(
    State(g): State<Arc<Inner>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut ctx = Ctx::begin(g, Route::Messages, &headers);
    let g = Arc::clone(&ctx.g);
    let native = |model: &str| g.anthropic_native.contains(model);
    let parse = |b: &Bytes| {
        let mut req = parse_request(b).map_err(Failure::from)?;
        if !native(&req.model) {
            strip_anthropic_only(&mut req);
        }
        // Anthropic streams always report usage (`message_delta`): ask the provider for it.
        if req.stream == Some(true) {
            req.stream_options
                .get_or_insert_with(StreamOptions::default)
                .include_usage = Some(true);
        }
        Ok(req)
    };
    let call = match prepare_chat(&mut ctx, &headers, body, KeySource::ApiKeyOrBearer, parse) {
        Ok(call) => call,
        Err(f) => return ctx.fail(f, Flavor::Anthropic),
    };
    let ChatCall {
        provider,
        req,
        alias,
        admitted,
    } = call;
    let span = ctx.span.clone();
    if req.stream == Some(true) {
        let g = Arc::clone(&ctx.g);
        match g.deadline(provider.chat_stream(req)).instrument(span).await {
            Ok(stream) => {
                let format = AnthropicFormat(StreamEncoder::new(&alias));
                sse::response(ctx, stream, format, alias, admitted)
            }
            Err(e) => ctx.fail(e.into(), Flavor::Anthropic),
        }
    } else {
        let result = ctx.g.deadline(provider.chat(req)).instrument(span).await;
        drop(admitted);
        let body = result.map_err(Failure::from).map(|resp| {
            if let Some(u) = &resp.usage {
                ctx.g
                    .metrics
                    .tokens(ctx.model, u.prompt_tokens, u.completion_tokens);
            }
            serde_json::to_vec(&response_body(&resp, &alias)).unwrap_or_default()
        });
        ctx.answer(body, Flavor::Anthropic)
    }
}
