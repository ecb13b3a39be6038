//! `Router`: resolves a request's model to a group (or a provider), picks deployments with the
//! group's strategy, fails over, follows fallback chains and keeps passive health.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use futures_util::future::BoxFuture;
use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider, EmbeddingRequest,
    EmbeddingResponse, Error, ErrorKind, ModelInfo, SharedChat, SharedEmbedding,
};
use tokio::time::Instant;

use crate::attempts::{Attempt, Attempts};
use crate::group::{Deployment, ModelGroup, ProviderRef, Trigger};
use crate::health::{Admission, DeploymentHealth, DeploymentState, HealthPolicy};
use crate::strategy::{Candidate, Ordered, PickContext, SharedStrategy, normalize};
use crate::stream::Tracked;

/// Aliases may point at aliases; this many hops at most.
const MAX_ALIAS_HOPS: usize = 8;

/// Routes requests over model groups and providers; itself a [`ChatProvider`] and an
/// [`EmbeddingProvider`].
///
/// A request's `model` is resolved, in order, as: a group name; an alias (to a group, another
/// alias or a `"provider/model"`); `"<provider>/<model>"` split on the first `/`
/// (`openrouter/openai/gpt-4o` asks the provider registered as `openrouter` for
/// `openai/gpt-4o`). There is no guessing from model-name prefixes. Anything else is
/// [`ErrorKind::ModelNotFound`], naming what the router knows.
///
/// A group request goes to the deployments in the order the group's strategy gives, skipping
/// deployments that are cooling down, with `req.model` rewritten to each deployment's model.
/// A fallback-eligible error moves on to the next deployment; any other error stops the
/// group at once. When the group has failed, its [fallbacks](crate::Fallback) whose trigger
/// matches the error that ended it are tried in order (each with its own fallbacks, never
/// revisiting a group). When everything failed the caller gets one error: the error itself if
/// there was a single attempt, else an error of the last attempt's kind whose message lists
/// every attempt and whose [`source`](std::error::Error::source) is [`Attempts`].
///
/// Streams fail over only before their first chunk (an `Err` from `chat_stream`); a failure
/// after that reaches the caller as `StreamInterrupted` and is counted against the deployment.
///
/// When every deployment of a group is cooling down the router tries them all anyway, in
/// strategy order, rather than fail without trying: a cool-down is a guess, an attempt is
/// evidence. A success anywhere makes that deployment healthy.
///
/// `Router` is cheap to clone (one `Arc`); clones share state.
#[derive(Clone)]
pub struct Router {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    groups: Vec<Group>,
    by_name: HashMap<String, usize>,
    aliases: BTreeMap<String, String>,
    chat: BTreeMap<String, SharedChat>,
    embedding: BTreeMap<String, SharedEmbedding>,
    /// One slot per distinct deployment state, for health reports and active checks.
    pub(crate) unique: Vec<Slot>,
}

struct Group {
    name: String,
    slots: Vec<Slot>,
    strategy: SharedStrategy,
    fallbacks: Vec<(usize, Trigger)>,
    passes: usize,
}

#[derive(Clone)]
pub(crate) struct Slot {
    pub(crate) id: String,
    pub(crate) model: String,
    weight: u32,
    pub(crate) chat: Option<SharedChat>,
    pub(crate) embedding: Option<SharedEmbedding>,
    pub(crate) state: Arc<DeploymentState>,
}

/// Builds a [`Router`].
#[derive(Default)]
pub struct RouterBuilder {
    chat: BTreeMap<String, SharedChat>,
    embedding: BTreeMap<String, SharedEmbedding>,
    groups: Vec<ModelGroup>,
    aliases: BTreeMap<String, String>,
    policy: HealthPolicy,
    alpha: Option<f64>,
}

impl fmt::Debug for RouterBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouterBuilder")
            .field("providers", &self.chat.keys().collect::<Vec<_>>())
            .field(
                "embedding_providers",
                &self.embedding.keys().collect::<Vec<_>>(),
            )
            .field("groups", &self.groups)
            .field("aliases", &self.aliases)
            .field("policy", &self.policy)
            .finish()
    }
}

