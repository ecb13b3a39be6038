//! `POST /v1/images/generations`.

use std::sync::Arc;

use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use llm_router_core::{ErrorKind, ImageRequest};
use tracing::Instrument as _;

use super::{admit, read_body};
use crate::context::{Ctx, parse};
use crate::error::{Failure, Flavor};
use crate::keys::KeySource;
use crate::metrics::Route;
use crate::state::{Inner, model_not_found};

pub(crate) async fn handle(
    State(g): State<Arc<Inner>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut ctx = Ctx::begin(g, Route::Images, &headers);
    let result = run(&mut ctx, &headers, body).await;
    ctx.answer(result, Flavor::OpenAi)
}

async fn run(
    ctx: &mut Ctx,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Vec<u8>, Failure> {
    let g = Arc::clone(&ctx.g);
    let caller = g.keys.authenticate(headers, KeySource::Bearer)?;
    let mut req: ImageRequest = parse(&read_body(body)?)?;
    // `model` is optional at OpenAI; here it may be left out only when one image model exists.
    let requested = req.model.take();
    let (name, target) = match requested.as_deref() {
        Some(name) => (name, g.image.get(name, caller.as_deref())?),
        None => match g.image.single() {
            Some((name, t)) if caller.as_deref().is_none_or(|c| c.allows(name)) => (name, t),
            Some((name, _)) => return Err(model_not_found(name)),
            None => {
                return Err(Failure::new(
                    ErrorKind::InvalidRequest,
                    "invalid_request",
                    "`model` is required: this gateway serves several image models.",
                )
                .with_param("model"));
            }
        },
    };
    ctx.set_model(name, target.metric);
    let _admitted = admit(caller.as_deref())?;
    req.model = Some(target.upstream.clone().unwrap_or_else(|| name.to_owned()));
    let resp = ctx
        .g
        .deadline(target.provider.generate(req))
        .instrument(ctx.span.clone())
        .await?;
    Ok(serde_json::to_vec(&resp).unwrap_or_default())
}
