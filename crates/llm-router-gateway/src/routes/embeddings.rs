//! `POST /v1/embeddings`, float or base64 as the client asked, whatever the provider sent.

use std::sync::Arc;

use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use llm_router_core::{Embedding, EmbeddingRequest, EmbeddingResponse, EncodingFormat};
use llm_router_limiter::CallerKey as LimiterCallerKey;
use tracing::Instrument as _;

use super::{admit, read_body};
use crate::context::{Ctx, parse};
use crate::error::{Failure, Flavor};
use crate::keys::KeySource;
use crate::metrics::Route;
use crate::state::Inner;

pub(crate) async fn handle(
    State(g): State<Arc<Inner>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut ctx = Ctx::begin(g, Route::Embeddings, &headers);
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
    let mut req: EmbeddingRequest = parse(&read_body(body)?)?;
    let target = g.embedding.get(&req.model, caller.as_deref())?;
    ctx.set_model(&req.model, target.metric);
    let _admitted = admit(caller.as_deref())?;
    let provider = match &caller {
        Some(c) => {
            req.extensions.insert(LimiterCallerKey(c.name.to_string()));
            c.limits.embedding(&target.provider)
        }
        None => Arc::clone(&target.provider),
    };
    let alias = match &target.upstream {
        Some(up) => std::mem::replace(&mut req.model, up.clone()),
        None => req.model.clone(),
    };
    let base64 = req.encoding_format == Some(EncodingFormat::Base64);
    let mut resp = ctx
        .g
        .deadline(provider.embed(req))
        .instrument(ctx.span.clone())
        .await?;
    if let Some(u) = &resp.usage {
        g.metrics.tokens(ctx.model, u.prompt_tokens, 0);
    }
    encode(&mut resp, base64)?;
    resp.model = alias;
    Ok(serde_json::to_vec(&resp).unwrap_or_default())
}

/// Puts every vector in the form the client asked for: base64 of little-endian `f32`s when it
/// sent `encoding_format: "base64"` (the OpenAI SDKs' default), JSON numbers otherwise.
fn encode(resp: &mut EmbeddingResponse, base64: bool) -> Result<(), Failure> {
    for d in &mut resp.data {
        match (&d.embedding, base64) {
            (Embedding::Float(v), true) => {
                d.embedding = Embedding::Base64(Embedding::encode_base64(v))
            }
            (Embedding::Base64(_), false) => {
                d.embedding = Embedding::Float(d.embedding.to_floats()?)
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use llm_router_core::EmbeddingData;

    #[test]
    fn converts_both_ways() {
        let v = vec![0.25f32, -1.5];
        let mut resp = EmbeddingResponse {
            data: vec![EmbeddingData::new(0, v.clone())],
            ..EmbeddingResponse::default()
        };
        encode(&mut resp, true).unwrap();
        assert!(matches!(resp.data[0].embedding, Embedding::Base64(_)));
        assert_eq!(resp.data[0].embedding.to_floats().unwrap(), v);
        encode(&mut resp, false).unwrap();
        assert_eq!(resp.data[0].embedding, Embedding::Float(v));
    }
}
