//! From a validated [`Config`] to a [`Runtime`]: clients, then per-target retry and timeout,
//! the router over model groups, then the global limiter and the cache in front.
//!
//! Order, outermost first: model name pinned → cache → global limiter → (rules) → router →
//! per provider: retry → timeout → client. A cache hit costs no limiter budget; each retry
//! gets its own deadline.

mod layers;

use std::collections::BTreeMap;
use std::sync::Arc;

use llm_router_core::{SharedChat, SharedEmbedding, SharedImage};
use llm_router_routing::{Deployment, Fallback, HealthPolicy, ModelGroup, ModelRouter, Router};

use self::layers::{FrontLayers, TargetLayers, build_cache, build_limiter};
use crate::error::ConfigError;
use crate::interpolate::Env;
use crate::keys;
use crate::model::{Config, ModelConfig, ModelKind, ProviderKind};
use crate::provider::build_provider;
use crate::runtime::{
    CallerKeySpec, ImageFailover, Pinned, Runtime, ServedModel, ServerSettings, TelemetrySettings,
};
use crate::source::FieldPath;
use crate::validate::Checker;

fn build_error(
    checker: &Checker<'_>,
    path: &FieldPath,
    err: llm_router_core::Error,
) -> ConfigError {
    ConfigError::Build {
        location: checker.locate(path),
        field: path.to_string(),
        message: err.to_string(),
        source: Some(Box::new(err)),
    }
}

fn owned_by(cfg: &Config, m: &ModelConfig) -> String {
    if let Some(o) = &m.owned_by {
        return o.clone();
    }
    let provider = m
        .provider
        .as_deref()
        .or_else(|| m.deployments.first().map(|d| d.provider.as_str()));
    let single_kind = m
        .deployments
        .iter()
        .map(|d| d.provider.as_str())
        .chain(m.provider.as_deref())
        .filter_map(|p| cfg.providers.get(p).map(|p| p.kind))
        .collect::<std::collections::BTreeSet<_>>();
    match (provider, single_kind.len()) {
        (Some(p), 1) => cfg
            .providers
            .get(p)
            .map_or_else(|| "llm-router".to_owned(), |p| p.kind.as_str().to_owned()),
        _ => "llm-router".to_owned(),
    }
}

/// `(provider, upstream model, weight)` of a model's deployments.
fn deployments(alias: &str, m: &ModelConfig) -> Vec<(String, String, u32)> {
    match &m.provider {
        Some(p) => vec![(
            p.clone(),
            m.model.clone().unwrap_or_else(|| alias.to_owned()),
            1,
        )],
        None => m
            .deployments
            .iter()
            .map(|d| {
                (
                    d.provider.clone(),
                    d.model.clone(),
                    u32::try_from(d.weight).unwrap_or(1),
                )
            })
            .collect(),
    }
}

