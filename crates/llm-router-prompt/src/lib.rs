//! Prompt templates for llm-router: strict handlebars templates that render to text or to a
//! conversation.
//!
//! - [`PromptTemplate`]: a handlebars template with declared input variables. Strict: an
//!   undeclared variable is an error when the template is built, a missing one when it is
//!   rendered, and both errors name the variable. No HTML escaping; partials; the helpers
//!   `upper`, `lower`, `join` and `json`.
//! - [`ChatTemplate`]: (role, template) pairs plus optional few-shot examples, rendering to
//!   `Vec<`[`Message`](llm_router_core::Message)`>`.
//! - [`PromptLibrary`]: named templates loaded from a directory of `*.hbs` / `*.md` files.
//! - [`builtin`]: translation, summarisation, code explanation, question answering, role play,
//!   classification and extraction (the last two ask for JSON).
//!
//! Errors are [`PromptError`], which converts into [`llm_router_core::Error`].
//!
//! # Example
//!
//! ```
//! use llm_router_core::Role;
//! use llm_router_prompt::{ChatTemplate, PromptError, PromptTemplate, builtin};
//! use serde_json::json;
//!
//! let t = PromptTemplate::new("Hello {{upper name}} & {{join friends \" and \"}}!", ["name", "friends"])?;
//! assert_eq!(t.render(&json!({"name": "ada", "friends": ["Bob", "<Eve>"]}))?, "Hello ADA & Bob and <Eve>!");
//!
//! // Strict: the error names the variable.
//! assert!(matches!(t.render(&json!({"name": "ada"})), Err(PromptError::MissingVariable { name }) if name == "friends"));
//! assert!(matches!(PromptTemplate::new("{{who}}", ["name"]), Err(PromptError::UndeclaredVariable { name }) if name == "who"));
//!
//! let chat = ChatTemplate::new([(Role::System, "Answer in {{lang}}."), (Role::User, "{{q}}")], ["lang", "q"])?
//!     .with_example("2+2?", "4");
//! let messages = chat.render(&json!({"lang": "French", "q": "3+3?"}))?;
//! assert_eq!(messages.len(), 4);
//! assert_eq!(messages[3].text(), "3+3?");
//!
//! let qa = builtin::question_answering().render(&json!({"context": "The sky is blue.", "question": "What colour is the sky?"}))?;
//! assert_eq!(qa[1].text(), "What colour is the sky?");
//! # Ok::<(), PromptError>(())
//! ```

pub mod builtin;
mod chat;
mod error;
mod library;
mod template;

pub use chat::ChatTemplate;
pub use error::PromptError;
pub use library::PromptLibrary;
pub use template::PromptTemplate;
