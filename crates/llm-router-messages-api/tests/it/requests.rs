//! Anthropic request bodies → canonical requests: the documented examples (checked to be
//! valid Anthropic requests first), exact canonical output, and a table of bad inputs.

use llm_router_core::{ChatRequest, ErrorKind, ReasoningEffort, Role};
use llm_router_messages_api::{REASONING_FORMAT, parse_request};
use serde_json::{Value, json};

use crate::{fixture, fixture_json};
use llm_router_testkit::anthropic_spec::{assert_valid, example};

const REQUEST_FIXTURES: [&str; 3] = [
    "request_tools.json",
    "request_thinking.json",
    "request_multimodal_cache.json",
];

fn parse_fixture(name: &str) -> ChatRequest {
    parse_request(fixture(name).as_bytes()).unwrap()
}

/// The canonical request as its OpenAI-shaped JSON.
fn canonical(req: &ChatRequest) -> Value {
    serde_json::to_value(req).unwrap()
}

#[test]
fn the_request_fixtures_are_valid_anthropic_requests() {
    for name in REQUEST_FIXTURES {
        assert_valid("CreateMessageParams", &fixture_json(name));
    }
}

#[test]
fn the_spec_example() {
    let body = example("CreateMessageParams").unwrap().to_string();
    let req = parse_request(body.as_bytes()).unwrap();
    assert_eq!(
        canonical(&req),
        json!({
            "model": "claude-3-5-sonnet-20241022",
            "max_tokens": 1024,
            "messages": [{"role": "user", "content": "Hello, world"}]
        })
    );
}

#[test]
fn tools_tool_calls_and_results() {
    let req = parse_fixture("request_tools.json");
    assert_eq!(
        canonical(&req),
        json!({
            "model": "claude-sonnet-4-5",
            "max_tokens": 1024,
            "messages": [
                {"role": "user", "content": "What's the weather like in San Francisco, and what time is it there?"},
                {"role": "assistant", "content": "I'll check the weather and the time in San Francisco.", "tool_calls": [
                    {"id": "toolu_01A09q90qw90lq917835lq9", "type": "function", "function": {"name": "get_weather", "arguments": "{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}"}},
                    {"id": "toolu_01B09q90qw90lq917835lq9", "type": "function", "function": {"name": "get_time", "arguments": "{\"timezone\":\"America/Los_Angeles\"}"}}
                ]},
                {"role": "tool", "tool_call_id": "toolu_01A09q90qw90lq917835lq9", "content": "15 degrees"},
                {"role": "tool", "tool_call_id": "toolu_01B09q90qw90lq917835lq9", "is_error": true,
                 "content": [{"type": "text", "text": "ConnectionError: the time service is not available"}]},
                {"role": "user", "content": [{"type": "text", "text": "Please answer briefly."}]}
            ],
            "tools": [
                {"type": "function", "function": {"name": "get_weather", "description": "Get the current weather in a given location", "parameters": {
                    "type": "object",
                    "properties": {
                        "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "The unit of temperature, either 'celsius' or 'fahrenheit'"}
                    },
                    "required": ["location"]
                }}},
                {"type": "function", "function": {"name": "get_time", "description": "Get the current time in a given time zone", "parameters": {
                    "type": "object",
                    "properties": {"timezone": {"type": "string", "description": "The IANA time zone name, e.g. America/Los_Angeles"}},
                    "required": ["timezone"]
                }}}
            ],
            "tool_choice": "auto",
            "parallel_tool_calls": false
        })
    );
}

