//! The exact messages of every built-in template.

use llm_router_core::Message;
use llm_router_prompt::builtin;
use serde_json::json;

#[test]
fn translation() {
    let t = builtin::translation();
    assert_eq!(
        t.input_variables(),
        ["text", "source_language", "target_language"]
    );
    let got = t
        .render(&json!({"text": "Guten Morgen", "source_language": "German", "target_language": "English"}))
        .unwrap();
    assert_eq!(
        got,
        vec![
            Message::system(
                "You are a professional translator. Translate the user's text from German into English. Keep the meaning, tone and formatting; reply with the translation only."
            ),
            Message::user("Guten Morgen"),
        ]
    );
}

#[test]
fn summarization() {
    let got = builtin::summarization()
        .render(&json!({"text": "A long text.", "max_words": 50}))
        .unwrap();
    assert_eq!(
        got,
        vec![
            Message::system(
                "You summarise texts accurately and concisely. Use at most 50 words and add nothing that is not in the text."
            ),
            Message::user("Summarise this text:\n\nA long text."),
        ]
    );
}

#[test]
fn code_explanation() {
    let got = builtin::code_explanation()
        .render(&json!({"language": "Rust", "code": "fn main() { let x = &v[0]; }"}))
        .unwrap();
    assert_eq!(
        got,
        vec![
            Message::system(
                "You are an experienced Rust programmer who explains code clearly to other developers."
            ),
            Message::user(
                "Explain what this Rust code does, step by step, and point out any bugs or risks.\n\n```rust\nfn main() { let x = &v[0]; }\n```"
            ),
        ]
    );
}

#[test]
fn question_answering() {
    let got = builtin::question_answering()
        .render(&json!({"context": "Paris is the capital of France.", "question": "What is the capital of France?"}))
        .unwrap();
    assert_eq!(
        got,
        vec![
            Message::system(
                "Answer the question using only the context below. If the context does not contain the answer, say \"I don't know.\"\n\nContext:\nParis is the capital of France."
            ),
            Message::user("What is the capital of France?"),
        ]
    );
}

#[test]
fn role_play() {
    let got = builtin::role_play()
        .render(&json!({"character": "a pirate captain", "scenario": "A storm approaches.", "message": "Captain, orders?"}))
        .unwrap();
    assert_eq!(
        got,
        vec![
            Message::system(
                "You are a pirate captain. Stay in character for the whole conversation and never mention that you are an AI.\n\nScenario: A storm approaches."
            ),
            Message::user("Captain, orders?"),
        ]
    );
}

#[test]
fn classification_asks_for_json() {
    let got = builtin::classification()
        .render(&json!({"labels": ["positive", "negative", "neutral"], "text": "I love it!"}))
        .unwrap();
    assert_eq!(
        got,
        vec![
            Message::system(
                "Classify the user's text into exactly one of these labels: positive, negative, neutral.\nReply with JSON only, in the form {\"label\": \"<label>\"}."
            ),
            Message::user("I love it!"),
        ]
    );
}

#[test]
fn extraction_asks_for_json_matching_the_schema() {
    // keys in sorted order, so the text is the same whether or not serde_json preserves order
    let schema = json!({"properties": {"name": {"type": "string"}}, "type": "object"});
    let got = builtin::extraction()
        .render(&json!({"schema": schema, "text": "My name is Ann."}))
        .unwrap();
    assert_eq!(
        got,
        vec![
            Message::system(
                "Extract information from the user's text. Reply with JSON only: one object that matches this JSON Schema, with null for anything the text does not say.\n{\"properties\":{\"name\":{\"type\":\"string\"}},\"type\":\"object\"}"
            ),
            Message::user("My name is Ann."),
        ]
    );
}

#[test]
fn builtins_are_strict() {
    for t in [
        builtin::translation(),
        builtin::summarization(),
        builtin::code_explanation(),
        builtin::question_answering(),
        builtin::role_play(),
        builtin::classification(),
        builtin::extraction(),
    ] {
        assert!(!t.input_variables().is_empty());
        assert!(t.render(&json!({})).is_err());
    }
}
