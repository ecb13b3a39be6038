//! A small library of ready-made chat templates.
//!
//! Each function returns a fresh [`ChatTemplate`]; its variables are listed in its docs and
//! in [`ChatTemplate::input_variables`]. The JSON-output templates ([`classification`],
//! [`extraction`]) ask for JSON only, so the reply can go straight to `serde_json`.

use llm_router_core::Role;

use crate::chat::ChatTemplate;
use crate::error::PromptError;

fn build(messages: &[(Role, &str)], vars: &[&str]) -> ChatTemplate {
    // The built-in texts are constants that this crate's tests render, so building them does
    // not fail; the empty template is only there to avoid a panic path.
    ChatTemplate::new(messages.iter().cloned(), vars.iter().copied())
        .unwrap_or_else(|_: PromptError| ChatTemplate::empty())
}

/// Translation. Variables: `text`, `source_language`, `target_language`.
pub fn translation() -> ChatTemplate {
    build(
        &[
            (
                Role::System,
                "You are a professional translator. Translate the user's text from {{source_language}} into {{target_language}}. Keep the meaning, tone and formatting; reply with the translation only.",
            ),
            (Role::User, "{{text}}"),
        ],
        &["text", "source_language", "target_language"],
    )
}

/// Summarisation. Variables: `text`, `max_words`.
pub fn summarization() -> ChatTemplate {
    build(
        &[
            (
                Role::System,
                "You summarise texts accurately and concisely. Use at most {{max_words}} words and add nothing that is not in the text.",
            ),
            (Role::User, "Summarise this text:\n\n{{text}}"),
        ],
        &["text", "max_words"],
    )
}

/// Code explanation. Variables: `language`, `code`.
pub fn code_explanation() -> ChatTemplate {
    build(
        &[
            (
                Role::System,
                "You are an experienced {{language}} programmer who explains code clearly to other developers.",
            ),
            (
                Role::User,
                "Explain what this {{language}} code does, step by step, and point out any bugs or risks.\n\n```{{lower language}}\n{{code}}\n```",
            ),
        ],
        &["language", "code"],
    )
}

/// Question answering over supplied context. Variables: `context`, `question`.
pub fn question_answering() -> ChatTemplate {
    build(
        &[
            (
                Role::System,
                "Answer the question using only the context below. If the context does not contain the answer, say \"I don't know.\"\n\nContext:\n{{context}}",
            ),
            (Role::User, "{{question}}"),
        ],
        &["context", "question"],
    )
}

/// Role play. Variables: `character`, `scenario`, `message`.
pub fn role_play() -> ChatTemplate {
    build(
        &[
            (
                Role::System,
                "You are {{character}}. Stay in character for the whole conversation and never mention that you are an AI.\n\nScenario: {{scenario}}",
            ),
            (Role::User, "{{message}}"),
        ],
        &["character", "scenario", "message"],
    )
}

/// Classification with a JSON answer. Variables: `labels` (an array of strings), `text`.
/// The reply is `{"label": "<one of the labels>"}`.
pub fn classification() -> ChatTemplate {
    build(
        &[
            (
                Role::System,
                "Classify the user's text into exactly one of these labels: {{join labels \", \"}}.\nReply with JSON only, in the form {\"label\": \"<label>\"}.",
            ),
            (Role::User, "{{text}}"),
        ],
        &["labels", "text"],
    )
}

/// Extraction with a JSON answer. Variables: `schema` (a JSON Schema of the object to
/// extract), `text`.
pub fn extraction() -> ChatTemplate {
    build(
        &[
            (
                Role::System,
                "Extract information from the user's text. Reply with JSON only: one object that matches this JSON Schema, with null for anything the text does not say.\n{{json schema}}",
            ),
            (Role::User, "{{text}}"),
        ],
        &["schema", "text"],
    )
}