#[test]
fn thinking_blocks_keep_their_signatures() {
    let req = parse_fixture("request_thinking.json");
    assert_eq!(req.reasoning_effort, Some(ReasoningEffort::Medium));
    assert_eq!(
        req.extra["thinking"],
        json!({"type": "enabled", "budget_tokens": 10000})
    );
    let v = canonical(&req);
    let assistant = &v["messages"][1];
    assert_eq!(
        assistant["reasoning_content"],
        "The user wants to know the current weather in Paris. I have access to a function `get_weather`..."
    );
    assert_eq!(
        assistant["reasoning_details"],
        json!([
            {"type": "reasoning.text", "format": REASONING_FORMAT, "index": 0,
             "text": "The user wants to know the current weather in Paris. I have access to a function `get_weather`...",
             "signature": "BDaL4VrbR2Oj0hO4XpJxT28J5TILnCrrUXoKiiNBZW9P+nr8XSj1zuZzAl4egiCCpQNvfyUuFFJP5CncdYZEQPPmLxYsNrcs...."},
            {"type": "reasoning.encrypted", "format": REASONING_FORMAT, "index": 1,
             "data": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj2pLmN8Q"}
        ])
    );
    assert_eq!(
        assistant["content"],
        "I can help you get the current weather information for Paris."
    );
    assert_eq!(
        assistant["tool_calls"][0]["function"]["arguments"],
        "{\"location\":\"Paris\"}"
    );
    assert_eq!(
        v["messages"][2],
        json!({"role": "tool", "tool_call_id": "toolu_01CswdEQBMshySk6Y9DFKrfq", "content": "Current temperature: 88°F"})
    );
    assert_eq!(v["messages"].as_array().unwrap().len(), 3);
}

#[test]
fn system_blocks_images_documents_and_sampling() {
    let req = parse_fixture("request_multimodal_cache.json");
    let v = canonical(&req);
    let m = &v["messages"];
    assert_eq!(
        m[0],
        json!({"role": "system", "content": "You are an AI assistant tasked with analyzing literary works. Your goal is to provide insightful commentary on themes, characters, and writing style.\n"})
    );
    assert_eq!(
        m[1],
        json!({"role": "system", "cache_control": {"type": "ephemeral"}, "content": [
            {"type": "text", "text": "<the entire contents of 'Pride and Prejudice'>", "cache_control": {"type": "ephemeral"}}
        ]})
    );
    assert_eq!(
        m[2],
        json!({"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQSkZJRg=="}},
            {"type": "image_url", "image_url": {"url": "https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg"}},
            {"type": "file", "file": {"filename": "document.pdf", "file_data": "data:application/pdf;base64,JVBERi0xLjcKCjEgMCBvYmo="}, "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "The grass is green. The sky is blue."},
            {"type": "text", "text": "Describe these images and summarize the documents.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}
        ]})
    );
    assert_eq!(m.as_array().unwrap().len(), 3);
    assert_eq!(v["user"], "13803d75-b4b5-4c3e-b2a2-6f21399b021b");
    assert_eq!(v["stop"], json!(["\n\nHuman:"]));
    assert_eq!(
        (v["temperature"].as_f64(), v["top_p"].as_f64()),
        (Some(0.5), Some(0.9))
    );
    assert_eq!(v["top_k"], 40);
    assert_eq!(v["stream"], true);
    assert!(
        v.get("metadata").is_none(),
        "metadata.user_id becomes `user`"
    );
}

#[test]
fn tool_choice_forms() {
    let choice = |tc: Value| {
        let body = json!({"model": "m", "max_tokens": 1, "messages": [], "tool_choice": tc});
        let v = canonical(&parse_request(body.to_string().as_bytes()).unwrap());
        (
            v["tool_choice"].clone(),
            v.get("parallel_tool_calls").cloned(),
        )
    };
    assert_eq!(choice(json!({"type": "auto"})), (json!("auto"), None));
    assert_eq!(
        choice(json!({"type": "any", "disable_parallel_tool_use": true})),
        (json!("required"), Some(json!(false)))
    );
    assert_eq!(
        choice(json!({"type": "tool", "name": "get_weather"})),
        (
            json!({"type": "function", "function": {"name": "get_weather"}}),
            None
        )
    );
    assert_eq!(choice(json!({"type": "none"})), (json!("none"), None));
}

