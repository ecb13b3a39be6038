//! Ollama for llm-router: local (or ollama.com) models through Ollama's native API —
//! `/api/chat` with NDJSON streaming, tools, images and thinking, `/api/embed`, and the model
//! list from `/api/tags`.
//!
//! The mental model is the same as every provider's,
//! `async fn(ChatRequest) -> Result<ChatResponse, Error>`; [`builder`] and [`from_env`] give an
//! [`OllamaClient`] that implements [`ChatProvider`](llm_router_core::ChatProvider) and
//! [`EmbeddingProvider`](llm_router_core::EmbeddingProvider).
//!
//! What is different about Ollama (and handled here):
//!
//! - **No key.** A local server needs none; a key, when set, is sent as a bearer token (for
//!   ollama.com or a proxy in front of a server).
//! - **Streams are NDJSON**, one JSON object per line, not server-sent events; the last line has
//!   `done: true` with `done_reason` and the token counts. A stream that ends without it ends
//!   with `StreamInterrupted`; an `{"error": …}` line is an error.
//! - **Sampling parameters live in `options`**: `max_tokens` becomes `num_predict`, and
//!   `top_k`, `num_ctx`, `min_p`, `repeat_penalty`, … are read from the request's `extra`
//!   (or give a whole `options` object there). `keep_alive`, `truncate` and other top-level
//!   fields pass through from `extra`; `think` comes from `reasoning_effort` or `extra`.
//! - **Images are raw base64** on the message: `data:` URLs are unpacked; `http(s)` URLs are
//!   refused with `InvalidRequest`, because Ollama needs the bytes and does not fetch URLs.
//! - **Tool calls have object arguments and no ids**: arguments become JSON text, ids are
//!   numbered `call_0`, `call_1`, … per response, and a tool result is sent back with the
//!   `tool_name` of the call its `tool_call_id` answers. Ollama has no `tool_choice`: `auto`
//!   and `none` are honoured, anything else is refused with `Unsupported`.
//! - **Structured output**: `response_format` `json_object` → `format: "json"`, `json_schema`
//!   → `format: <schema>`. `message.thinking` → `reasoning_content`.
//!
//! # Example
//!
//! ```
//! use llm_router_core::ChatProvider;
//!
//! // `OLLAMA_HOST` is often written without a scheme; both forms work.
//! let client = llm_router_ollama::builder().base_url("127.0.0.1:11434").build()?;
//! assert_eq!(client.base_url(), "http://127.0.0.1:11434");
//! assert_eq!(client.name(), "ollama");
//! # Ok::<(), llm_router_core::Error>(())
//! ```
//!
//! A real call (needs a running server with the model pulled):
//!
//! ```no_run
//! use llm_router_core::{ChatProvider, ChatRequest, Message};
//!
//! # async fn run() -> Result<(), llm_router_core::Error> {
//! let ollama = llm_router_ollama::from_env()?; // OLLAMA_BASE_URL / OLLAMA_HOST, else localhost
//! let resp = ollama
//!     .chat(ChatRequest::new("llama3.2", vec![Message::user("Say hi")]).with_extra("num_ctx", 8192))
//!     .await?;
//! println!("{}", resp.text());
//! # Ok(()) }
//! ```

mod client;
mod convert;
mod error;
mod ndjson;
mod stream;
mod wire;

use llm_router_core::{ApiKey, Capabilities, Error, ProviderInfo};

pub use client::{OllamaBuilder, OllamaClient};
pub use stream::chat_chunks;

/// The provider's name in errors, logs and model ids.
pub(crate) const NAME: &str = "ollama";

/// A local Ollama server.
pub const DEFAULT_BASE_URL: &str = "http://localhost:11434";

/// The environment variable holding an optional API key (ollama.com, proxies).
pub const API_KEY_ENV: &str = "OLLAMA_API_KEY";

/// The environment variable holding the base URL.
pub const BASE_URL_ENV: &str = "OLLAMA_BASE_URL";

