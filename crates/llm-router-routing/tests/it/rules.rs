//! `ModelRouter`: each declarative condition, closures, first match wins, the default.

use std::collections::BTreeMap;
use std::sync::Arc;

use llm_router_core::{
    ChatProvider, ChatRequest, ChatStack, ContentPart, ErrorKind, Message, ToolDefinition,
};
use llm_router_routing::{Condition, ModelRouter, ModelRouterConfig, estimate_tokens};
use serde_json::json;

use crate::{collect, mock};

fn req(text: &str) -> ChatRequest {
    ChatRequest::new(
        "auto",
        vec![Message::system("be brief"), Message::user(text)],
    )
}

fn route(cond: Condition, r: &ChatRequest) -> bool {
    let mr = ModelRouter::builder()
        .rule(cond, "hit")
        .build(Arc::new(mock("x")))
        .unwrap();
    mr.route(r) == Some("hit")
}

#[test]
fn prompt_length_counts_every_message() {
    let r = req("0123456789"); // 8 + 10 characters
    assert!(route(Condition::MinPromptChars(18), &r));
    assert!(!route(Condition::MinPromptChars(19), &r));
    assert!(route(Condition::MaxPromptChars(18), &r));
    assert!(!route(Condition::MaxPromptChars(17), &r));
}

#[test]
fn token_estimate_is_chars_over_four_unless_given_a_counter() {
    let r = req("0123456789"); // 18 chars → 5 tokens
    assert_eq!(estimate_tokens(&r), 5);
    assert!(route(Condition::MinTokens(5), &r));
    assert!(!route(Condition::MinTokens(6), &r));
    assert!(route(Condition::MaxTokens(5), &r));
    assert!(!route(Condition::MaxTokens(4), &r));
    let mr = ModelRouter::builder()
        .token_estimator(|r| r.messages.len() * 1000)
        .rule(Condition::MinTokens(2000), "long")
        .build(Arc::new(mock("x")))
        .unwrap();
    assert_eq!(mr.route(&r), Some("long"));
}

#[test]
fn keywords_match_the_last_user_message_ignoring_case() {
    let cond = || Condition::keywords(["Contract", "invoice"]);
    assert!(route(cond(), &req("please review this CONTRACT")));
    assert!(!route(cond(), &req("hello")));
    // Only the last user message counts: not the system prompt, not earlier turns.
    let mut r = req("hello");
    r.messages.insert(1, Message::user("an invoice"));
    r.messages.insert(0, Message::system("contract"));
    assert!(!route(cond(), &r));
}

#[test]
fn regex_matches_the_last_user_message() {
    assert!(route(
        Condition::regex(r"^translate\b"),
        &req("translate this")
    ));
    assert!(!route(
        Condition::regex(r"^translate\b"),
        &req("Translate this")
    ));
    assert!(route(
        Condition::regex(r"(?i)^translate\b"),
        &req("Translate this")
    ));
    let mut r = req("x");
    r.messages.push(Message::assistant("translate"));
    assert!(!route(Condition::regex("translate"), &r));
}

#[test]
fn an_invalid_regex_is_a_config_error_at_build() {
    let err = ModelRouter::builder()
        .rule(Condition::All(vec![Condition::regex("(unclosed")]), "x")
        .build(Arc::new(mock("x")))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.message().contains("(unclosed"), "{err}");
    assert!(
        ModelRouter::builder()
            .rule(Condition::regex("("), "x")
            .layer()
            .is_err()
    );
}

#[test]
fn tools_images_and_metadata() {
    let plain = req("hi");
    let tools = req("hi").with_tools([ToolDefinition::function("f", "d", json!({}))]);
    assert!(route(Condition::HasTools, &tools));
    assert!(!route(Condition::HasTools, &plain));

    let mut image = req("");
    image.messages.push(Message::user(vec![
        ContentPart::text("what is this?"),
        ContentPart::image_url("https://example.com/cat.png"),
    ]));
    assert!(route(Condition::HasImages, &image));
    assert!(!route(Condition::HasImages, &plain));

    let mut tagged = req("hi");
    tagged.metadata = Some(BTreeMap::from([("tier".to_owned(), "pro".to_owned())]));
    assert!(route(Condition::metadata_equals("tier", "pro"), &tagged));
    assert!(!route(Condition::metadata_equals("tier", "free"), &tagged));
    assert!(!route(Condition::metadata_equals("tier", "pro"), &plain));
}

