//! What is cached, and the per-request controls that travel in a request's extensions.
//!
//! By default a response is stored only when it is complete and successful: every choice
//! ended with `stop` or `tool_calls` (not `length`, `content_filter`, an unknown reason or no
//! reason), and an error or a cut stream is never stored. Non-deterministic requests are
//! cached too unless the policy says otherwise, since many callers cache precisely to avoid
//! paying twice for the same prompt.

use std::time::Duration;

use llm_router_core::{ChatRequest, ChatResponse, EmbeddingResponse, FinishReason};

/// Per-request cache controls; put one in `req.extensions`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheControl {
    /// Do not answer from the cache: the provider is asked, and its answer is stored unless
    /// `no_store` is set too (a refresh).
    pub skip: bool,
    /// Do not store this request's answer.
    pub no_store: bool,
    /// Store this request's answer for this long instead of the layer's TTL.
    pub ttl: Option<Duration>,
    /// Serve an entry only if it was stored less than this long ago; an older one counts as a
    /// miss (and is replaced by the fresh answer).
    pub max_age: Option<Duration>,
}

impl CacheControl {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Neither read nor write the cache for this request.
    pub fn bypass() -> Self {
        Self {
            skip: true,
            no_store: true,
            ..Self::default()
        }
    }

    /// Ask the provider and store its fresh answer over any cached one.
    pub fn refresh() -> Self {
        Self {
            skip: true,
            ..Self::default()
        }
    }

    /// Sets `skip`.
    pub fn with_skip(mut self, skip: bool) -> Self {
        self.skip = skip;
        self
    }

    /// Sets `no_store`.
    pub fn with_no_store(mut self, no_store: bool) -> Self {
        self.no_store = no_store;
        self
    }

    /// Sets the TTL of the stored answer.
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// Sets the oldest entry this request accepts.
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }
}

/// The cache namespace of a request (a tenant, an API key's id); put one in
/// `req.extensions`. Entries of one namespace are never served to another. Without it the
/// layer's default namespace applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheNamespace(pub String);

impl CacheNamespace {
    /// A namespace.
    pub fn new(namespace: impl Into<String>) -> Self {
        Self(namespace.into())
    }
}

/// What the layer caches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CachePolicy {
    skip_nondeterministic: bool,
    cache_truncated: bool,
}

impl CachePolicy {
    /// Skip requests whose answer may differ from call to call: a temperature above 0, or no
    /// temperature (providers default to 1). Off by default.
    pub fn skip_nondeterministic(mut self, skip: bool) -> Self {
        self.skip_nondeterministic = skip;
        self
    }

    /// Also store answers cut by the output-token limit (`finish_reason: length`). Off by
    /// default: only complete answers are stored.
    pub fn cache_truncated(mut self, cache: bool) -> Self {
        self.cache_truncated = cache;
        self
    }

    /// Whether `req` may be answered from, and stored in, the cache.
    pub fn caches_request(&self, req: &ChatRequest) -> bool {
        !self.skip_nondeterministic || is_deterministic(req)
    }

    /// Whether `resp` is complete and successful enough to store.
    pub fn caches_response(&self, resp: &ChatResponse) -> bool {
        !resp.choices.is_empty()
            && resp.choices.iter().all(|c| match &c.finish_reason {
                Some(FinishReason::Stop | FinishReason::ToolCalls) => true,
                Some(FinishReason::Length) => self.cache_truncated,
                _ => false,
            })
    }

    /// Whether an embeddings response is worth storing: at least one vector.
    pub(crate) fn caches_embedding(&self, resp: &EmbeddingResponse) -> bool {
        !resp.data.is_empty()
    }
}

/// Temperature set and not above 0.
fn is_deterministic(req: &ChatRequest) -> bool {
    req.temperature.is_some_and(|t| t <= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_core::{Choice, Message};

    fn response(finish: &[Option<FinishReason>]) -> ChatResponse {
        ChatResponse {
            choices: finish
                .iter()
                .enumerate()
                .map(|(i, f)| Choice {
                    index: i as u32,
                    message: Message::assistant("x"),
                    finish_reason: f.clone(),
                    ..Choice::default()
                })
                .collect(),
            ..ChatResponse::default()
        }
    }

    #[test]
    fn only_complete_answers_are_stored_by_default() {
        let p = CachePolicy::default();
        assert!(p.caches_response(&response(&[Some(FinishReason::Stop)])));
        assert!(p.caches_response(&response(&[Some(FinishReason::ToolCalls)])));
        assert!(!p.caches_response(&response(&[Some(FinishReason::Length)])));
        assert!(!p.caches_response(&response(&[Some(FinishReason::ContentFilter)])));
        assert!(!p.caches_response(&response(&[None])));
        assert!(!p.caches_response(&response(&[])));
        assert!(!p.caches_response(&response(&[
            Some(FinishReason::Stop),
            Some(FinishReason::Other("error".into()))
        ])));
        let p = p.cache_truncated(true);
        assert!(p.caches_response(&response(&[Some(FinishReason::Length)])));
    }

    #[test]
    fn nondeterministic_requests_are_cached_unless_the_policy_says_no() {
        let req = ChatRequest::new("m", vec![Message::user("x")]);
        assert!(CachePolicy::default().caches_request(&req.clone().with_temperature(0.9)));
        let p = CachePolicy::default().skip_nondeterministic(true);
        assert!(!p.caches_request(&req.clone().with_temperature(0.9)));
        assert!(!p.caches_request(&req));
        assert!(p.caches_request(&req.with_temperature(0.0)));
    }
}
