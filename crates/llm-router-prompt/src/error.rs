//! The crate's error type.

use std::path::PathBuf;

/// What went wrong building, loading or rendering a prompt.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PromptError {
    /// Rendering lacked a declared variable (or a nested value the template reads).
    #[error("missing variable `{name}`")]
    MissingVariable {
        /// The variable (or path) that was missing.
        name: String,
    },
    /// The template reads a variable it does not declare.
    #[error("template uses undeclared variable `{name}`")]
    UndeclaredVariable {
        /// The undeclared variable.
        name: String,
    },
    /// The template is not valid handlebars.
    #[error("template syntax error: {message}")]
    Syntax {
        /// The parser's message (with line and column where it gives them).
        message: String,
    },
    /// Rendering failed for another reason (a helper given the wrong arguments, …).
    #[error("render error: {message}")]
    Render {
        /// What failed.
        message: String,
    },
    /// The variables passed to render were not a JSON object.
    #[error("template variables must be a JSON object")]
    NotAnObject,
    /// A template file could not be read or parsed.
    #[error("{}: {message}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// No template of this name in the library.
    #[error("no template named `{name}`")]
    NotFound {
        /// The name asked for.
        name: String,
    },
}

impl From<PromptError> for llm_router_core::Error {
    /// Template-definition problems (syntax, undeclared variables, files) are
    /// [`Config`](llm_router_core::ErrorKind::Config); problems with the values passed to
    /// render are [`InvalidRequest`](llm_router_core::ErrorKind::InvalidRequest).
    fn from(e: PromptError) -> Self {
        use llm_router_core::ErrorKind;
        let kind = match e {
            PromptError::MissingVariable { .. }
            | PromptError::Render { .. }
            | PromptError::NotAnObject => ErrorKind::InvalidRequest,
            _ => ErrorKind::Config,
        };
        llm_router_core::Error::new(kind, e.to_string()).with_source(e)
    }
}

pub(crate) fn from_render(e: handlebars::RenderError) -> PromptError {
    match e.reason() {
        handlebars::RenderErrorReason::MissingVariable(name) => PromptError::MissingVariable {
            name: name.clone().unwrap_or_default(),
        },
        handlebars::RenderErrorReason::TemplateError(t) => PromptError::Syntax {
            message: t.to_string(),
        },
        _ => PromptError::Render {
            message: e.to_string(),
        },
    }
}