#[test]
fn structured_output_effort_and_unknown_fields() {
    let schema = json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"], "additionalProperties": false});
    let body = json!({
        "model": "m", "max_tokens": 100, "messages": [{"role": "user", "content": "x"}],
        "output_config": {"format": {"type": "json_schema", "schema": schema}, "effort": "low"},
        "container": "container_011", "context_management": {"edits": []},
        "service_tier": "auto",
        "tools": [{"name": "f", "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral"}, "strict": true}]
    });
    let req = parse_request(body.to_string().as_bytes()).unwrap();
    let v = canonical(&req);
    assert_eq!(
        v["response_format"],
        json!({"type": "json_schema", "json_schema": {"name": "output", "schema": schema}})
    );
    assert_eq!(v["reasoning_effort"], "low");
    assert_eq!(
        v["output_config"], body["output_config"],
        "kept whole for Anthropic"
    );
    assert_eq!(v["container"], "container_011");
    assert_eq!(v["context_management"], json!({"edits": []}));
    assert_eq!(v["service_tier"], "auto");
    assert_eq!(
        v["tools"][0],
        json!({"type": "function", "function": {"name": "f", "parameters": {"type": "object"}, "strict": true}, "cache_control": {"type": "ephemeral"}})
    );
    // A format alone is not repeated in `extra`; the beta `output_format` works the same way.
    let body = json!({"model": "m", "max_tokens": 1, "messages": [], "output_format": {"type": "json_schema", "schema": {"type": "object"}}});
    let v = canonical(&parse_request(body.to_string().as_bytes()).unwrap());
    assert_eq!(
        v["response_format"]["json_schema"]["schema"],
        json!({"type": "object"})
    );
    assert!(v.get("output_format").is_none() && v.get("output_config").is_none());
}

