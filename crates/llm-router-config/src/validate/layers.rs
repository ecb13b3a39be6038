//! Checks of the server, retry, timeouts, cache, limits and caller keys sections.

use std::collections::BTreeSet;

use crate::model::{CacheBackend, CacheConfig, LimitBackend, LimitsConfig};
use crate::source::FieldPath;

use super::Checker;

impl Checker<'_> {
    pub(super) fn server(&mut self) {
        let s = &self.cfg.server;
        let p = FieldPath::root("server");
        if s.body_limit == 0 {
            self.invalid(&p.key("body_limit"), "must be greater than 0");
        }
        if s.request_timeout.is_some_and(|d| d.is_zero()) {
            self.invalid(&p.key("request_timeout"), "must be greater than 0");
        }
        if self.cfg.telemetry.log_level.trim().is_empty() {
            self.invalid(
                &FieldPath::root("telemetry").key("log_level"),
                "must not be empty (try \"info\")",
            );
        }
    }

    pub(super) fn retry(&mut self) {
        let r = &self.cfg.retry;
        let p = FieldPath::root("retry");
        if r.max_attempts == Some(0) {
            self.invalid(
                &p.key("max_attempts"),
                "must be at least 1 (1 = no retries)",
            );
        }
        if r.multiplier.is_some_and(|m| !(m.is_finite() && m >= 1.0)) {
            self.invalid(&p.key("multiplier"), "must be a number ≥ 1");
        }
        if let (Some(b), Some(m)) = (r.base_delay, r.max_delay)
            && b > m
        {
            self.invalid(&p.key("base_delay"), "must not exceed `max_delay`");
        }
        let t = &self.cfg.timeouts;
        let tp = FieldPath::root("timeouts");
        for (f, d) in [
            ("per_attempt", t.per_attempt),
            ("stream_idle", t.stream_idle),
            ("stream_total", t.stream_total),
        ] {
            if d.is_some_and(|d| d.is_zero()) {
                self.invalid(&tp.key(f), "must be greater than 0");
            }
        }
    }

    pub(super) fn cache(&mut self, c: &CacheConfig) {
        let p = FieldPath::root("cache");
        if c.ttl.is_some_and(|d| d.is_zero()) {
            self.invalid(&p.key("ttl"), "must be greater than 0");
        }
        if c.max_bytes == Some(0) {
            self.invalid(&p.key("max_bytes"), "must be greater than 0");
        }
        match c.backend {
            CacheBackend::Memory => {
                for (f, set) in [
                    ("path", c.path.is_some()),
                    ("redis_url", c.redis_url.is_some()),
                ] {
                    if set {
                        self.invalid(&p.key(f), "does not apply to backend = \"memory\"");
                    }
                }
            }
            CacheBackend::Disk => {
                if !cfg!(feature = "cache-disk") {
                    self.invalid(
                        &p.key("backend"),
                        "this build has no disk cache (feature `cache-disk`)",
                    );
                }
                if c.path.as_deref().is_none_or(str::is_empty) {
                    self.invalid(&p.key("backend"), "backend = \"disk\" needs `path`");
                }
                if c.redis_url.is_some() {
                    self.invalid(&p.key("redis_url"), "does not apply to backend = \"disk\"");
                }
            }
            CacheBackend::Redis => {
                if !cfg!(feature = "cache-redis") {
                    self.invalid(
                        &p.key("backend"),
                        "this build has no Redis cache (feature `cache-redis`)",
                    );
                }
                self.redis_url(&p, c.redis_url.as_deref());
                for (f, set) in [
                    ("path", c.path.is_some()),
                    ("max_bytes", c.max_bytes.is_some()),
                ] {
                    if set {
                        self.invalid(&p.key(f), "does not apply to backend = \"redis\"");
                    }
                }
            }
        }
    }

    pub(super) fn redis_url(&mut self, section: &FieldPath, url: Option<&str>) {
        match url {
            None => self.invalid(
                &section.key("backend"),
                "backend = \"redis\" needs `redis_url` (e.g. redis_url = \"${REDIS_URL}\")",
            ),
            Some(u)
                if !(u.starts_with("redis://")
                    || u.starts_with("rediss://")
                    || u.starts_with("unix://")
                    || u.starts_with("redis+unix://")) =>
            {
                self.invalid(
                    &section.key("redis_url"),
                    "must start with redis://, rediss:// or unix://",
                );
            }
            Some(_) => {}
        }
    }

    pub(super) fn limits(&mut self, l: &LimitsConfig) {
        let p = FieldPath::root("limits");
        if l.requests_per_minute.is_none()
            && l.tokens_per_minute.is_none()
            && l.concurrency.is_none()
        {
            self.invalid(&p, "set at least one of requests_per_minute, tokens_per_minute, concurrency (or remove [limits])");
        }
        if l.requests_per_minute == Some(0) {
            self.invalid(&p.key("requests_per_minute"), "must be greater than 0");
        }
        if l.tokens_per_minute == Some(0) {
            self.invalid(&p.key("tokens_per_minute"), "must be greater than 0");
        }
        if l.concurrency == Some(0) {
            self.invalid(&p.key("concurrency"), "must be greater than 0");
        }
        if l.max_wait.is_some() && l.mode != crate::model::LimitMode::Wait {
            self.invalid(&p.key("max_wait"), "applies to mode = \"wait\" only");
        }
        match l.backend {
            LimitBackend::Memory => {
                for (f, set) in [
                    ("redis_url", l.redis_url.is_some()),
                    ("key_prefix", l.key_prefix.is_some()),
                ] {
                    if set {
                        self.invalid(&p.key(f), "does not apply to backend = \"memory\"");
                    }
                }
            }
            LimitBackend::Redis => {
                if !cfg!(feature = "limits-redis") {
                    self.invalid(
                        &p.key("backend"),
                        "this build has no Redis limiter (feature `limits-redis`)",
                    );
                }
                self.redis_url(&p, l.redis_url.as_deref());
            }
        }
    }

    pub(super) fn keys(&mut self) {
        let mut names = BTreeSet::new();
        let mut hashes = BTreeSet::new();
        for (i, k) in self.cfg.keys.iter().enumerate() {
            let p = FieldPath::root("keys").index(i);
            if k.name.trim().is_empty() {
                self.invalid(&p.key("name"), "must not be empty");
            } else if !names.insert(k.name.as_str()) {
                self.invalid(&p.key("name"), format!("duplicate key name `{}`", k.name));
            }
            match (&k.key, &k.sha256) {
                (Some(s), None) => self.secret(&p.key("key"), s),
                (None, Some(h)) => match crate::keys::decode_sha256(h) {
                    Ok(d) => {
                        if !hashes.insert(d) {
                            self.invalid(&p.key("sha256"), "the same key is listed twice");
                        }
                    }
                    Err(e) => self.invalid(&p.key("sha256"), e),
                },
                _ => self.invalid(&p, "give exactly one of `key` (\"${ENV_VAR}\") or `sha256`"),
            }
            for (j, m) in k.models.iter().enumerate() {
                if m != "*" && !self.resolves(m) {
                    self.invalid(&p.key("models").index(j), format!("unknown model `{m}`"));
                }
            }
            for (f, zero) in [
                ("requests_per_minute", k.requests_per_minute == Some(0)),
                ("tokens_per_minute", k.tokens_per_minute == Some(0)),
                ("concurrency", k.concurrency == Some(0)),
            ] {
                if zero {
                    self.invalid(&p.key(f), "must be greater than 0");
                }
            }
        }
    }
}
