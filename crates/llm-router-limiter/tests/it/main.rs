//! Integration tests of the rate-limit layer, against `llm-router-mock`, under tokio's paused
//! clock where time matters; the Redis tests (feature `redis`) use the real server at
//! `REDIS_URL`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod backend_errors;
mod concurrency;
#[cfg(feature = "redis")]
mod redis_shared;
mod requests;
mod scopes;
mod support;
mod tokens;
