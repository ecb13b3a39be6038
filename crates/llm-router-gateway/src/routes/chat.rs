//! `POST /v1/chat/completions`: JSON, or SSE when the body says `"stream": true`.

use std::sync::Arc;

use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use tracing::Instrument as _;

use super::{ChatCall, prepare_chat};
use crate::context::{Ctx, parse};
use crate::error::{Failure, Flavor};
use crate::keys::KeySource;
use crate::metrics::Route;
use crate::sse::{self, OpenAiFormat};
use crate::state::Inner;

pub(crate) async fn handle(
    State(g): State<Arc<Inner>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut ctx = Ctx::begin(g, Route::Chat, &headers);
    let call = match prepare_chat(&mut ctx, &headers, body, KeySource::Bearer, parse) {
        Ok(call) => call,
        Err(f) => return ctx.fail(f, Flavor::OpenAi),
    };
    let ChatCall {
        provider,
        req,
        alias,
        admitted,
    } = call;
    let span = ctx.span.clone();
    if req.stream == Some(true) {
        let format = OpenAiFormat {
            include_usage: req.wants_stream_usage(),
        };
        let g = Arc::clone(&ctx.g);
        match g.deadline(provider.chat_stream(req)).instrument(span).await {
            Ok(stream) => sse::response(ctx, stream, format, alias, admitted),
            Err(e) => ctx.fail(e.into(), Flavor::OpenAi),
        }
    } else {
        let result = ctx.g.deadline(provider.chat(req)).instrument(span).await;
        drop(admitted);
        let body = result.map_err(Failure::from).map(|mut resp| {
            if let Some(u) = &resp.usage {
                ctx.g
                    .metrics
                    .tokens(ctx.model, u.prompt_tokens, u.completion_tokens);
            }
            resp.model = alias;
            serde_json::to_vec(&resp).unwrap_or_default()
        });
        ctx.answer(body, Flavor::OpenAi)
    }
}
