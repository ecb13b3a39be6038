//! Canonical chunks → Anthropic's stream events.
//!
//! The official SDK fixtures are turned into the canonical chunks a provider adapter yields
//! for them ([`to_chunks`], the mapping `llm-router-anthropic` documents), re-encoded, and
//! compared with the original event by event and as reassembled content. Every event is
//! validated against the spec.

use llm_router_core::{
    ChatChunk, ChunkChoice, Delta, Error, ErrorKind, FinishReason, FunctionCallDelta,
    ReasoningDetail, Role, ToolCallDelta, ToolType, Usage,
};
use llm_router_messages_api::{REASONING_FORMAT, SseFrame, StreamEncoder};
use serde_json::{Map, Value, json};

use crate::fixture;
use llm_router_testkit::anthropic_spec::assert_valid_event;

/// `(event, data)` of every event of an SSE transcript.
fn parse_sse(text: &str) -> Vec<(String, Value)> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .filter_map(|ev| {
            let mut name = String::new();
            let mut data = String::new();
            for line in ev.lines() {
                if let Some(n) = line.strip_prefix("event:") {
                    name = n.trim().to_owned();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim());
                }
            }
            (!data.is_empty()).then(|| (name, serde_json::from_str(&data).unwrap()))
        })
        .collect()
}

fn chunk(id: &str, model: &str, delta: Delta, finish: Option<FinishReason>) -> ChatChunk {
    ChatChunk {
        id: id.into(),
        model: model.into(),
        choices: vec![ChunkChoice {
            delta,
            finish_reason: finish,
            ..ChunkChoice::default()
        }],
        ..ChatChunk::default()
    }
}

fn detail(index: u64, text: Option<&str>, signature: Option<&str>) -> ReasoningDetail {
    ReasoningDetail {
        format: Some(REASONING_FORMAT.into()),
        index: Some(u32::try_from(index).unwrap()),
        ..ReasoningDetail::text(text.unwrap_or_default(), signature.map(str::to_owned))
    }
}

fn tool_delta(index: u32, id: Option<&str>, name: Option<&str>, args: &str) -> ToolCallDelta {
    ToolCallDelta {
        index,
        id: id.map(str::to_owned),
        kind: id.map(|_| ToolType::Function),
        function: Some(FunctionCallDelta {
            name: name.map(str::to_owned),
            arguments: Some(args.into()),
        }),
    }
}

