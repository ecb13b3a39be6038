//! The text a configuration came from, kept so that problems found after parsing can still
//! point at a line: field paths (`models.gpt.deployments[1].provider`) are looked up in the
//! spanned TOML tree, and byte offsets become line and column.

use std::fmt;

use toml::de::{DeTable, DeValue};

use crate::error::Location;

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    /// A table key.
    Key(String),
    /// An array position.
    Index(usize),
}

/// A field path such as `models.gpt.deployments[1].provider`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FieldPath(pub(crate) Vec<Seg>);

impl FieldPath {
    /// The path of one top-level key.
    pub(crate) fn root(key: &str) -> Self {
        Self(vec![Seg::Key(key.to_owned())])
    }

    /// This path and a key.
    pub(crate) fn key(&self, key: &str) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Key(key.to_owned()));
        Self(v)
    }

    /// This path and an array position.
    pub(crate) fn index(&self, i: usize) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Index(i));
        Self(v)
    }
}

fn bare(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    if bare(k) {
                        f.write_str(k)?;
                    } else {
                        write!(f, "{k:?}")?;
                    }
                }
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A configuration's origin and text.
#[derive(Clone)]
pub(crate) struct Source {
    pub(crate) origin: String,
    pub(crate) text: String,
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Source")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, col)
}

impl Source {
    /// The location of a byte offset.
    pub(crate) fn at_offset(&self, offset: usize) -> Location {
        Location {
            origin: self.origin.clone(),
            line_col: Some(line_col(&self.text, offset)),
        }
    }

    /// The location of a field: its value's start, or the nearest enclosing field that is
    /// in the file (a missing field points at its table).
    pub(crate) fn locate(&self, path: &FieldPath) -> Location {
        let offset = DeTable::parse(&self.text)
            .ok()
            .and_then(|root| span_of(root.get_ref(), &path.0));
        match offset {
            Some(o) => self.at_offset(o),
            None => Location::file(self.origin.clone()),
        }
    }

    /// The path of the innermost field whose key or value contains `offset`.
    /// When the document does not parse, a table header on the offending line (`[models.a]`)
    /// names the field.
    pub(crate) fn path_at(&self, offset: usize) -> Option<FieldPath> {
        let Ok(root) = DeTable::parse(&self.text) else {
            return self.header_at(offset);
        };
        let mut path = Vec::new();
        find_in_table(root.get_ref(), offset, &mut path);
        (!path.is_empty()).then_some(FieldPath(path))
    }

    /// The name in a `[table]` or `[[array]]` header on the line of `offset`.
    fn header_at(&self, offset: usize) -> Option<FieldPath> {
        let start = self.text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
        let line = self.text.get(start..)?.lines().next()?.trim();
        let name = line
            .strip_prefix("[[")
            .and_then(|l| l.split_once("]]"))
            .or_else(|| line.strip_prefix('[').and_then(|l| l.split_once(']')))
            .map(|(name, _)| name.trim())?;
        let segs = name
            .split('.')
            .map(|k| Seg::Key(k.trim().trim_matches('"').to_owned()))
            .collect();
        Some(FieldPath(segs))
    }
}

/// The start of the deepest node along `path` that exists.
fn span_of(table: &DeTable<'_>, path: &[Seg]) -> Option<usize> {
    let (first, rest) = path.split_first()?;
    let Seg::Key(k) = first else { return None };
    let (key, value) = table.get_key_value(k.as_str())?;
    let here = if rest.is_empty() {
        value.span().start
    } else {
        key.span().start
    };
    Some(span_in_value(value.get_ref(), rest).unwrap_or(here))
}

fn span_in_value(value: &DeValue<'_>, path: &[Seg]) -> Option<usize> {
    let (first, rest) = path.split_first()?;
    match (first, value) {
        (Seg::Key(_), DeValue::Table(t)) => span_of(t, path),
        (Seg::Index(i), DeValue::Array(a)) => {
            let item = a.get(*i)?;
            Some(span_in_value(item.get_ref(), rest).unwrap_or(item.span().start))
        }
        _ => None,
    }
}

fn find_in_table(table: &DeTable<'_>, offset: usize, path: &mut Vec<Seg>) {
    for (key, value) in table.iter() {
        if key.span().contains(&offset) || value.span().contains(&offset) {
            path.push(Seg::Key(key.get_ref().to_string()));
            find_in_value(value.get_ref(), offset, path);
            return;
        }
    }
    // Tables written as `[a.b]` headers have no value span around their contents.
    for (key, value) in table.iter() {
        if let DeValue::Table(t) = value.get_ref() {
            let mut inner = Vec::new();
            find_in_table(t, offset, &mut inner);
            if !inner.is_empty() {
                path.push(Seg::Key(key.get_ref().to_string()));
                path.extend(inner);
                return;
            }
        }
        if let DeValue::Array(a) = value.get_ref() {
            for (i, item) in a.iter().enumerate() {
                if let DeValue::Table(t) = item.get_ref() {
                    let mut inner = Vec::new();
                    find_in_table(t, offset, &mut inner);
                    if !inner.is_empty() || item.span().contains(&offset) {
                        path.push(Seg::Key(key.get_ref().to_string()));
                        path.push(Seg::Index(i));
                        path.extend(inner);
                        return;
                    }
                }
            }
        }
    }
}

fn find_in_value(value: &DeValue<'_>, offset: usize, path: &mut Vec<Seg>) {
    match value {
        DeValue::Table(t) => find_in_table(t, offset, path),
        DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                if item.span().contains(&offset) {
                    path.push(Seg::Index(i));
                    find_in_value(item.get_ref(), offset, path);
                    return;
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn src(text: &str) -> Source {
        Source {
            origin: "t.toml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn locates_paths_and_offsets() {
        let s = src(
            "[server]\nlisten = \"x\"\n\n[models.gpt]\ndeployments = [\n  { provider = \"a\", model = \"m\" },\n  { provider = \"b\", model = \"m\" },\n]\n",
        );
        let p = FieldPath::root("models")
            .key("gpt")
            .key("deployments")
            .index(1)
            .key("provider");
        assert_eq!(p.to_string(), "models.gpt.deployments[1].provider");
        assert_eq!(s.locate(&p).line_col, Some((7, 16)));
        assert_eq!(
            s.locate(&FieldPath::root("server").key("listen")).line_col,
            Some((2, 10))
        );
        let off = s.text.find("\"b\"").unwrap();
        assert_eq!(s.path_at(off).unwrap(), p);
        let off = s.text.find("\"x\"").unwrap();
        assert_eq!(s.path_at(off).unwrap().to_string(), "server.listen");
    }

    #[test]
    fn quoted_keys() {
        let p = FieldPath::root("models").key("openai/gpt-4o");
        assert_eq!(p.to_string(), "models.\"openai/gpt-4o\"");
    }
}
