"""Checks the gateway's OpenAI-compatible API with the official `openai` SDK.

Environment:
  LLM_ROUTER_BASE_URL    gateway root, e.g. http://127.0.0.1:8080 (the SDK is given <root>/v1)
  LLM_ROUTER_KEY         the gateway key (default "no-key")
  LLM_ROUTER_CHAT_MODEL  model for chat, stream and tools (required)
  LLM_ROUTER_TOOLS_MODEL model for the tool-call check (default: the chat model)
  LLM_ROUTER_EMBED_MODEL model for embeddings (unset: the embeddings check is skipped)
  LLM_ROUTER_EMBED_DIM   expected embedding length (unset: any length > 0, the same for all)
"""

import json
import math

import openai

from common import Checks, api_key, env, expect, gateway_root

CHAT_MODEL = env("LLM_ROUTER_CHAT_MODEL", required=True)
TOOLS_MODEL = env("LLM_ROUTER_TOOLS_MODEL", default=CHAT_MODEL)
EMBED_MODEL = env("LLM_ROUTER_EMBED_MODEL")
EMBED_DIM = env("LLM_ROUTER_EMBED_DIM")

client = openai.OpenAI(base_url=gateway_root() + "/v1", api_key=api_key(), max_retries=0, timeout=120)

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a given city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city, e.g. Paris"}},
            "required": ["city"],
        },
    },
}


def chat():
    r = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Say hello in one word."},
        ],
        max_tokens=32,
    )
    expect(r.object == "chat.completion", f"object is {r.object!r}")
    expect(r.choices, "no choices")
    text = r.choices[0].message.content
    expect(isinstance(text, str) and text.strip(), f"empty answer: {text!r}")
    expect(r.choices[0].finish_reason is not None, "no finish_reason")
    expect(r.usage is not None and r.usage.completion_tokens >= 0, "no usage")
    return f"{text.strip()[:40]!r}, usage {r.usage.prompt_tokens}+{r.usage.completion_tokens}"


def stream_with_usage():
    chunks = list(
        client.chat.completions.create(
            model=CHAT_MODEL,
            messages=[{"role": "user", "content": "Count from 1 to 5."}],
            max_tokens=64,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    expect(chunks, "no chunks")
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    expect(text.strip(), "the stream carried no text")
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    expect(finishes, "no finish_reason in the stream")
    usage = [c.usage for c in chunks if c.usage is not None]
    expect(usage, "no usage chunk although include_usage was requested")
    last = chunks[-1]
    expect(last.usage is not None and not last.choices, "the usage chunk (choices: []) is not the last chunk")
    return f"{len(chunks)} chunks, {text.strip()[:40]!r}, usage {usage[-1].prompt_tokens}+{usage[-1].completion_tokens}"


def tools():
    messages = [{"role": "user", "content": "What is the weather in Paris? Use the tool."}]
    r = client.chat.completions.create(
        model=TOOLS_MODEL,
        messages=messages,
        tools=[WEATHER_TOOL],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
        max_tokens=256,
    )
    msg = r.choices[0].message
    expect(msg.tool_calls, f"no tool call (finish_reason {r.choices[0].finish_reason!r}, content {msg.content!r})")
    call = msg.tool_calls[0]
    expect(call.function.name == "get_weather", f"called {call.function.name!r}")
    args = json.loads(call.function.arguments)
    expect(isinstance(args, dict), f"arguments are not a JSON object: {call.function.arguments!r}")
    expect(call.id, "the tool call has no id")
    # The result goes back and the model answers.
    messages.append(msg.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps({"temperature_c": 18, "sky": "clear"})})
    r2 = client.chat.completions.create(model=TOOLS_MODEL, messages=messages, tools=[WEATHER_TOOL], max_tokens=128)
    expect(r2.choices[0].message.content or r2.choices[0].message.tool_calls, "no answer after the tool result")
    return f"get_weather({args})"


def embeddings():
    inputs = ["The food was delicious.", "The waiter was friendly."]
    default = client.embeddings.create(model=EMBED_MODEL, input=inputs)  # the SDK asks for base64
    floats = client.embeddings.create(model=EMBED_MODEL, input=inputs, encoding_format="float")
    expect(len(default.data) == len(inputs), f"{len(default.data)} embeddings for {len(inputs)} inputs")
    lengths = {len(d.embedding) for d in default.data}
    expect(len(lengths) == 1 and min(lengths) > 0, f"embedding lengths {lengths}")
    dim = lengths.pop()
    if EMBED_DIM:
        expect(dim == int(EMBED_DIM), f"length {dim}, expected {EMBED_DIM}")
    for a, b in zip(default.data, floats.data):
        expect(all(isinstance(x, float) for x in a.embedding), "the base64 path did not decode to floats")
        expect(len(a.embedding) == len(b.embedding), "base64 and float lengths differ")
        dot = sum(x * y for x, y in zip(a.embedding, b.embedding))
        norm = math.sqrt(sum(x * x for x in a.embedding)) * math.sqrt(sum(y * y for y in b.embedding))
        expect(norm > 0 and dot / norm > 0.99, f"base64 and float vectors differ (cosine {dot / norm if norm else 0:.4f})")
    return f"{len(default.data)} vectors of length {dim}"


def unknown_model():
    try:
        client.chat.completions.create(
            model="llm-router-sdk-check/no-such-model",
            messages=[{"role": "user", "content": "hi"}],
            max_tokens=5,
        )
    except openai.NotFoundError as e:
        expect(e.status_code == 404, f"status {e.status_code}")
        return "404 NotFoundError"
    raise AssertionError("an unknown model did not raise openai.NotFoundError")


checks = Checks("openai")
checks.run("chat", chat)
checks.run("stream with include_usage", stream_with_usage)
checks.run("tools", tools)
checks.run("embeddings (base64 default)", embeddings, None if EMBED_MODEL else "LLM_ROUTER_EMBED_MODEL is not set")
checks.run("unknown model -> NotFoundError", unknown_model)
checks.exit()
