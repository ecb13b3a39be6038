//! The record of a routed request's failed attempts, and the one error built from it.

use std::fmt;
use std::time::Duration;

use llm_router_core::{Error, ErrorKind};

/// One failed attempt at one deployment.
#[derive(Debug)]
#[non_exhaustive]
pub struct Attempt {
    /// The group the deployment belongs to.
    pub group: String,
    /// The deployment's id.
    pub deployment: String,
    /// The model asked for.
    pub model: String,
    /// What went wrong.
    pub error: Error,
}

/// Every failed attempt of a request, oldest first: the [`source`](std::error::Error::source)
/// of the error a router returns when more than one attempt failed.
///
/// ```
/// use llm_router_core::{Error, ErrorKind};
/// use llm_router_routing::Attempts;
/// # fn check(err: &Error) -> Option<usize> {
/// let attempts = std::error::Error::source(err)?.downcast_ref::<Attempts>()?;
/// # Some(attempts.len()) }
/// # assert_eq!(check(&Error::new(ErrorKind::Timeout, "x")), None);
/// ```
#[derive(Debug, Default)]
pub struct Attempts {
    attempts: Vec<Attempt>,
    skipped: usize,
}

impl Attempts {
    pub(crate) fn push(&mut self, a: Attempt) {
        self.attempts.push(a);
    }

    pub(crate) fn skipped(&mut self, n: usize) {
        self.skipped += n;
    }

    /// The attempts, oldest first.
    pub fn iter(&self) -> std::slice::Iter<'_, Attempt> {
        self.attempts.iter()
    }

    /// How many attempts failed.
    pub fn len(&self) -> usize {
        self.attempts.len()
    }

    /// Whether there were none.
    pub fn is_empty(&self) -> bool {
        self.attempts.is_empty()
    }

    /// How many times a cooling-down deployment was skipped.
    pub fn skipped_count(&self) -> usize {
        self.skipped
    }

    pub(crate) fn last_kind(&self) -> Option<ErrorKind> {
        self.attempts.last().map(|a| a.error.kind())
    }

    /// The error for the caller: the only error unchanged, or one error listing every
    /// attempt.
    pub(crate) fn into_error(mut self, model: &str) -> Error {
        if self.attempts.len() == 1
            && self.skipped == 0
            && let Some(a) = self.attempts.pop()
        {
            return a.error;
        }
        let Some(last) = self.attempts.last() else {
            return Error::new(
                ErrorKind::ProviderUnavailable,
                format!("no deployment of `{model}` could be tried"),
            );
        };
        let kind = last.error.kind();
        let status = last.error.status().filter(|_| !kind.is_fallback_eligible());
        let code = last
            .error
            .code()
            .filter(|_| !kind.is_fallback_eligible())
            .map(str::to_owned);
        let retry_after = self
            .attempts
            .iter()
            .filter_map(|a| a.error.retry_after())
            .min();
        let n = self.attempts.len();
        let message = if n == 1 {
            format!("the only attempt for `{model}` failed: {self}")
        } else {
            format!("all {n} attempts for `{model}` failed: {self}")
        };
        let mut err = Error::new(kind, message);
        if let Some(s) = status {
            err = err.with_status(s);
        }
        if let Some(c) = code {
            err = err.with_code(c);
        }
        if let Some(w) = retry_after {
            err = err.with_retry_after(w);
        }
        err.with_source(self)
    }

    /// The shortest `Retry-After` among the attempts.
    pub fn min_retry_after(&self) -> Option<Duration> {
        self.attempts
            .iter()
            .filter_map(|a| a.error.retry_after())
            .min()
    }
}

impl<'a> IntoIterator for &'a Attempts {
    type Item = &'a Attempt;
    type IntoIter = std::slice::Iter<'a, Attempt>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl fmt::Display for Attempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.attempts.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "[{}] {}", a.deployment, a.error)?;
        }
        if self.skipped > 0 {
            write!(f, " ({} skipped while cooling down)", self.skipped)?;
        }
        Ok(())
    }
}

impl std::error::Error for Attempts {}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(dep: &str, err: Error) -> Attempt {
        Attempt {
            group: "g".into(),
            deployment: dep.into(),
            model: "m".into(),
            error: err,
        }
    }

    #[test]
    fn one_attempt_is_returned_unchanged() {
        let mut a = Attempts::default();
        a.push(attempt(
            "x",
            Error::new(ErrorKind::Timeout, "slow").with_status(408),
        ));
        let e = a.into_error("g");
        assert_eq!(e.to_string(), "timeout: slow (HTTP 408)");
        assert!(std::error::Error::source(&e).is_none());
    }

    #[test]
    fn many_attempts_are_listed() {
        let mut a = Attempts::default();
        a.push(attempt(
            "a/m",
            Error::new(ErrorKind::RateLimited, "slow down")
                .with_retry_after(Duration::from_secs(3)),
        ));
        a.push(attempt(
            "b/m",
            Error::new(ErrorKind::ProviderUnavailable, "boom").with_status(500),
        ));
        a.skipped(1);
        let e = a.into_error("g");
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
        assert_eq!(e.status(), None);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(
            e.message(),
            "all 2 attempts for `g` failed: [a/m] rate_limited: slow down; \
             [b/m] provider_unavailable: boom (HTTP 500) (1 skipped while cooling down)"
        );
        let src = std::error::Error::source(&e)
            .unwrap()
            .downcast_ref::<Attempts>()
            .unwrap();
        assert_eq!(src.len(), 2);
    }
}
