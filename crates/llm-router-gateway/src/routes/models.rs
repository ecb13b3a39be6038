//! `GET /v1/models` and `GET /v1/models/{id}`: the gateway's model names (with caller keys,
//! only those the key may use).

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use llm_router_core::{ModelInfo, ModelList};

use crate::context::Ctx;
use crate::error::{Failure, Flavor};
use crate::keys::{Caller, KeySource};
use crate::metrics::Route;
use crate::state::{Inner, model_not_found};

fn visible<'a>(g: &'a Inner, caller: Option<&'a Caller>) -> impl Iterator<Item = &'a ModelInfo> {
    g.listed
        .iter()
        .filter(move |m| caller.is_none_or(|c| c.allows(&m.id)))
}

pub(crate) async fn list(State(g): State<Arc<Inner>>, headers: HeaderMap) -> Response {
    let ctx = Ctx::begin(g, Route::Models, &headers);
    let result = ctx
        .g
        .keys
        .authenticate(&headers, KeySource::Bearer)
        .map(|caller| {
            let list = ModelList {
                object: "list".to_owned(),
                data: visible(&ctx.g, caller.as_deref()).cloned().collect(),
            };
            serde_json::to_vec(&list).unwrap_or_default()
        });
    ctx.answer(result, Flavor::OpenAi)
}

pub(crate) async fn get(
    State(g): State<Arc<Inner>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let ctx = Ctx::begin(g, Route::Models, &headers);
    let result = find(&ctx, &headers, id);
    ctx.answer(result, Flavor::OpenAi)
}

fn find(
    ctx: &Ctx,
    headers: &HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Vec<u8>, Failure> {
    let caller = ctx.g.keys.authenticate(headers, KeySource::Bearer)?;
    let id = id.map(|Path(id)| id).unwrap_or_default();
    let model = visible(&ctx.g, caller.as_deref())
        .find(|m| m.id == id)
        .ok_or_else(|| model_not_found(&id))?;
    Ok(serde_json::to_vec(model).unwrap_or_default())
}
