//! This crate's response fixtures against Anthropic's spec (`llm_router_testkit::anthropic_spec`:
//! the vendored Messages schemas plus the documented newer features; see
//! `crates/llm-router-testkit/fixtures/anthropic-spec/README.md`).

use llm_router_testkit::anthropic_spec::{
    Spec, assert_valid_in, assert_valid_transcript, validate_in,
};

use crate::fixtures;

#[test]
fn response_fixtures_follow_the_spec() {
    let f = fixtures();
    for name in ["message_text.json", "message_tool_use.json"] {
        assert_valid_in(Spec::Pristine, "Message", &f.json(name));
    }
    // Thinking blocks are newer than the vendored spec: valid only with the deviations.
    let thinking = f.json("message_thinking.json");
    assert!(validate_in(Spec::Pristine, "Message", &thinking).is_err());
    assert_valid_in(Spec::Current, "Message", &thinking);
    for name in [
        "chat_stream.sse",
        "tools_stream.sse",
        "stream_thinking_tools.sse",
        "sdk_refusal_response.txt",
    ] {
        assert_valid_transcript(&f.text(name));
    }
}
