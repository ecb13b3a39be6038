//! `ConfigError`: every failure names the file, the line and column where it can, and the
//! field's path (`models.gpt.deployments[1].provider`).

use std::fmt;
use std::path::PathBuf;

/// Where in which file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file (or the origin given to [`Config::from_toml_str`](crate::Config::from_toml_str)).
    pub origin: String,
    /// 1-based line and column, when known.
    pub line_col: Option<(usize, usize)>,
}

impl Location {
    /// A location without a position.
    pub fn file(origin: impl Into<String>) -> Self {
        Self {
            origin: origin.into(),
            line_col: None,
        }
    }

    /// The 1-based line, when known.
    pub fn line(&self) -> Option<usize> {
        self.line_col.map(|(l, _)| l)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line_col {
            Some((line, col)) => write!(f, "{}:{line}:{col}", self.origin),
            None => f.write_str(&self.origin),
        }
    }
}

/// A configuration problem. Its `Display` is one line per problem:
/// `file:line:col: field.path: what is wrong`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not valid TOML, or a value of the wrong type, an unknown or misspelt field, a missing
    /// required field.
    #[error("{location}: {}{message}", field_prefix(field))]
    Parse {
        /// Where.
        location: Location,
        /// The field's path, when it could be found.
        field: Option<String>,
        /// The parser's message.
        message: String,
    },
    /// A value that parses but makes no sense (an unknown provider, a weight of 0, a fallback
    /// cycle, a literal key…).
    #[error("{location}: {field}: {message}")]
    Invalid {
        /// Where.
        location: Location,
        /// The field's path.
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A `${VAR}` reference to an environment variable that is not set.
    #[error("{location}: {field}: environment variable `{var}` is not set")]
    MissingEnv {
        /// Where.
        location: Location,
        /// The field's path.
        field: String,
        /// The variable.
        var: String,
    },
    /// Building a client or layer failed (a bad URL, Redis unreachable…).
    #[error("{location}: {field}: {message}")]
    Build {
        /// Where.
        location: Location,
        /// The field's path (the provider, the cache…).
        field: String,
        /// What failed.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Box<llm_router_core::Error>>,
    },
    /// Several problems, each on its own line.
    #[error("{}", join_lines(.0))]
    Multiple(Vec<ConfigError>),
}

fn field_prefix(field: &Option<String>) -> String {
    field.as_ref().map(|f| format!("{f}: ")).unwrap_or_default()
}

fn join_lines(errors: &[ConfigError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl ConfigError {
    /// One error from a list: the error itself when there is one, [`ConfigError::Multiple`]
    /// otherwise; `Ok` when the list is empty.
    pub(crate) fn from_list(mut errors: Vec<ConfigError>) -> Result<(), ConfigError> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(ConfigError::Multiple(errors)),
        }
    }

    /// The problems, flattened (one for a single error).
    pub fn problems(&self) -> Vec<&ConfigError> {
        match self {
            ConfigError::Multiple(v) => v.iter().flat_map(ConfigError::problems).collect(),
            other => vec![other],
        }
    }

    /// The field path of this problem, when it has one.
    pub fn field(&self) -> Option<&str> {
        match self {
            ConfigError::Parse { field, .. } => field.as_deref(),
            ConfigError::Invalid { field, .. }
            | ConfigError::MissingEnv { field, .. }
            | ConfigError::Build { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The location of this problem, when it has one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            ConfigError::Parse { location, .. }
            | ConfigError::Invalid { location, .. }
            | ConfigError::MissingEnv { location, .. }
            | ConfigError::Build { location, .. } => Some(location),
            _ => None,
        }
    }
}
