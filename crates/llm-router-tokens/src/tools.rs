//! Tool-definition tokens the way OpenAI's cookbook counts them.
//!
//! Source: OpenAI cookbook, "How to count tokens with tiktoken", section 7 "Counting tokens for
//! chat completions with tool calls" (`num_tokens_for_tools`,
//! <https://cookbook.openai.com/examples/how_to_count_tokens_with_tiktoken>). Each function
//! costs `func_init` plus the tokens of `name:description` (a trailing `.` dropped); a function
//! with properties adds `prop_init`, then per property `prop_key` plus `key:type:description`,
//! and for an `enum` property `enum_init` plus `enum_item` and the item's tokens per item; the
//! whole list ends with `func_end`. Nested schemas are not counted (the cookbook does not
//! either), so deep schemas are under-counted.

use llm_router_core::ToolDefinition;
use serde_json::Value;

use crate::tiktoken::Encoding;

/// The per-function constants of the cookbook's `num_tokens_for_tools`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolOverhead {
    /// Tokens at the start of each function (7 for GPT-4o, 10 for GPT-4 / GPT-3.5).
    pub func_init: isize,
    /// Tokens at the start of a function's properties.
    pub prop_init: isize,
    /// Tokens per property.
    pub prop_key: isize,
    /// Tokens for a property that has an `enum` list (negative in the cookbook: −3).
    pub enum_init: isize,
    /// Tokens per enum item, besides the item's own.
    pub enum_item: isize,
    /// Tokens once at the end of the tool list.
    pub func_end: isize,
}

impl ToolOverhead {
    /// The cookbook's constants for `gpt-4o` / `gpt-4o-mini` (`o200k_base`).
    pub const GPT_4O: Self = Self {
        func_init: 7,
        prop_init: 3,
        prop_key: 3,
        enum_init: -3,
        enum_item: 3,
        func_end: 12,
    };

    /// The cookbook's constants for `gpt-4` / `gpt-3.5-turbo` (`cl100k_base`).
    pub const GPT_4: Self = Self {
        func_init: 10,
        ..Self::GPT_4O
    };

    /// The constants for models using `encoding`.
    pub fn for_encoding(encoding: Encoding) -> Self {
        match encoding {
            Encoding::Cl100kBase => Self::GPT_4,
            _ => Self::GPT_4O,
        }
    }
}

/// Tokens of `tools` as the cookbook counts them with `encoding` and its [`ToolOverhead`].
/// No tools, no tokens.
pub fn openai_tool_tokens(encoding: Encoding, tools: &[ToolDefinition]) -> usize {
    if tools.is_empty() {
        return 0;
    }
    let o = ToolOverhead::for_encoding(encoding);
    let count = |s: &str| encoding.count(s) as isize;
    let mut n: isize = 0;
    for tool in tools {
        let f = &tool.function;
        n += o.func_init;
        let desc = f.description.as_deref().unwrap_or("");
        n += count(&format!("{}:{}", f.name, trim_dot(desc)));
        let props = f
            .parameters
            .as_ref()
            .and_then(|p| p.get("properties"))
            .and_then(Value::as_object);
        if let Some(props) = props.filter(|p| !p.is_empty()) {
            n += o.prop_init;
            for (key, schema) in props {
                n += o.prop_key;
                if let Some(items) = schema.get("enum").and_then(Value::as_array) {
                    n += o.enum_init;
                    for item in items {
                        n += o.enum_item;
                        n += match item {
                            Value::String(s) => count(s),
                            other => count(&other.to_string()),
                        };
                    }
                }
                let ty = match schema.get("type") {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                let desc = schema
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                n += count(&format!("{key}:{ty}:{}", trim_dot(desc)));
            }
        }
    }
    n += o.func_end;
    n.max(0) as usize
}

fn trim_dot(s: &str) -> &str {
    s.strip_suffix('.').unwrap_or(s)
}
