//! [`PromptLibrary`]: named templates, loadable from a directory.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::PromptError;
use crate::template::PromptTemplate;

/// Named [`PromptTemplate`]s.
///
/// [`load_dir`](Self::load_dir) reads every `*.hbs` and `*.md` file of a directory (not its
/// subdirectories):
///
/// - the file name without its extension is the template's name;
/// - a file whose name starts with `_` is a partial, registered in every template of the
///   directory under its name without the `_` (`_signature.hbs` → `{{> signature}}`);
/// - a template may open with front matter declaring its variables:
///
///   ```text
///   ---
///   variables: text, target_language
///   ---
///   Translate into {{target_language}}: {{text}}
///   ```
///
///   Without front matter the template declares the variables it reads.
#[derive(Debug, Clone, Default)]
pub struct PromptLibrary {
    templates: BTreeMap<String, PromptTemplate>,
}

impl PromptLibrary {
    /// An empty library.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads a directory (see the type's docs).
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Self, PromptError> {
        let dir = dir.as_ref();
        let io = |path: &Path, e: std::io::Error| PromptError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let mut files: Vec<(String, std::path::PathBuf)> = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
            let path = entry.map_err(|e| io(dir, e))?.path();
            let is_template = matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("hbs" | "md")
            );
            if !is_template || !path.is_file() {
                continue;
            }
            if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                files.push((stem.to_owned(), path.clone()));
            }
        }
        files.sort();
        let mut partials = Vec::new();
        let mut templates = Vec::new();
        for (stem, path) in files {
            let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
            match stem.strip_prefix('_') {
                Some(partial) => partials.push((partial.to_owned(), text)),
                None => templates.push((stem, path, text)),
            }
        }
        let mut lib = Self::new();
        for (name, path, text) in templates {
            let located = |e: PromptError| PromptError::Io {
                path: path.clone(),
                message: e.to_string(),
            };
            let (vars, body) = front_matter(&text);
            let mut t = match vars {
                Some(vars) => PromptTemplate::new(body, vars),
                None => PromptTemplate::infer(body),
            }
            .map_err(located)?;
            for (p, src) in &partials {
                t = t.with_partial(p, src).map_err(located)?;
            }
            lib.insert(name, t);
        }
        Ok(lib)
    }

    /// Adds or replaces a template.
    pub fn insert(&mut self, name: impl Into<String>, template: PromptTemplate) {
        self.templates.insert(name.into(), template);
    }

    /// The template called `name`.
    pub fn get(&self, name: &str) -> Result<&PromptTemplate, PromptError> {
        self.templates
            .get(name)
            .ok_or_else(|| PromptError::NotFound { name: name.into() })
    }

    /// Renders the template called `name` with `vars`.
    pub fn render<T: serde::Serialize + ?Sized>(
        &self,
        name: &str,
        vars: &T,
    ) -> Result<String, PromptError> {
        self.get(name)?.render(vars)
    }

    /// The template names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.templates.keys().map(String::as_str)
    }
}

/// Splits `---\nvariables: a, b\n---\n` front matter off `text`.
fn front_matter(text: &str) -> (Option<Vec<String>>, &str) {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (None, text);
    };
    let Some(end) = rest.find("\n---") else {
        return (None, text);
    };
    let header = &rest[..end];
    let after = &rest[end + 4..];
    let body = after
        .strip_prefix("\r\n")
        .or_else(|| after.strip_prefix('\n'))
        .unwrap_or(after);
    let vars = header
        .lines()
        .find_map(|l| l.trim().strip_prefix("variables:"))
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    (Some(vars), body)
}
