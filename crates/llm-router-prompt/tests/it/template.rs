use llm_router_core::ErrorKind;
use llm_router_prompt::{PromptError, PromptTemplate};
use serde_json::json;

fn undeclared(t: Result<PromptTemplate, PromptError>) -> String {
    match t {
        Err(PromptError::UndeclaredVariable { name }) => name,
        other => panic!("expected UndeclaredVariable, got {other:?}"),
    }
}

fn missing(r: Result<String, PromptError>) -> String {
    match r {
        Err(PromptError::MissingVariable { name }) => name,
        other => panic!("expected MissingVariable, got {other:?}"),
    }
}

#[test]
fn renders_declared_variables_without_html_escaping() {
    let t = PromptTemplate::new("<b>{{a}}</b> & {{b.c}} \"{{a}}\"", ["a", "b"]).unwrap();
    assert_eq!(
        t.render(&json!({"a": "x < y && 'z'", "b": {"c": 1}}))
            .unwrap(),
        "<b>x < y && 'z'</b> & 1 \"x < y && 'z'\""
    );
    assert_eq!(t.input_variables(), ["a", "b"]);
}

#[test]
fn undeclared_variables_are_named_at_construction() {
    assert_eq!(undeclared(PromptTemplate::new("{{a}} {{b}}", ["a"])), "b");
    assert_eq!(
        undeclared(PromptTemplate::new("{{user.name}}", ["a"])),
        "user"
    );
    assert_eq!(undeclared(PromptTemplate::new("{{upper x}}", ["a"])), "x");
    assert_eq!(
        undeclared(PromptTemplate::new("{{#if flag}}y{{/if}}", ["a"])),
        "flag"
    );
    assert_eq!(
        undeclared(PromptTemplate::new(
            "{{#if a}}{{inner}}{{else}}{{other}}{{/if}}",
            ["a", "inner"]
        )),
        "other"
    );
    assert_eq!(
        undeclared(PromptTemplate::new("{{json (lower q)}}", ["a"])),
        "q"
    );
}

#[test]
fn each_bodies_and_locals_are_not_declarations() {
    let t = PromptTemplate::new("{{#each items}}{{@index}}:{{name}};{{/each}}", ["items"]).unwrap();
    assert_eq!(
        t.render(&json!({"items": [{"name": "a"}, {"name": "b"}]}))
            .unwrap(),
        "0:a;1:b;"
    );
    let t = PromptTemplate::infer("{{#each xs}}{{this}}{{/each}} {{y}}").unwrap();
    assert_eq!(t.input_variables(), ["xs", "y"]);
}

#[test]
fn missing_variables_are_named_at_render() {
    let t = PromptTemplate::new("{{a}} {{b}}", ["a", "b"]).unwrap();
    assert_eq!(missing(t.render(&json!({"a": 1}))), "b");
    // declared but unused is still required
    let t = PromptTemplate::new("{{a}}", ["a", "unused"]).unwrap();
    assert_eq!(missing(t.render(&json!({"a": 1}))), "unused");
    // nested fields are strict too
    let t = PromptTemplate::new("{{user.name}}", ["user"]).unwrap();
    assert_eq!(missing(t.render(&json!({"user": {}}))), "user.name");
    // extra values are fine
    let t = PromptTemplate::new("{{a}}", ["a"]).unwrap();
    assert_eq!(t.render(&json!({"a": 1, "z": 2})).unwrap(), "1");
    assert!(matches!(
        t.render(&json!([1])),
        Err(PromptError::NotAnObject)
    ));
}

#[test]
fn syntax_errors_are_reported() {
    assert!(matches!(
        PromptTemplate::new("{{#if a}}unclosed", ["a"]),
        Err(PromptError::Syntax { .. })
    ));
}

#[test]
fn helpers_upper_lower_join_json() {
    let t = PromptTemplate::new(
        "{{upper s}} {{lower s}} [{{join xs}}] [{{join xs \"|\"}}] {{json o}}\n{{json o pretty=true}}",
        ["s", "xs", "o"],
    )
    .unwrap();
    let out = t
        .render(&json!({"s": "MiXed", "xs": ["a", 1, true], "o": {"k": [1, "<v>"]}}))
        .unwrap();
    assert_eq!(
        out,
        "MIXED mixed [a, 1, true] [a|1|true] {\"k\":[1,\"<v>\"]}\n{\n  \"k\": [\n    1,\n    \"<v>\"\n  ]\n}"
    );
}

#[test]
fn partials_render_in_the_callers_context() {
    let t = PromptTemplate::new("Hi {{name}}. {{> sig}}", ["name", "team"])
        .unwrap()
        .with_partial("sig", "-- {{team}}")
        .unwrap();
    assert_eq!(
        t.render(&json!({"name": "Ann", "team": "Ops"})).unwrap(),
        "Hi Ann. -- Ops"
    );
}

#[test]
fn errors_convert_to_core_errors_with_the_right_kind() {
    let e: llm_router_core::Error = PromptError::MissingVariable { name: "q".into() }.into();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(e.to_string().contains("`q`"));
    let e: llm_router_core::Error = PromptError::UndeclaredVariable { name: "q".into() }.into();
    assert_eq!(e.kind(), ErrorKind::Config);
}
