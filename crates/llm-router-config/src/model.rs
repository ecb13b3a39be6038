//! The serde model of the configuration file. Every table refuses unknown fields, so a typo is
//! an error with its line, not a silently ignored setting.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use llm_router_routing::{Rule, StrategyKind};
use serde::Deserialize;

use crate::interpolate::SecretRef;
use crate::source::Source;
use crate::units;

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// `[server]`: listen address, body limit, shutdown grace, request timeout.
    #[serde(default)]
    pub server: ServerConfig,
    /// `[telemetry]`: log level and format (parsed here, applied by the CLI).
    #[serde(default)]
    pub telemetry: TelemetryConfig,
    /// `[providers.<name>]`: the upstream clients.
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
    /// `[models.<alias>]`: the model names the gateway serves.
    #[serde(default, deserialize_with = "models_table")]
    pub models: BTreeMap<String, ModelConfig>,
    /// `[routing]`: passive health.
    #[serde(default)]
    pub routing: RoutingConfig,
    /// `[retry]`: retries per upstream attempt.
    #[serde(default)]
    pub retry: RetryConfig,
    /// `[timeouts]`: per-attempt and stream limits.
    #[serde(default)]
    pub timeouts: TimeoutsConfig,
    /// `[cache]`: response cache; absent means no cache.
    #[serde(default)]
    pub cache: Option<CacheConfig>,
    /// `[limits]`: global rate limits; absent means none.
    #[serde(default)]
    pub limits: Option<LimitsConfig>,
    /// `[[keys]]`: caller API keys; none means the gateway is open.
    #[serde(default)]
    pub keys: Vec<CallerKeyConfig>,
    #[serde(skip)]
    pub(crate) source: Option<Arc<Source>>,
}

/// `[models.<alias>]` tables; `[[models]]` gets an error that says how to write them.
fn models_table<'de, D>(d: D) -> Result<BTreeMap<String, ModelConfig>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Tables;
    impl<'de> serde::de::Visitor<'de> for Tables {
        type Value = BTreeMap<String, ModelConfig>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a table of models, one `[models.<alias>]` table each")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(serde::de::Error::custom(
                "write each model as a `[models.<alias>]` table (the alias is the table name), not `[[models]]`",
            ))
        }
    }
    d.deserialize_map(Tables)
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}
fn default_body_limit() -> usize {
    10 * 1024 * 1024
}
fn default_grace() -> Duration {
    Duration::from_secs(30)
}

/// `[server]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Address to listen on (default `127.0.0.1:8080`).
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Largest request body in bytes (default 10 MiB; `"10MiB"` strings accepted).
    #[serde(
        default = "default_body_limit",
        deserialize_with = "units::byte_size_usize"
    )]
    pub body_limit: usize,
    /// How long in-flight requests may finish after a shutdown signal (default `"30s"`).
    #[serde(default = "default_grace", deserialize_with = "units::duration")]
    pub shutdown_grace: Duration,
    /// How long a provider may take to answer at the gateway: a whole non-streaming answer or
    /// the start of a stream (default none).
    #[serde(default, deserialize_with = "units::opt_duration")]
    pub request_timeout: Option<Duration>,
    /// Serve on this many single-threaded event loops, each with its own upstream connection
    /// pools, instead of one work-stealing runtime over every CPU (the default).
    #[serde(default)]
    pub workers: Option<NonZeroUsize>,
    /// Silence after which a stream gets a keep-alive event (default `"15s"`; `"0s"` turns
    /// them off).
    #[serde(default, deserialize_with = "units::opt_duration")]
    pub sse_keep_alive: Option<Duration>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            body_limit: default_body_limit(),
            shutdown_grace: default_grace(),
            request_timeout: None,
            workers: None,
            sse_keep_alive: None,
        }
    }
}

fn default_log_level() -> String {
    "info".to_owned()
}

/// `[telemetry]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TelemetryConfig {
    /// A `tracing` filter: `"info"`, `"warn,llm_router=debug"` (default `"info"`).
    #[serde(default = "default_log_level")]
    pub log_level: String,
    /// One JSON object per log line (default false: human-readable).
    #[serde(default)]
    pub json_logs: bool,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            log_level: default_log_level(),
            json_logs: false,
        }
    }
}

