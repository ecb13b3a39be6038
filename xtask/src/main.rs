//! Project tooling for llm-router, run as `cargo xtask <command>` (alias in `.cargo/config.toml`).
//!
//! - `ci`: everything CI checks, in order, stopping at the first failure.
//! - `tidy`: the architecture invariants, checked from `cargo metadata` and the manifests.
//! - `bench`: builds the release `llm-router` binary, then `cargo bench -p benches` (extra
//!   arguments passed through); the gateway load bench writes BENCHMARKS.md.
//!
//! Plain `std::process::Command`, `anyhow` and `serde_json`: nothing else to compile.

mod ci;
mod tidy;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  ci            fmt --check, clippy, tests, doc, deny, tidy (stops at the first failure)
  tidy          check the architecture invariants (folder names, dependency direction, docs, features)
  bench [ARGS]  cargo bench -p benches [ARGS]
  codegen       regenerate generated docs (the README provider table) from the crates' INFO";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Dispatches on the first argument.
fn run() -> Result<()> {
    let mut args = std::env::args_os().skip(1);
    let command = args.next().map(|a| a.to_string_lossy().into_owned());
    let rest: Vec<OsString> = args.collect();
    let root = workspace_root()?;
    match command.as_deref() {
        Some("ci") => ci::run(&root),
        Some("tidy") => tidy::run(&root),
        Some("bench") => bench(&root, &rest),
        Some("codegen") => codegen(&root),
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => anyhow::bail!("unknown command `{other}`\n\n{USAGE}"),
        None => anyhow::bail!("no command given\n\n{USAGE}"),
    }
}

/// `cargo bench -p benches`, with any extra arguments passed through. The gateway load bench
/// (`benches/gateway_load.rs`) runs the real `llm-router` binary, so a release build of it is
/// made first and handed over in `LLM_ROUTER_BIN`.
fn bench(root: &Path, args: &[OsString]) -> Result<()> {
    let mut build = cargo(root);
    build.args([
        "build",
        "--release",
        "-p",
        "llm-router-cli",
        "--bin",
        "llm-router",
    ]);
    run_status(&mut build, "cargo build --release -p llm-router-cli")?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let bin = target.join("release").join("llm-router");
    let mut cmd = cargo(root);
    cmd.args(["bench", "-p", "benches"])
        .args(args)
        .env("LLM_ROUTER_BIN", bin);
    run_status(&mut cmd, "cargo bench -p benches")
}

/// Rewrites generated documentation. The generator is the test that checks it
/// (`tests/it/readme.rs`), run with `LLM_ROUTER_BLESS=1`, so generation and check cannot differ.
fn codegen(root: &Path) -> Result<()> {
    let mut cmd = cargo(root);
    cmd.args(["test", "-p", "tests", "--test", "it", "readme"])
        .env("LLM_ROUTER_BLESS", "1");
    run_status(
        &mut cmd,
        "cargo test -p tests --test it readme (LLM_ROUTER_BLESS=1)",
    )
}

/// The workspace root: the parent of this crate's folder.
fn workspace_root() -> Result<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .context("xtask's manifest directory has no parent")
}

/// A `cargo` command (the same cargo that runs xtask, when known) run from the workspace root.
fn cargo(root: &Path) -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut cmd = Command::new(program);
    cmd.current_dir(root);
    cmd
}

/// Runs `cmd` with inherited stdio and turns a non-zero exit into an error naming `what`.
fn run_status(cmd: &mut Command, what: &str) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{what}`"))?;
    anyhow::ensure!(status.success(), "`{what}` failed ({status})");
    Ok(())
}
