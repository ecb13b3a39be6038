//! `cargo xtask tidy`: the Architecture Invariants, checked mechanically.
//!
//! Reads `cargo metadata --no-deps` (declared dependencies of every workspace member) and the
//! members' manifests and `lib.rs` files as text. Every violation is printed, then tidy fails if
//! there was any. The checks:
//!
//! - (a) every package under `crates/` sits in `crates/<package name>/` and is named `llm-router*`;
//! - (b) `llm-router-core` has no workspace crate, HTTP client or runtime among its normal deps;
//! - (c) a provider crate depends only on `core`, `http`, `openai-compat` (and `tokens`);
//! - (d) `llm-router-testkit` is never a normal/build dependency of a crate under `crates/`;
//! - (e) every internal dependency line in every member manifest uses `workspace = true`;
//! - (f) every library crate's `lib.rs` opens with `//!` docs and has a doctest;
//! - (g) middleware/feature crates never depend on a provider crate (dev-dependencies included:
//!   they are tested with `llm-router-mock`);
//! - (h) every user-facing library crate has a facade feature of its short name.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::cargo;

/// Package name prefix of every crate under `crates/`.
const PREFIX: &str = "llm-router";
/// The facade crate.
const FACADE: &str = "llm-router";
/// The foundation crate that must stay data + traits.
const CORE: &str = "llm-router-core";
/// The shared HTTP crate; depending on it (normally) marks a provider.
const HTTP: &str = "llm-router-http";
/// The shared OpenAI-dialect adapter (a provider crate itself).
const OPENAI_COMPAT: &str = "llm-router-openai-compat";
/// Dev-dependency-only test helpers.
const TESTKIT: &str = "llm-router-testkit";
/// Crates that may see the whole set, so are never classed as providers.
const APPS: &[&str] = &[
    "llm-router",
    "llm-router-config",
    "llm-router-gateway",
    "llm-router-cli",
];
/// External crates `core` must not depend on: HTTP clients and async runtimes.
const CORE_FORBIDDEN: &[&str] = &[
    "reqwest",
    "hyper",
    "hyper-util",
    "tokio",
    "ureq",
    "async-std",
    "smol",
];
/// The only workspace crates a provider crate may depend on.
const PROVIDER_ALLOWED: &[&str] = &[
    "llm-router-core",
    "llm-router-http",
    "llm-router-openai-compat",
    "llm-router-tokens",
];
/// Middleware and feature crates: they take `Arc<dyn ChatProvider>` and never name a provider.
const LAYERS_AND_FEATURES: &[&str] = &[
    "llm-router-retry",
    "llm-router-limiter",
    "llm-router-cache",
    "llm-router-routing",
    "llm-router-telemetry",
    "llm-router-embeddings",
    "llm-router-tools",
    "llm-router-memory",
    "llm-router-prompt",
    "llm-router-batch",
    "llm-router-rag",
    "llm-router-agent",
    "llm-router-dialog",
    "llm-router-tokens",
    "llm-router-mock",
];
/// Library crates with no facade feature of their own: the facade itself, `core` (always
/// re-exported), test helpers, and the internals reached through provider features.
const NO_FACADE_FEATURE: &[&str] = &[
    "llm-router",
    "llm-router-core",
    "llm-router-testkit",
    "llm-router-http",
    "llm-router-openai-compat",
];

/// Kind of a declared dependency, as `cargo metadata` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DepKind {
    /// `[dependencies]`
    Normal,
    /// `[dev-dependencies]`
    Dev,
    /// `[build-dependencies]`
    Build,
}

/// One declared dependency of a workspace member.
#[derive(Debug)]
struct Dep {
    /// The package name (not the rename).
    name: String,
    /// Which table it is declared in.
    kind: DepKind,
}

