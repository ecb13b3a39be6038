//! Checks of `[models.<alias>]`: the three forms, provider references, weights, rules and
//! fallbacks (cycles included).

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{ModelConfig, ModelKind};
use crate::provider::capabilities;
use crate::source::FieldPath;

use super::Checker;

impl Checker<'_> {
    /// Whether `target` names a model alias or `"<provider>/<model>"` of a known provider.
    pub(super) fn resolves(&self, target: &str) -> bool {
        self.cfg.models.contains_key(target)
            || target
                .split_once('/')
                .is_some_and(|(p, m)| !m.is_empty() && self.cfg.providers.contains_key(p))
    }

    pub(super) fn provider_ref(&mut self, path: &FieldPath, provider: &str, kinds: &[ModelKind]) {
        let Some(p) = self.cfg.providers.get(provider) else {
            let known: Vec<&str> = self.cfg.providers.keys().map(String::as_str).collect();
            self.invalid(
                path,
                format!(
                    "unknown provider `{provider}` (configured: {})",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ),
            );
            return;
        };
        let caps = capabilities(p);
        for kind in kinds {
            let ok = match kind {
                ModelKind::Chat => caps.chat,
                ModelKind::Embeddings => caps.embeddings,
                ModelKind::Images => caps.images,
            };
            if !ok {
                self.invalid(
                    path,
                    format!(
                        "provider `{provider}` (kind = \"{}\") does not serve {kind:?}",
                        p.kind.as_str()
                    ),
                );
            }
        }
    }

    pub(super) fn model(&mut self, alias: &str, m: &ModelConfig) {
        let path = FieldPath::root("models").key(alias);
        if alias.trim().is_empty() {
            self.invalid(&path, "a model alias must not be empty");
        }
        let kinds = m.kinds();
        if kinds.is_empty() {
            self.invalid(
                &path.key("kinds"),
                "must list at least one of chat, embeddings, images",
            );
        }
        let single = m.provider.is_some();
        let group = !m.deployments.is_empty();
        let rules = !m.rules.is_empty() || m.default.is_some();
        match (single, group, rules) {
            (true, false, false) => {
                if let Some(p) = &m.provider {
                    self.provider_ref(&path.key("provider"), p, &kinds);
                }
                if m.model.as_deref().is_some_and(str::is_empty) {
                    self.invalid(&path.key("model"), "must not be empty");
                }
            }
            (false, true, false) => {
                if m.model.is_some() {
                    self.invalid(
                        &path.key("model"),
                        "`model` goes inside each deployment of a group",
                    );
                }
                for (i, d) in m.deployments.iter().enumerate() {
                    let dp = path.key("deployments").index(i);
                    self.provider_ref(&dp.key("provider"), &d.provider, &kinds);
                    if d.model.trim().is_empty() {
                        self.invalid(&dp.key("model"), "must not be empty");
                    }
                    if d.weight <= 0 || d.weight > i64::from(u32::MAX) {
                        self.invalid(
                            &dp.key("weight"),
                            format!("weight must be a positive whole number, got {}", d.weight),
                        );
                    }
                }
            }
            (false, false, true) => {
                if kinds != [ModelKind::Chat] {
                    self.invalid(&path.key("kinds"), "a rules model serves chat only");
                }
                match &m.default {
                    None => self.invalid(
                        &path,
                        "a rules model needs `default` (the target when no rule matches)",
                    ),
                    Some(d) if !self.resolves(d) => {
                        self.invalid(&path.key("default"), format!("unknown model `{d}`"));
                    }
                    Some(_) => {}
                }
                for (i, r) in m.rules.iter().enumerate() {
                    if !self.resolves(&r.target) {
                        self.invalid(
                            &path.key("rules").index(i).key("target"),
                            format!("unknown model `{}`", r.target),
                        );
                    }
                    if self
                        .cfg
                        .models
                        .get(&r.target)
                        .is_some_and(|t| !t.rules.is_empty() || t.default.is_some())
                    {
                        self.invalid(
                            &path.key("rules").index(i).key("target"),
                            format!(
                                "`{}` is a rules model; rules must point at deployments",
                                r.target
                            ),
                        );
                    }
                    if r.target == alias {
                        self.invalid(
                            &path.key("rules").index(i).key("target"),
                            "a rule must not point at its own model",
                        );
                    }
                }
                if m.model.is_some() {
                    self.invalid(&path.key("model"), "a rules model has no `model`");
                }
            }
            (false, false, false) => self.invalid(
                &path,
                "a model needs `provider` (+ `model`), `deployments`, or `rules` + `default`",
            ),
            _ => self.invalid(
                &path,
                "use exactly one of `provider`, `deployments` or `rules`",
            ),
        }
        if m.strategy.is_some() && !group {
            self.invalid(
                &path.key("strategy"),
                "`strategy` applies to `deployments` only",
            );
        }
        if m.passes == Some(0) {
            self.invalid(&path.key("passes"), "must be at least 1");
        }
        if rules && !m.fallbacks.is_empty() {
            self.invalid(
                &path.key("fallbacks"),
                "a rules model has no fallbacks; give them to its targets",
            );
        }
        for (i, f) in m.fallbacks.iter().enumerate() {
            let fp = path.key("fallbacks").index(i);
            if f == alias {
                self.invalid(&fp, "a model cannot fall back to itself");
            } else if !self.resolves(f) {
                self.invalid(&fp, format!("unknown model `{f}`"));
            } else if self.cfg.models.get(f).is_some_and(|t| !t.rules.is_empty()) {
                self.invalid(
                    &fp,
                    format!("`{f}` is a rules model and cannot be a fallback"),
                );
            }
        }
    }

    pub(super) fn fallback_cycles(&mut self) {
        let graph: BTreeMap<&str, Vec<&str>> = self
            .cfg
            .models
            .iter()
            .map(|(a, m)| (a.as_str(), m.fallbacks.iter().map(String::as_str).collect()))
            .collect();
        let mut reported: BTreeSet<Vec<&str>> = BTreeSet::new();
        for start in graph.keys() {
            let mut stack: Vec<(&str, Vec<&str>)> = vec![(start, vec![start])];
            while let Some((node, trail)) = stack.pop() {
                for (i, next) in graph.get(node).into_iter().flatten().enumerate() {
                    if *next == *start && trail.len() > 1 {
                        let mut cycle = trail.clone();
                        let mut key = cycle.clone();
                        key.sort_unstable();
                        if reported.insert(key) {
                            cycle.push(next);
                            let path = FieldPath::root("models")
                                .key(node)
                                .key("fallbacks")
                                .index(i);
                            self.invalid(&path, format!("fallback cycle: {}", cycle.join(" → ")));
                        }
                    } else if !trail.contains(next) && graph.contains_key(next) {
                        let mut t = trail.clone();
                        t.push(next);
                        stack.push((next, t));
                    }
                }
            }
        }
    }
}
