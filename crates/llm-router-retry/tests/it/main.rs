//! The retry and timeout layers against `llm-router-mock` (and two tiny test providers), all
//! under tokio's paused clock: every wait is exact and takes no real time.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod order;
mod retry;
mod stream;
mod support;
mod timeout;
