//! The provider conformance suite.
//!
//! Every provider crate runs it against wiremock. The suite knows nothing about any provider:
//! the provider describes its wire format in a [`WireScript`] (where requests go, which auth
//! header they carry, the exact body expected for the suite's requests, and the bodies its API
//! answers with), and gives a factory that builds a client for a base URL.
//!
//! Checks: chat (exact method, path, auth header and JSON body), streaming (text and usage),
//! streams split at every byte offset (through the provider's pure stream parser), tool calls,
//! vision, embeddings, 401, 429 with `Retry-After`, quota, 5xx, malformed JSON, an error as the
//! first stream event, a stream cut mid-event, a real mid-stream disconnect, and a stream that
//! ends without its terminator.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use llm_router_core::{
    ChatRequest, ChatStream, ContentPart, EmbeddingRequest, ErrorKind, Message, SharedChat,
    SharedEmbedding, ToolChoice, ToolDefinition, collect_stream,
};
use llm_router_http::ByteStream;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::split::every_split;
use crate::wire::{disconnecting_server, json_response, sse_response};

/// Builds a chat client for a base URL (the mock server's address).
pub type ChatFactory = Arc<dyn Fn(&str) -> SharedChat + Send + Sync>;
/// Builds an embedding client for a base URL.
pub type EmbeddingFactory = Arc<dyn Fn(&str) -> SharedEmbedding + Send + Sync>;
/// The provider's pure stream parser (bytes → chunks).
pub type StreamParser = Arc<dyn Fn(ByteStream) -> ChatStream + Send + Sync>;

/// The suite's requests, which every provider's script describes.
pub mod requests {
    use super::*;

    /// The model name used by the suite.
    pub const MODEL: &str = "test-model";

    /// A system and a user message, max 16 tokens, temperature 0.
    pub fn basic() -> ChatRequest {
        ChatRequest::new(
            MODEL,
            vec![
                Message::system("You are terse."),
                Message::user("Say hello"),
            ],
        )
        .with_max_tokens(16)
        .with_temperature(0.0)
    }

    /// The basic request with one `get_weather(city)` tool and `tool_choice: auto`.
    pub fn with_tool() -> ChatRequest {
        ChatRequest::new(MODEL, vec![Message::user("Weather in Paris?")])
            .with_max_tokens(64)
            .with_tools([ToolDefinition::function(
                "get_weather",
                "Current weather in a city",
                json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
            )])
            .with_tool_choice(ToolChoice::Auto)
    }

    /// A user message with a text part and a base64 PNG.
    pub fn with_image() -> ChatRequest {
        ChatRequest::new(
            MODEL,
            vec![Message::user(vec![
                ContentPart::text("What is in this image?"),
                ContentPart::image_base64("image/png", super::PNG_1X1),
            ])],
        )
        .with_max_tokens(32)
    }

    /// Embeds two texts.
    pub fn embeddings() -> EmbeddingRequest {
        EmbeddingRequest::new("test-embedding", vec!["hello", "world"])
    }
}

