//! Deployments, model groups and fallbacks: the data a router is built from.

use std::fmt;
use std::sync::Arc;

use llm_router_core::{ErrorKind, SharedChat, SharedEmbedding};

use crate::strategy::{SharedStrategy, Strategy, Weighted};

/// Where a deployment's provider comes from.
#[derive(Clone)]
pub(crate) enum ProviderRef {
    /// A provider registered with the router under this name, looked up at build.
    Named(String),
    /// Given directly.
    Direct {
        chat: Option<SharedChat>,
        embedding: Option<SharedEmbedding>,
    },
}

/// One place a model group can send a request: a provider, the model to ask it for, and a
/// weight.
///
/// Its id (shown in errors and health reports) is `"<provider name>/<model>"` unless set with
/// [`Deployment::with_id`]. Deployments with the same id in different groups share their
/// health, latency and in-flight state.
///
/// ```
/// use std::sync::Arc;
/// use llm_router_mock::MockProvider;
/// use llm_router_routing::Deployment;
/// let d = Deployment::new(Arc::new(MockProvider::new().with_name("a")), "m").weight(3);
/// assert_eq!(d.weight_value(), 3);
/// ```
#[derive(Clone)]
pub struct Deployment {
    pub(crate) provider: ProviderRef,
    pub(crate) model: String,
    pub(crate) weight: u32,
    pub(crate) id: Option<String>,
}

impl Deployment {
    /// A deployment of `model` at a chat provider.
    pub fn new(provider: SharedChat, model: impl Into<String>) -> Self {
        Self::with_ref(
            ProviderRef::Direct {
                chat: Some(provider),
                embedding: None,
            },
            model,
        )
    }

    /// A deployment of an embedding `model` only.
    pub fn embedding(provider: SharedEmbedding, model: impl Into<String>) -> Self {
        Self::with_ref(
            ProviderRef::Direct {
                chat: None,
                embedding: Some(provider),
            },
            model,
        )
    }

    /// A deployment at a provider registered with the router under `provider` (see
    /// [`RouterBuilder::provider`](crate::RouterBuilder::provider)); resolved when the router
    /// is built. This is the form a configuration file produces.
    pub fn named(provider: impl Into<String>, model: impl Into<String>) -> Self {
        Self::with_ref(ProviderRef::Named(provider.into()), model)
    }

    fn with_ref(provider: ProviderRef, model: impl Into<String>) -> Self {
        Self {
            provider,
            model: model.into(),
            weight: 1,
            id: None,
        }
    }

    /// Also serves embeddings through `provider`.
    pub fn with_embeddings(mut self, provider: SharedEmbedding) -> Self {
        if let ProviderRef::Direct { embedding, .. } = &mut self.provider {
            *embedding = Some(provider);
        }
        self
    }

    /// Sets the weight (default 1) used by [`Weighted`](crate::Weighted).
    pub fn weight(mut self, weight: u32) -> Self {
        self.weight = weight;
        self
    }

    /// Sets the id shown in errors and health reports.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The model this deployment asks its provider for.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The weight.
    pub fn weight_value(&self) -> u32 {
        self.weight
    }
}

impl fmt::Debug for Deployment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let provider = match &self.provider {
            ProviderRef::Named(n) => n.clone(),
            ProviderRef::Direct { chat, embedding } => chat
                .as_ref()
                .map(|c| c.name().to_owned())
                .or_else(|| embedding.as_ref().map(|e| e.name().to_owned()))
                .unwrap_or_default(),
        };
        f.debug_struct("Deployment")
            .field("provider", &provider)
            .field("model", &self.model)
            .field("weight", &self.weight)
            .field("id", &self.id)
            .finish()
    }
}

/// Which errors send a request on to a fallback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Trigger {
    /// Fallback-eligible kinds (see [`ErrorKind::is_fallback_eligible`]) and
    /// [`ErrorKind::ContextLengthExceeded`] (a "larger model" chain). Content-policy refusals
    /// are not included.
    Default,
    /// Exactly these kinds.
    Kinds(Vec<ErrorKind>),
}

impl Trigger {
    /// Whether an error of `kind` triggers the fallback.
    pub fn matches(&self, kind: ErrorKind) -> bool {
        match self {
            Self::Default => {
                kind.is_fallback_eligible() || kind == ErrorKind::ContextLengthExceeded
            }
            Self::Kinds(kinds) => kinds.contains(&kind),
        }
    }
}

