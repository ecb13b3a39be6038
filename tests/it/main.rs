//! End-to-end tests across crates: the facade, layers, the OpenAI adapter over real HTTP, the
//! mock provider, and the HTTP gateway (with the official OpenAI and Anthropic SDKs).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod chaos;
mod cross_provider;
mod gateway;
mod layered;
mod readme;