pub(crate) async fn build(cfg: &Config, env: Env<'_>) -> Result<Runtime, ConfigError> {
    ConfigError::from_list(Checker::new(cfg, env).run())?;
    let checker = Checker::new(cfg, env);
    let targets = TargetLayers::from_config(cfg);

    // Providers, each under its retry and timeout layers.
    let mut health = HealthPolicy::default();
    if let Some(n) = cfg.routing.failure_threshold {
        health = health.failure_threshold(n);
    }
    if let Some(d) = cfg.routing.cooldown {
        health = health.cooldown(d);
    }
    let mut router = Router::builder().health_policy(health);
    let mut images: BTreeMap<&str, SharedImage> = BTreeMap::new();
    let mut batch_providers = BTreeMap::new();
    for (name, p) in &cfg.providers {
        let path = FieldPath::root("providers").key(name);
        let built = build_provider(name, p, env).map_err(|e| build_error(&checker, &path, e))?;
        if let Some(c) = built.chat {
            router = router.provider(name.clone(), targets.chat(c));
        }
        if let Some(e) = built.embeddings {
            router = router.embedding_provider(name.clone(), targets.embeddings(e));
        }
        if let Some(i) = built.images {
            images.insert(name.as_str(), i);
        }
        if let Some(b) = built.batch {
            batch_providers.insert(name.clone(), b);
        }
    }

    // One group per deployment-backed model.
    for (alias, m) in &cfg.models {
        if !m.rules.is_empty() || m.default.is_some() {
            continue;
        }
        let mut group = ModelGroup::new(alias.clone());
        for (provider, model, weight) in deployments(alias, m) {
            group = group.deployment(Deployment::named(provider, model).weight(weight));
        }
        if let Some(s) = m.strategy {
            group = group.shared_strategy(s.build());
        }
        if let Some(n) = m.passes {
            group = group.passes(n);
        }
        for f in &m.fallbacks {
            group = group.fallback(Fallback::to(f.clone()));
        }
        router = router.group(group);
    }
    let router = router
        .build()
        .map_err(|e| build_error(&checker, &FieldPath::root("models"), e))?;

    // Front layers.
    let mut readiness = Vec::new();
    let cache = match &cfg.cache {
        Some(c) if c.enabled => Some(
            build_cache(c, &mut readiness)
                .await
                .map_err(|e| build_error(&checker, &FieldPath::root("cache"), e))?,
        ),
        _ => None,
    };
    let limiter = match &cfg.limits {
        Some(l) => Some(
            build_limiter(l, &mut readiness)
                .await
                .map_err(|e| build_error(&checker, &FieldPath::root("limits"), e))?,
        ),
        None => None,
    };
    let front = FrontLayers { cache, limiter };
    let router_chat: SharedChat = Arc::new(router.clone());
    let chat_all = front.chat(router_chat.clone());
    let embed_all = front.embeddings(Arc::new(router));

    let mut models = Vec::new();
    for (alias, m) in &cfg.models {
        let path = FieldPath::root("models").key(alias);
        let kinds = m.kinds();
        let is_rules = !m.rules.is_empty() || m.default.is_some();
        let chat = if !kinds.contains(&ModelKind::Chat) {
            None
        } else if is_rules {
            let mut b = ModelRouter::builder();
            for r in &m.rules {
                b = b.rule(r.condition.clone(), r.target.clone());
            }
            if let Some(d) = &m.default {
                b = b.default_model(d.clone());
            }
            let rules = b
                .build(router_chat.clone())
                .map_err(|e| build_error(&checker, &path.key("rules"), e))?;
            Some(front.chat(Arc::new(rules)))
        } else {
            Some(chat_all.clone())
        };
        let embeddings = kinds
            .contains(&ModelKind::Embeddings)
            .then(|| embed_all.clone());
        let image_targets: Vec<(SharedImage, String)> = if kinds.contains(&ModelKind::Images) {
            deployments(alias, m)
                .into_iter()
                .filter_map(|(p, model, _)| images.get(p.as_str()).map(|i| (i.clone(), model)))
                .collect()
        } else {
            Vec::new()
        };
        let images = (!image_targets.is_empty()).then(|| {
            Arc::new(ImageFailover {
                name: alias.clone(),
                targets: image_targets,
            }) as SharedImage
        });
        models.push(ServedModel {
            name: alias.clone(),
            owned_by: owned_by(cfg, m),
            chat: chat.map(|c| Arc::new(Pinned::new(alias, c)) as SharedChat),
            embeddings: embeddings.map(|e| Arc::new(Pinned::new(alias, e)) as SharedEmbedding),
            images,
            anthropic_native: anthropic_native(cfg, alias, m),
        });
    }

    let mut caller_keys = Vec::new();
    for k in &cfg.keys {
        let sha256 = match (&k.key, &k.sha256) {
            (Some(s), _) => s.resolve(env).map(|v| keys::sha256(&v)),
            (None, Some(h)) => keys::decode_sha256(h).ok(),
            (None, None) => None,
        };
        let Some(sha256) = sha256 else { continue };
        let models = if k.models.iter().any(|m| m == "*") {
            Vec::new()
        } else {
            k.models.clone()
        };
        caller_keys.push(CallerKeySpec {
            name: k.name.clone(),
            sha256,
            models,
            requests_per_minute: k.requests_per_minute,
            tokens_per_minute: k.tokens_per_minute,
            concurrency: k.concurrency,
        });
    }

    Ok(Runtime {
        models,
        caller_keys,
        server: ServerSettings {
            listen: cfg.server.listen,
            body_limit: cfg.server.body_limit,
            shutdown_grace: cfg.server.shutdown_grace,
            request_timeout: cfg.server.request_timeout,
            workers: cfg.server.workers,
            sse_keep_alive: cfg.server.sse_keep_alive,
        },
        readiness,
        telemetry: TelemetrySettings {
            log_level: cfg.telemetry.log_level.clone(),
            json_logs: cfg.telemetry.json_logs,
        },
        batch_providers,
    })
}

/// Whether every deployment of a model is an Anthropic provider (rules models never are:
/// their targets may differ).
fn anthropic_native(cfg: &Config, alias: &str, m: &ModelConfig) -> bool {
    let targets = deployments(alias, m);
    !targets.is_empty()
        && targets.iter().all(|(p, _, _)| {
            cfg.providers
                .get(p)
                .is_some_and(|p| p.kind == ProviderKind::Anthropic)
        })
}
