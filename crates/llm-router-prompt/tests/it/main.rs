//! Integration tests of llm-router-prompt: strict templates, chat templates, the directory
//! loader and the rendered messages of every built-in template.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod builtin;
mod chat;
mod library;
mod template;
