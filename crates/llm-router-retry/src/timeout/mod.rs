//! Deadlines for one attempt, and for a stream after it has started.
//!
//! What is different here: a stream has three clocks. The per-attempt timeout bounds the time
//! to the first chunk (by the first-event rule `chat_stream` returns only once it has one), so
//! its failure is an ordinary retryable [`Timeout`](llm_router_core::ErrorKind::Timeout). The
//! idle timeout and the total deadline run after content has reached the caller, so their
//! failure is [`StreamInterrupted`](llm_router_core::ErrorKind::StreamInterrupted) with code
//! `"timeout"`: a cut answer, never retried or replayed.

mod layer;
mod service;

pub use layer::TimeoutLayer;
