//! Integration tests of the cache layer and its three stores.
//!
//! Redis tests (feature `redis`) use the server at `REDIS_URL` (default
//! `redis://127.0.0.1:6379`; required when `CI` is set) with a namespace of their own, and
//! start private `redis-server` processes for the tests that stop or fill a server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod suite;

#[cfg(feature = "disk")]
mod disk;
mod key;
mod layer;
mod memory;
#[cfg(feature = "redis")]
mod redis;
