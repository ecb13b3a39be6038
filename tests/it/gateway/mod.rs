//! The gateway end to end: on 127.0.0.1:0, a real HTTP client, mock and wiremock-backed
//! providers, and the official OpenAI and Anthropic Python SDKs (`sdk`).
#![allow(unreachable_pub)]

mod support;

mod bad_input;
mod chat;
mod deadline;
mod embeddings;
mod errors;
mod failover;
mod health;
mod images;
mod keys;
mod lifecycle;
mod messages;
mod models;
mod sdk;
mod streaming;
