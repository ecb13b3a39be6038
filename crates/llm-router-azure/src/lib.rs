//! Azure OpenAI for llm-router: chat completions (streaming, tools, vision), embeddings and
//! image generation against your Azure OpenAI resource's deployments.
//!
//! Azure speaks OpenAI's dialect, so this crate is a preset of the shared
//! [`llm_router_openai_compat`] adapter: [`dialect`] says where and how to call Azure,
//! [`builder`] and [`from_env`] build a client implementing
//! [`ChatProvider`](llm_router_core::ChatProvider) and
//! [`EmbeddingProvider`](llm_router_core::EmbeddingProvider).
//!
//! What differs from OpenAI:
//!
//! - **Deployments in the path.** Requests go to
//!   `{endpoint}/openai/deployments/{deployment}/chat/completions?api-version={v}` (also
//!   `/embeddings`, `/images/generations`). The *model* of a canonical request is the
//!   deployment name, unless [`AzureBuilder::deployment`] maps it to one (`"gpt-4o"` →
//!   `"my-gpt4o-prod"`); the mapped name is also what goes in the body's `model`.
//!   `api-version` is mandatory; the default is [`DEFAULT_API_VERSION`] (a GA version).
//! - **The v1 path style** ([`ApiStyle::V1`]): `{endpoint}/openai/v1/chat/completions`, no
//!   `api-version`, the deployment name as `model` in the body.
//! - **Auth.** `api-key: <key>` by default; or a Microsoft Entra ID token as
//!   `Authorization: Bearer …`, fixed ([`AzureBuilder::entra_token`]) or fetched per request
//!   from a [`TokenProvider`] ([`AzureBuilder::token_provider`]), which is how expiring tokens
//!   are refreshed.
//! - **Content filtering.** A prompt Azure blocks is an HTTP 400 with code `content_filter`:
//!   it becomes [`ErrorKind::ContentFiltered`], naming the filtered categories. A filtered
//!   completion ends with finish reason `content_filter`. The annotations
//!   (`prompt_filter_results` at the top level, `content_filter_results` per choice) are kept
//!   in the response's and choices' `extra`. Streams may open with a chunk whose `choices` is
//!   empty and that only carries `prompt_filter_results`; it is accepted and adds nothing.
//! - **Retry hints.** `retry-after-ms` / `x-ms-retry-after-ms` are read by the shared
//!   classification into [`Error::retry_after`](llm_router_core::Error::retry_after).
//! - Listing models is not offered (Azure lists base models, not your deployments).
//!
//! # Example
//!
//! ```
//! use llm_router_core::ChatProvider;
//!
//! let client = llm_router_azure::builder()
//!     .endpoint("https://my-resource.openai.azure.com")
//!     .api_key("azure-test-key")
//!     .deployment("gpt-4o", "gpt4o-prod")
//!     .build()?;
//! assert_eq!(client.name(), "azure");
//! assert_eq!(
//!     client.dialect().url(llm_router_openai_compat::Endpoint::ChatCompletions, "gpt-4o"),
//!     "https://my-resource.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21"
//! );
//! assert!(!format!("{client:?}").contains("azure-test-key"));
//! # Ok::<(), llm_router_core::Error>(())
//! ```
//!
//! A real call (`AZURE_OPENAI_API_KEY` and `AZURE_OPENAI_ENDPOINT` set, a deployment named
//! `gpt-4o`):
//!
//! ```no_run
//! use llm_router_core::{ChatProvider, ChatRequest, Message};
//!
//! # async fn run() -> Result<(), llm_router_core::Error> {
//! let azure = llm_router_azure::from_env()?;
//! let resp = azure.chat(ChatRequest::new("gpt-4o", vec![Message::user("Hi")])).await?;
//! println!("{}", resp.text());
//! # Ok(()) }
//! ```
//!
//! [`ErrorKind::ContentFiltered`]: llm_router_core::ErrorKind::ContentFiltered

mod hooks;

use std::collections::BTreeMap;
use std::sync::Arc;

use llm_router_core::{ApiKey, Capabilities, Error, ErrorKind, ProviderInfo};
use llm_router_openai_compat::{Auth, Dialect, OpenAiCompatBuilder, Quirks, env_var};

use crate::hooks::AzureHooks;

pub use llm_router_openai_compat::OpenAiCompatClient as AzureClient;

pub(crate) const PROVIDER: &str = "azure";

/// The shape of an Azure endpoint; replace `{resource}` with yours via
/// [`AzureBuilder::endpoint`] or [`ENDPOINT_ENV`] (there is no usable default).
pub const DEFAULT_BASE_URL: &str = "https://{resource}.openai.azure.com";

/// The `api-version` sent by default: the latest GA version of the data-plane inference API
/// when this crate was written (Azure OpenAI REST reference, "API specs").
pub const DEFAULT_API_VERSION: &str = "2024-10-21";

/// The environment variable holding the API key.
pub const API_KEY_ENV: &str = "AZURE_OPENAI_API_KEY";

