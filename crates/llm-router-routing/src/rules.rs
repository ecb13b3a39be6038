//! `ModelRouter`: picks the model for a request by rules, then hands the request on.
//!
//! Rules are checked in order and the first whose condition holds sets `req.model` to its
//! target (a model id, group or alias the inner provider — usually a [`Router`](crate::Router)
//! — understands). No match: the default model, or the request's own model when there is no
//! default. Conditions are Rust closures, or declarative variants a configuration file can
//! hold; both compile once, when the router is built (an invalid regex is a `Config` error
//! then, not at request time).
//!
//! Text conditions read the *last user message* (its text parts joined). Prompt length is the
//! number of characters of every message's text. Token counts come from an estimator: a
//! quarter of the prompt length, rounded up, unless you pass a real counter.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, ChatStream, Error, ErrorKind, Layer, ModelInfo, Role,
    SharedChat,
};
use regex::Regex;
use serde::{Deserialize, Serialize};

/// A predicate over a request, as a closure.
pub type RequestPredicate = Arc<dyn Fn(&ChatRequest) -> bool + Send + Sync>;

/// Estimates a request's prompt tokens.
pub type TokenEstimator = Arc<dyn Fn(&ChatRequest) -> usize + Send + Sync>;

/// When a rule applies.
///
/// The declarative variants deserialize from JSON/YAML/TOML in snake case:
///
/// ```
/// use llm_router_routing::Condition;
/// let c: Condition = serde_json::from_str(r#"{"all": [
///     {"min_tokens": 8000},
///     {"not": "has_images"},
///     {"keywords": {"any": ["contract", "legal"]}},
///     {"metadata_equals": {"key": "tier", "value": "pro"}}
/// ]}"#).unwrap();
/// assert!(matches!(c, Condition::All(_)));
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Condition {
    /// A Rust closure (not serializable).
    #[serde(skip)]
    Closure(RequestPredicate),
    /// Every message's text together has at least this many characters.
    MinPromptChars(usize),
    /// … at most this many characters.
    MaxPromptChars(usize),
    /// The estimated prompt tokens are at least this many.
    MinTokens(usize),
    /// … at most this many.
    MaxTokens(usize),
    /// The last user message contains any of these words (case-insensitive substring).
    Keywords {
        /// The words.
        any: Vec<String>,
    },
    /// The regex matches the last user message (case-sensitive unless it says `(?i)`).
    Regex(String),
    /// The request offers tools.
    HasTools,
    /// A message has an image part.
    HasImages,
    /// The request's `metadata` has `key` set to `value`.
    MetadataEquals {
        /// The metadata key.
        key: String,
        /// Its value.
        value: String,
    },
    /// Every condition holds (true when empty).
    All(Vec<Condition>),
    /// Any condition holds (false when empty).
    Any(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
}

impl Condition {
    /// A condition from a closure.
    pub fn closure(f: impl Fn(&ChatRequest) -> bool + Send + Sync + 'static) -> Self {
        Self::Closure(Arc::new(f))
    }

    /// [`Condition::Keywords`] from words.
    pub fn keywords<S: Into<String>>(words: impl IntoIterator<Item = S>) -> Self {
        Self::Keywords {
            any: words.into_iter().map(Into::into).collect(),
        }
    }

    /// [`Condition::Regex`].
    pub fn regex(pattern: impl Into<String>) -> Self {
        Self::Regex(pattern.into())
    }

    /// [`Condition::MetadataEquals`].
    pub fn metadata_equals(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self::MetadataEquals {
            key: key.into(),
            value: value.into(),
        }
    }

    /// [`Condition::Not`].
    pub fn negate(self) -> Self {
        Self::Not(Box::new(self))
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Closure(_) => f.write_str("Closure(..)"),
            Self::MinPromptChars(n) => f.debug_tuple("MinPromptChars").field(n).finish(),
            Self::MaxPromptChars(n) => f.debug_tuple("MaxPromptChars").field(n).finish(),
            Self::MinTokens(n) => f.debug_tuple("MinTokens").field(n).finish(),
            Self::MaxTokens(n) => f.debug_tuple("MaxTokens").field(n).finish(),
            Self::Keywords { any } => f.debug_struct("Keywords").field("any", any).finish(),
            Self::Regex(r) => f.debug_tuple("Regex").field(r).finish(),
            Self::HasTools => f.write_str("HasTools"),
            Self::HasImages => f.write_str("HasImages"),
            Self::MetadataEquals { key, value } => f
                .debug_struct("MetadataEquals")
                .field("key", key)
                .field("value", value)
                .finish(),
            Self::All(v) => f.debug_tuple("All").field(v).finish(),
            Self::Any(v) => f.debug_tuple("Any").field(v).finish(),
            Self::Not(c) => f.debug_tuple("Not").field(c).finish(),
        }
    }
}

