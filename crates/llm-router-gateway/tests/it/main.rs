//! End-to-end tests: the gateway on 127.0.0.1:0, a real HTTP client, mock and wiremock-backed
//! providers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod support;

mod bad_input;
mod chat;
mod embeddings;
mod errors;
mod failover;
mod health;
mod images;
mod keys;
mod lifecycle;
mod messages;
mod models;
mod streaming;
