//! Batch processing for llm-router: many chat requests at once.
//!
//! Two ways to run a batch:
//!
//! - **Locally, against any provider** — [`Batch`] sends the requests itself through a
//!   [`ChatProvider`](llm_router_core::ChatProvider) (a client, a router, a layered stack):
//!   bounded concurrency, optional per-item [`RetryPolicy`] (backoff, `Retry-After`
//!   honoured), a [`Progress`] callback after each item, a [`CancelToken`]. Results come back
//!   in input order, one `Result` per request: a failed item never loses the others.
//! - **At the provider, through its batch API** — OpenAI's Batch API and Anthropic's Message
//!   Batches run a day's worth of requests at half price. Their clients implement
//!   [`BatchProvider`](llm_router_core::BatchProvider); this crate adds the
//!   provider-agnostic loop around it: [`submit`], [`status`], [`wait_for`] (poll until the
//!   job ends), [`results`], [`in_input_order`] / [`job_results_in_order`], [`cancel`].
//!
//! This crate never names a provider; it works on the traits of `llm-router-core`.
//!
//! # Batch files
//!
//! [`parse_jsonl`] and [`read_jsonl_file`] read one request per line, in either form (mixed
//! freely; blank lines skipped):
//!
//! - OpenAI's batch input format: `{"custom_id": "a", "method": "POST", "url":
//!   "/v1/chat/completions", "body": {…chat request…}}` — `custom_id` and `body` required,
//!   `method` must be `POST` and `url` a chat-completions path when present;
//! - a plain chat request `{"model": …, "messages": […], …}`, with an optional top-level
//!   `"custom_id"` (taken out of the request); without one the id is `line-<n>`.
//!
//! `stream`/`stream_options` are cleared (batches do not stream). Errors ([`JsonlError`]) name
//! the 1-based line; a repeated `custom_id` names both lines.
//!
//! [`write_results_jsonl`] writes one
//! [`BatchResultRecord`](llm_router_core::BatchResultRecord) per line:
//! `{"custom_id", "response": {…chat completion…}}` or `{"custom_id", "error": {"kind",
//! "message", "provider"?, "status"?, "code"?}}`; [`parse_results_jsonl`] reads them back.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use llm_router_batch::{Batch, CancelToken, RetryPolicy};
//! use llm_router_mock::MockProvider;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let items = llm_router_batch::parse_jsonl(r#"
//! {"custom_id": "greet", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "m", "messages": [{"role": "user", "content": "hello"}]}}
//! {"custom_id": "ask", "model": "m", "messages": [{"role": "user", "content": "weather?"}]}
//! "#)?;
//!
//! let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
//! let results = rt.block_on(async {
//!     let mock = MockProvider::new().reply("hello", "Hi!").reply("weather", "Sunny.");
//!     Batch::new(Arc::new(mock))
//!         .concurrency(4)
//!         .retry(RetryPolicy::new(2))
//!         .on_progress(|p| eprintln!("{}/{}", p.done, p.total))
//!         .cancel_token(CancelToken::new())
//!         .run_items(items)
//!         .await
//! });
//! assert_eq!(results[0].custom_id, "greet");
//! assert_eq!(results[1].result.as_ref().map(|r| r.text()).ok().as_deref(), Some("Sunny."));
//!
//! let mut out = Vec::new();
//! llm_router_batch::write_results_jsonl(&mut out, &results)?;
//! let back = llm_router_batch::parse_results_jsonl(std::str::from_utf8(&out)?)?;
//! assert_eq!(back[1].custom_id, "ask");
//! assert_eq!(back[1].response.as_ref().map(|r| r.text()).as_deref(), Some("Sunny."));
//! # Ok(()) }
//! ```

mod cancel;
mod jsonl;
mod remote;
mod retry;
mod run;

pub use cancel::CancelToken;
pub use jsonl::{
    JsonlError, parse_jsonl, parse_results_jsonl, read_jsonl_file, write_results_jsonl,
};
pub use remote::{
    cancel, in_input_order, job_results_in_order, results, status, submit, wait_for,
    wait_for_cancellable,
};
pub use retry::RetryPolicy;
pub use run::{Batch, Progress, items_from_requests};