fn config(msg: String) -> Error {
    Error::new(ErrorKind::Config, msg)
}

fn join<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let v: Vec<&str> = names.map(String::as_str).collect();
    if v.is_empty() {
        "none".to_owned()
    } else {
        v.join(", ")
    }
}

/// Where a model name leads.
enum Route {
    Group(usize),
    Direct { provider: String, model: String },
}

impl RouterBuilder {
    /// Registers a chat provider under `name`, for `"name/model"` requests and
    /// [`Deployment::named`].
    pub fn provider(mut self, name: impl Into<String>, provider: SharedChat) -> Self {
        self.chat.insert(name.into(), provider);
        self
    }

    /// Registers an embedding provider under `name`.
    pub fn embedding_provider(
        mut self,
        name: impl Into<String>,
        provider: SharedEmbedding,
    ) -> Self {
        self.embedding.insert(name.into(), provider);
        self
    }

    /// Registers a provider that serves both chat and embeddings under `name`.
    pub fn chat_and_embedding_provider<P>(self, name: impl Into<String>, provider: Arc<P>) -> Self
    where
        P: ChatProvider + EmbeddingProvider + 'static,
    {
        let name = name.into();
        let chat: SharedChat = provider.clone();
        let embedding: SharedEmbedding = provider;
        self.provider(name.clone(), chat)
            .embedding_provider(name, embedding)
    }

    /// Adds a model group.
    pub fn group(mut self, group: ModelGroup) -> Self {
        self.groups.push(group);
        self
    }

    /// Makes `alias` another name for `target`: a group, another alias or `"provider/model"`.
    pub fn alias(mut self, alias: impl Into<String>, target: impl Into<String>) -> Self {
        self.aliases.insert(alias.into(), target.into());
        self
    }