/// Where a group sends a request when it fails: another group (or alias, or
/// `"provider/model"`), and the error kinds that trigger it.
///
/// ```
/// use llm_router_core::ErrorKind;
/// use llm_router_routing::Fallback;
/// let f = Fallback::to("large");
/// assert!(f.triggered_by(ErrorKind::ContextLengthExceeded));
/// assert!(!f.triggered_by(ErrorKind::ContentFiltered));
/// assert!(Fallback::on_content_filter("lenient").triggered_by(ErrorKind::ContentFiltered));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    pub(crate) target: String,
    pub(crate) trigger: Trigger,
}

impl Fallback {
    /// Falls back to `target` on the [default kinds](Trigger::Default).
    pub fn to(target: impl Into<String>) -> Self {
        Self {
            target: target.into(),
            trigger: Trigger::Default,
        }
    }

    /// Falls back to `target` on exactly these kinds.
    pub fn on(target: impl Into<String>, kinds: impl IntoIterator<Item = ErrorKind>) -> Self {
        Self {
            target: target.into(),
            trigger: Trigger::Kinds(kinds.into_iter().collect()),
        }
    }

    /// Falls back to `target` only when the prompt does not fit the context window.
    pub fn on_context_window(target: impl Into<String>) -> Self {
        Self::on(target, [ErrorKind::ContextLengthExceeded])
    }

    /// Falls back to `target` only when a content policy refused the request.
    pub fn on_content_filter(target: impl Into<String>) -> Self {
        Self::on(target, [ErrorKind::ContentFiltered])
    }

    /// The fallback's target.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Whether an error of `kind` triggers it.
    pub fn triggered_by(&self, kind: ErrorKind) -> bool {
        self.trigger.matches(kind)
    }
}

/// A named set of deployments serving one logical model, with a strategy, fallbacks and a
/// number of passes.
///
/// ```
/// use std::sync::Arc;
/// use llm_router_mock::MockProvider;
/// use llm_router_routing::{Deployment, Fallback, ModelGroup, RoundRobin};
/// let a = Arc::new(MockProvider::new().with_name("a"));
/// let group = ModelGroup::new("fast")
///     .deployment(Deployment::new(a.clone(), "small-1"))
///     .deployment(Deployment::new(a, "small-2"))
///     .strategy(RoundRobin::new())
///     .fallback(Fallback::to("large"));
/// assert_eq!(group.name(), "fast");
/// ```
#[derive(Clone)]
pub struct ModelGroup {
    pub(crate) name: String,
    pub(crate) deployments: Vec<Deployment>,
    pub(crate) strategy: SharedStrategy,
    pub(crate) fallbacks: Vec<Fallback>,
    pub(crate) passes: usize,
}

impl ModelGroup {
    /// An empty group; the strategy is [`Weighted`] (plain round-robin while all weights are
    /// equal) and it makes one pass.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            deployments: Vec::new(),
            strategy: Arc::new(Weighted::new()),
            fallbacks: Vec::new(),
            passes: 1,
        }
    }

    /// Adds a deployment.
    pub fn deployment(mut self, d: Deployment) -> Self {
        self.deployments.push(d);
        self
    }

    /// Adds deployments.
    pub fn deployments(mut self, ds: impl IntoIterator<Item = Deployment>) -> Self {
        self.deployments.extend(ds);
        self
    }

    /// Sets the strategy.
    pub fn strategy(mut self, s: impl Strategy + 'static) -> Self {
        self.strategy = Arc::new(s);
        self
    }

    /// Sets a shared strategy (see [`StrategyKind::build`](crate::StrategyKind::build)).
    pub fn shared_strategy(mut self, s: SharedStrategy) -> Self {
        self.strategy = s;
        self
    }

    /// Adds a fallback; fallbacks are tried in the order added.
    pub fn fallback(mut self, f: Fallback) -> Self {
        self.fallbacks.push(f);
        self
    }

    /// How many times the group goes over its deployments before giving up (default 1, at
    /// least 1). Each pass asks the strategy again and re-reads health, and there is no
    /// pause between passes: put a retry layer under the deployments for back-off.
    pub fn passes(mut self, n: usize) -> Self {
        self.passes = n.max(1);
        self
    }

    /// The group's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Debug for ModelGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelGroup")
            .field("name", &self.name)
            .field("deployments", &self.deployments)
            .field("strategy", &self.strategy.name())
            .field("fallbacks", &self.fallbacks)
            .field("passes", &self.passes)
            .finish()
    }
}
