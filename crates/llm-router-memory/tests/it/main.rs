//! Integration tests of llm-router-memory: fitting strategies, truncation at character
//! boundaries, incremental summaries (provider calls counted on the mock), stores, and a
//! property test that budgets hold and tool-call units are never split.
//!
//! Redis tests (feature `redis`) use the server at `REDIS_URL` (default
//! `redis://127.0.0.1:6379`; required when `CI` is set) under a key prefix unique to the run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod fit;
mod prop;
#[cfg(feature = "redis")]
mod redis;
mod store;
mod summarize;
mod truncate;
