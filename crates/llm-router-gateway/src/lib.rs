//! An OpenAI-compatible HTTP gateway in front of any llm-router provider, as an axum
//! [`Router`](axum::Router) you mount in your own app or run with [`Gateway::serve`].
//!
//! Configure it with [`Gateway::builder`]: models by the names clients use (each backed by a
//! [`SharedChat`](llm_router_core::SharedChat), [`SharedEmbedding`](llm_router_core::SharedEmbedding)
//! or [`SharedImage`](llm_router_core::SharedImage) — a provider, a layered stack, a router),
//! optional [`CallerKey`]s with their models and limits, readiness checks, the body limit and
//! the shutdown grace.
//!
//! # Routes
//!
//! | route | |
//! |---|---|
//! | `POST /v1/chat/completions` | JSON, or SSE with `"stream": true` |
//! | `POST /v1/embeddings` | `encoding_format` `float` or `base64` |
//! | `POST /v1/images/generations` | |
//! | `GET /v1/models`, `GET /v1/models/{id}` | with keys: only the key's models |
//! | `POST /v1/messages` | Anthropic's Messages API over the same chat models |
//! | `POST /v1/messages/count_tokens` | `{"input_tokens": N}`, counted locally (exact for OpenAI models, an estimate for others) |
//! | `GET /health/live`, `GET /health/ready` | no key needed |
//! | `GET /metrics` | Prometheus text, no key needed |
//!
//! # Behaviour
//!
//! - **Bodies** parse into the canonical types; unknown fields land in `extra` and go to the
//!   provider. Malformed JSON, wrong types, missing fields and invalid UTF-8 are 400s; a body
//!   over the limit is a 413. All errors use OpenAI's shape
//!   `{"error": {"message", "type", "param", "code"}}` (Anthropic's on `/v1/messages` and
//!   `/v1/messages/count_tokens`).
//! - **Statuses**: unknown model 404 (`model_not_found`, checked before any stream starts);
//!   missing or unknown key 401; a model the key may not use is also a **404**, like an
//!   unknown one (a key does not learn which other models exist, and `/v1/models` lists only
//!   its own); rate limited 429 with `Retry-After` (seconds, rounded up) and
//!   `retry-after-ms`; context length, content filter, unsupported 400; upstream 5xx,
//!   connection and decode failures 502, and an upstream that refused the gateway's own
//!   credentials 502 too; timeouts 504.
//! - **`model` in responses** is the name the client asked for, even when the gateway sent
//!   another name upstream ([`GatewayBuilder::chat_model_as`]) or a router picked a deployment.
//! - **Streams** are written chunk by chunk as the provider yields them, never collected,
//!   ending with `data: [DONE]`. Usage chunks are passed on when the client asked with
//!   `stream_options.include_usage`; usage a provider sends unasked is taken off (a
//!   usage-only chunk is dropped), though it still counts in the metrics. An error after the
//!   stream started is sent as one event `data: {"error": {...}}` in the same shape as error
//!   bodies, and the stream then ends without `[DONE]`. A client that disconnects drops the
//!   provider's stream, which cancels the upstream request.
//! - **Caller keys** are stored as SHA-256 digests and compared in constant time; each has its
//!   allowed models, requests per minute and concurrency (lock-free, every model route) and
//!   tokens per minute (chat and embeddings, through `llm-router-limiter`). The key's name
//!   goes into the request's extensions as the limiter's
//!   [`CallerKey`](llm_router_limiter::CallerKey), so layers in your provider stacks can
//!   scope by caller too.
//! - **Token counts** (`/v1/messages/count_tokens`, which Claude Code calls) are computed by
//!   the gateway with `llm-router-tokens` over the converted request, never asked upstream,
//!   and do not count against the key's limits: OpenAI's accounting (per-message overhead,
//!   the cookbook's tool overhead) with the encoding of the model sent upstream. Exact for
//!   OpenAI model families; **an estimate for every other model** (Claude, Gemini, … have
//!   tokenizers of their own). `max_tokens` is optional there, as on Anthropic.
//! - **Request ids**: a sane `x-request-id` from the client is kept, else one is made; it is
//!   echoed on every response and recorded on the request's tracing span.
//! - **Shutdown** ([`Gateway::serve`]): stop accepting, report not ready, let in-flight
//!   requests and streams finish within the grace period, then cut them.
//!
//! CORS is not built in: add `tower_http::cors::CorsLayer` to [`Gateway::router`] if browsers
//! call the gateway directly.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use axum::body::Body;
//! use axum::http::{Request, StatusCode};
//! use llm_router_gateway::{CallerKey, Gateway};
//! use llm_router_mock::MockProvider;
//! use tower::ServiceExt as _;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! rt.block_on(async {
//!     let mock = Arc::new(MockProvider::new().reply("hello", "Hi there!"));
//!     let gateway = Gateway::builder()
//!         .chat_model("fast", mock.clone())
//!         .embedding_model("embed", mock)
//!         .caller_key(CallerKey::from_secret("team-a", "sk-team-a").requests_per_minute(60))
//!         .build();
//!
//!     let request = Request::post("/v1/chat/completions")
//!         .header("authorization", "Bearer sk-team-a")
//!         .header("content-type", "application/json")
//!         .body(Body::from(r#"{"model":"fast","messages":[{"role":"user","content":"hello"}]}"#))?;
//!     let response = gateway.router().oneshot(request).await?;
//!     assert_eq!(response.status(), StatusCode::OK);
//!     assert!(response.headers().contains_key("x-request-id"));
//!     let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
//!     let json: serde_json::Value = serde_json::from_slice(&body)?;
//!     assert_eq!(json["choices"][0]["message"]["content"], "Hi there!");
//!     assert_eq!(json["model"], "fast");
//!
//!     // Without the key: OpenAI's 401.
//!     let request = Request::get("/v1/models").body(Body::empty())?;
//!     let response = gateway.router().oneshot(request).await?;
//!     assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
//!     Ok::<_, Box<dyn std::error::Error>>(())
//! })
//! # }
//! ```
//!
//! To run it: `gateway.serve(tokio::net::TcpListener::bind("0.0.0.0:8080").await?, shutdown)`.

mod builder;
mod context;
mod error;
mod gateway;
mod keys;
mod limits;
mod metrics;
mod request_id;
mod routes;
mod sse;
mod state;

pub use builder::{
    DEFAULT_BODY_LIMIT, DEFAULT_CHECK_TIMEOUT, DEFAULT_OWNER, DEFAULT_SHUTDOWN_GRACE,
    DEFAULT_SSE_KEEP_ALIVE, GatewayBuilder,
};
pub use futures_util::future::BoxFuture;
pub use gateway::Gateway;
pub use keys::CallerKey;