/// The environment variable holding a Microsoft Entra ID token (read when no key is set; the
/// name the official SDK uses).
pub const AD_TOKEN_ENV: &str = "AZURE_OPENAI_AD_TOKEN";

/// The environment variable holding the resource endpoint (`https://{resource}.openai.azure.com`).
pub const ENDPOINT_ENV: &str = "AZURE_OPENAI_ENDPOINT";

/// The environment variable overriding the base URL (read when [`ENDPOINT_ENV`] is unset).
pub const BASE_URL_ENV: &str = "AZURE_OPENAI_BASE_URL";

/// The environment variable with the `api-version` (the official SDK's name).
pub const API_VERSION_ENV: &str = "OPENAI_API_VERSION";

/// Also read for the `api-version`, and preferred over [`API_VERSION_ENV`].
pub const AZURE_API_VERSION_ENV: &str = "AZURE_OPENAI_API_VERSION";

/// What this crate is and supports (the README's provider table is generated from it).
pub const INFO: ProviderInfo = ProviderInfo {
    name: PROVIDER,
    display_name: "Azure OpenAI",
    crate_name: "llm-router-azure",
    feature: "azure",
    env_vars: &[
        API_KEY_ENV,
        AD_TOKEN_ENV,
        ENDPOINT_ENV,
        BASE_URL_ENV,
        AZURE_API_VERSION_ENV,
        API_VERSION_ENV,
    ],
    default_base_url: DEFAULT_BASE_URL,
    capabilities: Capabilities {
        chat: true,
        streaming: true,
        tools: true,
        vision: true,
        embeddings: true,
        images: true,
        reasoning: false,
    },
    notes: "deployment in the path + `api-version` (or the v1 style); `api-key` or Entra ID bearer; content-filter results kept, blocks → ContentFiltered",
};

/// A source of Microsoft Entra ID access tokens (scope
/// `https://cognitiveservices.azure.com/.default`), called before every request; cache and
/// refresh inside it.
pub type TokenProvider = Arc<dyn Fn() -> Result<String, Error> + Send + Sync>;

/// Which URL layout to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ApiStyle {
    /// `{endpoint}/openai/deployments/{deployment}/…?api-version=…` (the classic layout).
    #[default]
    Deployments,
    /// `{endpoint}/openai/v1/…`, no `api-version`, the deployment as `model` in the body.
    V1,
}

/// Azure as a [`Dialect`] at the placeholder endpoint [`DEFAULT_BASE_URL`] (set yours with
/// [`AzureBuilder::endpoint`]), `api-key` auth, [`DEFAULT_API_VERSION`], deployment URLs.
pub fn dialect() -> Dialect {
    dialect_with(AzureHooks {
        api_version: DEFAULT_API_VERSION.into(),
        style: ApiStyle::Deployments,
        deployments: BTreeMap::new(),
        token: None,
    })
}

fn dialect_with(hooks: AzureHooks) -> Dialect {
    Dialect::new(PROVIDER, DEFAULT_BASE_URL)
        .with_auth(Auth::Header("api-key".into()))
        .with_api_key_env(API_KEY_ENV)
        .with_quirks(Quirks {
            supports_images: true,
            supports_models: false,
            ..Quirks::default()
        })
        .with_hooks(Arc::new(hooks))
}

/// A builder for an Azure client; set `.endpoint(…)` and a credential.
pub fn builder() -> AzureBuilder {
    AzureBuilder {
        inner: OpenAiCompatBuilder::new(dialect()),
        endpoint: None,
        key: None,
        entra: None,
        token: None,
        api_version: DEFAULT_API_VERSION.into(),
        style: ApiStyle::Deployments,
        deployments: BTreeMap::new(),
    }
}

/// A client configured from the environment: `AZURE_OPENAI_ENDPOINT` (or
/// `AZURE_OPENAI_BASE_URL`; required), `AZURE_OPENAI_API_KEY` or else `AZURE_OPENAI_AD_TOKEN`
/// (one required), and `AZURE_OPENAI_API_VERSION` / `OPENAI_API_VERSION` (optional, default
/// [`DEFAULT_API_VERSION`]).
pub fn from_env() -> Result<AzureClient, Error> {
    let mut b = builder().api_key_from_env(API_KEY_ENV);
    if b.key.is_none()
        && let Some(t) = env_var(AD_TOKEN_ENV)
    {
        b = b.entra_token(t);
    }
    if let Some(url) = env_var(ENDPOINT_ENV).or_else(|| env_var(BASE_URL_ENV)) {
        b = b.endpoint(url);
    }
    if let Some(v) = env_var(AZURE_API_VERSION_ENV).or_else(|| env_var(API_VERSION_ENV)) {
        b = b.api_version(v);
    }
    b.build()
}

/// Builds an [`AzureClient`]: the shared builder plus endpoint, credential, `api-version`,
/// path style and deployment names.
pub struct AzureBuilder {
    inner: OpenAiCompatBuilder,
    endpoint: Option<String>,
    key: Option<ApiKey>,
    entra: Option<ApiKey>,
    token: Option<TokenProvider>,
    api_version: String,
    style: ApiStyle,
    deployments: BTreeMap<String, String>,
}

