//! Providers without embeddings, as a clear [`ErrorKind::Unsupported`] error.
//!
//! In code, a provider that only implements `ChatProvider` cannot be passed where a
//! [`SharedEmbedding`] is expected: that is a compile error, not a run-time one. When the
//! choice is made at run time (from config, by provider name), check the provider's
//! [`ProviderInfo`] with [`require_embeddings`], or stand in a [`NoEmbeddings`] so that the
//! failure comes at the first call, with the provider's name in it.

use std::sync::Arc;

use async_trait::async_trait;
use llm_router_core::{
    EmbeddingProvider, EmbeddingRequest, EmbeddingResponse, Error, ErrorKind, ProviderInfo,
    SharedEmbedding,
};

/// `Ok` when `info` says the provider has embeddings, else [`ErrorKind::Unsupported`].
///
/// ```
/// use llm_router_core::{Capabilities, ErrorKind, ProviderInfo};
/// const CHAT_ONLY: ProviderInfo = ProviderInfo {
///     name: "acme", display_name: "Acme", crate_name: "llm-router-acme", feature: "acme",
///     env_vars: &[], default_base_url: "", notes: "",
///     capabilities: Capabilities { chat: true, ..Capabilities::NONE },
/// };
/// let err = llm_router_embeddings::require_embeddings(&CHAT_ONLY).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Unsupported);
/// assert_eq!(err.provider(), Some("acme"));
/// ```
pub fn require_embeddings(info: &ProviderInfo) -> Result<(), Error> {
    if info.capabilities.embeddings {
        Ok(())
    } else {
        Err(unsupported(info.name))
    }
}

fn unsupported(name: &str) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("{name} has no embeddings API through llm-router"),
    )
    .with_provider(name)
}

/// An embedding provider for a provider that has none: every call fails with
/// [`ErrorKind::Unsupported`] naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoEmbeddings {
    name: String,
}

impl NoEmbeddings {
    /// A stand-in for the provider called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into() }
    }

    /// The same, shared.
    pub fn shared(name: impl Into<String>) -> SharedEmbedding {
        Arc::new(Self::new(name))
    }
}

#[async_trait]
impl EmbeddingProvider for NoEmbeddings {
    fn name(&self) -> &str {
        &self.name
    }

    async fn embed(&self, _req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        Err(unsupported(&self.name))
    }
}