/// The provider implementations a `[providers.<name>]` table can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ProviderKind {
    /// OpenAI.
    Openai,
    /// Azure OpenAI.
    Azure,
    /// Anthropic Messages API.
    Anthropic,
    /// Google Gemini.
    Gemini,
    /// DeepSeek.
    Deepseek,
    /// OpenRouter.
    Openrouter,
    /// Zhipu GLM.
    Zhipu,
    /// Alibaba Qwen (DashScope compatible mode).
    Qwen,
    /// Ollama (native API).
    Ollama,
    /// Mistral.
    Mistral,
    /// Cohere v2.
    Cohere,
    /// AI21 Jamba.
    Ai21,
    /// Hugging Face router.
    Huggingface,
    /// Meta Llama API.
    MetaLlama,
    /// AWS Bedrock (Converse; SigV4 or a Bedrock API key).
    Bedrock,
    /// Baidu ERNIE (Qianfan v2).
    Ernie,
    /// iFlytek Spark (HTTP API, APIPassword).
    Spark,
    /// The in-process mock provider (no network).
    Mock,
    /// Any OpenAI-compatible endpoint, described in the file.
    OpenaiCompatible,
}

/// How an `openai-compatible` provider sends its key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum AuthStyle {
    /// `Authorization: Bearer <key>` (the default).
    Bearer,
    /// No key.
    None,
    /// `<header>: <key>`, written `auth = { header = "x-api-key" }`.
    Header(String),
    /// `?<param>=<key>`, written `auth = { query = "key" }`.
    Query(String),
}

/// Which output-token field an `openai-compatible` provider reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MaxTokensFieldConfig {
    /// Send what the caller set.
    AsGiven,
    /// `max_tokens`.
    MaxTokens,
    /// `max_completion_tokens`.
    MaxCompletionTokens,
}

/// `[providers.<name>.quirks]` of an `openai-compatible` provider; unset fields keep OpenAI's
/// behaviour.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct QuirksConfig {
    /// Which output-token field to send.
    pub max_tokens_field: Option<MaxTokensFieldConfig>,
    /// Ask for usage in streams (`stream_options.include_usage`).
    pub stream_include_usage: Option<bool>,
    /// Accepts `tools`.
    pub supports_tools: Option<bool>,
    /// Accepts `response_format: json_schema`.
    pub supports_response_format: Option<bool>,
    /// Accepts image parts.
    pub supports_vision: Option<bool>,
    /// Serves `/embeddings`.
    pub supports_embeddings: Option<bool>,
    /// Serves `/images/generations`.
    pub supports_images: Option<bool>,
    /// The vendor's name for reasoning text (`"reasoning"`), moved to `reasoning_content`.
    pub reasoning_field: Option<String>,
    /// A stream may end without `[DONE]` once every choice finished.
    pub stream_done_optional: Option<bool>,
}

/// `[providers.<name>]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ProviderConfig {
    /// Which implementation.
    pub kind: ProviderKind,
    /// `"${ENV_VAR}"` holding the key; literal keys are refused.
    #[serde(default)]
    pub api_key: Option<SecretRef>,
    /// Overrides the provider's base URL (required for `openai-compatible`; for `azure` the
    /// resource endpoint `https://<resource>.openai.azure.com`).
    #[serde(default)]
    pub base_url: Option<String>,
    /// Azure only: the `api-version` query parameter.
    #[serde(default)]
    pub api_version: Option<String>,
    /// Extra headers sent with every request.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Deadline of one non-streaming upstream request (provider default: 600 s).
    #[serde(default, deserialize_with = "units::opt_duration")]
    pub timeout: Option<Duration>,
    /// Longest silence inside a stream (provider default: 300 s).
    #[serde(default, deserialize_with = "units::opt_duration")]
    pub stream_idle_timeout: Option<Duration>,
    /// `openai-compatible` only: how the key is sent (default bearer).
    #[serde(default)]
    pub auth: Option<AuthStyle>,
    /// `openai-compatible` only: what the endpoint does differently from OpenAI.
    #[serde(default)]
    pub quirks: Option<QuirksConfig>,
    /// `bedrock` only: the AWS region (`us-east-1`); required.
    #[serde(default)]
    pub region: Option<String>,
    /// `bedrock` only: `"${AWS_ACCESS_KEY_ID}"` (with the secret below), instead of `api_key`.
    #[serde(default)]
    pub aws_access_key_id: Option<SecretRef>,
    /// `bedrock` only: `"${AWS_SECRET_ACCESS_KEY}"`.
    #[serde(default)]
    pub aws_secret_access_key: Option<SecretRef>,
    /// `bedrock` only: `"${AWS_SESSION_TOKEN}"` for temporary credentials.
    #[serde(default)]
    pub aws_session_token: Option<SecretRef>,
    /// `bedrock` only: a profile of the AWS shared credentials/config files whose keys (and
    /// region, when `region` is unset) are used.
    #[serde(default)]
    pub aws_profile: Option<String>,
    /// `mock` only: the reply when no rule matches.
    #[serde(default)]
    pub default_reply: Option<String>,
    /// `mock` only: a pause before each streamed chunk.
    #[serde(default, deserialize_with = "units::opt_duration")]
    pub chunk_delay: Option<Duration>,
    /// `mock` only: call a tool whenever tools are offered, not only when the user names one.
    #[serde(default)]
    pub call_offered_tools: Option<bool>,
}

