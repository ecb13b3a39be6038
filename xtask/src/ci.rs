//! `cargo xtask ci`: the full check, in the order a failure is cheapest to find.
//!
//! fmt → clippy → tests (nextest if installed, then doctests) → rustdoc with `-D warnings` →
//! `cargo deny check bans licenses sources` (advisories need the network) → tidy.
//! Stops at the first failing step and names it; prints a timing line per step.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result};

use crate::{cargo, run_status};

/// Runs every CI step in order.
pub(crate) fn run(root: &Path) -> Result<()> {
    let start = Instant::now();

    step("fmt", || {
        run_cargo(root, &["fmt", "--all", "--", "--check"], &[])
    })?;
    step("clippy", || {
        run_cargo(
            root,
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ],
            &[],
        )
    })?;
    if succeeds(root, &["nextest", "--version"]) {
        step("test (nextest)", || {
            run_cargo(
                root,
                &[
                    "nextest",
                    "run",
                    "--workspace",
                    "--all-features",
                    "--no-fail-fast",
                ],
                &[],
            )
        })?;
    } else {
        println!("xtask: cargo-nextest not installed, using cargo test");
        step("test", || {
            run_cargo(
                root,
                &["test", "--workspace", "--all-features", "--no-fail-fast"],
                &[],
            )
        })?;
    }
    step("doctest", || {
        run_cargo(
            root,
            &["test", "--workspace", "--all-features", "--doc"],
            &[],
        )
    })?;
    step("doc", || {
        run_cargo(
            root,
            &["doc", "--workspace", "--no-deps", "--all-features"],
            &[("RUSTDOCFLAGS", "-D warnings")],
        )
    })?;
    step("deny", || {
        if !succeeds(root, &["deny", "--version"]) {
            println!(
                "xtask: cargo-deny not found, installing it (cargo install cargo-deny --locked)"
            );
            run_cargo(root, &["install", "cargo-deny", "--locked"], &[])?;
        }
        run_cargo(root, &["deny", "check", "bans", "licenses", "sources"], &[])
    })?;
    step("tidy", || crate::tidy::run(root))?;

    println!("xtask: ci ok in {:.1}s", start.elapsed().as_secs_f64());
    Ok(())
}

/// Runs one named step, printing `xtask: <name> ok in 1.2s` or failing with the step's name.
fn step(name: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    println!("xtask: ── {name} ──");
    let start = Instant::now();
    f().with_context(|| {
        format!(
            "ci step `{name}` failed after {:.1}s",
            start.elapsed().as_secs_f64()
        )
    })?;
    println!("xtask: {name} ok in {:.1}s", start.elapsed().as_secs_f64());
    Ok(())
}

/// `cargo <args>` from the workspace root with extra environment variables.
fn run_cargo(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let mut cmd: Command = cargo(root);
    cmd.args(args);
    for (key, value) in env {
        cmd.env(key, value);
    }
    let shown = env
        .iter()
        .map(|(k, v)| format!("{k}=\"{v}\" "))
        .collect::<String>();
    let what = format!("{shown}cargo {}", args.join(" "));
    println!("xtask: $ {what}");
    run_status(&mut cmd, &what)
}

/// Whether `cargo <args>` exits successfully (used to probe for installed subcommands).
fn succeeds(root: &Path, args: &[&str]) -> bool {
    cargo(root)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
