//! Checks of `[providers.<name>]`: kind-specific fields, keys and endpoints.

use crate::model::{ProviderConfig, ProviderKind};
use crate::source::FieldPath;

use super::Checker;

impl Checker<'_> {
    pub(super) fn provider(&mut self, name: &str, p: &ProviderConfig) {
        let path = FieldPath::root("providers").key(name);
        if name.is_empty() || name.contains('/') {
            self.invalid(
                &path,
                "a provider name must be non-empty and contain no `/`",
            );
        }
        let kind = p.kind;
        let only = |field: &str, allowed: ProviderKind| {
            (kind != allowed).then(|| {
                (
                    path.key(field),
                    format!("only applies to kind = \"{}\"", allowed.as_str()),
                )
            })
        };
        let mut misplaced = Vec::new();
        if p.api_version.is_some() {
            misplaced.extend(only("api_version", ProviderKind::Azure));
        }
        if p.auth.is_some() {
            misplaced.extend(only("auth", ProviderKind::OpenaiCompatible));
        }
        if p.quirks.is_some() {
            misplaced.extend(only("quirks", ProviderKind::OpenaiCompatible));
        }
        if p.default_reply.is_some() {
            misplaced.extend(only("default_reply", ProviderKind::Mock));
        }
        if p.chunk_delay.is_some() {
            misplaced.extend(only("chunk_delay", ProviderKind::Mock));
        }
        if p.call_offered_tools.is_some() {
            misplaced.extend(only("call_offered_tools", ProviderKind::Mock));
        }
        for (field, set) in [
            ("region", p.region.is_some()),
            ("aws_access_key_id", p.aws_access_key_id.is_some()),
            ("aws_secret_access_key", p.aws_secret_access_key.is_some()),
            ("aws_session_token", p.aws_session_token.is_some()),
            ("aws_profile", p.aws_profile.is_some()),
        ] {
            if set {
                misplaced.extend(only(field, ProviderKind::Bedrock));
            }
        }
        for (fp, msg) in misplaced {
            self.invalid(&fp, msg);
        }
        if kind == ProviderKind::Bedrock {
            self.bedrock(&path, p);
        }
        match (&p.api_key, kind.needs_key(p)) {
            (Some(_), _) if kind == ProviderKind::Mock => {
                self.invalid(&path.key("api_key"), "the mock provider takes no key");
            }
            (Some(k), _) => self.secret(&path.key("api_key"), k),
            (None, true) => {
                let var = kind.key_env().unwrap_or("MY_API_KEY");
                let or_aws = if kind == ProviderKind::Bedrock {
                    " (or aws_access_key_id + aws_secret_access_key)"
                } else {
                    ""
                };
                self.invalid(
                    &path.key("kind"),
                    format!("missing `api_key`: add api_key = \"${{{var}}}\"{or_aws}"),
                );
            }
            (None, false) => {}
        }
        let needs_url = matches!(kind, ProviderKind::OpenaiCompatible | ProviderKind::Azure);
        match &p.base_url {
            Some(u) if llm_router_http::reqwest::Url::parse(u).is_err() => {
                self.invalid(&path.key("base_url"), format!("{u:?} is not a URL"));
            }
            Some(_) => {}
            None if needs_url => self.invalid(
                &path.key("kind"),
                format!(
                    "missing `base_url` (kind = \"{}\" has no default endpoint)",
                    kind.as_str()
                ),
            ),
            None => {}
        }
        for (field, d) in [
            ("timeout", p.timeout),
            ("stream_idle_timeout", p.stream_idle_timeout),
        ] {
            if d.is_some_and(|d| d.is_zero()) {
                self.invalid(&path.key(field), "must be greater than 0");
            }
        }
    }

    /// Bedrock: a region (or a profile to take it from), and one kind of credentials, complete.
    pub(super) fn bedrock(&mut self, path: &FieldPath, p: &ProviderConfig) {
        if let Some(profile) = &p.aws_profile {
            if profile.trim().is_empty() {
                self.invalid(&path.key("aws_profile"), "names no profile");
            }
            if p.api_key.is_some() || p.aws_access_key_id.is_some() {
                self.invalid(
                    &path.key("aws_profile"),
                    "use one of `api_key`, the AWS keys or `aws_profile`",
                );
            }
        } else if p.region.as_deref().is_none_or(|r| r.trim().is_empty()) {
            self.invalid(
                &path.key("kind"),
                "kind = \"bedrock\" needs `region` (e.g. \"us-east-1\"), or an `aws_profile` \
                 that sets one",
            );
        }
        match (&p.aws_access_key_id, &p.aws_secret_access_key) {
            (Some(id), Some(secret)) => {
                if p.api_key.is_some() {
                    self.invalid(
                        &path.key("api_key"),
                        "use either `api_key` or the AWS credentials, not both",
                    );
                }
                self.secret(&path.key("aws_access_key_id"), id);
                self.secret(&path.key("aws_secret_access_key"), secret);
                if let Some(t) = &p.aws_session_token {
                    self.secret(&path.key("aws_session_token"), t);
                }
            }
            (Some(_), None) => self.invalid(
                &path.key("aws_access_key_id"),
                "needs `aws_secret_access_key` too",
            ),
            (None, Some(_)) => self.invalid(
                &path.key("aws_secret_access_key"),
                "needs `aws_access_key_id` too",
            ),
            (None, None) => {
                if p.aws_session_token.is_some() {
                    self.invalid(
                        &path.key("aws_session_token"),
                        "goes with aws_access_key_id + aws_secret_access_key",
                    );
                }
            }
        }
    }
}
