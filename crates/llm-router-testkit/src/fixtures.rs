//! Loading test fixtures from a crate's `tests/fixtures/` folder.

use std::path::{Path, PathBuf};

/// Fixtures of one crate: `Fixtures::new(env!("CARGO_MANIFEST_DIR"))`.
#[derive(Debug, Clone)]
pub struct Fixtures {
    dir: PathBuf,
}

impl Fixtures {
    /// Fixtures under `<manifest_dir>/tests/fixtures`.
    pub fn new(manifest_dir: &str) -> Self {
        Self {
            dir: Path::new(manifest_dir).join("tests").join("fixtures"),
        }
    }

    /// Fixtures under an explicit folder.
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The path of fixture `name`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The fixture as text. Panics with the path when it is missing (test code).
    pub fn text(&self, name: &str) -> String {
        let p = self.path(name);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("fixture {}: {e}", p.display()))
    }

    /// The fixture as bytes.
    pub fn bytes(&self, name: &str) -> Vec<u8> {
        let p = self.path(name);
        std::fs::read(&p).unwrap_or_else(|e| panic!("fixture {}: {e}", p.display()))
    }

    /// The fixture parsed as JSON.
    pub fn json(&self, name: &str) -> serde_json::Value {
        let text = self.text(name);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("fixture {name} is not JSON: {e}"))
    }
}
