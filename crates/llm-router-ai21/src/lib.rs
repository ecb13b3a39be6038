//! AI21 Labs for llm-router: chat completions with the Jamba models (streaming, tools, JSON
//! mode, grounding documents).
//!
//! AI21's Jamba API speaks OpenAI's chat-completions dialect, so this crate is a preset of the
//! shared [`llm_router_openai_compat`] adapter: [`dialect`] says where and how to call AI21,
//! [`builder`] and [`from_env`] build a client implementing
//! [`ChatProvider`](llm_router_core::ChatProvider).
//!
//! What differs from OpenAI (the quirks, from AI21's Jamba API reference and its Python SDK):
//!
//! - **Text only.** No image input and no embeddings (AI21's embed endpoint was retired):
//!   both are refused with [`ErrorKind::Unsupported`] before anything is sent.
//! - **`response_format`** accepts `text` and `json_object` only; a JSON *schema* is refused
//!   with [`ErrorKind::Unsupported`].
//! - **`max_tokens`**, never `max_completion_tokens` (renamed when given).
//! - **Streams** are not sent `stream_options`: AI21 does not document it. Its chunks carry
//!   `usage` on the last chunk by themselves, and that usage is read.
//! - **Documents.** Grounding documents go in
//!   [`ChatRequest::extra`](llm_router_core::ChatRequest::extra) under `documents`
//!   (`[{"content": …, "id"?: …, "metadata"?: {…}}]`); [`with_documents`] sets them.
//! - **Tools** work in non-streaming calls. The SDK's stream delta has no `tool_calls` field,
//!   so whether AI21 streams tool calls is unverified; tool-call deltas in OpenAI's shape are
//!   accumulated if they come.
//! - **`n`** (several answers) is passed through unchanged; AI21 bounds it (Bedrock's Jamba
//!   page documents 1–16), and out-of-range values come back as AI21's own 4xx error.
//! - Listing models is not offered.
//!
//! # Example
//!
//! ```
//! use llm_router_core::ChatProvider;
//!
//! let client = llm_router_ai21::builder()
//!     .api_key("ai21-test-key")
//!     .base_url("http://127.0.0.1:9")
//!     .build()?;
//! assert_eq!(client.name(), "ai21");
//! assert!(!format!("{client:?}").contains("ai21-test-key"));
//! # Ok::<(), llm_router_core::Error>(())
//! ```
//!
//! A real call (`AI21_API_KEY` set):
//!
//! ```no_run
//! use llm_router_core::{ChatProvider, ChatRequest, Message};
//!
//! # async fn run() -> Result<(), llm_router_core::Error> {
//! let ai21 = llm_router_ai21::from_env()?;
//! let resp = ai21.chat(ChatRequest::new("jamba-mini", vec![Message::user("Hi")])).await?;
//! println!("{}", resp.text());
//! # Ok(()) }
//! ```
//!
//! [`ErrorKind::Unsupported`]: llm_router_core::ErrorKind::Unsupported

use llm_router_core::{Capabilities, ChatRequest, Error, ProviderInfo};
use llm_router_openai_compat::{Dialect, MaxTokensField, OpenAiCompatBuilder, Quirks};
use serde_json::{Value, json};

pub use llm_router_openai_compat::OpenAiCompatClient as Ai21Client;

/// AI21's API base URL (Jamba chat is `POST /chat/completions` below it).
pub const DEFAULT_BASE_URL: &str = "https://api.ai21.com/studio/v1";

/// The environment variable holding the API key.
pub const API_KEY_ENV: &str = "AI21_API_KEY";

/// The environment variable overriding the base URL.
pub const BASE_URL_ENV: &str = "AI21_BASE_URL";

/// What this crate is and supports (the README's provider table is generated from it).
pub const INFO: ProviderInfo = ProviderInfo {
    name: "ai21",
    display_name: "AI21 Labs (Jamba)",
    crate_name: "llm-router-ai21",
    feature: "ai21",
    env_vars: &[API_KEY_ENV, BASE_URL_ENV],
    default_base_url: DEFAULT_BASE_URL,
    capabilities: Capabilities {
        chat: true,
        streaming: true,
        tools: true,
        vision: false,
        embeddings: false,
        images: false,
        reasoning: false,
    },
    notes: "text only; `documents` via extra; JSON object mode only; no `stream_options` (usage on the last chunk)",
};

/// AI21 as a [`Dialect`].
pub fn dialect() -> Dialect {
    Dialect::new("ai21", DEFAULT_BASE_URL)
        .with_api_key_env(API_KEY_ENV)
        .with_quirks(Quirks {
            max_tokens_field: MaxTokensField::MaxTokens,
            stream_include_usage: false,
            supports_response_format: false,
            supports_vision: false,
            supports_embeddings: false,
            supports_models: false,
            ..Quirks::default()
        })
}

/// A builder with AI21's dialect; set the key with `.api_key(…)`.
pub fn builder() -> OpenAiCompatBuilder {
    OpenAiCompatBuilder::new(dialect())
}

/// A client configured from the environment: `AI21_API_KEY` (required) and `AI21_BASE_URL`
/// (optional).
pub fn from_env() -> Result<Ai21Client, Error> {
    builder()
        .api_key_from_env(API_KEY_ENV)
        .base_url_from_env(BASE_URL_ENV)
        .build()
}

/// One grounding document: its text, an optional id and optional string metadata (an object
/// of strings, as the SDK's `DocumentSchema` has it).
pub fn document(content: impl Into<String>, id: Option<&str>, metadata: &[(&str, &str)]) -> Value {
    let mut d = json!({"content": content.into()});
    if let Some(id) = id {
        d["id"] = Value::from(id);
    }
    if !metadata.is_empty() {
        d["metadata"] = Value::Object(
            metadata
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
                .collect(),
        );
    }
    d
}

/// `req` with `documents` the model answers from (see [`document`]).
pub fn with_documents(
    mut req: ChatRequest,
    documents: impl IntoIterator<Item = Value>,
) -> ChatRequest {
    req.extra.insert(
        "documents".into(),
        Value::Array(documents.into_iter().collect()),
    );
    req
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_have_the_documented_shape() {
        assert_eq!(
            document("Q3 revenue was $4M.", Some("doc-1"), &[("year", "2024")]),
            json!({"content": "Q3 revenue was $4M.", "id": "doc-1", "metadata": {"year": "2024"}})
        );
        assert_eq!(document("x", None, &[]), json!({"content": "x"}));
    }

    #[test]
    fn info_is_consistent() {
        assert_eq!(INFO.name, dialect().name);
        assert_eq!(INFO.default_base_url, dialect().base_url);
    }
}
