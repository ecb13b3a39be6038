//! Retries with exponential backoff, jitter and `retry_after`, for one target.
//!
//! What is different here: the retry loop gives up *early* when waiting is the wrong move. A
//! provider asking for more than `max_delay` gets its error handed straight back (the router
//! above falls back to another target rather than sleeping), and a stream is only retried
//! while no chunk has reached the caller (after that nothing is replayed silently).

mod layer;
mod policy;
mod service;

pub use layer::RetryLayer;
pub use policy::{Jitter, RetryPolicy};
