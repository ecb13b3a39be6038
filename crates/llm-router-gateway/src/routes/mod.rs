//! The HTTP handlers, one file per API, and the request path they share.

pub(crate) mod chat;
pub(crate) mod count_tokens;
pub(crate) mod embeddings;
pub(crate) mod health;
pub(crate) mod images;
pub(crate) mod messages;
pub(crate) mod models;

use std::sync::Arc;

use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use bytes::Bytes;
use llm_router_core::{ChatRequest, ErrorKind, SharedChat};
use llm_router_limiter::CallerKey as LimiterCallerKey;

use crate::context::Ctx;
use crate::error::{Failure, Flavor};
use crate::keys::{Caller, KeySource};
use crate::limits::Admitted;
use crate::state::Inner;

/// The body, or a 413 (over the limit) / 400 (unreadable) in the route's format.
pub(crate) fn read_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, Failure> {
    body.map_err(|rejection| {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            Failure::new(
                ErrorKind::InvalidRequest,
                "request_too_large",
                "The request body is larger than this gateway accepts.",
            )
            .with_status(status)
        } else {
            Failure::new(
                ErrorKind::InvalidRequest,
                "invalid_body",
                format!("Could not read the request body: {rejection}"),
            )
        }
    })
}

/// Admits the caller against its key's limits (no key, no limits).
pub(crate) fn admit(caller: Option<&Caller>) -> Result<Admitted, Failure> {
    caller.map_or_else(|| Ok(Admitted::default()), |c| c.limits.admit())
}

/// A chat call ready to send: the provider (with the key's token budget around it), the
/// request (model rewritten to the upstream name), the name the client used, and the
/// admission that holds the key's concurrency slot.
pub(crate) struct ChatCall {
    pub(crate) provider: SharedChat,
    pub(crate) req: ChatRequest,
    pub(crate) alias: String,
    pub(crate) admitted: Admitted,
}

/// Authentication, body, parsing, model lookup and key limits: everything before the
/// provider is called, the same for every chat wire format.
pub(crate) fn prepare_chat(
    ctx: &mut Ctx,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    source: KeySource,
    parse: impl FnOnce(&Bytes) -> Result<ChatRequest, Failure>,
) -> Result<ChatCall, Failure> {
    let g = Arc::clone(&ctx.g);
    let caller = g.keys.authenticate(headers, source)?;
    let body = read_body(body)?;
    let mut req = parse(&body)?;
    let target = g.chat.get(&req.model, caller.as_deref())?;
    ctx.set_model(&req.model, target.metric);
    let admitted = admit(caller.as_deref())?;
    let provider = match &caller {
        Some(c) => {
            ctx.span.record("caller", tracing::field::display(&*c.name));
            req.extensions.insert(LimiterCallerKey(c.name.to_string()));
            c.limits.chat(&target.provider)
        }
        None => Arc::clone(&target.provider),
    };
    let alias = match &target.upstream {
        Some(up) => std::mem::replace(&mut req.model, up.clone()),
        None => req.model.clone(),
    };
    Ok(ChatCall {
        provider,
        req,
        alias,
        admitted,
    })
}

/// OpenAI's answer to an unknown path (used by [`Gateway::serve`](crate::Gateway::serve)).
pub(crate) fn not_found(g: &Inner, method: &Method, uri: &Uri, headers: &HeaderMap) -> Response {
    let failure = Failure::new(
        ErrorKind::InvalidRequest,
        "unknown_url",
        format!("Unknown request URL: {method} {}.", uri.path()),
    )
    .with_status(StatusCode::NOT_FOUND);
    failure.into_response(Flavor::OpenAi, &g.ids.for_request(headers))
}