#[test]
fn turn_shapes() {
    let body = json!({"model": "m", "max_tokens": 1, "system": "", "messages": [
        {"role": "user", "content": [{"type": "text", "text": "before"}, {"type": "tool_result", "tool_use_id": "t1"},
                                     {"type": "search_result", "source": "s", "title": "t", "content": []}]},
        {"role": "assistant", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
        {"role": "assistant", "content": []},
        {"role": "user", "content": []}
    ]});
    let v = canonical(&parse_request(body.to_string().as_bytes()).unwrap());
    assert_eq!(
        v["messages"],
        json!([
            {"role": "user", "content": [{"type": "text", "text": "before"}]},
            {"role": "tool", "tool_call_id": "t1", "content": ""},
            {"role": "user", "content": [{"type": "search_result", "source": "s", "title": "t", "content": []}]},
            {"role": "assistant", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
            {"role": "assistant"},
            {"role": "user", "content": []}
        ])
    );
    let req = parse_request(body.to_string().as_bytes()).unwrap();
    assert!(
        req.messages.iter().all(|m| m.role != Role::System),
        "an empty system prompt adds nothing"
    );
}

#[test]
fn bad_inputs_are_invalid_requests_naming_the_problem() {
    let ok =
        json!({"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]});
    let with = |key: &str, value: Value| {
        let mut b = ok.clone();
        b[key] = value;
        b.to_string().into_bytes()
    };
    let without = |key: &str| {
        let mut b = ok.clone();
        b.as_object_mut().unwrap().remove(key);
        b.to_string().into_bytes()
    };
    let msg = |content: Value| with("messages", json!([{"role": "user", "content": content}]));
    let assistant = |content: Value| {
        with(
            "messages",
            json!([{"role": "assistant", "content": content}]),
        )
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "invalid UTF-8",
            b"{\"model\": \"m\xff\"}".to_vec(),
            "not valid UTF-8",
        ),
        ("malformed JSON", b"{\"model\": ".to_vec(), "not valid JSON"),
        ("empty body", Vec::new(), "not valid JSON"),
        (
            "not an object",
            b"[1, 2]".to_vec(),
            "the request body: expected a JSON object, got an array",
        ),
        ("no model", without("model"), "model: field required"),
        (
            "model not a string",
            with("model", json!(3)),
            "model: expected a string, got a number",
        ),
        (
            "empty model",
            with("model", json!("")),
            "model: must not be empty",
        ),
        (
            "no max_tokens",
            without("max_tokens"),
            "max_tokens: field required",
        ),
        (
            "max_tokens as a string",
            with("max_tokens", json!("10")),
            "max_tokens: expected an integer, got a string",
        ),
        (
            "negative max_tokens",
            with("max_tokens", json!(-1)),
            "max_tokens: expected a non-negative integer",
        ),
        (
            "fractional max_tokens",
            with("max_tokens", json!(1.5)),
            "max_tokens: expected a non-negative integer",
        ),
        (
            "zero max_tokens",
            with("max_tokens", json!(0)),
            "max_tokens: must be at least 1",
        ),
        (
            "no messages",
            without("messages"),
            "messages: field required",
        ),
        (
            "messages not an array",
            with("messages", json!({"role": "user"})),
            "messages: expected an array, got an object",
        ),
        (
            "message not an object",
            with("messages", json!(["hi"])),
            "messages[0]: expected an object, got a string",
        ),
        (
            "system role in messages",
            with("messages", json!([{"role": "system", "content": "x"}])),
            "messages[0].role: expected \"user\" or \"assistant\"",
        ),
        (
            "no role",
            with("messages", json!([{"content": "x"}])),
            "messages[0].role: field required",
        ),
        (
            "no content",
            with("messages", json!([{"role": "user"}])),
            "messages[0].content: field required",
        ),
        (
            "content a number",
            msg(json!(5)),
            "messages[0].content: expected a string or an array of content blocks, got a number",
        ),
        (
            "block without type",
            msg(json!([{"text": "x"}])),
            "messages[0].content[0].type: field required",
        ),
        (
            "text block without text",
            msg(json!([{"type": "text"}])),
            "messages[0].content[0].text: field required",
        ),
        (
            "text not a string",
            msg(json!([{"type": "text", "text": ["x"]}])),
            "messages[0].content[0].text: expected a string, got an array",
        ),
        (
            "image without source",
            msg(json!([{"type": "image"}])),
            "messages[0].content[0].source: field required",
        ),
        (
            "base64 image without data",
            msg(
                json!([{"type": "image", "source": {"type": "base64", "media_type": "image/png"}}]),
            ),
            "messages[0].content[0].source.data: field required",
        ),
        (
            "document without source",
            msg(json!([{"type": "document"}])),
            "messages[0].content[0].source: field required",
        ),
        (
            "tool_result without id",
            msg(json!([{"type": "tool_result", "content": "x"}])),
            "messages[0].content[0].tool_use_id: field required",
        ),
        (
            "tool_result content a number",
            msg(json!([{"type": "tool_result", "tool_use_id": "t", "content": 1}])),
            "messages[0].content[0].content: expected a string or an array",
        ),
        (
            "is_error a string",
            msg(json!([{"type": "tool_result", "tool_use_id": "t", "is_error": "yes"}])),
            "messages[0].content[0].is_error: expected a boolean",
        ),
        (
            "tool_use input a string",
            assistant(json!([{"type": "tool_use", "id": "t", "name": "f", "input": "{}"}])),
            "messages[0].content[0].input: expected an object, got a string",
        ),
        (
            "tool_use without name",
            assistant(json!([{"type": "tool_use", "id": "t", "input": {}}])),
            "messages[0].content[0].name: field required",
        ),
        (
            "thinking without text",
            assistant(json!([{"type": "thinking", "signature": "s"}])),
            "messages[0].content[0].thinking: field required",
        ),
        (
            "redacted_thinking without data",
            assistant(json!([{"type": "redacted_thinking"}])),
            "messages[0].content[0].data: field required",
        ),
        (
            "system a number",
            with("system", json!(1)),
            "system: expected a string or an array of text blocks, got a number",
        ),
        (
            "system image block",
            with("system", json!([{"type": "image", "source": {}}])),
            "system[0].type: the system prompt takes text blocks only",
        ),
        (
            "tools not an array",
            with("tools", json!({})),
            "tools: expected an array, got an object",
        ),
        (
            "tool without input_schema",
            with("tools", json!([{"name": "f"}])),
            "tools[0].input_schema: field required",
        ),
        (
            "input_schema a string",
            with("tools", json!([{"name": "f", "input_schema": "object"}])),
            "tools[0].input_schema: expected an object, got a string",
        ),
        (
            "tool without name",
            with("tools", json!([{"input_schema": {}}])),
            "tools[0].name: field required",
        ),
        (
            "tool_choice a string",
            with("tool_choice", json!("auto")),
            "tool_choice: expected an object, got a string",
        ),
        (
            "tool_choice unknown type",
            with("tool_choice", json!({"type": "required"})),
            "tool_choice.type: expected \"auto\", \"any\", \"tool\" or \"none\"",
        ),
        (
            "tool_choice tool without name",
            with("tool_choice", json!({"type": "tool"})),
            "tool_choice.name: field required",
        ),
        (
            "temperature a string",
            with("temperature", json!("0.5")),
            "temperature: expected a number, got a string",
        ),
        (
            "top_p a bool",
            with("top_p", json!(true)),
            "top_p: expected a number, got a boolean",
        ),
        (
            "top_k negative",
            with("top_k", json!(-1)),
            "top_k: expected a non-negative integer",
        ),
        (
            "stop_sequences a string",
            with("stop_sequences", json!("END")),
            "stop_sequences: expected an array, got a string",
        ),
        (
            "stop_sequences of numbers",
            with("stop_sequences", json!([1])),
            "stop_sequences[0]: expected a string, got a number",
        ),
        (
            "stream a string",
            with("stream", json!("yes")),
            "stream: expected a boolean, got a string",
        ),
        (
            "metadata a string",
            with("metadata", json!("u")),
            "metadata: expected an object, got a string",
        ),
        (
            "user_id a number",
            with("metadata", json!({"user_id": 7})),
            "metadata.user_id: expected a string, got a number",
        ),
        (
            "thinking without budget",
            with("thinking", json!({"type": "enabled"})),
            "thinking.budget_tokens: field required",
        ),
        (
            "thinking a bool",
            with("thinking", json!(true)),
            "thinking: expected an object, got a boolean",
        ),
        (
            "output format not json_schema",
            with("output_config", json!({"format": {"type": "xml"}})),
            "output_config.format.type: expected \"json_schema\"",
        ),
        (
            "output format without schema",
            with("output_format", json!({"type": "json_schema"})),
            "output_format.schema: field required",
        ),
    ];
    for (what, body, expected) in cases {
        let err = parse_request(&body).expect_err(what);
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{what}: {err}");
        assert!(
            err.message().contains(expected),
            "{what}: {:?} should contain {expected:?}",
            err.message()
        );
    }
}

#[test]
fn server_tools_are_refused_clearly() {
    let body = json!({"model": "m", "max_tokens": 1, "messages": [],
                      "tools": [{"type": "web_search_20250305", "name": "web_search", "max_uses": 5}]});
    let err = parse_request(body.to_string().as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(
        err.message().contains("tools[0]") && err.message().contains("web_search_20250305"),
        "{err}"
    );
    let custom = json!({"model": "m", "max_tokens": 1, "messages": [],
                        "tools": [{"type": "custom", "name": "f", "input_schema": {"type": "object"}}]});
    assert_eq!(
        parse_request(custom.to_string().as_bytes())
            .unwrap()
            .tools
            .len(),
        1
    );
}

#[test]
fn nulls_read_as_absent() {
    let body = json!({"model": "m", "max_tokens": 1, "messages": [], "system": null, "temperature": null,
                      "tools": null, "metadata": null, "stop_sequences": null});
    let req = parse_request(body.to_string().as_bytes()).unwrap();
    assert_eq!(
        canonical(&req),
        json!({"model": "m", "max_tokens": 1, "messages": []})
    );
}
