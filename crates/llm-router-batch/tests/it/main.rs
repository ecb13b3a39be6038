//! Integration tests of llm-router-batch, with the mock provider and fakes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod jsonl;
mod remote;
mod run;