/// A 1×1 PNG, base64.
pub const PNG_1X1: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/// What a provider's API looks like on the wire, for the suite.
#[derive(Clone)]
pub struct WireScript {
    /// The HTTP path of chat requests (may depend on the model for some vendors).
    pub chat_path: String,
    /// The HTTP path of streaming chat requests (often the same).
    pub stream_path: String,
    /// A header every request must carry, e.g. `("authorization", "Bearer test-key")`.
    pub auth_header: (String, String),
    /// The exact JSON body expected for [`requests::basic`], non-streaming.
    pub basic_body: Value,
    /// The exact JSON body expected for [`requests::basic`], streaming.
    pub basic_stream_body: Value,
    /// A successful response to the basic request; its text must be [`WireScript::text`] and
    /// its usage 9 input / 12 output tokens.
    pub chat_ok: Value,
    /// The text in `chat_ok` and `stream_ok`.
    pub text: String,
    /// A complete stream transcript whose text is [`WireScript::text`] with usage 9 / 12.
    pub stream_ok: String,
    /// The same stream without its terminator (cut after the last content event).
    pub stream_without_terminator: String,
    /// A stream whose first event is an error (rate limit or overload).
    pub stream_error_first: String,
    /// The kind that error maps to.
    pub stream_error_kind: ErrorKind,
    /// A response calling `get_weather` with `{"city":"Paris"}` (for [`requests::with_tool`]).
    pub tool_call_ok: Value,
    /// A substring the body of [`requests::with_image`] must contain (the base64 data, in the
    /// provider's form).
    pub image_marker: String,
    /// The error body for an HTTP status (`401`, `429`, `500`, `503`); `quota` is the body of
    /// the quota error and `quota_status` its status.
    pub error_body: Arc<dyn Fn(u16) -> Value + Send + Sync>,
    /// The body of a quota/billing error.
    pub quota_body: Value,
    /// Its status (429 at OpenAI, 402 at OpenRouter).
    pub quota_status: u16,
    /// Embeddings: path and a response with two 3-dimensional vectors.
    pub embeddings: Option<(String, Value)>,
}

/// The suite for one provider.
pub struct Conformance {
    /// Builds a chat client for a base URL.
    pub chat: ChatFactory,
    /// Builds an embedding client for a base URL, if the provider has embeddings.
    pub embed: Option<EmbeddingFactory>,
    /// The provider's stream parser, for the byte-split check.
    pub parser: Option<StreamParser>,
    /// The wire facts.
    pub wire: WireScript,
}