/// A condition and the model it routes to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rule {
    /// When the rule applies.
    pub condition: Condition,
    /// The model (or group, or alias) to use.
    pub target: String,
}

impl Rule {
    /// A rule.
    pub fn new(condition: Condition, target: impl Into<String>) -> Self {
        Self {
            condition,
            target: target.into(),
        }
    }
}

/// The declarative form, for configuration files.
///
/// ```
/// use llm_router_routing::ModelRouterConfig;
/// let cfg: ModelRouterConfig = serde_json::from_str(r#"{
///     "applies_to": "auto",
///     "rules": [
///         {"condition": "has_images", "target": "vision"},
///         {"condition": {"regex": "(?i)^translate"}, "target": "cheap"}
///     ],
///     "default": "fast"
/// }"#).unwrap();
/// assert_eq!(cfg.rules.len(), 2);
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ModelRouterConfig {
    /// The rules, first match wins.
    pub rules: Vec<Rule>,
    /// The model when no rule matches (else the request's own).
    pub default: Option<String>,
    /// Route only requests whose model is this (say `"auto"`); others pass through unchanged.
    pub applies_to: Option<String>,
}

enum Compiled {
    Closure(RequestPredicate),
    MinChars(usize),
    MaxChars(usize),
    MinTokens(usize),
    MaxTokens(usize),
    Keywords(Vec<String>),
    Regex(Regex),
    HasTools,
    HasImages,
    Metadata(String, String),
    All(Vec<Compiled>),
    Any(Vec<Compiled>),
    Not(Box<Compiled>),
}

fn compile(c: &Condition) -> Result<Compiled, Error> {
    Ok(match c {
        Condition::Closure(f) => Compiled::Closure(f.clone()),
        Condition::MinPromptChars(n) => Compiled::MinChars(*n),
        Condition::MaxPromptChars(n) => Compiled::MaxChars(*n),
        Condition::MinTokens(n) => Compiled::MinTokens(*n),
        Condition::MaxTokens(n) => Compiled::MaxTokens(*n),
        Condition::Keywords { any } => {
            Compiled::Keywords(any.iter().map(|w| w.to_lowercase()).collect())
        }
        Condition::Regex(p) => Compiled::Regex(Regex::new(p).map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!("model router: invalid regex `{p}`: {e}"),
            )
            .with_source(e)
        })?),
        Condition::HasTools => Compiled::HasTools,
        Condition::HasImages => Compiled::HasImages,
        Condition::MetadataEquals { key, value } => Compiled::Metadata(key.clone(), value.clone()),
        Condition::All(v) => Compiled::All(v.iter().map(compile).collect::<Result<_, _>>()?),
        Condition::Any(v) => Compiled::Any(v.iter().map(compile).collect::<Result<_, _>>()?),
        Condition::Not(c) => Compiled::Not(Box::new(compile(c)?)),
    })
}

/// Facts about one request, computed at most once each.
struct Facts<'a> {
    req: &'a ChatRequest,
    estimator: &'a TokenEstimator,
    chars: Option<usize>,
    tokens: Option<usize>,
    last_user: Option<String>,
    last_user_lower: Option<String>,
}

/// Characters of every message's text.
pub(crate) fn prompt_chars(req: &ChatRequest) -> usize {
    req.messages.iter().map(|m| m.text().chars().count()).sum()
}

