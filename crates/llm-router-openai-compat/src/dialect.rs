//! A vendor of the OpenAI dialect, as data: base URL, auth, quirks, and hooks for what data
//! cannot say.

use std::fmt;
use std::sync::Arc;

use llm_router_core::{ApiKey, Error};
use llm_router_http::reqwest::header::HeaderMap;
use serde_json::Value;

/// How the API key is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// `<header>: <key>` (Azure's `api-key`).
    Header(String),
    /// `?<param>=<key>`.
    Query(String),
    /// No key (local servers such as Ollama).
    None,
}

/// Which output-token field the vendor reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MaxTokensField {
    /// Send what the caller set, unchanged.
    #[default]
    AsGiven,
    /// Send `max_tokens` (a `max_completion_tokens` from the caller is renamed).
    MaxTokens,
    /// Send `max_completion_tokens` (a `max_tokens` from the caller is renamed).
    MaxCompletionTokens,
}

/// What a vendor does differently from OpenAI, as plain fields (the checklist every
/// OpenAI-compatible vendor is measured against).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quirks {
    /// Which output-token field to send.
    pub max_tokens_field: MaxTokensField,
    /// Ask for usage in streams (`stream_options.include_usage`), so every stream ends with a
    /// usage chunk.
    pub stream_include_usage: bool,
    /// Accepts `tools`.
    pub supports_tools: bool,
    /// Accepts `response_format` with `json_schema`.
    pub supports_response_format: bool,
    /// Accepts image content parts.
    pub supports_vision: bool,
    /// Serves `/embeddings`.
    pub supports_embeddings: bool,
    /// Serves `/images/generations`.
    pub supports_images: bool,
    /// Serves `GET /models`.
    pub supports_models: bool,
    /// The vendor's name for reasoning text in messages and deltas when it is not
    /// `reasoning_content` (OpenRouter: `reasoning`); moved into `reasoning_content`.
    pub reasoning_field: Option<String>,
    /// Send `reasoning_content`/`reasoning_details` of earlier assistant turns back (some
    /// vendors reject them: DeepSeek answers 400).
    pub send_reasoning: bool,
    /// Send the embeddings `input_type` hint (OpenAI rejects unknown fields).
    pub send_input_type: bool,
    /// A stream may end without `data: [DONE]` once every choice has a finish reason.
    pub stream_done_optional: bool,
}

impl Default for Quirks {
    /// OpenAI's own behaviour.
    fn default() -> Self {
        Self {
            max_tokens_field: MaxTokensField::AsGiven,
            stream_include_usage: true,
            supports_tools: true,
            supports_response_format: true,
            supports_vision: true,
            supports_embeddings: true,
            supports_images: false,
            supports_models: true,
            reasoning_field: None,
            send_reasoning: false,
            send_input_type: false,
            stream_done_optional: false,
        }
    }
}

/// An endpoint of the dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// `POST /chat/completions`
    ChatCompletions,
    /// `POST /embeddings`
    Embeddings,
    /// `POST /images/generations`
    ImageGenerations,
    /// `GET /models`
    Models,
}

impl Endpoint {
    /// The path below the base URL.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::ChatCompletions => "/chat/completions",
            Endpoint::Embeddings => "/embeddings",
            Endpoint::ImageGenerations => "/images/generations",
            Endpoint::Models => "/models",
        }
    }
}

/// Vendor behaviour that data cannot express. Every method has a default; most vendors
/// implement none.
pub trait DialectHooks: Send + Sync {
    /// The URL of `endpoint` (Azure puts the deployment in the path). `None`: base URL + path.
    fn url(&self, dialect: &Dialect, endpoint: Endpoint, model: &str) -> Option<String> {
        let _ = (dialect, endpoint, model);
        None
    }

    /// The auth header to send instead of the one [`Auth`] describes (Zhipu's JWT).
    fn auth_header(&self, key: &ApiKey) -> Result<Option<(String, String)>, Error> {
        let _ = key;
        Ok(None)
    }