/// The canonical chunks an adapter yields for an Anthropic stream (the mapping of
/// `llm-router-anthropic::stream::chat_chunks`, written out for the fixtures' events).
fn to_chunks(events: &[(String, Value)]) -> Vec<ChatChunk> {
    let (mut id, mut model) = (String::new(), String::new());
    let mut usage = Map::new();
    let mut tools = 0;
    let mut out = Vec::new();
    for (name, data) in events {
        let mut emit = |delta: Delta| out.push(chunk(&id, &model, delta, None));
        match name.as_str() {
            "message_start" => {
                id = data["message"]["id"].as_str().unwrap().into();
                model = data["message"]["model"].as_str().unwrap().into();
                usage = data["message"]["usage"].as_object().unwrap().clone();
                out.push(chunk(
                    &id,
                    &model,
                    Delta {
                        role: Some(Role::Assistant),
                        ..Delta::default()
                    },
                    None,
                ));
            }
            "content_block_start" => {
                let b = &data["content_block"];
                let index = data["index"].as_u64().unwrap();
                match b["type"].as_str().unwrap() {
                    "text" if b["text"] != "" => emit(Delta {
                        content: b["text"].as_str().map(Into::into),
                        ..Delta::default()
                    }),
                    "tool_use" => {
                        emit(Delta {
                            tool_calls: vec![tool_delta(
                                tools,
                                b["id"].as_str(),
                                b["name"].as_str(),
                                "",
                            )],
                            ..Delta::default()
                        });
                        tools += 1;
                    }
                    "thinking" => emit(Delta {
                        reasoning_details: vec![detail(index, Some(""), None)],
                        ..Delta::default()
                    }),
                    "redacted_thinking" => emit(Delta {
                        reasoning_details: vec![ReasoningDetail {
                            format: Some(REASONING_FORMAT.into()),
                            index: Some(u32::try_from(index).unwrap()),
                            ..ReasoningDetail::encrypted(b["data"].as_str().unwrap())
                        }],
                        ..Delta::default()
                    }),
                    _ => {}
                }
            }
            "content_block_delta" => {
                let d = &data["delta"];
                let index = data["index"].as_u64().unwrap();
                match d["type"].as_str().unwrap() {
                    "text_delta" => emit(Delta {
                        content: d["text"].as_str().map(Into::into),
                        ..Delta::default()
                    }),
                    "input_json_delta" if d["partial_json"] != "" => emit(Delta {
                        tool_calls: vec![tool_delta(
                            tools - 1,
                            None,
                            None,
                            d["partial_json"].as_str().unwrap(),
                        )],
                        ..Delta::default()
                    }),
                    "thinking_delta" => {
                        let t = d["thinking"].as_str().unwrap();
                        emit(Delta {
                            reasoning_content: Some(t.into()),
                            reasoning_details: vec![detail(index, Some(t), None)],
                            ..Delta::default()
                        });
                    }
                    "signature_delta" => emit(Delta {
                        reasoning_details: vec![ReasoningDetail {
                            text: None,
                            ..detail(index, None, d["signature"].as_str())
                        }],
                        ..Delta::default()
                    }),
                    _ => {}
                }
            }
            "message_delta" => {
                usage.extend(data["usage"].as_object().unwrap().clone());
                let reason = match data["delta"]["stop_reason"].as_str().unwrap() {
                    "end_turn" | "stop_sequence" => FinishReason::Stop,
                    "max_tokens" => FinishReason::Length,
                    "tool_use" => FinishReason::ToolCalls,
                    other => FinishReason::Other(other.into()),
                };
                out.push(chunk(&id, &model, Delta::default(), Some(reason)));
                let n = |k: &str| usage.get(k).and_then(Value::as_u64).unwrap_or(0);
                let (read, write) = (
                    n("cache_read_input_tokens"),
                    n("cache_creation_input_tokens"),
                );
                let u = Usage::new(n("input_tokens") + read + write, n("output_tokens"))
                    .with_cache_read(read)
                    .with_cache_write(write);
                out.push(ChatChunk {
                    id: id.clone(),
                    model: model.clone(),
                    usage: Some(u),
                    ..ChatChunk::default()
                });
            }
            _ => {}
        }
    }
    out
}

/// Encodes chunks and finishes; every frame is checked (valid event, SSE text form).
fn encode(model: &str, chunks: &[ChatChunk]) -> Vec<(String, Value)> {
    let mut enc = StreamEncoder::new(model);
    let mut frames: Vec<SseFrame> = chunks.iter().flat_map(|c| enc.push(c)).collect();
    frames.extend(enc.finish());
    assert!(enc.finish().is_empty(), "finish is idempotent");
    frames.iter().map(check_frame).collect()
}

fn check_frame(f: &SseFrame) -> (String, Value) {
    let data: Value = serde_json::from_str(&f.data).unwrap();
    assert_valid_event(f.event, &data);
    assert_eq!(
        f.to_sse(),
        format!("event: {}\ndata: {}\n\n", f.event, f.data)
    );
    assert!(!f.data.contains('\n'), "one data line");
    (f.event.to_owned(), data)
}

/// What the SDK's accumulator makes of a transcript: the final content blocks.
fn reassemble(events: &[(String, Value)]) -> Vec<Value> {
    let mut content: Vec<Value> = Vec::new();
    let mut json_buf: Vec<String> = Vec::new();
    for (name, data) in events {
        let index = data["index"].as_u64().map(|i| usize::try_from(i).unwrap());
        match name.as_str() {
            "content_block_start" => {
                assert_eq!(index, Some(content.len()), "blocks start in order");
                let mut b = data["content_block"].clone();
                b.as_object_mut().unwrap().remove("caller");
                content.push(b);
                json_buf.push(String::new());
            }
            "content_block_delta" => {
                let (i, d) = (index.unwrap(), &data["delta"]);
                let b = &mut content[i];
                match d["type"].as_str().unwrap() {
                    "text_delta" => {
                        b["text"] = json!(format!(
                            "{}{}",
                            b["text"].as_str().unwrap(),
                            d["text"].as_str().unwrap()
                        ))
                    }
                    "thinking_delta" => {
                        b["thinking"] = json!(format!(
                            "{}{}",
                            b["thinking"].as_str().unwrap(),
                            d["thinking"].as_str().unwrap()
                        ))
                    }
                    "signature_delta" => b["signature"] = d["signature"].clone(),
                    "input_json_delta" => json_buf[i].push_str(d["partial_json"].as_str().unwrap()),
                    other => panic!("unexpected delta {other}"),
                }
            }
            "content_block_stop" => {
                let i = index.unwrap();
                if !json_buf[i].is_empty() {
                    content[i]["input"] = serde_json::from_str(&json_buf[i]).unwrap();
                }
            }
            _ => {}
        }
    }
    content
}

