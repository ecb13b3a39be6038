//! What the limiter decides with: rates, the wait-or-reject mode, scopes and the caller key.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use llm_router_core::Extensions;

/// `amount` units per `period`; the bucket holds at most `amount` (the burst).
///
/// A full bucket admits `amount` units at once, then refills evenly: one unit every
/// `period / amount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    /// Units per period (requests or tokens), also the largest burst.
    pub amount: u64,
    /// The period.
    pub period: Duration,
}

impl Rate {
    /// `amount` per `period`.
    pub fn new(amount: u64, period: Duration) -> Self {
        Self { amount, period }
    }

    /// `amount` per minute.
    pub fn per_minute(amount: u64) -> Self {
        Self::new(amount, Duration::from_secs(60))
    }

    /// How long one unit takes to come back.
    pub fn interval(&self) -> Duration {
        match u32::try_from(self.amount) {
            Ok(n) if n > 0 => self.period / n,
            _ => Duration::from_secs_f64(self.period.as_secs_f64() / self.amount.max(1) as f64),
        }
    }
}

/// What happens when a budget is spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mode {
    /// Sleep until capacity returns, but never longer than `max_wait` in total; when capacity
    /// would return later, fail at once with the same error as [`Mode::Reject`].
    Wait {
        /// The longest a call may wait for all its limits together.
        max_wait: Duration,
    },
    /// Fail at once with [`ErrorKind::RateLimited`](llm_router_core::ErrorKind::RateLimited)
    /// and `retry_after` set to when capacity returns (the default: retry and routing layers
    /// decide what to do with it).
    #[default]
    Reject,
}

/// Who a request is from, for [`Scope::CallerKey`]: put it in the request's `extensions`.
///
/// Use an identifier, not a secret (a tenant id, a hash of the caller's API key): it becomes
/// part of limiter keys, Redis keys included. `req.extensions.insert(CallerKey("team-a".into()))`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallerKey(pub String);

/// What the scope of a request is computed from.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RequestInfo<'a> {
    /// The wrapped provider's name.
    pub provider: &'a str,
    /// The request's model.
    pub model: &'a str,
    /// The request's extensions (where [`CallerKey`] lives).
    pub extensions: &'a Extensions,
}

impl<'a> RequestInfo<'a> {
    /// The facts about one request.
    pub fn new(provider: &'a str, model: &'a str, extensions: &'a Extensions) -> Self {
        Self {
            provider,
            model,
            extensions,
        }
    }
}

/// A function from a request to its budget's key.
pub type ScopeFn = Arc<dyn Fn(&RequestInfo<'_>) -> String + Send + Sync>;

/// Which requests share a budget. Every distinct key gets its own requests, tokens and
/// concurrency budget, each of the configured size.
///
/// | scope | key |
/// |---|---|
/// | `Global` | `global` |
/// | `Provider` | `provider:<provider name>` |
/// | `Model` | `model:<provider name>/<model>` |
/// | `CallerKey` | `caller:<CallerKey>` (requests without one share `caller:`) |
/// | `Custom(f)` | `custom:<f(request)>` |
///
/// One layer has one scope; stack two layers for two (say a global budget outside a
/// per-caller one).
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Scope {
    /// One budget for everything the layer wraps.
    #[default]
    Global,
    /// One budget per wrapped provider (by its name).
    Provider,
    /// One budget per provider and model.
    Model,
    /// One budget per [`CallerKey`] in the request's extensions.
    CallerKey,
    /// One budget per key the function returns.
    Custom(ScopeFn),
}

impl Scope {
    /// A scope computed by `f`.
    pub fn custom(f: impl Fn(&RequestInfo<'_>) -> String + Send + Sync + 'static) -> Self {
        Self::Custom(Arc::new(f))
    }

    /// The budget key of a request (see the table above).
    pub fn key(&self, info: &RequestInfo<'_>) -> String {
        match self {
            Self::Global => "global".to_owned(),
            Self::Provider => format!("provider:{}", info.provider),
            Self::Model => format!("model:{}/{}", info.provider, info.model),
            Self::CallerKey => {
                let caller = info.extensions.get::<CallerKey>().map_or("", |c| &c.0);
                format!("caller:{caller}")
            }
            Self::Custom(f) => format!("custom:{}", f(info)),
        }
    }

    /// The scope's name, as it appears in error messages (never the key's value).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Global => "global",
            Self::Provider => "provider",
            Self::Model => "model",
            Self::CallerKey => "caller",
            Self::Custom(_) => "custom",
        }
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Global => "Global",
            Self::Provider => "Provider",
            Self::Model => "Model",
            Self::CallerKey => "CallerKey",
            Self::Custom(_) => "Custom(..)",
        })
    }
}

/// What to do when the backend (Redis) fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OnBackendError {
    /// Admit the request and log a warning (the default): an outage of the shared store must
    /// not take the gateway down; the provider's own limits still apply.
    #[default]
    FailOpen,
    /// Refuse the request with `RateLimited` (code `rate_limiter_unavailable`): for budgets
    /// that must never be exceeded.
    FailClosed,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_keys() {
        let mut ext = Extensions::default();
        let info = RequestInfo::new("openai", "gpt-4o", &ext);
        assert_eq!(Scope::Global.key(&info), "global");
        assert_eq!(Scope::Provider.key(&info), "provider:openai");
        assert_eq!(Scope::Model.key(&info), "model:openai/gpt-4o");
        assert_eq!(Scope::CallerKey.key(&info), "caller:");
        let custom = Scope::custom(|i| i.model.to_uppercase());
        assert_eq!(custom.key(&info), "custom:GPT-4O");
        assert_eq!(format!("{custom:?}"), "Custom(..)");
        ext.insert(CallerKey("team-a".into()));
        let info = RequestInfo::new("openai", "gpt-4o", &ext);
        assert_eq!(Scope::CallerKey.key(&info), "caller:team-a");
        assert_eq!(format!("{:?}", Scope::CallerKey), "CallerKey");
    }

    #[test]
    fn rate_interval() {
        assert_eq!(Rate::per_minute(60).interval(), Duration::from_secs(1));
        assert_eq!(
            Rate::new(1 << 40, Duration::from_secs(1 << 40)).interval(),
            Duration::from_secs(1)
        );
    }
}
