//! The built-in configuration: `examples/default.toml` (mock models, memory cache, generous
//! limits) plus every real provider whose key variable is set, under `"<provider>/<model>"`
//! aliases.

use crate::interpolate::{Env, SecretRef};
use crate::model::{Config, ModelConfig, ModelKind, ProviderConfig, ProviderKind};

/// The text of the built-in configuration (mock models, cache, limits, every section
/// documented in comments).
pub const DEFAULT_TOML: &str = include_str!("../examples/default.toml");

/// Aliases added for a provider whose key is set: `(upstream model, kind)`.
fn default_models(kind: ProviderKind) -> &'static [(&'static str, ModelKind)] {
    use ModelKind::{Chat, Embeddings};
    match kind {
        ProviderKind::Openai => &[
            ("gpt-4o-mini", Chat),
            ("gpt-4o", Chat),
            ("text-embedding-3-small", Embeddings),
        ],
        ProviderKind::Anthropic => &[
            ("claude-3-5-haiku-latest", Chat),
            ("claude-sonnet-4-0", Chat),
        ],
        ProviderKind::Gemini => &[
            ("gemini-2.5-flash", Chat),
            ("gemini-2.5-pro", Chat),
            ("gemini-embedding-001", Embeddings),
        ],
        ProviderKind::Deepseek => &[("deepseek-chat", Chat), ("deepseek-reasoner", Chat)],
        ProviderKind::Openrouter => &[("openai/gpt-4o-mini", Chat)],
        ProviderKind::Zhipu => &[("glm-4-flash", Chat), ("embedding-3", Embeddings)],
        ProviderKind::Qwen => &[
            ("qwen-plus", Chat),
            ("qwen-turbo", Chat),
            ("text-embedding-v3", Embeddings),
        ],
        ProviderKind::Mistral => &[
            ("mistral-small-latest", Chat),
            ("mistral-embed", Embeddings),
        ],
        ProviderKind::Cohere => &[("command-a-03-2025", Chat), ("embed-v4.0", Embeddings)],
        ProviderKind::Ai21 => &[("jamba-mini", Chat)],
        ProviderKind::Huggingface => &[("meta-llama/Llama-3.1-8B-Instruct", Chat)],
        ProviderKind::MetaLlama => &[("Llama-4-Maverick-17B-128E-Instruct-FP8", Chat)],
        ProviderKind::Ernie => &[("ernie-4.5-turbo-128k", Chat)],
        ProviderKind::Spark => &[("lite", Chat)],
        // Azure needs an endpoint and deployment names, Ollama a host and pulled models,
        // Bedrock a region and account-specific model access: only through a config file.
        _ => &[],
    }
}

/// Adds each real provider whose key variable is set, with its default aliases.
pub(crate) fn add_env_providers(cfg: &mut Config, env: Env<'_>) {
    for kind in ProviderKind::ALL {
        let models = default_models(kind);
        let Some(var) = kind.key_env() else { continue };
        if models.is_empty() {
            continue;
        }
        let secret = SecretRef::env(var);
        if secret.resolve(env).is_none() {
            continue;
        }
        let name = kind.as_str().to_owned();
        let mut p = ProviderConfig::new(kind);
        p.api_key = Some(secret);
        cfg.providers.insert(name.clone(), p);
        for (model, model_kind) in models {
            cfg.models.insert(
                format!("{name}/{model}"),
                ModelConfig::single(name.clone(), *model).with_kinds([*model_kind]),
            );
        }
    }
}