/// Events that carry nothing: pings and empty `input_json_delta`s.
fn significant(events: Vec<(String, Value)>) -> Vec<(String, Value)> {
    events
        .into_iter()
        .filter(|(name, data)| name != "ping" && data["delta"]["partial_json"] != "")
        .collect()
}

fn sdk_fixture_round_trip(name: &str) {
    let original = parse_sse(&fixture(name));
    for (event, data) in &original {
        assert_valid_event(event, data);
    }
    let model = original[0].1["message"]["model"]
        .as_str()
        .unwrap()
        .to_owned();
    let ours = encode(&model, &to_chunks(&original));
    let theirs = significant(original);
    let names = |evs: &[(String, Value)]| evs.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&ours), names(&theirs), "{name}: event sequence");
    for ((event, ours), (_, theirs)) in ours.iter().zip(&theirs) {
        match event.as_str() {
            "message_start" => {
                let strip = |v: &Value| {
                    let mut m = v["message"].clone();
                    m.as_object_mut().unwrap().remove("usage");
                    m
                };
                assert_eq!(strip(ours), strip(theirs), "{name}: message_start");
            }
            "message_delta" => {
                assert_eq!(ours["delta"], theirs["delta"], "{name}: message_delta");
                for (k, v) in theirs["usage"].as_object().unwrap() {
                    assert_eq!(&ours["usage"][k], v, "{name}: usage.{k}");
                }
            }
            "content_block_start" => {
                let mut theirs = theirs.clone();
                theirs["content_block"]
                    .as_object_mut()
                    .unwrap()
                    .remove("caller");
                assert_eq!(ours, &theirs, "{name}: {event}");
            }
            _ => assert_eq!(ours, theirs, "{name}: {event}"),
        }
    }
    assert_eq!(
        reassemble(&ours),
        reassemble(&theirs),
        "{name}: reassembled content"
    );
}

#[test]
fn sdk_basic_stream_is_reproduced() {
    sdk_fixture_round_trip("chat_stream.sse");
}

#[test]
fn sdk_tool_use_stream_is_reproduced() {
    sdk_fixture_round_trip("tools_stream.sse");
}

#[test]
fn thinking_signatures_redacted_blocks_and_parallel_tools_are_reproduced() {
    sdk_fixture_round_trip("stream_thinking_tools.sse");
    let events = parse_sse(&fixture("stream_thinking_tools.sse"));
    let content = reassemble(&encode("claude-sonnet-4-5", &to_chunks(&events)));
    assert_eq!(content[0]["type"], "thinking");
    assert!(
        content[0]["signature"]
            .as_str()
            .unwrap()
            .starts_with("EqQBCgIYAhIM")
    );
    assert_eq!(content[1]["type"], "redacted_thinking");
    assert_eq!(content[3]["input"], json!({"city": "Paris"}));
    assert_eq!(content[4]["input"], json!({"city": "Lyon"}));
}

/// Event names and data of an encoding, for exact comparisons.
fn run(chunks: &[ChatChunk]) -> Vec<Value> {
    encode("claude-x", chunks)
        .into_iter()
        .map(|(_, d)| d)
        .collect()
}

