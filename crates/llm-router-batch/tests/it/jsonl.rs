use llm_router_batch::{
    JsonlError, parse_jsonl, parse_results_jsonl, read_jsonl_file, write_results_jsonl,
};
use llm_router_core::{BatchItemResult, ChatResponse, Error, ErrorKind};

/// The documented example line of OpenAI's batch input format
/// (https://platform.openai.com/docs/api-reference/batch/request-input).
const OPENAI_LINE: &str = r#"{"custom_id": "request-1", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", "messages": [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "What is 2+2?"}]}}"#;

#[test]
fn both_line_forms_parse() {
    let text = format!(
        "{OPENAI_LINE}\n\n{}\n{}\n",
        r#"{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "temperature": 0.2, "stream": true}"#,
        r#"{"custom_id": "mine", "model": "claude", "messages": [{"role": "user", "content": "yo"}], "max_tokens": 10}"#,
    );
    let items = parse_jsonl(&text).unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0].custom_id, "request-1");
    assert_eq!(items[0].request.model, "gpt-4o-mini");
    assert_eq!(items[0].request.messages[1].text(), "What is 2+2?");
    assert_eq!(items[1].custom_id, "line-3");
    assert_eq!(items[1].request.temperature, Some(0.2));
    assert_eq!(items[1].request.stream, None, "batches never stream");
    assert_eq!(items[2].custom_id, "mine");
    assert!(!items[2].request.extra.contains_key("custom_id"));
    assert_eq!(items[2].request.max_tokens, Some(10));
}

fn line_error(text: &str) -> (usize, String) {
    let e = parse_jsonl(text).unwrap_err();
    (e.line().unwrap(), e.to_string())
}

#[test]
fn errors_name_the_line() {
    let ok = r#"{"model": "m", "messages": [{"role": "user", "content": "hi"}]}"#;
    let (line, msg) = line_error(&format!("{ok}\n{ok}\n{{not json"));
    assert_eq!(line, 3);
    assert!(msg.starts_with("line 3: invalid JSON"), "{msg}");

    let (line, msg) = line_error(&format!("{ok}\n[1, 2]"));
    assert_eq!((line, msg.as_str()), (2, "line 2: expected a JSON object"));

    let (line, msg) = line_error(&format!("\n{ok}\n{{\"messages\": []}}"));
    assert_eq!(line, 3);
    assert!(
        msg.contains("not a chat request") && msg.contains("model"),
        "{msg}"
    );

    let (_, msg) = line_error(
        r#"{"method": "POST", "url": "/v1/chat/completions", "body": {"model": "m", "messages": []}}"#,
    );
    assert_eq!(msg, "line 1: missing custom_id");

    let (_, msg) = line_error(
        r#"{"custom_id": "a", "method": "GET", "url": "/v1/chat/completions", "body": {"model": "m", "messages": []}}"#,
    );
    assert!(msg.contains("method must be \"POST\""), "{msg}");

    let (_, msg) = line_error(
        r#"{"custom_id": "a", "method": "POST", "url": "/v1/embeddings", "body": {"model": "m", "input": "x"}}"#,
    );
    assert!(msg.contains("url must be a chat completions path"), "{msg}");

    let (_, msg) = line_error(r#"{"custom_id": "a", "body": "text"}"#);
    assert!(msg.contains("body must be a JSON object"), "{msg}");

    let (_, msg) = line_error(r#"{"custom_id": 7, "model": "m", "messages": []}"#);
    assert!(
        msg.contains("custom_id must be a non-empty string"),
        "{msg}"
    );

    let dup = format!("{OPENAI_LINE}\n{ok}\n{OPENAI_LINE}");
    let e = parse_jsonl(&dup).unwrap_err();
    assert!(
        matches!(
            e,
            JsonlError::DuplicateId {
                first_line: 1,
                line: 3,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "line 3: custom_id \"request-1\" was already used on line 1"
    );

    assert!(matches!(
        parse_jsonl("\n  \n").unwrap_err(),
        JsonlError::Empty
    ));
}

#[test]
fn files_are_read_and_missing_ones_named() {
    let dir = std::env::temp_dir().join(format!("llm-router-batch-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("in.jsonl");
    std::fs::write(&path, format!("{OPENAI_LINE}\n")).unwrap();
    assert_eq!(read_jsonl_file(&path).unwrap()[0].custom_id, "request-1");
    let missing = dir.join("nope.jsonl");
    let e = read_jsonl_file(&missing).unwrap_err();
    assert!(matches!(e, JsonlError::Io { .. }));
    assert!(e.to_string().contains("nope.jsonl"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn results_round_trip_through_jsonl() {
    let ok: ChatResponse = serde_json::from_value(serde_json::json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "4"}, "finish_reason": "stop"}]
    }))
    .unwrap();
    let results = vec![
        BatchItemResult::new("a", Ok(ok.clone())),
        BatchItemResult::new(
            "b",
            Err(Error::new(ErrorKind::RateLimited, "slow down")
                .with_provider("openai")
                .with_status(429)
                .with_code("rate_limit_exceeded")),
        ),
    ];
    let mut out = Vec::new();
    write_results_jsonl(&mut out, &results).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[1],
        r#"{"custom_id":"b","error":{"kind":"rate_limited","message":"slow down","provider":"openai","status":429,"code":"rate_limit_exceeded"}}"#
    );
    let back = parse_results_jsonl(&text).unwrap();
    assert_eq!(back[0].response.as_ref(), Some(&ok));
    assert_eq!(back[1].error.as_ref().unwrap().status, Some(429));

    let e = parse_results_jsonl("{\"custom_id\": \"a\"}\n\nnope").unwrap_err();
    assert_eq!(e.line(), Some(3));
}
