//! Configuration for llm-router: one TOML file → a running set of providers and layers.
//!
//! [`Config::from_path`] reads and parses a file (every table refuses unknown fields; every
//! error names `file:line:col` and the field), [`Config::validate`] runs the semantic checks
//! (unknown providers, weights, fallback cycles, missing key variables…) without any network,
//! and [`Config::build`] constructs the clients and layers into a [`Runtime`]: the served
//! models (chat, embeddings, images) with cache → global limits → routing → retry → timeout
//! in place, the caller keys (hashes only), server settings and readiness checks.
//! [`Config::builtin_default`] is the configuration `llm-router serve` runs without a file.
//!
//! Keys never live in the file: `api_key = "${OPENAI_API_KEY}"` names an environment
//! variable; a literal key is refused. `${VAR}` and `${VAR:-default}` work in every string.
//!
//! The full reference of every key, its default and meaning is [`reference`](mod@reference) (`CONFIG.md`
//! beside this crate's `Cargo.toml`); `examples/default.toml` is the built-in configuration,
//! commented.
//!
//! # Example
//!
//! ```
//! use llm_router_config::Config;
//! use llm_router_core::{ChatRequest, Message};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let cfg = Config::from_toml_str(r#"
//!     [server]
//!     listen = "0.0.0.0:9000"
//!
//!     [providers.local]
//!     kind = "mock"
//!     default_reply = "hello from the mock"
//!
//!     [models.fast]
//!     provider = "local"
//!     model = "mock-small"
//! "#, "gateway.toml")?;
//! cfg.validate()?;
//!
//! let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! let runtime = rt.block_on(cfg.build())?;
//! assert_eq!(runtime.server.listen.port(), 9000);
//! let fast = runtime.model("fast").and_then(|m| m.chat.clone()).ok_or("no chat")?;
//! let answer = rt.block_on(fast.chat(ChatRequest::new("fast", vec![Message::user("hi")])))?;
//! assert_eq!(answer.text(), "hello from the mock");
//!
//! // Mistakes name the file, line, column and field.
//! let err = Config::from_toml_str("[server]\nlisten = \"x\"\nshutdown_grace = \"soon\"\n", "bad.toml")
//!     .unwrap_err();
//! assert!(err.to_string().starts_with("bad.toml:2:10: server.listen:"), "{err}");
//! # Ok(())
//! # }
//! ```

#[doc = include_str!("../CONFIG.md")]
pub mod reference {}

mod build;
mod default;
mod error;
mod interpolate;
mod keys;
mod model;
mod provider;
mod runtime;
mod source;
mod units;
mod validate;

use std::path::Path;
use std::sync::Arc;

use toml::de::{DeTable, Deserializer};

pub use default::DEFAULT_TOML;
pub use error::{ConfigError, Location};
pub use interpolate::SecretRef;
pub use keys::sha256;
pub use model::{
    AuthStyle, CacheBackend, CacheConfig, CallerKeyConfig, Config, DeploymentConfig, JitterConfig,
    LimitBackend, LimitMode, LimitsConfig, MaxTokensFieldConfig, ModelConfig, ModelKind,
    ProviderConfig, ProviderKind, QuirksConfig, RetryConfig, RoutingConfig, ServerConfig,
    TelemetryConfig, TimeoutsConfig,
};
pub use provider::{BuiltProvider, build_provider, capabilities};
pub use runtime::{
    CallerKeySpec, CheckFn, ReadinessCheck, Runtime, ServedModel, ServerSettings, TelemetrySettings,
};

use interpolate::process_env;
use source::Source;

impl Config {
    /// Reads and parses a TOML file (environment variables interpolated).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Read`], or as [`Config::from_toml_str`].
    pub fn from_path(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml_str(&text, &path.display().to_string())
    }

    /// Parses TOML text; `origin` is the name used in error messages.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Parse`] for bad TOML, wrong types, unknown fields or literal keys;
    /// [`ConfigError::MissingEnv`] for a `${VAR}` that is not set (outside secret fields,
    /// which [`Config::validate`] checks).
    pub fn from_toml_str(src: &str, origin: &str) -> Result<Config, ConfigError> {
        Self::from_toml_str_with_env(src, origin, &process_env)
    }