#[test]
fn openai_style_parallel_tool_calls() {
    let c = |delta: Delta| chunk("chatcmpl-9", "gpt-4o", delta, None);
    let chunks = vec![
        c(Delta {
            role: Some(Role::Assistant),
            content: Some(String::new()),
            ..Delta::default()
        }),
        c(Delta {
            tool_calls: vec![tool_delta(0, Some("call_a"), Some("get_weather"), "")],
            ..Delta::default()
        }),
        c(Delta {
            tool_calls: vec![tool_delta(0, None, None, "{\"city\":")],
            ..Delta::default()
        }),
        c(Delta {
            tool_calls: vec![tool_delta(0, None, None, "\"Paris\"}")],
            ..Delta::default()
        }),
        c(Delta {
            tool_calls: vec![tool_delta(1, Some("call_b"), Some("get_time"), "{}")],
            ..Delta::default()
        }),
        chunk(
            "chatcmpl-9",
            "gpt-4o",
            Delta::default(),
            Some(FinishReason::ToolCalls),
        ),
        ChatChunk {
            id: "chatcmpl-9".into(),
            usage: Some(Usage::new(50, 17)),
            ..ChatChunk::default()
        },
    ];
    assert_eq!(
        run(&chunks),
        vec![
            json!({"type": "message_start", "message": {"id": "msg_9", "type": "message", "role": "assistant", "model": "claude-x",
                   "content": [], "stop_reason": null, "stop_sequence": null,
                   "usage": {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}}),
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "call_a", "name": "get_weather", "input": {}}}),
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "{\"city\":"}}),
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "\"Paris\"}"}}),
            json!({"type": "content_block_stop", "index": 0}),
            json!({"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "id": "call_b", "name": "get_time", "input": {}}}),
            json!({"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "{}"}}),
            json!({"type": "content_block_stop", "index": 1}),
            json!({"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": null},
                   "usage": {"input_tokens": 50, "output_tokens": 17, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}),
            json!({"type": "message_stop"}),
        ]
    );
}

#[test]
fn a_new_block_when_the_kind_changes() {
    let c = |delta: Delta| chunk("x", "m", delta, None);
    let text = |t: &str| {
        c(Delta {
            content: Some(t.into()),
            ..Delta::default()
        })
    };
    let reasoning = |t: &str| {
        c(Delta {
            reasoning_content: Some(t.into()),
            ..Delta::default()
        })
    };
    let events = encode(
        "m",
        &[
            reasoning("think "),
            reasoning("more"),
            text("Hello"),
            text(" world"),
            c(Delta {
                tool_calls: vec![tool_delta(0, Some("call_1"), Some("f"), "{}")],
                ..Delta::default()
            }),
            text("after the tool"),
        ],
    );
    let kinds: Vec<String> = events
        .iter()
        .filter(|(n, _)| n == "content_block_start")
        .map(|(_, d)| d["content_block"]["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["thinking", "text", "tool_use", "text"]);
    let content = reassemble(&events);
    assert_eq!(
        content[0],
        json!({"type": "thinking", "thinking": "think more", "signature": ""})
    );
    assert_eq!(content[1], json!({"type": "text", "text": "Hello world"}));
    assert_eq!(
        content[3],
        json!({"type": "text", "text": "after the tool"})
    );
    let last = &events[events.len() - 2].1;
    assert_eq!(
        last["delta"]["stop_reason"], "tool_use",
        "tools were called, no finish reason seen"
    );
}

#[test]
fn reasoning_in_both_fields_is_not_doubled() {
    // OpenRouter sends the same text in `reasoning` (→ reasoning_content) and in
    // `reasoning_details`; a new detail index starts a new thinking block.
    let c = |text: &str, index: u64, sig: Option<&str>| {
        chunk(
            "gen-1",
            "m",
            Delta {
                reasoning_content: Some(text.into()),
                reasoning_details: vec![detail(index, Some(text), sig)],
                ..Delta::default()
            },
            None,
        )
    };
    let events = encode(
        "m",
        &[
            c("one", 0, None),
            c(" two", 0, Some("sig0")),
            c("three", 1, Some("sig1")),
        ],
    );
    assert_eq!(
        reassemble(&events),
        vec![
            json!({"type": "thinking", "thinking": "one two", "signature": "sig0"}),
            json!({"type": "thinking", "thinking": "three", "signature": "sig1"}),
        ]
    );
}

#[test]
fn finish_without_finish_reason_or_chunks() {
    let events = encode("m", &[ChatChunk::text_delta("", "m", "partial")]);
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    assert_eq!(events[4].1["delta"]["stop_reason"], "end_turn");
    assert_eq!(events[4].1["usage"], json!({"output_tokens": 0}));
    assert!(
        events[0].1["message"]["id"]
            .as_str()
            .unwrap()
            .starts_with("msg_")
    );

    let mut enc = StreamEncoder::new("m");
    let frames: Vec<_> = enc.finish().iter().map(check_frame).collect();
    let names: Vec<&str> = frames.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["message_start", "message_delta", "message_stop"]);
    assert!(
        enc.push(&ChatChunk::text_delta("x", "m", "late"))
            .is_empty(),
        "nothing after finish"
    );
}

#[test]
fn stop_reasons_and_usage_from_the_first_chunk() {
    let mut first = ChatChunk::text_delta("chatcmpl-1", "m", "Hi");
    first.usage = Some(Usage::new(40, 0).with_cache_read(30));
    let mut stop = chunk(
        "chatcmpl-1",
        "m",
        Delta::default(),
        Some(FinishReason::Stop),
    );
    stop.choices[0]
        .extra
        .insert("stop_sequence".into(), json!("###"));
    let events = encode("m", &[first, stop]);
    assert_eq!(events[0].1["message"]["usage"]["input_tokens"], 10);
    assert_eq!(
        events[0].1["message"]["usage"]["cache_read_input_tokens"],
        30
    );
    let delta = &events[events.len() - 2].1;
    assert_eq!(
        delta["delta"],
        json!({"stop_reason": "stop_sequence", "stop_sequence": "###"})
    );
    for (reason, expected) in [
        (FinishReason::Length, "max_tokens"),
        (FinishReason::ContentFilter, "refusal"),
    ] {
        let events = encode("m", &[chunk("c", "m", Delta::default(), Some(reason))]);
        assert_eq!(events[events.len() - 2].1["delta"]["stop_reason"], expected);
    }
}

#[test]
fn choices_other_than_the_first_are_ignored() {
    let mut c = ChatChunk::text_delta("c", "m", "zero");
    c.choices.push(ChunkChoice {
        index: 1,
        delta: Delta {
            content: Some("one".into()),
            ..Delta::default()
        },
        ..ChunkChoice::default()
    });
    let content = reassemble(&encode("m", &[c]));
    assert_eq!(content, vec![json!({"type": "text", "text": "zero"})]);
}

#[test]
fn error_frames() {
    let mut enc = StreamEncoder::new("m");
    let started = enc.push(&ChatChunk::text_delta("c", "m", "Hel"));
    assert_eq!(started.len(), 3);
    let err =
        Error::new(ErrorKind::ProviderUnavailable, "upstream overloaded").with_provider("openai");
    let frame = enc.error(&err);
    let (name, data) = check_frame(&frame);
    assert_eq!(name, "error");
    assert_eq!(
        data,
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "upstream overloaded"}})
    );
    assert!(enc.finish().is_empty(), "the stream is over after an error");
    assert!(enc.push(&ChatChunk::text_delta("c", "m", "lo")).is_empty());

    let interrupted = Error::new(ErrorKind::StreamInterrupted, "connection reset");
    let (_, data) = check_frame(&StreamEncoder::new("m").error(&interrupted));
    assert_eq!(data["error"]["type"], "api_error");
}

#[test]
fn ping_frames() {
    let (name, _) = check_frame(&SseFrame::ping());
    assert_eq!(name, "ping");
}

#[test]
fn parallel_calls_sharing_an_index_are_told_apart_by_id() {
    let c = |delta: Delta| chunk("c", "m", delta, None);
    let events = encode(
        "m",
        &[
            c(Delta {
                tool_calls: vec![tool_delta(0, Some("call_a"), Some("f"), "{\"x\":")],
                ..Delta::default()
            }),
            // Repeating the same id continues the call.
            c(Delta {
                tool_calls: vec![tool_delta(0, Some("call_a"), None, "1}")],
                ..Delta::default()
            }),
            c(Delta {
                tool_calls: vec![tool_delta(0, Some("call_b"), Some("g"), "{\"y\":2}")],
                ..Delta::default()
            }),
        ],
    );
    assert_eq!(
        reassemble(&events),
        vec![
            json!({"type": "tool_use", "id": "call_a", "name": "f", "input": {"x": 1}}),
            json!({"type": "tool_use", "id": "call_b", "name": "g", "input": {"y": 2}}),
        ]
    );
}
