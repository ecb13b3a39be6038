//! Test support for llm-router's own crates (a dev-dependency only, never published).
//!
//! - [`split`]: byte streams cut at every offset, byte by byte, or ending in a disconnect;
//! - [`wire`]: wiremock responses in provider shapes and a server that hangs up mid-body;
//! - [`fixtures`]: reading `tests/fixtures/*`;
//! - [`openai_spec`]: validation against OpenAI's official schemas and its documented examples;
//! - [`anthropic_spec`]: validation against Anthropic's Messages API schemas, with the newer
//!   API features documented as deviations;
//! - [`conformance`]: the suite every provider crate runs.
//!
//! Test-support code may panic with a clear message: that is how a test fails.
//!
//! # Example
//!
//! ```
//! use llm_router_testkit::openai_spec::{json_equivalent, validate};
//! use serde_json::json;
//!
//! let body = json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]});
//! assert!(validate("CreateChatCompletionRequest", &body).is_ok());
//! assert!(validate("CreateChatCompletionRequest", &json!({"model": 1})).is_err());
//! assert!(json_equivalent(&json!({"a": 1, "b": null}), &json!({"a": 1.0})));
//!
//! let message = json!({"model": "claude-sonnet-4-5", "max_tokens": 1024,
//!                      "messages": [{"role": "user", "content": "Hi"}]});
//! llm_router_testkit::anthropic_spec::assert_valid_request(&message, false);
//! assert!(llm_router_testkit::anthropic_spec::validate("CreateMessageParams", &json!({})).is_err());
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod anthropic_spec;
pub mod conformance;
pub mod fixtures;
pub mod openai_spec;
pub mod split;
pub mod wire;