    /// Sets the passive-health policy (default: [`HealthPolicy::default`]).
    pub fn health_policy(mut self, policy: HealthPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the weight of a new latency sample in the moving averages, in `(0, 1]`
    /// (default 0.3).
    pub fn latency_smoothing(mut self, alpha: f64) -> Self {
        self.alpha = Some(alpha);
        self
    }

    fn provider_name(&self, d: &Deployment) -> String {
        match &d.provider {
            ProviderRef::Named(n) => n.clone(),
            ProviderRef::Direct { chat, embedding } => chat
                .as_ref()
                .map(|c| c.name().to_owned())
                .or_else(|| {
                    embedding
                        .as_ref()
                        .map(|e| EmbeddingProvider::name(&**e).to_owned())
                })
                .unwrap_or_default(),
        }
    }

    /// Checks the configuration and builds the router.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] for an empty or duplicate group, a deployment naming an
    /// unregistered provider, an alias that shadows a group or leads nowhere (or in a
    /// circle), a fallback whose target cannot be resolved, or a latency smoothing outside
    /// `(0, 1]`.
    pub fn build(self) -> Result<Router, Error> {
        let alpha = self.alpha.unwrap_or(0.3);
        if !(alpha > 0.0 && alpha <= 1.0) {
            return Err(config(format!(
                "router: latency smoothing must be in (0, 1], got {alpha}"
            )));
        }
        let policy = Arc::new(self.policy.clone());
        let mut states: HashMap<String, Arc<DeploymentState>> = HashMap::new();
        let mut order_of_states: Vec<String> = Vec::new();
        let mut by_name = HashMap::new();
        let mut groups = Vec::new();

        let mut make_slot = |id: String,
                             model: String,
                             weight: u32,
                             chat: Option<SharedChat>,
                             embedding: Option<SharedEmbedding>| {
            let state = states
                .entry(id.clone())
                .or_insert_with(|| {
                    order_of_states.push(id.clone());
                    Arc::new(DeploymentState::new(id.clone(), policy.clone(), alpha))
                })
                .clone();
            Slot {
                id,
                model,
                weight,
                chat,
                embedding,
                state,
            }
        };

        for g in &self.groups {
            if g.deployments.is_empty() {
                return Err(config(format!(
                    "router: group `{}` has no deployments",
                    g.name
                )));
            }
            if by_name.insert(g.name.clone(), groups.len()).is_some() {
                return Err(config(format!(
                    "router: group `{}` is defined twice",
                    g.name
                )));
            }
            if self.aliases.contains_key(&g.name) {
                return Err(config(format!(
                    "router: alias `{}` has the name of a group",
                    g.name
                )));
            }
            let mut slots: Vec<Slot> = Vec::new();
            for d in &g.deployments {
                let (chat, embedding) = match &d.provider {
                    ProviderRef::Named(n) => {
                        let chat = self.chat.get(n).cloned();
                        let embedding = self.embedding.get(n).cloned();
                        if chat.is_none() && embedding.is_none() {
                            return Err(config(format!(
                                "router: group `{}` names provider `{n}`, which is not registered \
                                 (registered: {})",
                                g.name,
                                join(self.chat.keys().chain(self.embedding.keys()))
                            )));
                        }
                        (chat, embedding)
                    }
                    ProviderRef::Direct { chat, embedding } => (chat.clone(), embedding.clone()),
                };
                let base =
                    d.id.clone()
                        .unwrap_or_else(|| format!("{}/{}", self.provider_name(d), d.model));
                let mut id = base.clone();
                let mut n = 2;
                while slots.iter().any(|s| s.id == id) {
                    id = format!("{base}#{n}");
                    n += 1;
                }
                slots.push(make_slot(id, d.model.clone(), d.weight, chat, embedding));
            }
            groups.push(Group {
                name: g.name.clone(),
                slots,
                strategy: g.strategy.clone(),
                fallbacks: Vec::new(),
                passes: g.passes,
            });
        }

        // Aliases must lead somewhere, without circles.
        let resolve_name = |start: &str| -> Option<Result<usize, (String, String)>> {
            let mut name = start;
            for _ in 0..=MAX_ALIAS_HOPS {
                if let Some(&g) = by_name.get(name) {
                    return Some(Ok(g));
                }
                if let Some(t) = self.aliases.get(name) {
                    name = t;
                    continue;
                }
                let (p, m) = name.split_once('/')?;
                if self.chat.contains_key(p) || self.embedding.contains_key(p) {
                    return Some(Err((p.to_owned(), m.to_owned())));
                }
                return None;
            }
            None
        };
        for (alias, target) in &self.aliases {
            if resolve_name(alias).is_none() {
                return Err(config(format!(
                    "router: alias `{alias}` → `{target}` leads to no group or registered provider"
                )));
            }
        }

        // Fallbacks: to a group, an alias, or `provider/model` (an implicit one-deployment
        // group, reachable only as a fallback).
        let mut implicit: HashMap<String, usize> = HashMap::new();
        for (gi, g) in self.groups.iter().enumerate() {
            let mut fallbacks = Vec::new();
            for f in &g.fallbacks {
                let target = match resolve_name(&f.target) {
                    Some(Ok(t)) => t,
                    Some(Err((p, m))) => {
                        let key = format!("{p}/{m}");
                        if let Some(&t) = implicit.get(&key) {
                            t
                        } else {
                            let slot = make_slot(
                                key.clone(),
                                m,
                                1,
                                self.chat.get(&p).cloned(),
                                self.embedding.get(&p).cloned(),
                            );
                            groups.push(Group {
                                name: key.clone(),
                                slots: vec![slot],
                                strategy: Arc::new(Ordered),
                                fallbacks: Vec::new(),
                                passes: 1,
                            });
                            implicit.insert(key, groups.len() - 1);
                            groups.len() - 1
                        }
                    }
                    None => {
                        return Err(config(format!(
                            "router: group `{}` falls back to `{}`, which is no group, alias or \
                             registered provider",
                            g.name, f.target
                        )));
                    }
                };
                fallbacks.push((target, f.trigger.clone()));
            }
            if let Some(group) = groups.get_mut(gi) {
                group.fallbacks = fallbacks;
            }
        }

        let mut unique: Vec<Slot> = Vec::new();
        for id in &order_of_states {
            if let Some(slot) = groups
                .iter()
                .flat_map(|g| g.slots.iter())
                .find(|s| &s.id == id || s.state.id() == id)
            {
                unique.push(slot.clone());
            }
        }

        Ok(Router {
            inner: Arc::new(Inner {
                groups,
                by_name,
                aliases: self.aliases,
                chat: self.chat,
                embedding: self.embedding,
                unique,
            }),
        })
    }
}

/// One routed call.
enum Call {
    Chat(ChatRequest),
    Stream(ChatRequest),
    Embed(EmbeddingRequest),
}

enum Output {
    Chat(ChatResponse),
    Stream(ChatStream),
    Embed(EmbeddingResponse),
}

impl Call {
    fn model(&self) -> &str {
        match self {
            Self::Chat(r) | Self::Stream(r) => &r.model,
            Self::Embed(r) => &r.model,
        }
    }

