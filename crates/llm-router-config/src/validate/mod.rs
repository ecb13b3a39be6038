//! The semantic checks: everything that parses but cannot work. Each problem names its field
//! path and, when the configuration came from a file, its line.

mod layers;
mod models;
mod providers;

use crate::error::{ConfigError, Location};
use crate::interpolate::{Env, SecretRef};
use crate::model::Config;
use crate::source::FieldPath;

/// Collects problems with their locations.
pub(crate) struct Checker<'a> {
    cfg: &'a Config,
    env: Env<'a>,
    errors: Vec<ConfigError>,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(cfg: &'a Config, env: Env<'a>) -> Self {
        Self {
            cfg,
            env,
            errors: Vec::new(),
        }
    }

    pub(crate) fn locate(&self, path: &FieldPath) -> Location {
        match &self.cfg.source {
            Some(s) => s.locate(path),
            None => Location::file("<built-in configuration>"),
        }
    }

    pub(super) fn invalid(&mut self, path: &FieldPath, message: impl Into<String>) {
        let location = self.locate(path);
        self.errors.push(ConfigError::Invalid {
            location,
            field: path.to_string(),
            message: message.into(),
        });
    }

    /// Checks that a secret's variable is set.
    pub(super) fn secret(&mut self, path: &FieldPath, secret: &SecretRef) {
        if secret.resolve(self.env).is_none() {
            let location = self.locate(path);
            self.errors.push(ConfigError::MissingEnv {
                location,
                field: path.to_string(),
                var: secret.var().to_owned(),
            });
        }
    }

    pub(crate) fn run(mut self) -> Vec<ConfigError> {
        let cfg = self.cfg;
        self.server();
        for (name, p) in &cfg.providers {
            self.provider(name, p);
        }
        for (alias, m) in &cfg.models {
            self.model(alias, m);
        }
        self.fallback_cycles();
        self.retry();
        if let Some(c) = &cfg.cache {
            self.cache(c);
        }
        if let Some(l) = &cfg.limits {
            self.limits(l);
        }
        self.keys();
        self.errors
    }
}