    /// [`Config::from_toml_str`] with environment variables looked up by `env` instead of the
    /// process environment (tests, secret stores).
    ///
    /// # Errors
    ///
    /// As [`Config::from_toml_str`].
    pub fn from_toml_str_with_env(
        src: &str,
        origin: &str,
        env: &(dyn Fn(&str) -> Option<String> + Sync),
    ) -> Result<Config, ConfigError> {
        let source = Source {
            origin: origin.to_owned(),
            text: src.to_owned(),
        };
        let parse_error = |e: toml::de::Error| {
            let (location, field) = match e.span() {
                Some(span) => (
                    source.at_offset(span.start),
                    source.path_at(span.start).map(|p| p.to_string()),
                ),
                None => (Location::file(origin), None),
            };
            ConfigError::Parse {
                location,
                field,
                message: e.message().trim().to_owned(),
            }
        };
        let mut root = DeTable::parse(src).map_err(parse_error)?;
        let mut errors = Vec::new();
        interpolate::interpolate_document(&mut root, &source, env, &mut errors);
        ConfigError::from_list(errors)?;
        let mut cfg = <Config as serde::Deserialize>::deserialize(Deserializer::from(root))
            .map_err(parse_error)?;
        cfg.source = Some(Arc::new(source));
        Ok(cfg)
    }

    /// The configuration `llm-router serve` runs without a file: [`DEFAULT_TOML`] (the mock
    /// provider as `mock-chat`, `mock-embed` and `mock-image`, an in-memory cache, generous
    /// in-memory limits) plus, for every real provider whose key variable is set
    /// (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, `GEMINI_API_KEY`, …), that provider under its
    /// kind's name with a few `"<provider>/<model>"` aliases (`openai/gpt-4o-mini`). A
    /// provider whose key is missing is simply not enabled.
    pub fn builtin_default() -> Config {
        Self::builtin_default_with_env(&process_env)
    }

    /// [`Config::builtin_default`] with environment variables looked up by `env`.
    pub fn builtin_default_with_env(env: &(dyn Fn(&str) -> Option<String> + Sync)) -> Config {
        let mut cfg = match Self::from_toml_str_with_env(DEFAULT_TOML, "<built-in default>", env) {
            Ok(cfg) => cfg,
            Err(e) => {
                // Unreachable in practice: a unit test parses the built-in file.
                tracing::error!(error = %e, "built-in configuration does not parse");
                Config::default()
            }
        };
        default::add_env_providers(&mut cfg, env);
        cfg
    }

    /// Runs every semantic check: providers, models, fallbacks, rules, cache, limits, keys,
    /// and that every `${VAR}` a secret names is set. No network.
    ///
    /// # Errors
    ///
    /// The problems found: one error, or [`ConfigError::Multiple`].
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_with_env(&process_env)
    }

    /// [`Config::validate`] with environment variables looked up by `env`.
    ///
    /// # Errors
    ///
    /// As [`Config::validate`].
    pub fn validate_with_env(
        &self,
        env: &(dyn Fn(&str) -> Option<String> + Sync),
    ) -> Result<(), ConfigError> {
        ConfigError::from_list(validate::Checker::new(self, env).run())
    }

    /// Validates, then builds clients and layers (connecting to Redis where configured).
    ///
    /// # Errors
    ///
    /// As [`Config::validate`], or [`ConfigError::Build`] when a client or layer cannot be
    /// built.
    pub async fn build(&self) -> Result<Runtime, ConfigError> {
        build::build(self, &process_env).await
    }

    /// [`Config::build`] with environment variables (keys) looked up by `env`.
    ///
    /// # Errors
    ///
    /// As [`Config::build`].
    pub async fn build_with_env(
        &self,
        env: &(dyn Fn(&str) -> Option<String> + Sync),
    ) -> Result<Runtime, ConfigError> {
        build::build(self, env).await
    }

    /// The origin (file name) this configuration was parsed from.
    pub fn origin(&self) -> Option<&str> {
        self.source.as_deref().map(|s| s.origin.as_str())
    }
}
