"""Checks the gateway's Anthropic Messages API with the official `anthropic` SDK.

Environment:
  LLM_ROUTER_BASE_URL        gateway root, e.g. http://127.0.0.1:8080 (the SDK adds /v1/messages)
  LLM_ROUTER_KEY             the gateway key (default "no-key"; sent as x-api-key)
  LLM_ROUTER_ANTHROPIC_MODEL model for the Messages API (default: LLM_ROUTER_CHAT_MODEL)
  LLM_ROUTER_TOOLS_MODEL     model for the tool-call checks (default: the Anthropic model)
"""

import anthropic

from common import Checks, api_key, env, expect, gateway_root

MODEL = env("LLM_ROUTER_ANTHROPIC_MODEL", default=env("LLM_ROUTER_CHAT_MODEL"), required=True)
TOOLS_MODEL = env("LLM_ROUTER_TOOLS_MODEL", default=MODEL)

client = anthropic.Anthropic(base_url=gateway_root(), api_key=api_key(), max_retries=0, timeout=120)

STOP_REASONS = {"end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal", "model_context_window_exceeded"}

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Get the current weather in a given city",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string", "description": "The city, e.g. Paris"}},
        "required": ["city"],
    },
}


def text_of(message):
    return "".join(b.text for b in message.content if b.type == "text")


def check_message(m):
    expect(m.type == "message" and m.role == "assistant", f"type {m.type!r}, role {m.role!r}")
    expect(m.id.startswith("msg_"), f"id {m.id!r}")
    expect(m.stop_reason in STOP_REASONS, f"stop_reason {m.stop_reason!r}")
    expect(m.usage.input_tokens >= 0 and m.usage.output_tokens >= 0, "usage")


def create():
    m = client.messages.create(
        model=MODEL,
        max_tokens=64,
        system="You are terse.",
        messages=[{"role": "user", "content": "Say hello in one word."}],
    )
    check_message(m)
    expect(m.model == MODEL, f"model {m.model!r}, asked for {MODEL!r}")
    text = text_of(m)
    expect(text.strip(), f"no text in {m.content!r}")
    return f"{text.strip()[:40]!r}, {m.stop_reason}, usage {m.usage.input_tokens}+{m.usage.output_tokens}"


def stream():
    with client.messages.stream(
        model=MODEL,
        max_tokens=128,
        messages=[{"role": "user", "content": "Count from 1 to 5."}],
    ) as s:
        pieces = list(s.text_stream)
        final = s.get_final_message()
    check_message(final)
    expect(pieces, "no text deltas")
    expect("".join(pieces) == text_of(final), "the accumulated text differs from the final message")
    expect(final.stop_reason is not None, "no stop_reason in the final message")
    return f"{len(pieces)} deltas, {''.join(pieces).strip()[:40]!r}, output_tokens {final.usage.output_tokens}"


def tool_call():
    messages = [{"role": "user", "content": "What is the weather in Paris? Use the tool."}]
    m = client.messages.create(
        model=TOOLS_MODEL,
        max_tokens=256,
        tools=[WEATHER_TOOL],
        tool_choice={"type": "tool", "name": "get_weather"},
        messages=messages,
    )
    check_message(m)
    uses = [b for b in m.content if b.type == "tool_use"]
    expect(uses, f"no tool_use block in {m.content!r}")
    expect(m.stop_reason == "tool_use", f"stop_reason {m.stop_reason!r}")
    use = uses[0]
    expect(use.name == "get_weather" and isinstance(use.input, dict), f"{use.name!r} {use.input!r}")
    # The result goes back as a tool_result and the model answers.
    messages.append({"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in m.content]})
    messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "18 C, clear sky"}]})
    m2 = client.messages.create(model=TOOLS_MODEL, max_tokens=128, tools=[WEATHER_TOOL], messages=messages)
    check_message(m2)
    expect(m2.content, "no answer after the tool result")
    return f"get_weather({use.input})"


def streamed_tool_call():
    with client.messages.stream(
        model=TOOLS_MODEL,
        max_tokens=256,
        tools=[WEATHER_TOOL],
        tool_choice={"type": "tool", "name": "get_weather"},
        messages=[{"role": "user", "content": "What is the weather in Lyon? Use the tool."}],
    ) as s:
        final = s.get_final_message()
    check_message(final)
    uses = [b for b in final.content if b.type == "tool_use"]
    expect(uses and isinstance(uses[0].input, dict), f"no tool_use with an object input in {final.content!r}")
    return f"get_weather({uses[0].input}) via input_json_delta"


def unknown_model():
    try:
        client.messages.create(
            model="llm-router-sdk-check/no-such-model",
            max_tokens=5,
            messages=[{"role": "user", "content": "hi"}],
        )
    except anthropic.NotFoundError as e:
        expect(e.status_code == 404, f"status {e.status_code}")
        return "404 NotFoundError"
    raise AssertionError("an unknown model did not raise anthropic.NotFoundError")


checks = Checks("anthropic")
checks.run("messages.create", create)
checks.run("messages.stream", stream)
checks.run("tool call", tool_call)
checks.run("streamed tool call", streamed_tool_call)
checks.run("unknown model -> NotFoundError", unknown_model)
checks.exit()
