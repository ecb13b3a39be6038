//! Integration tests of llm-router-config: parsing, error locations, building runtimes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod build;
mod errors;
mod parse;
mod redis;

/// An environment for tests: a fixed set of variables, nothing from the process.
pub(crate) fn env(
    vars: &'static [(&'static str, &'static str)],
) -> impl Fn(&str) -> Option<String> + Sync {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}
