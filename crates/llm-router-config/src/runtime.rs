//! What [`Config::build`](crate::Config::build) returns: the served models with their layers
//! in place, the caller keys, the server settings and readiness checks.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::future::BoxFuture;
use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider, EmbeddingRequest,
    EmbeddingResponse, Error, ImageProvider, ImageRequest, ImageResponse, ModelInfo, SharedBatch,
    SharedChat, SharedEmbedding, SharedImage,
};

/// A model the gateway serves, by the name callers use.
#[derive(Clone)]
pub struct ServedModel {
    /// The name in requests and `/v1/models`.
    pub name: String,
    /// `owned_by` in `/v1/models`.
    pub owned_by: String,
    /// Chat, with cache, limits, routing, retry and timeouts in place.
    pub chat: Option<SharedChat>,
    /// Embeddings, likewise.
    pub embeddings: Option<SharedEmbedding>,
    /// Image generation (failover over the model's deployments; not cached or limited).
    pub images: Option<SharedImage>,
    /// Every deployment is an Anthropic provider: a gateway may pass Anthropic-only request
    /// fields (thinking, cache_control, top_k…) straight through.
    pub anthropic_native: bool,
}

impl fmt::Debug for ServedModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServedModel")
            .field("name", &self.name)
            .field("owned_by", &self.owned_by)
            .field("chat", &self.chat.is_some())
            .field("embeddings", &self.embeddings.is_some())
            .field("images", &self.images.is_some())
            .finish()
    }
}

/// A caller key of the gateway: only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerKeySpec {
    /// The key's name (logs, limiter scope); never the key.
    pub name: String,
    /// SHA-256 of the key.
    pub sha256: [u8; 32],
    /// Models it may use; empty means all.
    pub models: Vec<String>,
    /// Its own requests per minute.
    pub requests_per_minute: Option<u32>,
    /// Its own tokens per minute.
    pub tokens_per_minute: Option<u64>,
    /// Its own requests in flight.
    pub concurrency: Option<usize>,
}

impl CallerKeySpec {
    /// Whether this key may use `model`.
    pub fn allows(&self, model: &str) -> bool {
        self.models.is_empty() || self.models.iter().any(|m| m == model)
    }
}

/// The `[server]` settings, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    /// Listen address.
    pub listen: SocketAddr,
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// Time to finish in-flight requests after a shutdown signal.
    pub shutdown_grace: Duration,
    /// How long a provider may take to answer (or to start a stream) at the gateway.
    pub request_timeout: Option<Duration>,
    /// Event loops of the gateway (`None`: one work-stealing runtime over every CPU).
    pub workers: Option<std::num::NonZeroUsize>,
    /// Silence after which a stream gets a keep-alive (`None`: the gateway's default, 15 s;
    /// zero: none).
    pub sse_keep_alive: Option<Duration>,
}

/// The `[telemetry]` settings (applied by the CLI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetrySettings {
    /// A `tracing` filter.
    pub log_level: String,
    /// JSON log lines.
    pub json_logs: bool,
}

/// A readiness probe.
pub type CheckFn = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// A dependency `/health/ready` checks (Redis PING when Redis is configured).
#[derive(Clone)]
pub struct ReadinessCheck {
    /// What is checked (`"redis (cache)"`).
    pub name: String,
    /// The check; `Err` carries a message safe to show.
    pub check: CheckFn,
}

impl fmt::Debug for ReadinessCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadinessCheck")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Everything the gateway needs, built from a [`Config`](crate::Config).
#[derive(Clone)]
pub struct Runtime {
    /// The served models, in alias order.
    pub models: Vec<ServedModel>,
    /// Caller keys; empty means the gateway is open.
    pub caller_keys: Vec<CallerKeySpec>,
    /// Server settings.
    pub server: ServerSettings,
    /// Readiness checks.
    pub readiness: Vec<ReadinessCheck>,
    /// Telemetry settings.
    pub telemetry: TelemetrySettings,
    /// The batch APIs of the configured providers that have one, by provider name
    /// (`llm-router batch submit --provider <name>`).
    pub batch_providers: BTreeMap<String, SharedBatch>,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("models", &self.models)
            .field("caller_keys", &self.caller_keys.len())
            .field("server", &self.server)
            .field("readiness", &self.readiness)
            .field("telemetry", &self.telemetry)
            .field(
                "batch_providers",
                &self.batch_providers.keys().collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Runtime {
    /// The served model called `name`.
    pub fn model(&self, name: &str) -> Option<&ServedModel> {
        self.models.iter().find(|m| m.name == name)
    }

    /// The caller key matching a key a client presented (compared by SHA-256, in constant
    /// time per entry); `None` when no entry matches.
    pub fn caller_key(&self, presented: &str) -> Option<&CallerKeySpec> {
        let digest = crate::keys::sha256(presented);
        self.caller_keys
            .iter()
            .find(|k| crate::keys::digests_equal(&k.sha256, &digest))
    }
}

/// Sends every request as one model name, whatever the caller wrote: the name the gateway
/// matched is the name the router resolves.
pub(crate) struct Pinned<P: ?Sized> {
    name: String,
    inner: Arc<P>,
}

impl<P: ?Sized> Pinned<P> {
    pub(crate) fn new(name: &str, inner: Arc<P>) -> Self {
        Self {
            name: name.to_owned(),
            inner,
        }
    }
}

#[async_trait]
impl ChatProvider for Pinned<dyn ChatProvider> {
    fn name(&self) -> &str {
        self.inner.name()
    }
    async fn chat(&self, mut req: ChatRequest) -> Result<ChatResponse, Error> {
        req.model.clone_from(&self.name);
        self.inner.chat(req).await
    }
    async fn chat_stream(&self, mut req: ChatRequest) -> Result<ChatStream, Error> {
        req.model.clone_from(&self.name);
        self.inner.chat_stream(req).await
    }
    async fn list_models(&self) -> Result<Vec<ModelInfo>, Error> {
        self.inner.list_models().await
    }
}

#[async_trait]
impl EmbeddingProvider for Pinned<dyn EmbeddingProvider> {
    fn name(&self) -> &str {
        self.inner.name()
    }
    async fn embed(&self, mut req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        req.model.clone_from(&self.name);
        self.inner.embed(req).await
    }
}

/// Image generation over a model's deployments, in order, moving on after
/// fallback-eligible errors; `req.model` is set per deployment.
pub(crate) struct ImageFailover {
    pub(crate) name: String,
    pub(crate) targets: Vec<(SharedImage, String)>,
}

#[async_trait]
impl ImageProvider for ImageFailover {
    fn name(&self) -> &str {
        &self.name
    }
    async fn generate(&self, req: ImageRequest) -> Result<ImageResponse, Error> {
        let mut last = None;
        for (provider, model) in &self.targets {
            let mut r = req.clone();
            r.model = Some(model.clone());
            match provider.generate(r).await {
                Ok(resp) => return Ok(resp),
                Err(e) if e.kind().is_fallback_eligible() => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            Error::new(
                llm_router_core::ErrorKind::ModelNotFound,
                format!("model `{}` has no image deployment", self.name),
            )
        }))
    }
}