impl Conformance {
    async fn server_with(&self, p: &str, resp: ResponseTemplate) -> (MockServer, SharedChat) {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(p))
            .and(header(
                self.wire.auth_header.0.as_str(),
                self.wire.auth_header.1.as_str(),
            ))
            .respond_with(resp)
            .mount(&server)
            .await;
        let client = (self.chat)(&server.uri());
        (server, client)
    }

    /// Runs every check; panics on the first failure with what differed.
    pub async fn run_all(&self) {
        self.chat_basic().await;
        self.stream_basic().await;
        self.stream_split_everywhere().await;
        self.tool_call().await;
        self.vision().await;
        self.embeddings().await;
        self.errors().await;
        self.stream_failures().await;
    }

    /// Chat: exact request, parsed text and usage.
    pub async fn chat_basic(&self) {
        let w = &self.wire;
        let (server, client) = self
            .server_with(&w.chat_path, json_response(200, &w.chat_ok))
            .await;
        let resp = client.chat(requests::basic()).await.expect("chat succeeds");
        assert_eq!(resp.text(), w.text, "chat text");
        let usage = resp.usage.clone().expect("usage present");
        assert_eq!(
            (usage.input_tokens(), usage.output_tokens()),
            (9, 12),
            "usage"
        );
        let reqs = server.received_requests().await.unwrap_or_default();
        assert_eq!(reqs.len(), 1, "one request");
        assert_eq!(reqs[0].method.as_str(), "POST");
        let ct = reqs[0]
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(ct.starts_with("application/json"), "content-type {ct}");
        let body: Value = serde_json::from_slice(&reqs[0].body).expect("JSON body");
        assert_eq!(body, w.basic_body, "chat request body");
    }

    /// Streaming: exact request, text and usage.
    pub async fn stream_basic(&self) {
        let w = &self.wire;
        let (server, client) = self
            .server_with(&w.stream_path, sse_response(&w.stream_ok))
            .await;
        let stream = client
            .chat_stream(requests::basic())
            .await
            .expect("stream starts");
        let resp = collect_stream(stream).await.expect("stream completes");
        assert_eq!(resp.text(), w.text, "streamed text");
        let usage = resp.usage.clone().expect("stream usage");
        assert_eq!(
            (usage.input_tokens(), usage.output_tokens()),
            (9, 12),
            "stream usage"
        );
        assert!(resp.finish_reason().is_some(), "finish reason");
        let reqs = server.received_requests().await.unwrap_or_default();
        let body: Value = serde_json::from_slice(&reqs[0].body).expect("JSON body");
        assert_eq!(body, w.basic_stream_body, "stream request body");
    }

    /// The stream transcript split at every byte offset gives the same response.
    pub async fn stream_split_everywhere(&self) {
        let Some(parser) = &self.parser else { return };
        let bytes = self.wire.stream_ok.as_bytes();
        let whole = collect_stream(parser(crate::split::chunked(bytes, &[])))
            .await
            .expect("whole transcript parses");
        for (i, s) in every_split(bytes) {
            let got = collect_stream(parser(s))
                .await
                .unwrap_or_else(|e| panic!("split at byte {i}: {e}"));
            assert_eq!(got, whole, "split at byte {i}");
        }
        let got = collect_stream(parser(crate::split::byte_by_byte(bytes)))
            .await
            .expect("byte-by-byte parses");
        assert_eq!(got, whole, "byte by byte");
    }

    /// Tool calls come back as canonical tool calls.
    pub async fn tool_call(&self) {
        let w = &self.wire;
        let (_server, client) = self
            .server_with(&w.chat_path, json_response(200, &w.tool_call_ok))
            .await;
        let resp = client
            .chat(requests::with_tool())
            .await
            .expect("tool call response");
        let m = resp.message().expect("a message");
        assert_eq!(m.tool_calls.len(), 1, "one tool call");
        assert_eq!(m.tool_calls[0].function.name, "get_weather");
        assert_eq!(
            m.tool_calls[0]
                .function
                .parse_arguments()
                .expect("arguments are JSON"),
            json!({"city": "Paris"})
        );
        assert!(!m.tool_calls[0].id.is_empty(), "tool call id");
    }

    /// Image input reaches the provider.
    pub async fn vision(&self) {
        let w = &self.wire;
        let (server, client) = self
            .server_with(&w.chat_path, json_response(200, &w.chat_ok))
            .await;
        client
            .chat(requests::with_image())
            .await
            .expect("vision request");
        let reqs = server.received_requests().await.unwrap_or_default();
        let body = String::from_utf8_lossy(&reqs[0].body);
        assert!(body.contains(&w.image_marker), "image data in body: {body}");
    }

    /// Embeddings, when the provider has them.
    pub async fn embeddings(&self) {
        let (Some(factory), Some((p, body))) = (&self.embed, &self.wire.embeddings) else {
            return;
        };
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(p.as_str()))
            .and(header(
                self.wire.auth_header.0.as_str(),
                self.wire.auth_header.1.as_str(),
            ))
            .respond_with(json_response(200, body))
            .mount(&server)
            .await;
        let client = factory(&server.uri());
        let resp = client
            .embed(requests::embeddings())
            .await
            .expect("embeddings");
        assert_eq!(resp.data.len(), 2, "two vectors");
        for (i, d) in resp.data.iter().enumerate() {
            assert_eq!(d.index as usize, i, "index order");
            assert_eq!(
                d.embedding.to_floats().expect("floats").len(),
                3,
                "dimension"
            );
        }
    }

    /// HTTP errors map to kinds; `Retry-After` is read.
    pub async fn errors(&self) {
        let w = &self.wire;
        let cases: Vec<(u16, Value, ErrorKind, Option<&str>)> = vec![
            (401, (w.error_body)(401), ErrorKind::Authentication, None),
            (429, (w.error_body)(429), ErrorKind::RateLimited, Some("7")),
            (
                w.quota_status,
                w.quota_body.clone(),
                ErrorKind::QuotaExceeded,
                None,
            ),
            (
                500,
                (w.error_body)(500),
                ErrorKind::ProviderUnavailable,
                None,
            ),
            (
                503,
                (w.error_body)(503),
                ErrorKind::ProviderUnavailable,
                None,
            ),
        ];
        for (status, body, kind, retry) in cases {
            let mut t = json_response(status, &body);
            if let Some(r) = retry {
                t = t.insert_header("retry-after", r);
            }
            let (_s, client) = self.server_with(&w.chat_path, t).await;
            let e = client.chat(requests::basic()).await.expect_err("an error");
            assert_eq!(e.kind(), kind, "HTTP {status}: {e}");
            assert_eq!(e.status(), Some(status), "status kept");
            assert!(e.provider().is_some(), "provider named");
            if let Some(r) = retry {
                assert_eq!(
                    e.retry_after(),
                    Some(Duration::from_secs(r.parse().unwrap_or(0))),
                    "retry-after"
                );
            }
            // Streams fail the same way before any content.
            let (_s, client) = self
                .server_with(&w.stream_path, {
                    let mut t = json_response(status, &body);
                    if let Some(r) = retry {
                        t = t.insert_header("retry-after", r);
                    }
                    t
                })
                .await;
            let e = client
                .chat_stream(requests::basic())
                .await
                .err()
                .expect("stream error");
            assert_eq!(e.kind(), kind, "stream HTTP {status}: {e}");
        }
        let (_s, client) = self
            .server_with(
                &w.chat_path,
                ResponseTemplate::new(200)
                    .set_body_raw(b"{\"choices\": [".to_vec(), "application/json"),
            )
            .await;
        let e = client
            .chat(requests::basic())
            .await
            .expect_err("malformed JSON");
        assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    }

    /// Errors before and during streams.
    pub async fn stream_failures(&self) {
        let w = &self.wire;
        // An error as the first event is an Err from chat_stream.
        let (_s, client) = self
            .server_with(&w.stream_path, sse_response(&w.stream_error_first))
            .await;
        let e = client
            .chat_stream(requests::basic())
            .await
            .err()
            .expect("first-event error");
        assert_eq!(e.kind(), w.stream_error_kind, "{e}");

        // Without its terminator a stream ends in StreamInterrupted after the content.
        let (_s, client) = self
            .server_with(&w.stream_path, sse_response(&w.stream_without_terminator))
            .await;
        let stream = client
            .chat_stream(requests::basic())
            .await
            .expect("stream starts");
        let items: Vec<_> = stream.collect().await;
        assert!(items.iter().any(|i| i.is_ok()), "content before the end");
        let last = items
            .last()
            .expect("items")
            .as_ref()
            .expect_err("ends with an error");
        assert_eq!(last.kind(), ErrorKind::StreamInterrupted, "{last}");

        // Cut in the middle of an event.
        let cut_at = w.stream_ok.len() * 2 / 3;
        let cut: String = w
            .stream_ok
            .char_indices()
            .take_while(|(i, _)| *i < cut_at)
            .map(|(_, c)| c)
            .collect();
        let (_s, client) = self.server_with(&w.stream_path, sse_response(&cut)).await;
        let stream = client
            .chat_stream(requests::basic())
            .await
            .expect("stream starts");
        let e = collect_stream(stream).await.expect_err("cut stream fails");
        assert_eq!(e.kind(), ErrorKind::StreamInterrupted, "{e}");

        // A real disconnect: the server hangs up mid-body.
        let base = disconnecting_server("text/event-stream", cut.into_bytes()).await;
        let client = (self.chat)(&base);
        let stream = client
            .chat_stream(requests::basic())
            .await
            .expect("stream starts before the cut");
        let e = collect_stream(stream)
            .await
            .expect_err("disconnected stream fails");
        assert_eq!(e.kind(), ErrorKind::StreamInterrupted, "{e}");
    }
}

