//! What every handler shares: the model tables, keys, metrics and settings. Built once, never
//! locked: handlers only read it (the shutdown flag is an atomic).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use futures_util::future::BoxFuture;
use llm_router_core::{ErrorKind, ModelInfo, SharedChat, SharedEmbedding, SharedImage};

use crate::error::Failure;
use crate::keys::{Caller, KeyStore};
use crate::metrics::Metrics;
use crate::request_id::IdGen;

/// A readiness check: `Ok` when the dependency is fine, else why not.
pub(crate) type CheckFn = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// A model name's provider, the model to ask it for, and the name's metrics slot.
pub(crate) struct Target<P> {
    pub(crate) provider: P,
    /// `None`: send the name the client used.
    pub(crate) upstream: Option<String>,
    pub(crate) metric: usize,
}

/// One kind of model (chat, embedding, image), by the gateway's name.
pub(crate) struct Table<P> {
    by_name: HashMap<String, Target<P>>,
}

impl<P> Table<P> {
    pub(crate) fn new(by_name: HashMap<String, Target<P>>) -> Self {
        Self { by_name }
    }

    /// The target for `model` if it exists and the caller may use it; else OpenAI's 404
    /// (the same answer for both, as OpenAI does: a key does not learn which models exist).
    pub(crate) fn get(&self, model: &str, caller: Option<&Caller>) -> Result<&Target<P>, Failure> {
        match self.by_name.get(model) {
            Some(t) if caller.is_none_or(|c| c.allows(model)) => Ok(t),
            _ => Err(model_not_found(model)),
        }
    }

    /// The only model of this kind, if there is exactly one.
    pub(crate) fn single(&self) -> Option<(&str, &Target<P>)> {
        let mut it = self.by_name.iter();
        match (it.next(), it.next()) {
            (Some((name, t)), None) => Some((name.as_str(), t)),
            _ => None,
        }
    }
}

pub(crate) fn model_not_found(model: &str) -> Failure {
    Failure::new(
        ErrorKind::ModelNotFound,
        "model_not_found",
        format!("The model `{model}` does not exist or you do not have access to it."),
    )
    .with_param("model")
}

/// The gateway's shared state.
pub(crate) struct Inner {
    pub(crate) chat: Table<SharedChat>,
    pub(crate) embedding: Table<SharedEmbedding>,
    pub(crate) image: Table<SharedImage>,
    /// Every model name, in the order first registered, for `/v1/models`.
    pub(crate) listed: Vec<ModelInfo>,
    /// Chat models served by Anthropic itself: `/v1/messages` keeps Anthropic-only fields.
    pub(crate) anthropic_native: HashSet<String>,
    pub(crate) keys: KeyStore,
    pub(crate) metrics: Metrics,
    pub(crate) ids: IdGen,
    pub(crate) checks: Vec<(String, CheckFn)>,
    pub(crate) check_timeout: Duration,
    pub(crate) body_limit: usize,
    pub(crate) shutdown_grace: Duration,
    /// Deadline of the provider's answer (or of a stream's start).
    pub(crate) request_timeout: Option<Duration>,
    /// Silence after which a stream gets a keep-alive event.
    pub(crate) sse_keep_alive: Option<Duration>,
    pub(crate) shutting_down: AtomicBool,
}

impl Inner {
    /// Runs a provider call within the configured request timeout; past it the call is
    /// dropped (which cancels the upstream request) and a timeout error is returned.
    pub(crate) async fn deadline<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, llm_router_core::Error>>,
    ) -> Result<T, llm_router_core::Error> {
        let Some(limit) = self.request_timeout else {
            return call.await;
        };
        match tokio::time::timeout(limit, call).await {
            Ok(result) => result,
            Err(_) => Err(llm_router_core::Error::new(
                llm_router_core::ErrorKind::Timeout,
                format!(
                    "no answer from the provider within the gateway's request timeout ({} ms)",
                    limit.as_millis()
                ),
            )),
        }
    }
}