/// Ollama's own variable for the server address (`host:port`, scheme optional); read when
/// [`BASE_URL_ENV`] is not set.
pub const HOST_ENV: &str = "OLLAMA_HOST";

/// What this crate is and supports (the README's provider table is generated from it).
pub const INFO: ProviderInfo = ProviderInfo {
    name: NAME,
    display_name: "Ollama",
    crate_name: "llm-router-ollama",
    feature: "ollama",
    env_vars: &[API_KEY_ENV, BASE_URL_ENV, HOST_ENV],
    default_base_url: DEFAULT_BASE_URL,
    capabilities: Capabilities {
        chat: true,
        streaming: true,
        tools: true,
        vision: true,
        embeddings: true,
        images: false,
        reasoning: true,
    },
    notes: "native /api/chat (NDJSON); no key locally; images as data: URLs only",
};

/// A builder for a local server (`http://localhost:11434`, no key).
pub fn builder() -> OllamaBuilder {
    OllamaBuilder::default()
}

/// A client configured from the environment: `OLLAMA_BASE_URL`, else `OLLAMA_HOST`, else
/// `http://localhost:11434`; `OLLAMA_API_KEY` if set.
pub fn from_env() -> Result<OllamaClient, Error> {
    let mut b = builder();
    if let Some(url) = env(BASE_URL_ENV).or_else(|| env(HOST_ENV)) {
        b = b.base_url(url);
    }
    if let Some(key) = ApiKey::from_env(API_KEY_ENV) {
        b = b.api_key(key);
    }
    b.build()
}

fn env(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}

/// A base URL from a URL or from `OLLAMA_HOST`'s forms (`host`, `host:port`, `:port`,
/// `[::1]:port`, `ollama.com`): no scheme means `http://`, no port means 11434.
pub(crate) fn normalize_host(s: &str) -> String {
    let s = s.trim().trim_end_matches('/');
    if s.is_empty() {
        return DEFAULT_BASE_URL.to_owned();
    }
    if s.contains("://") {
        return s.to_owned();
    }
    if s == "ollama.com" {
        return "https://ollama.com".to_owned();
    }
    let (hostport, path) = match s.split_once('/') {
        Some((h, p)) => (h, format!("/{p}")),
        None => (s, String::new()),
    };
    let hostport = if let Some(rest) = hostport.strip_prefix('[') {
        match rest.split_once(']') {
            Some((_, after)) if after.starts_with(':') => hostport.to_owned(),
            _ => format!("{hostport}:11434"),
        }
    } else if hostport.matches(':').count() > 1 {
        format!("[{hostport}]:11434") // a bare IPv6 address
    } else if hostport.contains(':') {
        hostport.to_owned()
    } else {
        format!("{hostport}:11434")
    };
    let hostport = if hostport.starts_with(':') {
        format!("127.0.0.1{hostport}")
    } else {
        hostport
    };
    format!("http://{hostport}{path}")
}

#[cfg(test)]
mod tests {
    use super::normalize_host;

    #[test]
    fn ollama_host_forms() {
        for (given, want) in [
            ("http://localhost:11434", "http://localhost:11434"),
            ("https://ollama.example/", "https://ollama.example"),
            ("127.0.0.1:11434", "http://127.0.0.1:11434"),
            ("0.0.0.0", "http://0.0.0.0:11434"),
            ("gpu-box", "http://gpu-box:11434"),
            (":8080", "http://127.0.0.1:8080"),
            ("[::1]:9000", "http://[::1]:9000"),
            ("[::1]", "http://[::1]:11434"),
            ("::1", "http://[::1]:11434"),
            ("example.com:80/ollama", "http://example.com:80/ollama"),
            ("ollama.com", "https://ollama.com"),
            ("  ", "http://localhost:11434"),
        ] {
            assert_eq!(normalize_host(given), want, "{given}");
        }
    }
}
