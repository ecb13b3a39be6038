//! Reading the configuration every command starts from.

use std::path::Path;

use llm_router_config::{Config, Runtime};

use crate::Failure;

/// The configuration at `path`, or the built-in default when there is none.
pub(crate) fn config(path: Option<&Path>) -> Result<Config, Failure> {
    match path {
        Some(path) => Ok(Config::from_path(path)?),
        None => Ok(Config::builtin_default()),
    }
}

/// The configuration, validated and built into providers and layers.
pub(crate) async fn runtime(path: Option<&Path>) -> Result<Runtime, Failure> {
    let config = config(path)?;
    config.validate()?;
    Ok(config.build().await?)
}