impl std::fmt::Debug for AzureBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AzureBuilder")
            .field("inner", &self.inner)
            .field("endpoint", &self.endpoint)
            .field("key", &self.key)
            .field("entra", &self.entra)
            .field("token_provider", &self.token.as_ref().map(|_| ".."))
            .field("api_version", &self.api_version)
            .field("style", &self.style)
            .field("deployments", &self.deployments)
            .finish()
    }
}

impl AzureBuilder {
    /// The resource endpoint, `https://{resource}.openai.azure.com` (a trailing `/openai` is
    /// accepted too).
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// The same as [`AzureBuilder::endpoint`] (proxies, tests).
    pub fn base_url(self, url: impl Into<String>) -> Self {
        self.endpoint(url)
    }

    /// Sets the API key, sent as `api-key: <key>`.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Reads the API key from `var` if it is set.
    pub fn api_key_from_env(mut self, var: &str) -> Self {
        if let Some(k) = ApiKey::from_env(var) {
            self.key = Some(k);
        }
        self
    }

    /// Authenticates with a Microsoft Entra ID token (`Authorization: Bearer <token>`) instead
    /// of a key. The token is fixed; use [`AzureBuilder::token_provider`] for refreshing.
    pub fn entra_token(mut self, token: impl Into<ApiKey>) -> Self {
        self.entra = Some(token.into());
        self
    }

    /// Authenticates with Entra ID tokens from `provider`, called before every request
    /// (`Authorization: Bearer <token>`). Takes precedence over a key or a fixed token.
    pub fn token_provider(mut self, provider: TokenProvider) -> Self {
        self.token = Some(provider);
        self
    }

    /// The `api-version` query parameter (default [`DEFAULT_API_VERSION`]); not sent in the
    /// v1 style.
    pub fn api_version(mut self, v: impl Into<String>) -> Self {
        self.api_version = v.into();
        self
    }

    /// The URL layout (default [`ApiStyle::Deployments`]).
    pub fn api_style(mut self, style: ApiStyle) -> Self {
        self.style = style;
        self
    }

    /// Calls deployment `deployment` for requests whose model is `model`. Models without an
    /// entry are taken as deployment names.
    pub fn deployment(mut self, model: impl Into<String>, deployment: impl Into<String>) -> Self {
        self.deployments.insert(model.into(), deployment.into());
        self
    }

    llm_router_openai_compat::forward_builder_setters! {
        inner =>
        header,
        http_client,
        request_timeout,
        stream_timeouts,
        /// Changes the dialect in place (quirks). Applied before Azure's URL and auth hooks are
        /// installed, which replace any hooks set here.
        map_dialect,
    }

    /// Builds the client. Fails with [`ErrorKind::Config`] without an endpoint, without a
    /// credential, with an invalid endpoint, or with an empty `api-version` in the
    /// deployments style.
    pub fn build(self) -> Result<AzureClient, Error> {
        let config = |m: String| Error::new(ErrorKind::Config, m).with_provider(PROVIDER);
        let Some(endpoint) = self.endpoint else {
            return Err(config(format!(
                "no endpoint for azure (set {ENDPOINT_ENV}, e.g. https://my-resource.openai.azure.com)"
            )));
        };
        if self.style == ApiStyle::Deployments && self.api_version.trim().is_empty() {
            return Err(config("empty api-version for azure".into()));
        }
        let (key, auth) = match (self.token.is_some(), self.entra, self.key) {
            // The hook writes the header; the placeholder only makes the client call it.
            (true, _, _) => (ApiKey::new("entra-token-provider"), Auth::Bearer),
            (false, Some(t), _) => (t, Auth::Bearer),
            (false, None, Some(k)) => (k, Auth::Header("api-key".into())),
            (false, None, None) => {
                return Err(config(format!(
                    "no API key for azure (set {API_KEY_ENV}, or use an Entra ID token)"
                )));
            }
        };
        let hooks = AzureHooks {
            api_version: self.api_version,
            style: self.style,
            deployments: self.deployments,
            token: self.token,
        };
        self.inner
            .map_dialect(|d| d.with_auth(auth).with_hooks(Arc::new(hooks)))
            .base_url(endpoint)
            .api_key(key)
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_needs_an_endpoint_and_a_credential() {
        let e = builder().api_key("k").build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.message().contains(ENDPOINT_ENV), "{e}");
        let e = builder()
            .endpoint("https://r.openai.azure.com")
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.message().contains(API_KEY_ENV), "{e}");
        let e = builder()
            .endpoint("https://r.openai.azure.com")
            .api_key("k")
            .api_version(" ")
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
    }

    #[test]
    fn info_is_consistent() {
        assert_eq!(INFO.name, dialect().name);
        assert!(INFO.env_vars.contains(&API_KEY_ENV));
    }
}