/// What tidy needs to know about one workspace member.
#[derive(Debug)]
struct Package {
    /// Package name.
    name: String,
    /// Absolute path of its `Cargo.toml`.
    manifest_path: PathBuf,
    /// Declared dependencies, all kinds and targets.
    deps: Vec<Dep>,
    /// Source path of the library target, if the package has one.
    lib_src: Option<PathBuf>,
    /// Names of the package's features.
    features: BTreeSet<String>,
}

impl Package {
    /// Names of the dependencies for which `keep(kind)` holds.
    fn dep_names(&self, keep: impl Fn(DepKind) -> bool) -> impl Iterator<Item = &str> {
        self.deps
            .iter()
            .filter(move |d| keep(d.kind))
            .map(|d| d.name.as_str())
    }

    /// Whether it declares a normal or build dependency on `name`.
    fn depends_on(&self, name: &str) -> bool {
        self.dep_names(|k| k != DepKind::Dev).any(|d| d == name)
    }
}

/// Runs every check and fails if any violation was found.
pub(crate) fn run(root: &Path) -> Result<()> {
    let (workspace_root, packages) = metadata(root)?;
    let violations = check(&workspace_root, &packages)?;
    for v in &violations {
        println!("tidy: {v}");
    }
    anyhow::ensure!(
        violations.is_empty(),
        "tidy found {} violation(s)",
        violations.len()
    );
    println!("tidy: {} packages, all invariants hold", packages.len());
    Ok(())
}

/// Loads the workspace members from `cargo metadata --format-version 1 --no-deps`.
fn metadata(root: &Path) -> Result<(PathBuf, Vec<Package>)> {
    let output = cargo(root)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .stderr(Stdio::inherit())
        .output()
        .context("could not run `cargo metadata`")?;
    anyhow::ensure!(
        output.status.success(),
        "`cargo metadata` failed ({})",
        output.status
    );
    let json: Value =
        serde_json::from_slice(&output.stdout).context("`cargo metadata` printed invalid JSON")?;
    let workspace_root = PathBuf::from(str_field(&json, "workspace_root")?);
    let packages = json
        .get("packages")
        .and_then(Value::as_array)
        .context("`cargo metadata`: no `packages` array")?
        .iter()
        .map(parse_package)
        .collect::<Result<Vec<_>>>()?;
    Ok((workspace_root, packages))
}

/// Parses one entry of `packages`.
fn parse_package(p: &Value) -> Result<Package> {
    let name = str_field(p, "name")?.to_owned();
    let deps = array_field(p, "dependencies")?
        .iter()
        .map(|d| {
            let kind = match d.get("kind").and_then(Value::as_str) {
                Some("dev") => DepKind::Dev,
                Some("build") => DepKind::Build,
                _ => DepKind::Normal,
            };
            Ok(Dep {
                name: str_field(d, "name")?.to_owned(),
                kind,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let lib_src = array_field(p, "targets")?
        .iter()
        .find(|t| {
            t.get("kind")
                .and_then(Value::as_array)
                .is_some_and(|kinds| {
                    kinds.iter().filter_map(Value::as_str).any(|k| {
                        matches!(
                            k,
                            "lib" | "rlib" | "dylib" | "cdylib" | "staticlib" | "proc-macro"
                        )
                    })
                })
        })
        .map(|t| str_field(t, "src_path").map(PathBuf::from))
        .transpose()?;
    let features = p
        .get("features")
        .and_then(Value::as_object)
        .map(|f| f.keys().cloned().collect())
        .unwrap_or_default();
    Ok(Package {
        manifest_path: PathBuf::from(str_field(p, "manifest_path")?),
        name,
        deps,
        lib_src,
        features,
    })
}

/// A string field of a JSON object.
fn str_field<'a>(v: &'a Value, key: &str) -> Result<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .with_context(|| format!("`cargo metadata`: missing string field `{key}`"))
}

/// An array field of a JSON object.
fn array_field<'a>(v: &'a Value, key: &str) -> Result<&'a Vec<Value>> {
    v.get(key)
        .and_then(Value::as_array)
        .with_context(|| format!("`cargo metadata`: missing array field `{key}`"))
}