    fn served_by(&self, slot: &Slot) -> bool {
        match self {
            Self::Chat(_) | Self::Stream(_) => slot.chat.is_some(),
            Self::Embed(_) => slot.embedding.is_some(),
        }
    }

    fn what(&self) -> &'static str {
        match self {
            Self::Chat(_) | Self::Stream(_) => "chat",
            Self::Embed(_) => "embeddings",
        }
    }
}

fn unsupported(what: &str, at: &str) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("router: `{at}` does not serve {what}"),
    )
}

impl fmt::Debug for Router {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Router")
            .field(
                "groups",
                &i.by_name.keys().collect::<std::collections::BTreeSet<_>>(),
            )
            .field("aliases", &i.aliases)
            .field("providers", &i.chat.keys().collect::<Vec<_>>())
            .field(
                "embedding_providers",
                &i.embedding.keys().collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Router {
    /// A builder.
    pub fn builder() -> RouterBuilder {
        RouterBuilder::default()
    }

    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }

    /// The state of every deployment (each shared deployment once), in the order they were
    /// first declared.
    pub fn health(&self) -> Vec<DeploymentHealth> {
        let now = Instant::now();
        self.inner
            .unique
            .iter()
            .map(|s| s.state.snapshot(now))
            .collect()
    }

    /// The names of the model groups, sorted.
    pub fn groups(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.inner.by_name.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    fn resolve(&self, model: &str) -> Result<Route, Error> {
        let i = &*self.inner;
        let mut name = model;
        for _ in 0..=MAX_ALIAS_HOPS {
            if let Some(&g) = i.by_name.get(name) {
                return Ok(Route::Group(g));
            }
            if let Some(t) = i.aliases.get(name) {
                name = t;
                continue;
            }
            if let Some((provider, model)) = name.split_once('/')
                && (i.chat.contains_key(provider) || i.embedding.contains_key(provider))
            {
                return Ok(Route::Direct {
                    provider: provider.to_owned(),
                    model: model.to_owned(),
                });
            }
            break;
        }
        let mut providers: Vec<&String> = i.chat.keys().chain(i.embedding.keys()).collect();
        providers.sort_unstable();
        providers.dedup();
        let mut groups: Vec<&String> = i.by_name.keys().collect();
        groups.sort_unstable();
        Err(Error::new(
            ErrorKind::ModelNotFound,
            format!(
                "router: unknown model `{model}`; groups: {}; aliases: {}; providers (as \
                 `provider/model`): {}",
                join(groups.into_iter()),
                join(i.aliases.keys()),
                join(providers.into_iter()),
            ),
        ))
    }

    async fn run(&self, call: Call) -> Result<Output, Error> {
        match self.resolve(call.model())? {
            Route::Direct { provider, model } => {
                let i = &*self.inner;
                let provider = provider.as_str();
                match call {
                    Call::Chat(mut req) => {
                        let p = i
                            .chat
                            .get(provider)
                            .ok_or_else(|| unsupported("chat", provider))?;
                        req.model = model;
                        p.chat(req).await.map(Output::Chat)
                    }
                    Call::Stream(mut req) => {
                        let p = i
                            .chat
                            .get(provider)
                            .ok_or_else(|| unsupported("chat", provider))?;
                        req.model = model;
                        p.chat_stream(req).await.map(Output::Stream)
                    }
                    Call::Embed(mut req) => {
                        let p = i
                            .embedding
                            .get(provider)
                            .ok_or_else(|| unsupported("embeddings", provider))?;
                        req.model = model;
                        p.embed(req).await.map(Output::Embed)
                    }
                }
            }
            Route::Group(g) => {
                let mut attempts = Attempts::default();
                let mut visited = vec![false; self.inner.groups.len()];
                match self.run_chain(g, &call, &mut attempts, &mut visited).await {
                    Some(out) => Ok(out),
                    None => Err(attempts.into_error(call.model())),
                }
            }
        }
    }

    /// Runs group `g`, then (if it failed) its fallbacks whose trigger matches the error that
    /// ended it.
    fn run_chain<'a>(
        &'a self,
        g: usize,
        call: &'a Call,
        attempts: &'a mut Attempts,
        visited: &'a mut Vec<bool>,
    ) -> BoxFuture<'a, Option<Output>> {
        Box::pin(async move {
            if let Some(v) = visited.get_mut(g) {
                *v = true;
            }
            let group = self.inner.groups.get(g)?;
            if let Some(out) = self.run_group(group, call, attempts).await {
                return Some(out);
            }
            let kind = attempts.last_kind()?;
            for (target, trigger) in &group.fallbacks {
                if visited.get(*target).copied().unwrap_or(true) || !trigger.matches(kind) {
                    continue;
                }
                tracing::debug!(
                    from = %group.name,
                    to = ?self.inner.groups.get(*target).map(|t| &t.name),
                    %kind,
                    "router: falling back"
                );
                if let Some(out) = self.run_chain(*target, call, attempts, visited).await {
                    return Some(out);
                }
            }
            None
        })
    }