#[test]
fn combinators() {
    let r = req("hi").with_tools([ToolDefinition::function("f", "d", json!({}))]);
    assert!(route(Condition::All(vec![]), &r));
    assert!(!route(Condition::Any(vec![]), &r));
    assert!(route(
        Condition::All(vec![Condition::HasTools, Condition::HasImages.negate()]),
        &r
    ));
    assert!(!route(
        Condition::All(vec![Condition::HasTools, Condition::HasImages]),
        &r
    ));
    assert!(route(
        Condition::Any(vec![Condition::HasImages, Condition::HasTools]),
        &r
    ));
    assert!(route(Condition::closure(|r| r.tools.len() == 1), &r));
}

#[test]
fn first_match_wins_then_the_default_then_the_own_model() {
    let mr = ModelRouter::builder()
        .rule(Condition::keywords(["code"]), "coder")
        .when(|r| r.messages.len() > 1, "second")
        .rule(Condition::keywords(["code"]), "never")
        .default_model("cheap")
        .build(Arc::new(mock("x")))
        .unwrap();
    assert_eq!(mr.route(&req("write code")), Some("coder"));
    assert_eq!(mr.route(&req("hello")), Some("second"));
    let single = ChatRequest::new("auto", vec![Message::user("hello")]);
    assert_eq!(mr.route(&single), Some("cheap"));

    let no_default = ModelRouter::builder()
        .rule(Condition::HasTools, "tools")
        .build(Arc::new(mock("x")))
        .unwrap();
    assert_eq!(no_default.route(&single), None);
}

#[tokio::test]
async fn the_model_router_rewrites_the_model_and_delegates() {
    let inner = mock("inner");
    let mr = ModelRouter::builder()
        .rule(Condition::keywords(["code"]), "coder")
        .default_model("cheap")
        .applies_to("auto")
        .build(Arc::new(inner.clone()))
        .unwrap();
    mr.chat(req("write code")).await.unwrap();
    assert_eq!(inner.last_request().unwrap().model, "coder");
    let s = mr.chat_stream(req("hello")).await.unwrap();
    assert_eq!(collect(s).await.unwrap(), "from inner");
    assert_eq!(inner.last_request().unwrap().model, "cheap");
    // `applies_to`: an explicit model passes through untouched.
    let mut explicit = req("write code");
    explicit.model = "gpt-4o".into();
    mr.chat(explicit).await.unwrap();
    assert_eq!(inner.last_request().unwrap().model, "gpt-4o");
}

#[tokio::test]
async fn from_config_and_as_a_layer() {
    let cfg: ModelRouterConfig = serde_json::from_value(json!({
        "rules": [
            {"condition": {"any": [{"min_prompt_chars": 10000}, {"max_tokens": 0}]}, "target": "long"},
            {"condition": {"all": ["has_tools", {"not": "has_images"}]}, "target": "tools"},
            {"condition": {"keywords": {"any": ["hola"]}}, "target": "spanish"},
            {"condition": {"regex": "^\\d+$"}, "target": "math"},
            {"condition": {"metadata_equals": {"key": "k", "value": "v"}}, "target": "tagged"},
            {"condition": {"min_tokens": 1}, "target": "short"}
        ],
        "default": "fallback"
    }))
    .unwrap();
    let inner = mock("inner");
    let layer = ModelRouter::from_config(cfg).layer().unwrap();
    let stacked = ChatStack::new().layer(layer).build(Arc::new(inner.clone()));
    for (text, target) in [
        ("hola amigo", "spanish"),
        ("12345", "math"),
        ("hey", "short"),
    ] {
        stacked.chat(req(text)).await.unwrap();
        assert_eq!(inner.last_request().unwrap().model, target, "{text}");
    }
    let empty = ChatRequest::new("auto", vec![]);
    stacked.chat(empty).await.unwrap();
    assert_eq!(inner.last_request().unwrap().model, "long", "0 tokens");
    let bad: Result<ModelRouterConfig, _> =
        serde_json::from_value(json!({"rules": [{"condition": {"closure": null}, "target": "x"}]}));
    assert!(bad.is_err(), "closures cannot come from a config file");
}