/// Every violation in the workspace, in check order.
fn check(root: &Path, packages: &[Package]) -> Result<Vec<String>> {
    let crates_dir = root.join("crates");
    let in_crates = |p: &Package| p.manifest_path.starts_with(&crates_dir);
    let workspace: BTreeSet<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    let providers: BTreeSet<&str> = packages
        .iter()
        .filter(|p| in_crates(p) && is_provider(p))
        .map(|p| p.name.as_str())
        .collect();
    let mut out = Vec::new();

    for p in packages {
        let name = p.name.as_str();
        let rel = p
            .manifest_path
            .strip_prefix(root)
            .unwrap_or(&p.manifest_path)
            .display()
            .to_string();

        if in_crates(p) {
            // (a) flat layout, folder = package name, common prefix
            let expected = crates_dir.join(name).join("Cargo.toml");
            if p.manifest_path != expected {
                out.push(format!(
                    "(a) layout: package `{name}` is at {rel}, expected crates/{name}/Cargo.toml"
                ));
            }
            if !name.starts_with(PREFIX) {
                out.push(format!(
                    "(a) layout: package `{name}` ({rel}) does not start with `{PREFIX}`"
                ));
            }
            // (d) testkit is a dev-dependency only
            if p.depends_on(TESTKIT) {
                out.push(format!(
                    "(d) testkit: `{name}` has `{TESTKIT}` as a normal/build dependency; \
                     it belongs under [dev-dependencies]"
                ));
            }
        }

        // (b) core is data + traits
        if name == CORE {
            for dep in p.dep_names(|k| k == DepKind::Normal) {
                if workspace.contains(dep) {
                    out.push(format!(
                        "(b) core: `{CORE}` depends on workspace crate `{dep}`"
                    ));
                } else if CORE_FORBIDDEN.contains(&dep) {
                    out.push(format!(
                        "(b) core: `{CORE}` depends on `{dep}` (no HTTP client or runtime in core)"
                    ));
                }
            }
        }

        // (c) providers depend only on the foundation
        if providers.contains(name) {
            for dep in p.dep_names(|k| k != DepKind::Dev) {
                if workspace.contains(dep) && !PROVIDER_ALLOWED.contains(&dep) {
                    out.push(format!(
                        "(c) provider: `{name}` depends on `{dep}`; providers may depend only on {}",
                        PROVIDER_ALLOWED.join(", ")
                    ));
                }
            }
        }

        // (g) middleware and features never name a provider (not even in tests)
        if LAYERS_AND_FEATURES.contains(&name) {
            let bad: BTreeSet<&str> = p
                .dep_names(|_| true)
                .filter(|d| providers.contains(d))
                .collect();
            for dep in bad {
                out.push(format!(
                    "(g) layering: `{name}` depends on provider crate `{dep}`; \
                     take `Arc<dyn ChatProvider>` and test with llm-router-mock"
                ));
            }
        }

        // (e) internal dependencies go through [workspace.dependencies]
        let text = std::fs::read_to_string(&p.manifest_path)
            .with_context(|| format!("reading {}", p.manifest_path.display()))?;
        for (line_no, line) in non_workspace_internal_deps(&text) {
            out.push(format!(
                "(e) manifest: {rel}:{line_no}: internal dependency without `workspace = true`: {line}"
            ));
        }

        // (f) crate docs with a doctest
        if in_crates(p)
            && let Some(src) = &p.lib_src
        {
            let src_rel = src.strip_prefix(root).unwrap_or(src).display().to_string();
            match std::fs::read_to_string(src) {
                Err(err) => out.push(format!("(f) docs: cannot read {src_rel}: {err}")),
                Ok(text) => {
                    if !starts_with_crate_docs(&text) {
                        out.push(format!(
                            "(f) docs: {src_rel} does not start with `//!` crate docs"
                        ));
                    }
                    if !has_doctest(&text) {
                        out.push(format!(
                                "(f) docs: {src_rel} has no doctest (a ``` block that is not `ignore`/`text`)"
                            ));
                    }
                }
            }
        }
    }

    // (h) one facade feature per user-facing library crate
    let libs: Vec<&Package> = packages
        .iter()
        .filter(|p| {
            in_crates(p) && p.lib_src.is_some() && !NO_FACADE_FEATURE.contains(&p.name.as_str())
        })
        .collect();
    match packages.iter().find(|p| p.name == FACADE) {
        None => out.push(format!(
            "(h) facade: crates/{FACADE}/Cargo.toml does not exist (or is not a workspace member), \
             so these crates have no facade feature: {}",
            libs.iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Some(facade) => {
            for lib in libs {
                let short = short_name(&lib.name);
                if !facade.features.contains(short) {
                    out.push(format!(
                        "(h) facade: crates/{FACADE}/Cargo.toml has no feature `{short}` for `{}`",
                        lib.name
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// Whether a package under `crates/` is a provider: the OpenAI-dialect adapter, or anything that
/// (normally) depends on the HTTP crate and is not an app, the facade, testkit or a
/// middleware/feature crate.
fn is_provider(p: &Package) -> bool {
    let name = p.name.as_str();
    name == OPENAI_COMPAT
        || (p.depends_on(HTTP)
            && !APPS.contains(&name)
            && name != TESTKIT
            && !LAYERS_AND_FEATURES.contains(&name))
}

/// `llm-router-cache` → `cache`; the facade's own name stays as it is.
fn short_name(name: &str) -> &str {
    name.strip_prefix("llm-router-").unwrap_or(name)
}

/// Lines (1-based number, trimmed text) that declare a dependency on an `llm-router*` crate in a
/// dependency table without `workspace = true`.
///
/// Line-based: handles `name.workspace = true`, inline tables `name = { workspace = true, … }`,
/// renames (`package = "llm-router-…"`) and `[dependencies.llm-router-…]` sub-tables, in
/// `[dependencies]`, `[dev-dependencies]`, `[build-dependencies]` and their `[target.….…]` forms.
/// `[workspace.dependencies]` itself is where the paths live, so it is skipped.
fn non_workspace_internal_deps(manifest: &str) -> Vec<(usize, String)> {
    /// Where the parser is.
    enum Section {
        /// Not a dependency table.
        Other,
        /// A dependency table: one dependency per key.
        Deps,
        /// `[dependencies.<internal crate>]`: (header line, seen `workspace = true`).
        Internal(usize, String, bool),
    }
    let mut out = Vec::new();
    let mut section = Section::Other;
    let close = |section: &Section, out: &mut Vec<(usize, String)>| {
        if let Section::Internal(line_no, header, false) = section {
            out.push((*line_no, header.clone()));
        }
    };
    for (i, raw) in manifest.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with('[') {
            close(&section, &mut out);
            let header = line.trim_matches(|c| c == '[' || c == ']').trim();
            let parts: Vec<&str> = header
                .split('.')
                .map(|s| s.trim().trim_matches('"'))
                .collect();
            let is_dep_table = |s: &str| {
                matches!(
                    s,
                    "dependencies" | "dev-dependencies" | "build-dependencies"
                )
            };
            // table name without a leading `target.<cfg>.`
            let rest: &[&str] = if parts.first() == Some(&"target") {
                // `target.'cfg(…)'.dependencies` may contain dots inside the cfg; find the table
                match parts.iter().position(|s| is_dep_table(s)) {
                    Some(pos) => &parts[pos..],
                    None => &[],
                }
            } else {
                &parts
            };
            section = match rest {
                [table] if is_dep_table(table) => Section::Deps,
                [table, dep] if is_dep_table(table) && dep.starts_with(PREFIX) => {
                    Section::Internal(i + 1, line.to_owned(), false)
                }
                _ => Section::Other,
            };
            continue;
        }
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        match &mut section {
            Section::Other => {}
            Section::Internal(_, _, seen) => {
                if compact == "workspace=true" {
                    *seen = true;
                }
            }
            Section::Deps => {
                let key = compact
                    .split('=')
                    .next()
                    .unwrap_or("")
                    .trim_matches(|c| c == '"' || c == '\'');
                let internal =
                    key.starts_with(PREFIX) || compact.contains(&format!("package=\"{PREFIX}"));
                if internal && !compact.contains("workspace=true") {
                    out.push((i + 1, line.to_owned()));
                }
            }
        }
    }
    close(&section, &mut out);
    out
}

/// Whether the first non-blank line is a `//!` doc comment.
fn starts_with_crate_docs(src: &str) -> bool {
    src.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.starts_with("//!"))
}

/// Whether a doc comment holds a code block rustdoc runs or compiles as a doctest: a fence with
/// no info string or only Rust attributes (`rust`, `no_run`, `should_panic`, `compile_fail`,
/// `editionNNNN`, …). `ignore` and other languages (`text`, `toml`, `json`) do not count.
fn has_doctest(src: &str) -> bool {
    let mut in_block = false;
    for line in src.lines() {
        let line = line.trim_start();
        let Some(doc) = line
            .strip_prefix("//!")
            .or_else(|| line.strip_prefix("///"))
        else {
            continue;
        };
        let doc = doc.trim();
        let Some(info) = doc.strip_prefix("```") else {
            continue;
        };
        if in_block {
            in_block = false;
            continue;
        }
        in_block = true;
        let is_rust = info
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
            .all(|t| {
                matches!(
                    t,
                    "rust" | "no_run" | "should_panic" | "compile_fail" | "test_harness"
                ) || t.starts_with("edition")
            });
        if is_rust {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_check_accepts_workspace_deps() {
        let toml = r#"
[package]
name = "llm-router-cache"

[dependencies]
llm-router-core.workspace = true
llm-router-tokens = { workspace = true, optional = true }
serde = { version = "1" }
core2 = { package = "llm-router-core", workspace = true }

[dev-dependencies]
llm-router-mock = { workspace = true }   # comment

[dependencies.llm-router-http]
workspace = true
features = ["x"]
"#;
        assert_eq!(non_workspace_internal_deps(toml), vec![]);
    }

    #[test]
    fn manifest_check_flags_path_and_version_deps() {
        let toml = r#"
[workspace.dependencies]
llm-router-core = { path = "crates/llm-router-core", version = "0.1.0" }

[dependencies]
llm-router-core = { path = "../llm-router-core" }
renamed = { package = "llm-router-http", version = "0.1" }

[target.'cfg(unix)'.dev-dependencies]
llm-router-mock = "0.1"

[build-dependencies.llm-router-tokens]
path = "../llm-router-tokens"

[features]
llm-router-x = []
"#;
        let lines: Vec<usize> = non_workspace_internal_deps(toml)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(lines, vec![6, 7, 10, 12]);
    }

    #[test]
    fn doctest_detection() {
        assert!(has_doctest(
            "//! Docs\n//!\n//! ```\n//! let x = 1;\n//! ```\n"
        ));
        assert!(has_doctest("//! ```rust,no_run\n//! f();\n//! ```\n"));
        assert!(!has_doctest("//! ```text\n//! a\n//! ```\n"));
        assert!(!has_doctest("//! ```ignore\n//! a\n//! ```\n"));
        // the closing fence of a `text` block is not an opening fence
        assert!(!has_doctest(
            "//! ```toml\n//! a = 1\n//! ```\nfn main() {}\n"
        ));
        assert!(has_doctest(
            "//! ```json\n//! {}\n//! ```\n/// ```\n/// f();\n/// ```\n"
        ));
    }

    #[test]
    fn crate_docs_and_short_names() {
        assert!(starts_with_crate_docs("\n//! Purpose.\nuse x;"));
        assert!(!starts_with_crate_docs("use x;\n//! late"));
        assert_eq!(short_name("llm-router-meta-llama"), "meta-llama");
        assert_eq!(short_name("llm-router"), "llm-router");
    }
}
