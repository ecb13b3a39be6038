//! End-to-end tests across crates: the facade, layers, the OpenAI adapter over real HTTP, and
//! the mock provider.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod chaos;
mod cross_provider;
mod layered;
mod readme;
