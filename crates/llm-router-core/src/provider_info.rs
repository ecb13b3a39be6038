//! What a provider crate is and can do, as data: the README's provider table is generated from
//! these values, so it cannot drift from the code.

/// What a provider supports through llm-router.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// Chat completions.
    pub chat: bool,
    /// Streaming chat.
    pub streaming: bool,
    /// Tool (function) calling.
    pub tools: bool,
    /// Image input.
    pub vision: bool,
    /// Embeddings.
    pub embeddings: bool,
    /// Image generation.
    pub images: bool,
    /// Reasoning text (and signatures, where the provider has them) in responses.
    pub reasoning: bool,
}

impl Capabilities {
    /// Nothing; start from this with struct update syntax.
    pub const NONE: Capabilities = Capabilities {
        chat: false,
        streaming: false,
        tools: false,
        vision: false,
        embeddings: false,
        images: false,
        reasoning: false,
    };
}

/// A provider crate's description.
///
/// ```
/// use llm_router_core::{Capabilities, ProviderInfo};
/// const INFO: ProviderInfo = ProviderInfo {
///     name: "acme",
///     display_name: "Acme AI",
///     crate_name: "llm-router-acme",
///     feature: "acme",
///     env_vars: &["ACME_API_KEY"],
///     default_base_url: "https://api.acme.example/v1",
///     capabilities: Capabilities { chat: true, streaming: true, ..Capabilities::NONE },
///     notes: "",
/// };
/// assert!(INFO.capabilities.chat && !INFO.capabilities.images);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderInfo {
    /// Short name, as in `"<name>/<model>"` model ids and errors.
    pub name: &'static str,
    /// Human name.
    pub display_name: &'static str,
    /// The crate.
    pub crate_name: &'static str,
    /// The facade feature.
    pub feature: &'static str,
    /// Environment variables `from_env()` reads (the key first).
    pub env_vars: &'static [&'static str],
    /// Default base URL.
    pub default_base_url: &'static str,
    /// What it supports.
    pub capabilities: Capabilities,
    /// One short line of what is special (shown in the README table).
    pub notes: &'static str,
}