    /// Orders `pool` (slot indices) with the group's strategy.
    fn order(&self, group: &Group, pool: &[usize], streaming: bool) -> Vec<usize> {
        if let [only] = pool {
            // One deployment (the common alias → model case): nothing to weigh or measure.
            return vec![*only];
        }
        let candidates: Vec<Candidate<'_>> = pool
            .iter()
            .filter_map(|&si| group.slots.get(si).map(|s| (si, s)))
            .map(|(si, s)| {
                let (latency, ttft) = s.state.latencies();
                Candidate {
                    index: si,
                    id: &s.id,
                    weight: s.weight,
                    in_flight: s.state.in_flight(),
                    latency,
                    time_to_first_token: ttft,
                }
            })
            .collect();
        let order = group.strategy.order(&candidates, PickContext { streaming });
        normalize(order, candidates.len())
            .into_iter()
            .filter_map(|p| candidates.get(p).map(|c| c.index))
            .collect()
    }

    async fn run_group(
        &self,
        group: &Group,
        call: &Call,
        attempts: &mut Attempts,
    ) -> Option<Output> {
        let served: Vec<usize> = (0..group.slots.len())
            .filter(|&i| group.slots.get(i).is_some_and(|s| call.served_by(s)))
            .collect();
        if served.is_empty() {
            attempts.push(Attempt {
                group: group.name.clone(),
                deployment: group.name.clone(),
                model: call.model().to_owned(),
                error: unsupported(call.what(), &group.name),
            });
            return None;
        }
        let streaming = matches!(call, Call::Stream(_));
        for _pass in 0..group.passes {
            let now = Instant::now();
            let open: Vec<usize> = served
                .iter()
                .copied()
                .filter(|&i| {
                    group
                        .slots
                        .get(i)
                        .is_some_and(|s| s.state.admission(now) != Admission::Closed)
                })
                .collect();
            let mut forced = open.is_empty();
            let pool = if forced { &served } else { &open };
            let order = self.order(group, pool, streaming);
            loop {
                let mut tried = 0usize;
                for &si in &order {
                    let Some(slot) = group.slots.get(si) else {
                        continue;
                    };
                    let mut probe = None;
                    if !forced {
                        let now = Instant::now();
                        match slot.state.admission(now) {
                            Admission::Open => {}
                            Admission::Probe => match slot.state.claim_probe(now) {
                                Some(p) => probe = Some(p),
                                None => continue,
                            },
                            Admission::Closed => continue,
                        }
                    }
                    tried += 1;
                    let result = self.attempt(slot, call).await;
                    match result {
                        Ok(out) => {
                            slot.state.record_success();
                            drop(probe);
                            return Some(out);
                        }
                        Err(error) => {
                            slot.state.record_outcome(Some(&error), Instant::now());
                            drop(probe);
                            let eligible = error.is_fallback_eligible();
                            tracing::debug!(
                                group = %group.name,
                                deployment = %slot.id,
                                %error,
                                "router: attempt failed"
                            );
                            attempts.push(Attempt {
                                group: group.name.clone(),
                                deployment: slot.id.clone(),
                                model: slot.model.clone(),
                                error,
                            });
                            if !eligible {
                                return None;
                            }
                        }
                    }
                }
                if tried > 0 || forced {
                    // Cooling down: left out of the pool, or closed since.
                    attempts.skipped(served.len().saturating_sub(tried));
                    break;
                }
                // Every open deployment was taken by another request's probe: try anyway.
                forced = true;
            }
        }
        None
    }

