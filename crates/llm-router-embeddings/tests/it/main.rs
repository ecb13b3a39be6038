//! Integration tests of llm-router-embeddings, against a counting fake provider and the mock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod embedder;
mod merge;
mod options;
mod support;
