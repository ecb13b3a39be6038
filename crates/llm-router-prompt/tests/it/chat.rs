use llm_router_core::{Message, Role};
use llm_router_prompt::{ChatTemplate, PromptError};
use serde_json::json;

#[test]
fn few_shot_examples_go_after_the_system_messages() {
    let chat = ChatTemplate::new(
        [
            (Role::System, "Translate into {{lang}}."),
            (Role::User, "{{text}}"),
        ],
        ["lang", "text"],
    )
    .unwrap()
    .with_example("Hello", "Bonjour")
    .with_example("Thanks", "Merci");
    let got = chat
        .render(&json!({"lang": "French", "text": "Good night"}))
        .unwrap();
    assert_eq!(
        got,
        vec![
            Message::system("Translate into French."),
            Message::user("Hello"),
            Message::assistant("Bonjour"),
            Message::user("Thanks"),
            Message::assistant("Merci"),
            Message::user("Good night"),
        ]
    );
}

#[test]
fn system_only_templates_get_examples_at_the_end() {
    let chat = ChatTemplate::infer([(Role::System, "Be {{tone}}.")])
        .unwrap()
        .with_example("q", "a");
    assert_eq!(chat.input_variables(), ["tone"]);
    let got = chat.render(&json!({"tone": "brief"})).unwrap();
    assert_eq!(
        got,
        vec![
            Message::system("Be brief."),
            Message::user("q"),
            Message::assistant("a")
        ]
    );
}

#[test]
fn chat_templates_are_strict() {
    assert!(matches!(
        ChatTemplate::new([(Role::User, "{{x}}")], ["y"]),
        Err(PromptError::UndeclaredVariable { name }) if name == "x"
    ));
    let chat = ChatTemplate::new([(Role::User, "{{x}}")], ["x"]).unwrap();
    assert!(matches!(
        chat.render(&json!({})),
        Err(PromptError::MissingVariable { name }) if name == "x"
    ));
}

#[test]
fn chat_partials() {
    let chat = ChatTemplate::new([(Role::User, "{{> ask}}")], ["q"])
        .unwrap()
        .with_partial("ask", "Q: {{q}}")
        .unwrap();
    assert_eq!(
        chat.render(&json!({"q": "why?"})).unwrap(),
        vec![Message::user("Q: why?")]
    );
}