impl ProviderConfig {
    /// A provider of `kind` with nothing else set.
    pub fn new(kind: ProviderKind) -> Self {
        Self {
            kind,
            api_key: None,
            base_url: None,
            api_version: None,
            headers: BTreeMap::new(),
            timeout: None,
            stream_idle_timeout: None,
            auth: None,
            quirks: None,
            region: None,
            aws_access_key_id: None,
            aws_secret_access_key: None,
            aws_session_token: None,
            aws_profile: None,
            default_reply: None,
            chunk_delay: None,
            call_offered_tools: None,
        }
    }
}

/// What a served model can be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ModelKind {
    /// `/v1/chat/completions`.
    Chat,
    /// `/v1/embeddings`.
    Embeddings,
    /// `/v1/images/generations`.
    Images,
}

/// One deployment of a model group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DeploymentConfig {
    /// A `[providers.<name>]` name.
    pub provider: String,
    /// The upstream model id.
    pub model: String,
    /// Share of traffic under the `weighted` strategy (default 1; must be > 0).
    #[serde(default = "default_weight")]
    pub weight: i64,
}

fn default_weight() -> i64 {
    1
}

/// `[models.<alias>]`: one of three forms — a single deployment (`provider` + `model`), a
/// group (`deployments`), or rules (`rules` + `default`) that pick another alias.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ModelConfig {
    /// Single deployment: the provider.
    #[serde(default)]
    pub provider: Option<String>,
    /// Single deployment: the upstream model id (default: the alias).
    #[serde(default)]
    pub model: Option<String>,
    /// Group: the deployments.
    #[serde(default)]
    pub deployments: Vec<DeploymentConfig>,
    /// Group: how deployments are picked (`weighted`, default; `round_robin`, `ordered`,
    /// `least_latency`, `least_busy`).
    #[serde(default)]
    pub strategy: Option<StrategyKind>,
    /// Passes over the deployments before giving up (default 1).
    #[serde(default)]
    pub passes: Option<usize>,
    /// Aliases tried in order when this model fails (rate limits, outages, context window).
    #[serde(default)]
    pub fallbacks: Vec<String>,
    /// Rules: first match picks the alias (or `provider/model`) a request goes to.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Rules: the target when no rule matches (required with `rules`).
    #[serde(default)]
    pub default: Option<String>,
    /// What the model serves (default `["chat"]`).
    #[serde(default)]
    pub kinds: Option<Vec<ModelKind>>,
    /// `owned_by` in `/v1/models` (default: the provider's kind, or `llm-router`).
    #[serde(default)]
    pub owned_by: Option<String>,
}

impl ModelConfig {
    /// A single-deployment model.
    pub fn single(provider: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            provider: Some(provider.into()),
            model: Some(model.into()),
            ..Self::default()
        }
    }

    /// The same with these kinds.
    pub fn with_kinds(mut self, kinds: impl IntoIterator<Item = ModelKind>) -> Self {
        self.kinds = Some(kinds.into_iter().collect());
        self
    }

    /// The kinds it serves (default chat).
    pub fn kinds(&self) -> Vec<ModelKind> {
        self.kinds.clone().unwrap_or_else(|| vec![ModelKind::Chat])
    }
}

/// `[routing]`: passive health of deployments.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RoutingConfig {
    /// Consecutive failures before a deployment cools down (default 3).
    #[serde(default)]
    pub failure_threshold: Option<u32>,
    /// How long a failing deployment is skipped (default `"30s"`).
    #[serde(default, deserialize_with = "units::opt_duration")]
    pub cooldown: Option<Duration>,
}

/// Retry jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum JitterConfig {
    /// Exactly the backoff.
    None,
    /// Uniform in `[0, backoff]` (default).
    Full,
    /// Half the backoff plus up to half.
    Equal,
}

/// `[retry]`: applied under the router, to every upstream attempt.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Attempts in all, the first included (default 3; 1 disables retries).
    #[serde(default)]
    pub max_attempts: Option<u32>,
    /// Wait before the first retry (default `"200ms"`).
    #[serde(default, deserialize_with = "units::opt_duration")]
    pub base_delay: Option<Duration>,
    /// Longest wait, and longest `Retry-After` honoured (default `"10s"`).
    #[serde(default, deserialize_with = "units::opt_duration")]
    pub max_delay: Option<Duration>,
    /// Factor between waits (default 2.0).
    #[serde(default)]
    pub multiplier: Option<f64>,
    /// `full` (default), `equal` or `none`.
    #[serde(default)]
    pub jitter: Option<JitterConfig>,
    /// Total time retries may take (default none).
    #[serde(default, deserialize_with = "units::opt_duration")]
    pub budget: Option<Duration>,
}