impl<'a> Facts<'a> {
    fn chars(&mut self) -> usize {
        *self.chars.get_or_insert_with(|| prompt_chars(self.req))
    }
    fn tokens(&mut self) -> usize {
        let (req, est) = (self.req, self.estimator);
        *self.tokens.get_or_insert_with(|| est(req))
    }
    fn last_user(&mut self) -> &str {
        let req = self.req;
        self.last_user.get_or_insert_with(|| {
            req.messages
                .iter()
                .rev()
                .find(|m| m.role == Role::User)
                .map(|m| m.text())
                .unwrap_or_default()
        })
    }
    fn last_user_lower(&mut self) -> String {
        if let Some(l) = &self.last_user_lower {
            return l.clone();
        }
        let l = self.last_user().to_lowercase();
        self.last_user_lower = Some(l.clone());
        l
    }
}

impl Compiled {
    fn eval(&self, f: &mut Facts<'_>) -> bool {
        match self {
            Self::Closure(p) => p(f.req),
            Self::MinChars(n) => f.chars() >= *n,
            Self::MaxChars(n) => f.chars() <= *n,
            Self::MinTokens(n) => f.tokens() >= *n,
            Self::MaxTokens(n) => f.tokens() <= *n,
            Self::Keywords(words) => {
                let text = f.last_user_lower();
                words.iter().any(|w| text.contains(w.as_str()))
            }
            Self::Regex(re) => re.is_match(f.last_user()),
            Self::HasTools => !f.req.tools.is_empty(),
            Self::HasImages => f
                .req
                .messages
                .iter()
                .any(|m| m.content.as_ref().is_some_and(|c| c.has_images())),
            Self::Metadata(k, v) => f
                .req
                .metadata
                .as_ref()
                .and_then(|m| m.get(k))
                .is_some_and(|x| x == v),
            Self::All(v) => v.iter().all(|c| c.eval(f)),
            Self::Any(v) => v.iter().any(|c| c.eval(f)),
            Self::Not(c) => !c.eval(f),
        }
    }
}

struct Rules {
    rules: Vec<(Compiled, String)>,
    default: Option<String>,
    applies_to: Option<String>,
    estimator: TokenEstimator,
}

impl Rules {
    fn route(&self, req: &ChatRequest) -> Option<&str> {
        if let Some(only) = &self.applies_to
            && &req.model != only
        {
            return None;
        }
        let mut facts = Facts {
            req,
            estimator: &self.estimator,
            chars: None,
            tokens: None,
            last_user: None,
            last_user_lower: None,
        };
        self.rules
            .iter()
            .find(|(c, _)| c.eval(&mut facts))
            .map(|(_, t)| t.as_str())
            .or(self.default.as_deref())
    }
}

/// A quarter of the prompt's characters, rounded up: the default token estimate.
pub fn estimate_tokens(req: &ChatRequest) -> usize {
    prompt_chars(req).div_ceil(4)
}

/// Builds a [`ModelRouter`] (or a [`ModelRouterLayer`]).
#[derive(Debug, Default)]
pub struct ModelRouterBuilder {
    config: ModelRouterConfig,
    estimator: Option<TokenEstimatorDebug>,
}

struct TokenEstimatorDebug(TokenEstimator);

impl fmt::Debug for TokenEstimatorDebug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenEstimator(..)")
    }
}

impl ModelRouterBuilder {
    /// Adds a rule: requests where `condition` holds go to `target`. First match wins.
    pub fn rule(mut self, condition: Condition, target: impl Into<String>) -> Self {
        self.config.rules.push(Rule::new(condition, target));
        self
    }

    /// Adds a rule whose condition is a closure.
    pub fn when(
        self,
        predicate: impl Fn(&ChatRequest) -> bool + Send + Sync + 'static,
        target: impl Into<String>,
    ) -> Self {
        self.rule(Condition::closure(predicate), target)
    }

    /// The model when no rule matches (without one, the request keeps its model).
    pub fn default_model(mut self, model: impl Into<String>) -> Self {
        self.config.default = Some(model.into());
        self
    }

    /// Routes only requests that ask for `model` (say `"auto"`); others pass through.
    pub fn applies_to(mut self, model: impl Into<String>) -> Self {
        self.config.applies_to = Some(model.into());
        self
    }