    /// Edits the JSON body before it is sent (vendor extras, renamed fields).
    fn prepare_body(&self, endpoint: Endpoint, body: &mut Value) -> Result<(), Error> {
        let _ = (endpoint, body);
        Ok(())
    }

    /// Edits a response body or stream chunk before it is decoded (vendor field names).
    fn normalize_response(&self, endpoint: Endpoint, body: &mut Value) -> Result<(), Error> {
        let _ = (endpoint, body);
        Ok(())
    }

    /// Classifies an HTTP error response with the vendor's own codes. `None`: the shared
    /// classification.
    fn map_error(&self, status: u16, headers: &HeaderMap, body: &[u8]) -> Option<Error> {
        let _ = (status, headers, body);
        None
    }

    /// An error carried inside a 200 body or a stream event (beyond the generic
    /// `{"error": …}` object, which is always detected).
    fn event_error(&self, event: &Value) -> Option<Error> {
        let _ = event;
        None
    }
}

/// One OpenAI-dialect vendor.
///
/// ```
/// use llm_router_openai_compat::{Auth, Dialect, Quirks};
/// let d = Dialect::new("local-vllm", "http://127.0.0.1:8000/v1")
///     .with_auth(Auth::None)
///     .with_quirks(Quirks { supports_embeddings: false, ..Quirks::default() });
/// assert_eq!(d.name, "local-vllm");
/// ```
#[derive(Clone)]
pub struct Dialect {
    /// The provider's name in errors, logs and metrics.
    pub name: String,
    /// Base URL including the version segment (`https://api.openai.com/v1`).
    pub base_url: String,
    /// How the key is sent.
    pub auth: Auth,
    /// What differs from OpenAI.
    pub quirks: Quirks,
    /// Headers sent with every request (`OpenAI-Organization`, `HTTP-Referer`, …); of two
    /// with the same name, the later is sent, and a request's own headers replace them.
    pub default_headers: Vec<(String, String)>,
    /// Behaviour beyond data.
    pub hooks: Option<Arc<dyn DialectHooks>>,
    /// The environment variable users set for the key (named in "missing key" errors).
    pub api_key_env: Option<String>,
}

impl Dialect {
    /// A dialect with OpenAI's behaviour at `base_url`, bearer auth.
    pub fn new(name: impl Into<String>, base_url: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            base_url: base_url.into(),
            auth: Auth::Bearer,
            quirks: Quirks::default(),
            default_headers: Vec::new(),
            hooks: None,
            api_key_env: None,
        }
    }

    /// Sets the auth scheme.
    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Sets the quirks.
    pub fn with_quirks(mut self, quirks: Quirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// Sets the hooks.
    pub fn with_hooks(mut self, hooks: Arc<dyn DialectHooks>) -> Self {
        self.hooks = Some(hooks);
        self
    }

    /// Adds a header sent with every request (replacing an earlier one of the same name).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// Names the key's environment variable.
    pub fn with_api_key_env(mut self, var: impl Into<String>) -> Self {
        self.api_key_env = Some(var.into());
        self
    }

    /// The URL of `endpoint` for `model`.
    pub fn url(&self, endpoint: Endpoint, model: &str) -> String {
        if let Some(u) = self
            .hooks
            .as_ref()
            .and_then(|h| h.url(self, endpoint, model))
        {
            return u;
        }
        format!("{}{}", self.base_url.trim_end_matches('/'), endpoint.path())
    }
}

impl fmt::Debug for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dialect")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("quirks", &self.quirks)
            .field(
                "default_headers",
                &self
                    .default_headers
                    .iter()
                    .map(|(k, _)| k)
                    .collect::<Vec<_>>(),
            )
            .field("hooks", &self.hooks.as_ref().map(|_| ".."))
            .finish()
    }
}