    async fn attempt(&self, slot: &Slot, call: &Call) -> Result<Output, Error> {
        let started = Instant::now();
        match call {
            Call::Chat(req) | Call::Stream(req) => {
                let chat = slot
                    .chat
                    .as_ref()
                    .ok_or_else(|| unsupported("chat", &slot.id))?;
                let mut req = req.clone();
                req.model.clone_from(&slot.model);
                let in_flight = slot.state.start();
                if matches!(call, Call::Stream(_)) {
                    let stream = chat.chat_stream(req).await?;
                    Ok(Output::Stream(Tracked::wrap(
                        stream,
                        slot.state.clone(),
                        started,
                        in_flight,
                    )))
                } else {
                    let r = chat.chat(req).await?;
                    slot.state.record_latency(started.elapsed());
                    drop(in_flight);
                    Ok(Output::Chat(r))
                }
            }
            Call::Embed(req) => {
                let p = slot
                    .embedding
                    .as_ref()
                    .ok_or_else(|| unsupported("embeddings", &slot.id))?;
                let mut req = req.clone();
                req.model.clone_from(&slot.model);
                let in_flight = slot.state.start();
                let r = p.embed(req).await?;
                slot.state.record_latency(started.elapsed());
                drop(in_flight);
                Ok(Output::Embed(r))
            }
        }
    }
}

fn mismatch() -> Error {
    Error::new(ErrorKind::Decode, "router: internal output mismatch")
}

#[async_trait]
impl ChatProvider for Router {
    fn name(&self) -> &str {
        "router"
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        match self.run(Call::Chat(req)).await? {
            Output::Chat(r) => Ok(r),
            _ => Err(mismatch()),
        }
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        match self.run(Call::Stream(req)).await? {
            Output::Stream(s) => Ok(s),
            _ => Err(mismatch()),
        }
    }

    /// The groups and aliases (owned by `"router"`), then each registered chat provider's
    /// models as `"provider/model"` (providers that cannot list are left out).
    async fn list_models(&self) -> Result<Vec<ModelInfo>, Error> {
        let i = &*self.inner;
        let mut out: Vec<ModelInfo> = self
            .groups()
            .into_iter()
            .map(|g| ModelInfo::new(g, "router"))
            .chain(i.aliases.keys().map(|a| ModelInfo::new(a, "router")))
            .collect();
        let lists = futures_util::future::join_all(
            i.chat
                .iter()
                .map(|(name, p)| async move { (name, p.list_models().await) }),
        )
        .await;
        for (name, list) in lists {
            if let Ok(models) = list {
                out.extend(models.into_iter().map(|mut m| {
                    m.id = format!("{name}/{}", m.id);
                    m
                }));
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl EmbeddingProvider for Router {
    fn name(&self) -> &str {
        "router"
    }

    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        match self.run(Call::Embed(req)).await? {
            Output::Embed(r) => Ok(r),
            _ => Err(mismatch()),
        }
    }
}