    /// Counts tokens with `estimator` instead of characters / 4.
    pub fn token_estimator(
        mut self,
        estimator: impl Fn(&ChatRequest) -> usize + Send + Sync + 'static,
    ) -> Self {
        self.estimator = Some(TokenEstimatorDebug(Arc::new(estimator)));
        self
    }

    fn compile(self) -> Result<Arc<Rules>, Error> {
        let rules = self
            .config
            .rules
            .iter()
            .map(|r| Ok((compile(&r.condition)?, r.target.clone())))
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Arc::new(Rules {
            rules,
            default: self.config.default,
            applies_to: self.config.applies_to,
            estimator: self
                .estimator
                .map_or_else(|| Arc::new(estimate_tokens) as TokenEstimator, |e| e.0),
        }))
    }

    /// Builds the router in front of `inner`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] when a regex does not compile.
    pub fn build(self, inner: SharedChat) -> Result<ModelRouter, Error> {
        Ok(ModelRouter {
            rules: self.compile()?,
            inner,
        })
    }

    /// Builds a layer that puts the rules in front of any provider.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] when a regex does not compile.
    pub fn layer(self) -> Result<ModelRouterLayer, Error> {
        Ok(ModelRouterLayer {
            rules: self.compile()?,
        })
    }
}

/// Rewrites `req.model` by rules and delegates to an inner provider.
///
/// ```
/// use std::sync::Arc;
/// use llm_router_core::{ChatRequest, Message};
/// use llm_router_mock::MockProvider;
/// use llm_router_routing::{Condition, ModelRouter};
/// let mr = ModelRouter::builder()
///     .rule(Condition::HasTools, "tool-model")
///     .rule(Condition::MinTokens(1000), "long-context")
///     .when(|r| r.user.as_deref() == Some("vip"), "best")
///     .default_model("cheap")
///     .build(Arc::new(MockProvider::new()))?;
/// let req = ChatRequest::new("auto", vec![Message::user("hi")]);
/// assert_eq!(mr.route(&req), Some("cheap"));
/// # Ok::<(), llm_router_core::Error>(())
/// ```
#[derive(Clone)]
pub struct ModelRouter {
    rules: Arc<Rules>,
    inner: SharedChat,
}

impl fmt::Debug for ModelRouter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelRouter")
            .field("rules", &self.rules.rules.len())
            .field("default", &self.rules.default)
            .field("applies_to", &self.rules.applies_to)
            .field("inner", &self.inner.name())
            .finish()
    }
}

impl ModelRouter {
    /// A builder.
    pub fn builder() -> ModelRouterBuilder {
        ModelRouterBuilder::default()
    }

    /// A builder holding a configuration's rules, default and `applies_to`.
    pub fn from_config(config: ModelRouterConfig) -> ModelRouterBuilder {
        ModelRouterBuilder {
            config,
            estimator: None,
        }
    }

    /// The model a request would be sent to, or `None` when it keeps its own.
    pub fn route(&self, req: &ChatRequest) -> Option<&str> {
        self.rules.route(req)
    }

    fn rewrite(&self, mut req: ChatRequest) -> ChatRequest {
        if let Some(target) = self.rules.route(&req)
            && target != req.model
        {
            tracing::debug!(from = %req.model, to = %target, "model router: rule matched");
            req.model = target.to_owned();
        }
        req
    }
}

#[async_trait]
impl ChatProvider for ModelRouter {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        self.inner.chat(self.rewrite(req)).await
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        self.inner.chat_stream(self.rewrite(req)).await
    }

    async fn list_models(&self) -> Result<Vec<ModelInfo>, Error> {
        self.inner.list_models().await
    }
}

/// The rules of a [`ModelRouter`] as a [`Layer`].
#[derive(Clone)]
pub struct ModelRouterLayer {
    rules: Arc<Rules>,
}

impl fmt::Debug for ModelRouterLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelRouterLayer")
            .field("rules", &self.rules.rules.len())
            .finish()
    }
}

impl Layer<dyn ChatProvider> for ModelRouterLayer {
    fn layer(&self, inner: SharedChat) -> SharedChat {
        Arc::new(ModelRouter {
            rules: self.rules.clone(),
            inner,
        })
    }
}
