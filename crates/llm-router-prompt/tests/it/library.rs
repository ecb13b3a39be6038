use llm_router_prompt::{PromptError, PromptLibrary};
use serde_json::json;

fn dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/prompts")
}

#[test]
fn loads_templates_front_matter_and_partials_from_a_directory() {
    let lib = PromptLibrary::load_dir(dir()).unwrap();
    assert_eq!(lib.names().collect::<Vec<_>>(), ["summary", "translate"]);
    // front matter declares; `app` is read only by the partial
    assert_eq!(
        lib.get("translate").unwrap().input_variables(),
        ["text", "target_language"]
    );
    assert_eq!(
        lib.render(
            "translate",
            &json!({"text": "Hello", "target_language": "German", "app": "bot"})
        )
        .unwrap(),
        "Translate into German:\nHello\n-- sent by BOT"
    );
    // no front matter: declares what it reads
    assert_eq!(
        lib.get("summary").unwrap().input_variables(),
        ["max_words", "text"]
    );
    assert!(matches!(
        lib.render("summary", &json!({"text": "t"})),
        Err(PromptError::MissingVariable { name }) if name == "max_words"
    ));
    assert!(matches!(lib.get("nope"), Err(PromptError::NotFound { .. })));
}

#[test]
fn a_missing_directory_is_an_io_error_naming_it() {
    let err = PromptLibrary::load_dir(dir().join("absent")).unwrap_err();
    assert!(matches!(err, PromptError::Io { .. }));
    assert!(err.to_string().contains("absent"));
}
