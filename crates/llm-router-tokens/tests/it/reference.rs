//! Reference numbers and where they come from.
//!
//! Text counts: Python `tiktoken` 0.14.0 (`len(enc.encode(text))`), run on the same BPE files
//! (tiktoken checks their SHA-256 against its built-in hashes before use, so these are OpenAI's
//! published tables, not tiktoken-rs's copy of them taken on trust).
//!
//! Conversation and tool counts: OpenAI cookbook "How to count tokens with tiktoken"
//! (<https://cookbook.openai.com/examples/how_to_count_tokens_with_tiktoken>), sections 6 and 7:
//! the `prompt_tokens` the OpenAI API reported (129 for gpt-3.5-turbo / gpt-4, 124 for gpt-4o /
//! gpt-4o-mini on the six-message example; 105 and 101 with the `get_current_weather` tool).

use llm_router_core::{ChatRequest, Message, ToolDefinition};
use llm_router_tokens::{CharEstimate, Encoding, TiktokenCounter, TokenCounter};
use serde_json::json;

/// (name, text, o200k_base, cl100k_base)
const TEXTS: &[(&str, &str, usize, usize)] = &[
    (
        "chinese",
        "我们的目标是让每个人都能使用人工智能。今天天气很好，我们去公园散步吧。",
        24,
        39,
    ),
    (
        "japanese",
        "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。",
        32,
        39,
    ),
    (
        "arabic",
        "مرحبا بالعالم! كيف حالك اليوم؟ أتمنى أن تكون بخير.",
        17,
        38,
    ),
    (
        "russian",
        "Съешь же ещё этих мягких французских булок, да выпей чаю.",
        19,
        36,
    ),
    (
        "code",
        "fn main() {\n    let v: Vec<u32> = (1..=10).filter(|x| x % 2 == 0).collect();\n    println!(\"{:?}\", v);\n}\n",
        41,
        41,
    ),
    (
        "emoji",
        "I love 🦀 Rust! 🚀🎉 Family: 👨‍👩‍👧‍👦, flags: 🇯🇵🇫🇷, skin: 👍🏽",
        41,
        55,
    ),
];

#[test]
fn text_counts_match_python_tiktoken() {
    for &(name, text, o200k, cl100k) in TEXTS {
        assert_eq!(Encoding::O200kBase.count(text), o200k, "o200k_base {name}");
        assert_eq!(
            Encoding::Cl100kBase.count(text),
            cl100k,
            "cl100k_base {name}"
        );
    }
}

fn named(role: Message, name: &str) -> Message {
    let mut m = role;
    m.name = Some(name.into());
    m
}

#[test]
fn six_message_conversation_matches_the_cookbook_api_counts() {
    let messages = vec![
        Message::system(
            "You are a helpful, pattern-following assistant that translates corporate jargon into plain English.",
        ),
        named(
            Message::system("New synergies will help drive top-line growth."),
            "example_user",
        ),
        named(
            Message::system("Things working well together will increase revenue."),
            "example_assistant",
        ),
        named(
            Message::system(
                "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
            ),
            "example_user",
        ),
        named(
            Message::system("Let's talk later when we're less busy about how to do better."),
            "example_assistant",
        ),
        Message::user(
            "This late pivot means we don't have time to boil the ocean for the client deliverable.",
        ),
    ];
    let counter = TiktokenCounter::default();
    for (model, expected) in [
        ("gpt-3.5-turbo", 129),
        ("gpt-4", 129),
        ("gpt-4o", 124),
        ("gpt-4o-mini", 124),
    ] {
        assert_eq!(
            counter.for_model(model).count_messages(&messages),
            expected,
            "{model}"
        );
    }
}

fn weather_tool() -> ToolDefinition {
    ToolDefinition::function(
        "get_current_weather",
        "Get the current weather in a given location",
        json!({
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                "unit": {"type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location"],
        }),
    )
}

#[test]
fn tool_definitions_match_the_cookbook_api_counts() {
    let messages = vec![
        Message::system(
            "You are a helpful assistant that can answer to questions about the weather.",
        ),
        Message::user("What's the weather like in San Francisco?"),
    ];
    let counter = TiktokenCounter::default();
    for (model, expected) in [
        ("gpt-3.5-turbo", 105),
        ("gpt-4", 105),
        ("gpt-4o", 101),
        ("gpt-4o-mini", 101),
    ] {
        let req = ChatRequest::new(model, messages.clone())
            .with_tools([weather_tool()])
            .with_max_tokens(0);
        assert_eq!(counter.estimate_request(&req), expected, "{model}");
    }
    assert_eq!(counter.count_tools(&[]), 0);
}

#[test]
fn estimators_say_they_estimate() {
    let counter = TiktokenCounter::default();
    assert!(counter.is_exact());
    assert!(counter.is_exact_for("gpt-4o-mini"));
    assert!(counter.is_exact_for("openai/gpt-4.1"));
    assert!(!counter.is_exact_for("claude-sonnet-4-5"));
    assert!(!CharEstimate.is_exact());
    let dyn_counter: Box<dyn TokenCounter> = Box::new(CharEstimate);
    assert!(!dyn_counter.is_exact());
}
