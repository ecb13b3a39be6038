//! Model names → the legacy API's endpoint names (the last segment of
//! `…/wenxinworkshop/chat/{endpoint}` and `…/wenxinworkshop/embeddings/{endpoint}`).
//!
//! Most endpoints are the lowercased model name (`ERNIE-3.5-128K` → `ernie-3.5-128k`); a few
//! older models have irregular ones, listed in [`CHAT_ALIASES`] (from the official SDK's model
//! table, `python/qianfan/resources/llm/chat_completion.py`). Anything else — an endpoint
//! name itself, or a custom deployment's endpoint — is used as given.

/// Model names whose endpoint is not their lowercased name (compared case-insensitively).
pub(crate) const CHAT_ALIASES: &[(&str, &str)] = &[
    ("ernie-bot", "completions"),
    ("ernie-3.5-8k", "completions"),
    ("ernie-bot-4", "completions_pro"),
    ("ernie-4.0-8k", "completions_pro"),
    ("ernie-bot-turbo", "eb-instant"),
    ("ernie-lite-8k-0922", "eb-instant"),
    ("ernie-speed-8k", "ernie_speed"),
    ("ernie-speed", "ernie_speed"),
    ("ernie-4.0-8k-preview-0518", "completions_adv_pro"),
    ("ernie-function-8k", "ernie-func-8k"),
    ("ernie-character-8k", "ernie-char-8k"),
    ("ernie-character-fiction-8k", "ernie-char-fiction-8k"),
];

/// The chat endpoint for `model`.
pub(crate) fn chat_endpoint(model: &str) -> String {
    if let Some((_, e)) = CHAT_ALIASES
        .iter()
        .find(|(m, _)| m.eq_ignore_ascii_case(model))
    {
        return (*e).to_owned();
    }
    lowercase_if_named_model(model)
}

/// The embeddings endpoint for `model` (`Embedding-V1` → `embedding-v1`; `bge_large_zh`,
/// `tao_8k` as given).
pub(crate) fn embedding_endpoint(model: &str) -> String {
    lowercase_if_named_model(model)
}

/// Baidu's display names (`ERNIE-…`, `Embedding-V1`) are lowercased; other names (endpoint
/// names, custom deployments) are used as given.
fn lowercase_if_named_model(model: &str) -> String {
    let lower = model.to_ascii_lowercase();
    if lower.starts_with("ernie") || lower.starts_with("embedding-") {
        lower
    } else {
        model.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert_eq!(chat_endpoint("ERNIE-4.0-8K"), "completions_pro");
        assert_eq!(chat_endpoint("ERNIE-Bot"), "completions");
        assert_eq!(chat_endpoint("ERNIE-Speed-8K"), "ernie_speed");
        assert_eq!(chat_endpoint("ERNIE-Speed-128K"), "ernie-speed-128k");
        assert_eq!(chat_endpoint("ernie-4.0-turbo-8k"), "ernie-4.0-turbo-8k");
        assert_eq!(chat_endpoint("completions_pro"), "completions_pro");
        assert_eq!(chat_endpoint("MyDeployment_01"), "MyDeployment_01");
        assert_eq!(embedding_endpoint("Embedding-V1"), "embedding-v1");
        assert_eq!(embedding_endpoint("bge_large_zh"), "bge_large_zh");
    }
}
