//! `llm-router config check FILE`: parse and validate without starting anything.

use std::path::{Path, PathBuf};

use clap::Args;
use llm_router_config::Config;

use crate::Failure;

/// Arguments of `config check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The file to check (default: --config / $LLM_ROUTER_CONFIG).
    file: Option<PathBuf>,
}

/// Parses and validates the file; prints what it would serve.
pub(crate) fn run(global: Option<&Path>, args: CheckArgs) -> Result<(), Failure> {
    let path =
        args.file.as_deref().or(global).ok_or_else(|| {
            Failure("config check needs a file: llm-router config check FILE".into())
        })?;
    let config = Config::from_path(path)?;
    config.validate()?;
    println!("{}: ok", path.display());
    Ok(())
}
