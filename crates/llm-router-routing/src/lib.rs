//! Routing for llm-router: load balancing and failover over model groups, fallback chains,
//! passive and active health, and rule-based model selection.
//!
//! A [`Router`] is a [`ChatProvider`](llm_router_core::ChatProvider) and an
//! [`EmbeddingProvider`](llm_router_core::EmbeddingProvider) made of other providers. A request's
//! `model` names a [`ModelGroup`] (a set of [`Deployment`]s — provider + model + weight —
//! behind one name), an alias, or `"<provider>/<model>"` (split on the first `/`). For a group,
//! its [`Strategy`] orders the deployments ([`RoundRobin`], smooth [`Weighted`],
//! [`LeastLatency`], [`LeastBusy`], [`Ordered`]); the router tries them in that order with
//! `req.model` rewritten per deployment, moves on after fallback-eligible errors (429, 5xx,
//! timeouts, connection errors, quota, auth, unknown model), and returns any other error at
//! once. A failed group hands over to its [`Fallback`]s (another group, say a larger model when
//! the context window is exceeded; content-policy fallbacks only when asked for). When nothing
//! works the caller gets one error listing every attempt ([`Attempts`] is its source).
//!
//! Passive health is a circuit breaker per deployment ([`HealthPolicy`]): after 3 consecutive
//! failures a deployment cools down for 30 s, then one half-open request probes it. Active
//! checks ([`Router::spawn_health_checks`]) are optional. A [`ModelRouter`] in front picks the
//! model by [rules](Condition) — closures or declarative conditions from a config file.
//!
//! Retries with back-off belong in a retry layer under each deployment; the router only moves
//! on (or makes another [pass](ModelGroup::passes)) without sleeping.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use llm_router_core::{ChatProvider, ChatRequest, Error, ErrorKind, Message};
//! use llm_router_mock::{MockFailure, MockProvider};
//! use llm_router_routing::{
//!     Attempts, Condition, Deployment, Fallback, ModelGroup, ModelRouter, RoundRobin, Router,
//! };
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
//! rt.block_on(async {
//!     let a = MockProvider::new().with_name("a").default_reply("from a");
//!     let b = MockProvider::new().with_name("b").default_reply("from b");
//!     let big = MockProvider::new().with_name("big").default_reply("from big");
//!
//!     let router = Router::builder()
//!         .provider("big", Arc::new(big.clone()))
//!         .group(
//!             ModelGroup::new("fast")
//!                 .deployment(Deployment::new(Arc::new(a.clone()), "small-a"))
//!                 .deployment(Deployment::new(Arc::new(b.clone()), "small-b"))
//!                 .strategy(RoundRobin::new())
//!                 .fallback(Fallback::on_context_window("big/large")),
//!         )
//!         .build()?;
//!     let ask = |model: &str, text: &str| ChatRequest::new(model, vec![Message::user(text)]);
//!
//!     // Round-robin, with the model rewritten per deployment.
//!     assert_eq!(router.chat(ask("fast", "hi")).await?.text(), "from a");
//!     assert_eq!(router.chat(ask("fast", "hi")).await?.text(), "from b");
//!     assert_eq!(b.last_request().unwrap().model, "small-b");
//!
//!     // A 503 at `a` fails over to `b`.
//!     let _ = a.clone().fail_next(MockFailure::ServerError { status: 503 });
//!     assert_eq!(router.chat(ask("fast", "hi")).await?.text(), "from b");
//!
//!     // Too long for both: the fallback chain goes to the larger model.
//!     let too_long = || MockFailure::custom(ErrorKind::ContextLengthExceeded, "too long");
//!     let _ = a.clone().fail_always(too_long());
//!     let _ = b.clone().fail_always(too_long());
//!     assert_eq!(router.chat(ask("fast", "a long text")).await?.text(), "from big");
//!
//!     // Everything down: one error that lists each attempt.
//!     let _ = a.clone().fail_always(MockFailure::Timeout);
//!     let _ = b.clone().fail_always(MockFailure::Timeout);
//!     let err = router.chat(ask("fast", "hi")).await.unwrap_err();
//!     assert_eq!(err.kind(), ErrorKind::Timeout);
//!     let attempts = std::error::Error::source(&err)
//!         .and_then(|s| s.downcast_ref::<Attempts>())
//!         .unwrap();
//!     assert_eq!(attempts.len(), 2);
//!
//!     // Rules in front pick the model; "big/large" names a provider and its model.
//!     let _ = a.clone().clear_failures();
//!     let _ = b.clone().clear_failures();
//!     let rules = ModelRouter::builder()
//!         .rule(Condition::keywords(["contract"]), "big/large")
//!         .default_model("fast")
//!         .build(Arc::new(router))?;
//!     assert_eq!(rules.chat(ask("auto", "Review this contract")).await?.text(), "from big");
//!     Ok::<_, Error>(())
//! })?;
//! # Ok(())
//! # }
//! ```

mod attempts;
mod checks;
mod group;
mod health;
mod router;
mod rules;
mod strategy;
mod stream;

pub use attempts::{Attempt, Attempts};
pub use checks::HealthChecks;
pub use group::{Deployment, Fallback, ModelGroup, Trigger};
pub use health::{DeploymentHealth, HealthPolicy, HealthStatus};
pub use router::{Router, RouterBuilder};
pub use rules::{
    Condition, ModelRouter, ModelRouterBuilder, ModelRouterConfig, ModelRouterLayer,
    RequestPredicate, Rule, TokenEstimator, estimate_tokens,
};
pub use strategy::{
    Candidate, LeastBusy, LeastLatency, Ordered, PickContext, RoundRobin, SharedStrategy, Strategy,
    StrategyKind, Weighted,
};
