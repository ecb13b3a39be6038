//! Context-window and maximum-output sizes per model.
//!
//! [`ModelTable::known_models`] holds the documented limits of known models; config can add or
//! replace entries ([`ModelTable::insert`], [`ModelTable::extend`], or deserialize a table with
//! serde and [`ModelTable::merged`] it over the defaults). Lookup is like
//! [`EncodingTable`](crate::EncodingTable): the id after its last `/`, an exact name first, else
//! the longest family prefix.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How many tokens a model takes in and gives out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ModelLimits {
    /// Input plus output tokens the model can attend to.
    pub context_window: u32,
    /// The most output tokens one response may have (`None` where the vendor documents no
    /// separate output limit: the context window is the only bound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output: Option<u32>,
}

impl ModelLimits {
    /// Limits with a documented maximum output.
    pub const fn new(context_window: u32, max_output: u32) -> Self {
        Self {
            context_window,
            max_output: Some(max_output),
        }
    }

    /// Limits with only a context window.
    pub const fn context_only(context_window: u32) -> Self {
        Self {
            context_window,
            max_output: None,
        }
    }

    /// Input tokens left when `output` tokens are reserved for the reply (saturating at 0).
    pub fn input_budget(&self, output: u32) -> u32 {
        self.context_window.saturating_sub(output)
    }
}

/// Model name or family prefix → [`ModelLimits`].
///
/// Serializes as a plain map, e.g. in TOML config
/// `[models."my-model"] context_window = 32768, max_output = 4096`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ModelTable {
    entries: BTreeMap<String, ModelLimits>,
}

/// `(name or family prefix, context window, max output)`; 0 = no separate output limit.
///
/// Sources (vendor model pages, as published when this table was written):
/// - OpenAI: <https://platform.openai.com/docs/models> (one page per model)
/// - Anthropic: <https://docs.anthropic.com/en/docs/about-claude/models/overview>
/// - Google: <https://ai.google.dev/gemini-api/docs/models>
/// - DeepSeek: <https://api-docs.deepseek.com/quick_start/pricing>
/// - Mistral: <https://docs.mistral.ai/getting-started/models/models_overview/>
/// - Meta Llama: <https://www.llama.com/docs/model-cards-and-prompt-formats/> (3.1+: 128K)
/// - Qwen: <https://www.alibabacloud.com/help/en/model-studio/models>
const DEFAULTS: &[(&str, u32, u32)] = &[
    // OpenAI
    ("gpt-5", 400_000, 128_000),
    ("gpt-4.1", 1_047_576, 32_768),
    ("gpt-4o", 128_000, 16_384),
    ("chatgpt-4o", 128_000, 16_384),
    ("gpt-4-turbo", 128_000, 4_096),
    ("gpt-4", 8_192, 8_192),
    ("gpt-3.5-turbo", 16_385, 4_096),
    ("o1", 200_000, 100_000),
    ("o1-mini", 128_000, 65_536),
    ("o3", 200_000, 100_000),
    ("o4-mini", 200_000, 100_000),
    // Anthropic
    ("claude-3-5-sonnet", 200_000, 8_192),
    ("claude-3-5-haiku", 200_000, 8_192),
    ("claude-3-7-sonnet", 200_000, 64_000),
    ("claude-sonnet-4", 200_000, 64_000),
    ("claude-opus-4", 200_000, 32_000),
    ("claude-opus-4-5", 200_000, 64_000),
    ("claude-haiku-4-5", 200_000, 64_000),
    // Google
    ("gemini-2.0-flash", 1_048_576, 8_192),
    ("gemini-2.5-pro", 1_048_576, 65_536),
    ("gemini-2.5-flash", 1_048_576, 65_536),
    // DeepSeek (V3.2 API: 128K context; chat 8K output max, reasoner 64K)
    ("deepseek-chat", 128_000, 8_000),
    ("deepseek-reasoner", 128_000, 64_000),
    // Mistral (no separate output limit documented)
    ("mistral-large", 128_000, 0),
    ("mistral-medium", 128_000, 0),
    ("mistral-small", 128_000, 0),
    ("codestral", 256_000, 0),
    // Meta Llama 3.1 / 3.2 / 3.3 (no separate output limit documented)
    ("llama-3.1", 131_072, 0),
    ("llama-3.2", 131_072, 0),
    ("llama-3.3", 131_072, 0),
    ("llama3.1", 131_072, 0),
    ("llama3.3", 131_072, 0),
    // Qwen on Alibaba Model Studio (limits differ between snapshots of the same alias: the
    // values of the stable aliases; override in config for a dated snapshot)
    ("qwen-max", 32_768, 8_192),
    ("qwen-plus", 131_072, 16_384),
    ("qwen-turbo", 1_000_000, 16_384),
];

