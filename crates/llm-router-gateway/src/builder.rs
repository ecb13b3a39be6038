//! [`GatewayBuilder`]: models by name, owners, caller keys, readiness checks, limits.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::future::BoxFuture;
use llm_router_core::{ModelInfo, SharedChat, SharedEmbedding, SharedImage};

use crate::Gateway;
use crate::keys::{CallerKey, KeyStore};
use crate::metrics::Metrics;
use crate::request_id::IdGen;
use crate::state::{CheckFn, Inner, Table, Target};

/// The default request body limit: 10 MiB (room for a few base64 images).
pub const DEFAULT_BODY_LIMIT: usize = 10 * 1024 * 1024;
/// The default time in-flight requests and streams get to finish after shutdown starts.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// The default time one readiness check may take before it counts as failing.
pub const DEFAULT_CHECK_TIMEOUT: Duration = Duration::from_secs(5);
/// Default silence before a stream gets a keep-alive.
pub const DEFAULT_SSE_KEEP_ALIVE: Duration = Duration::from_secs(15);
/// `owned_by` of a model without an owner set.
pub const DEFAULT_OWNER: &str = "llm-router";

struct Entry<P> {
    name: String,
    provider: P,
    upstream: Option<String>,
}

/// Builds a [`Gateway`]. See the [crate docs](crate) for an example.
pub struct GatewayBuilder {
    chat: Vec<Entry<SharedChat>>,
    embedding: Vec<Entry<SharedEmbedding>>,
    image: Vec<Entry<SharedImage>>,
    owners: HashMap<String, String>,
    anthropic_native: HashSet<String>,
    keys: Vec<CallerKey>,
    checks: Vec<(String, CheckFn)>,
    check_timeout: Duration,
    body_limit: usize,
    shutdown_grace: Duration,
    request_timeout: Option<Duration>,
    sse_keep_alive: Option<Duration>,
}

impl Default for GatewayBuilder {
    fn default() -> Self {
        Self {
            chat: Vec::new(),
            embedding: Vec::new(),
            image: Vec::new(),
            owners: HashMap::new(),
            anthropic_native: HashSet::new(),
            keys: Vec::new(),
            checks: Vec::new(),
            check_timeout: DEFAULT_CHECK_TIMEOUT,
            body_limit: DEFAULT_BODY_LIMIT,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
            request_timeout: None,
            sse_keep_alive: Some(DEFAULT_SSE_KEEP_ALIVE),
        }
    }
}

impl fmt::Debug for GatewayBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |v: &[String]| v.join(", ");
        f.debug_struct("GatewayBuilder")
            .field(
                "chat",
                &names(&self.chat.iter().map(|e| e.name.clone()).collect::<Vec<_>>()),
            )
            .field(
                "embedding",
                &names(
                    &self
                        .embedding
                        .iter()
                        .map(|e| e.name.clone())
                        .collect::<Vec<_>>(),
                ),
            )
            .field(
                "image",
                &names(
                    &self
                        .image
                        .iter()
                        .map(|e| e.name.clone())
                        .collect::<Vec<_>>(),
                ),
            )
            .field("keys", &self.keys.len())
            .field("checks", &self.checks.len())
            .field("body_limit", &self.body_limit)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("request_timeout", &self.request_timeout)
            .field("sse_keep_alive", &self.sse_keep_alive)
            .finish_non_exhaustive()
    }
}

impl GatewayBuilder {
    /// Serves chat completions for `name` with `provider`. The request goes to the provider
    /// with `model` as the client sent it (a router resolves it); see
    /// [`chat_model_as`](Self::chat_model_as) to send another name. A later call with the same
    /// name replaces the earlier one.
    pub fn chat_model(mut self, name: impl Into<String>, provider: SharedChat) -> Self {
        push(&mut self.chat, name.into(), provider, None);
        self
    }

    /// Serves `name` with `provider`, asking it for `upstream_model` (clients see `name`,
    /// responses say `name`).
    pub fn chat_model_as(
        mut self,
        name: impl Into<String>,
        provider: SharedChat,
        upstream_model: impl Into<String>,
    ) -> Self {
        push(
            &mut self.chat,
            name.into(),
            provider,
            Some(upstream_model.into()),
        );
        self
    }

    /// Serves embeddings for `name` with `provider`.
    pub fn embedding_model(mut self, name: impl Into<String>, provider: SharedEmbedding) -> Self {
        push(&mut self.embedding, name.into(), provider, None);
        self
    }

    /// Serves embeddings for `name`, asking `provider` for `upstream_model`.
    pub fn embedding_model_as(
        mut self,
        name: impl Into<String>,
        provider: SharedEmbedding,
        upstream_model: impl Into<String>,
    ) -> Self {
        push(
            &mut self.embedding,
            name.into(),
            provider,
            Some(upstream_model.into()),
        );
        self
    }

    /// Serves image generation for `name` with `provider`.
    pub fn image_model(mut self, name: impl Into<String>, provider: SharedImage) -> Self {
        push(&mut self.image, name.into(), provider, None);
        self
    }

    /// Serves image generation for `name`, asking `provider` for `upstream_model`.
    pub fn image_model_as(
        mut self,
        name: impl Into<String>,
        provider: SharedImage,
        upstream_model: impl Into<String>,
    ) -> Self {
        push(
            &mut self.image,
            name.into(),
            provider,
            Some(upstream_model.into()),
        );
        self
    }