/// `[timeouts]`: applied to every upstream attempt, inside the retries.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TimeoutsConfig {
    /// Deadline of one attempt (for streams: until the first chunk). Default none.
    #[serde(default, deserialize_with = "units::opt_duration")]
    pub per_attempt: Option<Duration>,
    /// Longest gap between stream chunks. Default none.
    #[serde(default, deserialize_with = "units::opt_duration")]
    pub stream_idle: Option<Duration>,
    /// Longest whole stream. Default none.
    #[serde(default, deserialize_with = "units::opt_duration")]
    pub stream_total: Option<Duration>,
}

/// A cache backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CacheBackend {
    /// In-process, bounded in bytes (default).
    #[default]
    Memory,
    /// Files under `path` (feature `cache-disk`).
    Disk,
    /// Redis at `redis_url` (feature `cache-redis`); shared by replicas.
    Redis,
}

fn yes() -> bool {
    true
}

/// `[cache]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CacheConfig {
    /// Set false to keep the section but turn the cache off (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// `memory` (default), `disk` or `redis`.
    #[serde(default)]
    pub backend: CacheBackend,
    /// How long entries live (default `"1h"`).
    #[serde(default, deserialize_with = "units::opt_duration")]
    pub ttl: Option<Duration>,
    /// Memory and disk: size bound (default 64 MiB).
    #[serde(default, deserialize_with = "units::opt_byte_size")]
    pub max_bytes: Option<u64>,
    /// Disk: the directory.
    #[serde(default)]
    pub path: Option<String>,
    /// Redis: `redis://host:6379/0`, usually `"${REDIS_URL}"`.
    #[serde(default)]
    pub redis_url: Option<String>,
    /// Key namespace (default `"default"`).
    #[serde(default)]
    pub namespace: Option<String>,
}

/// What the global limiter does when a budget is spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LimitMode {
    /// Refuse with 429 and `Retry-After` (default).
    #[default]
    Reject,
    /// Wait up to `max_wait` for capacity.
    Wait,
}

/// Where limiter budgets live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LimitBackend {
    /// In this process (default).
    #[default]
    Memory,
    /// Redis at `redis_url` (feature `limits-redis`): replicas share one budget.
    Redis,
}

/// `[limits]`: one budget for all traffic through this gateway.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LimitsConfig {
    /// Requests per minute.
    #[serde(default)]
    pub requests_per_minute: Option<u32>,
    /// Tokens (prompt estimate, settled with usage) per minute.
    #[serde(default)]
    pub tokens_per_minute: Option<u64>,
    /// Requests in flight (always per process).
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// `reject` (default) or `wait`.
    #[serde(default)]
    pub mode: LimitMode,
    /// With `mode = "wait"`: the longest wait (default `"10s"`).
    #[serde(default, deserialize_with = "units::opt_duration")]
    pub max_wait: Option<Duration>,
    /// `memory` (default) or `redis`.
    #[serde(default)]
    pub backend: LimitBackend,
    /// Redis: the URL, usually `"${REDIS_URL}"`.
    #[serde(default)]
    pub redis_url: Option<String>,
    /// Redis: prefix of the limiter's keys (default `"llm-router:limit:"`); gateways that
    /// must not share budgets use different prefixes.
    #[serde(default)]
    pub key_prefix: Option<String>,
    /// Redis down: admit (`false`, default) or refuse (`true`).
    #[serde(default)]
    pub fail_closed: bool,
}

/// `[[keys]]`: a caller API key of the gateway.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CallerKeyConfig {
    /// A name for logs and limits (never the key).
    pub name: String,
    /// The key, as `"${ENV_VAR}"`.
    #[serde(default)]
    pub key: Option<SecretRef>,
    /// Or the SHA-256 of the key, 64 hex digits (`printf %s "$KEY" | sha256sum`).
    #[serde(default)]
    pub sha256: Option<String>,
    /// Models it may use (`"*"` or empty: all).
    #[serde(default)]
    pub models: Vec<String>,
    /// Its own requests per minute.
    #[serde(default)]
    pub requests_per_minute: Option<u32>,
    /// Its own tokens per minute.
    #[serde(default)]
    pub tokens_per_minute: Option<u64>,
    /// Its own requests in flight.
    #[serde(default)]
    pub concurrency: Option<usize>,
}