impl ModelTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The documented default table (the source pages are cited in this module's source).
    pub fn known_models() -> Self {
        let mut t = Self::new();
        for &(name, ctx, out) in DEFAULTS {
            let limits = if out == 0 {
                ModelLimits::context_only(ctx)
            } else {
                ModelLimits::new(ctx, out)
            };
            t.insert(name, limits);
        }
        t
    }

    /// Sets the limits of a model name or family prefix, returning the previous ones.
    pub fn insert(&mut self, name: impl Into<String>, limits: ModelLimits) -> Option<ModelLimits> {
        self.entries.insert(name.into(), limits)
    }

    /// Removes an entry.
    pub fn remove(&mut self, name: &str) -> Option<ModelLimits> {
        self.entries.remove(name)
    }

    /// Adds or replaces every entry of `overrides`.
    pub fn extend(&mut self, overrides: ModelTable) {
        self.entries.extend(overrides.entries);
    }

    /// `self` with `overrides` on top (e.g. `ModelTable::known_models().merged(from_config)`).
    pub fn merged(mut self, overrides: ModelTable) -> Self {
        self.extend(overrides);
        self
    }

    /// The entries, sorted by name.
    pub fn entries(&self) -> impl Iterator<Item = (&str, ModelLimits)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// The limits of `model`: the id after its last `/`, matched exactly, else by the longest
    /// entry it starts with.
    pub fn get(&self, model: &str) -> Option<ModelLimits> {
        let model = model.rsplit('/').next().unwrap_or(model);
        if let Some(l) = self.entries.get(model) {
            return Some(*l);
        }
        self.entries
            .iter()
            .filter(|(prefix, _)| model.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, l)| *l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_models_resolve_by_exact_name_and_longest_prefix() {
        let t = ModelTable::known_models();
        assert_eq!(t.get("gpt-4o"), Some(ModelLimits::new(128_000, 16_384)));
        assert_eq!(t.get("gpt-4o-mini-2024-07-18"), t.get("gpt-4o"));
        assert_eq!(
            t.get("gpt-4-turbo-preview"),
            Some(ModelLimits::new(128_000, 4_096))
        );
        assert_eq!(t.get("gpt-4-0613"), Some(ModelLimits::new(8_192, 8_192)));
        assert_eq!(t.get("o1-mini"), Some(ModelLimits::new(128_000, 65_536)));
        assert_eq!(
            t.get("o1-2024-12-17"),
            Some(ModelLimits::new(200_000, 100_000))
        );
        assert_eq!(
            t.get("claude-opus-4-5-20251101"),
            Some(ModelLimits::new(200_000, 64_000))
        );
        assert_eq!(
            t.get("claude-opus-4-1-20250805"),
            Some(ModelLimits::new(200_000, 32_000))
        );
        assert_eq!(
            t.get("openrouter/meta-llama/llama-3.3-70b-instruct"),
            Some(ModelLimits::context_only(131_072))
        );
        assert_eq!(t.get("mistral-large-latest").unwrap().max_output, None);
        assert_eq!(t.get("unknown-model"), None);
    }

    #[test]
    fn config_overrides_replace_and_add_entries() {
        let config: ModelTable = serde_json::from_str(
            r#"{"gpt-4o": {"context_window": 64000, "max_output": 4096},
                "my-model": {"context_window": 32768}}"#,
        )
        .unwrap();
        let t = ModelTable::known_models().merged(config);
        assert_eq!(t.get("gpt-4o-mini"), Some(ModelLimits::new(64_000, 4_096)));
        assert_eq!(
            t.get("my-model-v2"),
            Some(ModelLimits::context_only(32_768))
        );
        assert_eq!(
            t.get("gpt-5-mini"),
            Some(ModelLimits::new(400_000, 128_000))
        );

        let mut t = t;
        assert!(t.remove("my-model").is_some());
        assert_eq!(t.get("my-model"), None);
        assert_eq!(ModelLimits::new(100, 10).input_budget(30), 70);
        assert_eq!(ModelLimits::new(100, 10).input_budget(300), 0);
    }
}