impl WireScript {
    /// The script of an OpenAI-dialect provider: OpenAI's documented response, chunk and error
    /// shapes (API reference, chat object / chunk object / error codes pages). `path_prefix` is
    /// the part of the path before `/chat/completions` (`/v1`); `max_tokens_field` is the field
    /// the dialect sends the output limit in.
    pub fn openai_dialect(
        path_prefix: &str,
        auth_header: (&str, &str),
        max_tokens_field: &str,
    ) -> Self {
        let chunk = |delta: Value, finish: Value| {
            json!({"id": "chatcmpl-123", "object": "chat.completion.chunk", "created": 1694268190,
                   "model": "test-model", "system_fingerprint": "fp_44709d6fcb",
                   "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]})
        };
        let events = vec![
            chunk(
                json!({"role": "assistant", "content": "", "refusal": null}),
                Value::Null,
            ),
            chunk(json!({"content": "Hello"}), Value::Null),
            chunk(json!({"content": " there, "}), Value::Null),
            chunk(
                json!({"content": "how may I assist you today? 👋"}),
                Value::Null,
            ),
            chunk(json!({}), json!("stop")),
            json!({"id": "chatcmpl-123", "object": "chat.completion.chunk", "created": 1694268190,
                   "model": "test-model", "system_fingerprint": "fp_44709d6fcb", "choices": [],
                   "usage": {"prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21}}),
        ];
        let text = "Hello there, how may I assist you today? 👋".to_owned();
        let stream_ok = crate::wire::sse_transcript(&events, true);
        let stream_without_terminator = crate::wire::sse_transcript(&events, false);
        let stream_error_first = "data: {\"error\":{\"message\":\"The server is overloaded, please try again later.\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n".to_owned();
        let basic = |stream: bool| {
            let mut v = json!({
                "model": requests::MODEL,
                "messages": [
                    {"role": "system", "content": "You are terse."},
                    {"role": "user", "content": "Say hello"}
                ],
                "temperature": 0.0,
                "stream": stream,
            });
            v[max_tokens_field] = json!(16);
            if stream {
                v["stream_options"] = json!({"include_usage": true});
            }
            v
        };
        let error_body = |status: u16| match status {
            401 => {
                json!({"error": {"message": "Incorrect API key provided: sk-te****-key. You can find your API key at https://platform.openai.com/account/api-keys.", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}})
            }
            429 => {
                json!({"error": {"message": "Rate limit reached for test-model in organization org-123 on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.", "type": "requests", "param": null, "code": "rate_limit_exceeded"}})
            }
            503 => {
                json!({"error": {"message": "The engine is currently overloaded, please try again later.", "type": "server_error", "param": null, "code": null}})
            }
            _ => {
                json!({"error": {"message": "The server had an error while processing your request. Sorry about that!", "type": "server_error", "param": null, "code": null}})
            }
        };
        Self {
            chat_path: format!("{path_prefix}/chat/completions"),
            stream_path: format!("{path_prefix}/chat/completions"),
            auth_header: (auth_header.0.to_owned(), auth_header.1.to_owned()),
            basic_body: basic(false),
            basic_stream_body: basic(true),
            chat_ok: json!({
                "id": "chatcmpl-123", "object": "chat.completion", "created": 1677652288,
                "model": "test-model", "system_fingerprint": "fp_44709d6fcb",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21,
                          "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                          "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
                "service_tier": "default"
            }),
            text,
            stream_ok,
            stream_without_terminator,
            stream_error_first,
            stream_error_kind: ErrorKind::ProviderUnavailable,
            tool_call_ok: json!({
                "id": "chatcmpl-abc123", "object": "chat.completion", "created": 1699896916, "model": "test-model",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": null,
                    "tool_calls": [{"id": "call_abc123", "type": "function", "function": {"name": "get_weather", "arguments": "{\n\"city\": \"Paris\"\n}"}}]},
                    "logprobs": null, "finish_reason": "tool_calls"}],
                "usage": {"prompt_tokens": 82, "completion_tokens": 17, "total_tokens": 99}
            }),
            image_marker: PNG_1X1.to_owned(),
            error_body: Arc::new(error_body),
            quota_body: json!({"error": {"message": "You exceeded your current quota, please check your plan and billing details.", "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}}),
            quota_status: 429,
            embeddings: Some((
                format!("{path_prefix}/embeddings"),
                json!({"object": "list", "data": [
                    {"object": "embedding", "index": 0, "embedding": [0.0023064255, -0.009327292, -0.0028842222]},
                    {"object": "embedding", "index": 1, "embedding": [0.0105, 0.0451, -0.0338]}
                ], "model": "test-embedding", "usage": {"prompt_tokens": 2, "total_tokens": 2}}),
            )),
        }
    }
}