    /// The `owned_by` that `/v1/models` shows for `model` (default `llm-router`).
    pub fn owned_by(mut self, model: impl Into<String>, owner: impl Into<String>) -> Self {
        self.owners.insert(model.into(), owner.into());
        self
    }

    /// Marks the chat model `name` as served by Anthropic itself (through a router, say), so
    /// `POST /v1/messages` keeps Anthropic-only request fields (`thinking`, `cache_control`,
    /// …) for it. Other models get them removed
    /// ([`strip_anthropic_only`](llm_router_messages_api::strip_anthropic_only)), since strict
    /// OpenAI-dialect providers reject unknown fields. A model whose provider is named
    /// `anthropic` is marked without this call.
    pub fn keep_anthropic_fields(mut self, name: impl Into<String>) -> Self {
        self.anthropic_native.insert(name.into());
        self
    }

    /// Adds a caller key. With none, the gateway asks for no key; with one or more, every
    /// `/v1/*` request needs a valid key (health and metrics never do).
    pub fn caller_key(mut self, key: CallerKey) -> Self {
        self.keys.push(key);
        self
    }

    /// Adds a readiness check, run (with the others, concurrently) on each `/health/ready`.
    ///
    /// ```
    /// # let b = llm_router_gateway::Gateway::builder();
    /// let b = b.readiness_check("redis", || Box::pin(async { Ok(()) }));
    /// ```
    pub fn readiness_check(
        mut self,
        name: impl Into<String>,
        check: impl Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync + 'static,
    ) -> Self {
        self.checks.push((name.into(), Arc::new(check)));
        self
    }

    /// How long one readiness check may take before it counts as failing (default 5 s).
    pub fn readiness_timeout(mut self, d: Duration) -> Self {
        self.check_timeout = d;
        self
    }

    /// The largest request body accepted; larger ones get a 413 (default 10 MiB).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How long [`Gateway::serve`] lets in-flight requests and streams finish after shutdown
    /// starts before it cuts them (default 30 s).
    pub fn shutdown_grace(mut self, d: Duration) -> Self {
        self.shutdown_grace = d;
        self
    }

    /// How long the provider may take to answer (default: no limit beyond the providers' own
    /// timeouts). A non-streaming request must be answered within it; a stream must have
    /// started within it (the provider answered with its stream: the adapters in this
    /// workspace wait for the first event, so errors sent as the first event still get a
    /// status), after which the provider's stream idle timeout governs. Past it the client gets a 504 `timeout_error` and the upstream request
    /// is cancelled.
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.request_timeout = Some(d);
        self
    }

    /// How long a stream may stay silent (a model thinking, a slow upstream) before the
    /// gateway writes a keep-alive — an SSE comment on `/v1/chat/completions`, Anthropic's
    /// `ping` event on `/v1/messages` — so load balancers and proxies that close idle
    /// connections (often after 60 s) keep it open. Default 15 s; `None` turns them off.
    pub fn sse_keep_alive(mut self, interval: Option<Duration>) -> Self {
        self.sse_keep_alive = interval.filter(|d| !d.is_zero());
        self
    }

    /// The gateway.
    pub fn build(self) -> Gateway {
        let created = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut names: Vec<String> = Vec::new();
        let mut slot = |name: &str| match names.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                names.push(name.to_owned());
                names.len() - 1
            }
        };
        let mut anthropic_native = self.anthropic_native;
        anthropic_native.extend(
            self.chat
                .iter()
                .filter(|e| e.provider.name() == "anthropic")
                .map(|e| e.name.clone()),
        );
        let chat = table(self.chat, &mut slot);
        let embedding = table(self.embedding, &mut slot);
        let image = table(self.image, &mut slot);
        let listed = names
            .iter()
            .map(|name| {
                let owner = self.owners.get(name).map_or(DEFAULT_OWNER, String::as_str);
                let mut info = ModelInfo::new(name.clone(), owner);
                info.created = created;
                info
            })
            .collect();
        Gateway {
            inner: Arc::new(Inner {
                chat,
                embedding,
                image,
                listed,
                anthropic_native,
                keys: KeyStore::new(self.keys),
                metrics: Metrics::new(names),
                ids: IdGen::new(),
                checks: self.checks,
                check_timeout: self.check_timeout,
                body_limit: self.body_limit,
                shutdown_grace: self.shutdown_grace,
                request_timeout: self.request_timeout,
                sse_keep_alive: self.sse_keep_alive,
                shutting_down: AtomicBool::new(false),
            }),
        }
    }
}

fn push<P>(entries: &mut Vec<Entry<P>>, name: String, provider: P, upstream: Option<String>) {
    entries.retain(|e| e.name != name);
    entries.push(Entry {
        name,
        provider,
        upstream,
    });
}

fn table<P>(entries: Vec<Entry<P>>, slot: &mut impl FnMut(&str) -> usize) -> Table<P> {
    Table::new(
        entries
            .into_iter()
            .map(|e| {
                let metric = slot(&e.name);
                let target = Target {
                    provider: e.provider,
                    upstream: e.upstream,
                    metric,
                };
                (e.name, target)
            })
            .collect(),
    )
}
