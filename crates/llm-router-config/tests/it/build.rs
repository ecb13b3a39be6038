//! `build()` of mock and local configurations serves requests through the built layers.

use futures_util::StreamExt as _;
use llm_router_config::{Config, ConfigError, sha256};
use llm_router_core::{
    ChatRequest, ContentPart, EmbeddingRequest, ErrorKind, ImageRequest, Message, ToolChoice,
    ToolDefinition,
};
use serde_json::json;
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::env;

async fn runtime(src: &str) -> llm_router_config::Runtime {
    let vars = env(&[("TEAM_KEY", "team-secret"), ("LOCAL_KEY", "local-secret")]);
    let cfg = Config::from_toml_str_with_env(src, "t.toml", &vars).unwrap();
    cfg.build_with_env(&vars).await.unwrap()
}

fn ask(model: &str, text: &str) -> ChatRequest {
    ChatRequest::new(model, vec![Message::user(text)])
}

const MOCKS: &str = r#"
[server]
listen = "0.0.0.0:8088"
body_limit = 1234
shutdown_grace = "2s"
request_timeout = "9s"
workers = 3
sse_keep_alive = "20s"

[telemetry]
log_level = "debug"
json_logs = true

[providers.m]
kind = "mock"
default_reply = "alpha beta gamma"

[models.chat]
provider = "m"
model = "upstream-chat"

[models.embed]
provider = "m"
kinds = ["embeddings"]

[models.img]
provider = "m"
kinds = ["images"]

[cache]
backend = "memory"
ttl = "1m"

[limits]
requests_per_minute = 3

[[keys]]
name = "team"
key = "${TEAM_KEY}"
models = ["chat"]
requests_per_minute = 5

[[keys]]
name = "ops"
sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
models = ["*"]
"#;

#[tokio::test]
async fn mock_models_serve_chat_streams_embeddings_and_images() {
    let rt = runtime(MOCKS).await;
    let names: Vec<&str> = rt.models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["chat", "embed", "img"]);
    let chat_model = rt.model("chat").unwrap();
    assert_eq!(chat_model.owned_by, "mock");
    assert!(chat_model.embeddings.is_none() && chat_model.images.is_none());
    let chat = chat_model.chat.clone().unwrap();

    let resp = chat.chat(ask("chat", "hello")).await.unwrap();
    assert_eq!(resp.text(), "alpha beta gamma");

    let mut stream = chat.chat_stream(ask("chat", "a stream")).await.unwrap();
    let mut pieces = Vec::new();
    while let Some(chunk) = stream.next().await {
        if let Some(t) = chunk.unwrap().text().filter(|t| !t.is_empty()) {
            pieces.push(t.to_owned());
        }
    }
    assert!(pieces.len() >= 3, "streamed word by word: {pieces:?}");
    assert_eq!(pieces.concat(), "alpha beta gamma");

    let embed = rt.model("embed").unwrap().embeddings.clone().unwrap();
    let mut req = EmbeddingRequest::new("embed", vec!["one".to_owned(), "two".to_owned()]);
    req.dimensions = Some(7);
    let out = embed.embed(req).await.unwrap();
    assert_eq!(out.data.len(), 2);
    let json = serde_json::to_value(&out.data[0].embedding).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 7);

    let img = rt.model("img").unwrap().images.clone().unwrap();
    let out = img
        .generate(ImageRequest::new("img", "a cat"))
        .await
        .unwrap();
    assert_eq!(out.data.len(), 1);

    assert_eq!(rt.server.listen.to_string(), "0.0.0.0:8088");
    assert_eq!(rt.server.body_limit, 1234);
    assert_eq!(rt.server.shutdown_grace.as_secs(), 2);
    assert_eq!(rt.server.request_timeout.map(|d| d.as_secs()), Some(9));
    assert_eq!(rt.server.workers.map(|n| n.get()), Some(3));
    assert_eq!(rt.server.sse_keep_alive.map(|d| d.as_secs()), Some(20));
    assert_eq!(rt.telemetry.log_level, "debug");
    assert!(rt.telemetry.json_logs);
    assert!(rt.readiness.is_empty());

    assert_eq!(rt.caller_keys.len(), 2);
    let team = &rt.caller_keys[0];
    assert_eq!(team.name, "team");
    assert_eq!(team.sha256, sha256("team-secret"));
    assert_eq!(team.models, ["chat"]);
    assert_eq!(team.requests_per_minute, Some(5));
    assert!(team.allows("chat") && !team.allows("embed"));
    let ops = &rt.caller_keys[1];
    assert_eq!(ops.sha256, sha256("abc"));
    assert!(ops.models.is_empty() && ops.allows("anything"));
    assert_eq!(
        rt.caller_key("team-secret").map(|k| k.name.as_str()),
        Some("team")
    );
    assert_eq!(rt.caller_key("abc").map(|k| k.name.as_str()), Some("ops"));
    assert!(rt.caller_key("team-secreT").is_none());
}

#[tokio::test]
async fn the_cache_sits_in_front_of_the_global_limit() {
    let rt = runtime(MOCKS).await;
    let chat = rt.model("chat").unwrap().chat.clone().unwrap();
    // Three requests per minute: the first question costs one, its repeats are cache hits.
    for _ in 0..4 {
        assert_eq!(
            chat.chat(ask("chat", "same question"))
                .await
                .unwrap()
                .text(),
            "alpha beta gamma"
        );
    }
    chat.chat(ask("chat", "second question")).await.unwrap();
    chat.chat(ask("chat", "another question")).await.unwrap();
    let err = chat.chat(ask("chat", "third question")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert!(err.retry_after().is_some());
}

#[tokio::test]
async fn the_mock_calls_offered_tools() {
    let rt = runtime(MOCKS).await;
    let chat = rt.model("chat").unwrap().chat.clone().unwrap();
    let mut req = ask("chat", "weather please").with_tools([ToolDefinition::function(
        "get_weather",
        "Current weather",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    )]);
    req.tool_choice = Some(ToolChoice::Required);
    let resp = chat.chat(req).await.unwrap();
    let calls = &resp.message().unwrap().tool_calls;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].function.name, "get_weather");
}

#[tokio::test]
async fn the_mock_accepts_images() {
    let rt = runtime(MOCKS).await;
    let chat = rt.model("chat").unwrap().chat.clone().unwrap();
    let req = ChatRequest::new(
        "chat",
        vec![Message::user(vec![
            ContentPart::text("what is in this picture?"),
            ContentPart::image_base64("image/png", "iVBORw0KGgo="),
        ])],
    );
    assert_eq!(chat.chat(req).await.unwrap().text(), "alpha beta gamma");
}

#[tokio::test]
async fn groups_rules_and_fallbacks_route_between_providers() {
    let rt = runtime(
        r#"
[providers.a]
kind = "mock"
default_reply = "from a"
[providers.b]
kind = "mock"
default_reply = "from b"
[providers.dead]
kind = "openai-compatible"
base_url = "http://127.0.0.1:1/v1"
auth = "none"

[models.pair]
deployments = [{ provider = "a", model = "x" }, { provider = "b", model = "y" }]
strategy = "round_robin"

[models.flaky]
provider = "dead"
model = "gone"
fallbacks = ["only-b"]

[models.only-b]
provider = "b"

[models.auto]
rules = [{ condition = { keywords = { any = ["contract"] } }, target = "only-b" }]
default = "a/anything"

[retry]
max_attempts = 1
"#,
    )
    .await;
    let pair = rt.model("pair").unwrap().chat.clone().unwrap();
    let first = pair.chat(ask("pair", "1")).await.unwrap().text();
    let second = pair.chat(ask("pair", "2")).await.unwrap().text();
    let mut both = [first, second];
    both.sort();
    assert_eq!(both, ["from a", "from b"]);

    let flaky = rt.model("flaky").unwrap().chat.clone().unwrap();
    assert_eq!(
        flaky.chat(ask("flaky", "hi")).await.unwrap().text(),
        "from b"
    );

    let auto = rt.model("auto").unwrap().chat.clone().unwrap();
    assert_eq!(
        auto.chat(ask("auto", "review this contract"))
            .await
            .unwrap()
            .text(),
        "from b"
    );
    assert_eq!(
        auto.chat(ask("auto", "hello")).await.unwrap().text(),
        "from a"
    );
    // The gateway may hand over the caller's model name: the served name wins.
    assert_eq!(
        auto.chat(ask("whatever", "hello")).await.unwrap().text(),
        "from a"
    );
}

#[tokio::test]
async fn openai_compatible_endpoints_need_no_code() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("x-api-key", "local-secret"))
        .and(header("x-team", "search"))
        .and(body_partial_json(
            json!({"model": "qwen2.5-7b", "max_tokens": 50}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "c1", "object": "chat.completion", "created": 1, "model": "qwen2.5-7b",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "local answer"}}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let src = format!(
        r#"
[providers.local]
kind = "openai-compatible"
base_url = "{}/v1"
api_key = "${{LOCAL_KEY}}"
auth = {{ header = "x-api-key" }}
headers = {{ "X-Team" = "search" }}
[providers.local.quirks]
max_tokens_field = "max_tokens"

[models.small]
provider = "local"
model = "qwen2.5-7b"
"#,
        server.uri()
    );
    let rt = runtime(&src).await;
    let chat = rt.model("small").unwrap().chat.clone().unwrap();
    let mut req = ask("small", "hi");
    req.max_completion_tokens = Some(50);
    assert_eq!(chat.chat(req).await.unwrap().text(), "local answer");
}

#[tokio::test]
async fn build_validates_first() {
    let cfg = Config::from_toml_str("[models.a]\nprovider = \"nope\"\n", "b.toml").unwrap();
    let err = cfg.build().await.unwrap_err();
    assert_eq!(err.field(), Some("models.a.provider"));
    assert!(matches!(err, ConfigError::Invalid { .. }));
}

/// The built-in `mock-chat` calls an offered tool under `auto` even when the user names no
/// tool, then answers in text once the tool result is in: an agent loop against it ends.
#[tokio::test]
async fn the_builtin_mock_calls_offered_tools_then_answers() {
    let cfg = Config::builtin_default_with_env(&env(&[]));
    let rt = cfg.build_with_env(&env(&[])).await.unwrap();
    let chat = rt.model("mock-chat").unwrap().chat.clone().unwrap();
    let tool = ToolDefinition::function(
        "lookup",
        "Looks things up",
        json!({"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}),
    );
    let req = ask("mock-chat", "how tall is the tower?").with_tools([tool.clone()]);
    let resp = chat.chat(req.clone()).await.unwrap();
    let calls = resp.message().unwrap().tool_calls.clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].function.name, "lookup");

    let mut follow_up = req;
    follow_up
        .messages
        .push(Message::assistant_tool_calls(calls.clone()));
    follow_up
        .messages
        .push(Message::tool(calls[0].id.clone(), "330 m"));
    let resp = chat.chat(follow_up).await.unwrap();
    assert!(resp.message().unwrap().tool_calls.is_empty());
    assert!(!resp.text().is_empty());

    // `tool_choice: none` still means no call.
    let mut req = ask("mock-chat", "how tall?").with_tools([tool]);
    req.tool_choice = Some(ToolChoice::None);
    assert!(
        chat.chat(req)
            .await
            .unwrap()
            .message()
            .unwrap()
            .tool_calls
            .is_empty()
    );
}

#[tokio::test]
async fn the_builtin_default_builds_and_serves_the_mock_models() {
    let cfg = Config::builtin_default_with_env(&env(&[]));
    let rt = cfg.build_with_env(&env(&[])).await.unwrap();
    let names: Vec<&str> = rt.models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["mock-chat", "mock-embed", "mock-image"]);
    let chat = rt.model("mock-chat").unwrap().chat.clone().unwrap();
    assert!(
        !chat
            .chat(ask("mock-chat", "hi"))
            .await
            .unwrap()
            .text()
            .is_empty()
    );
    assert!(rt.model("mock-embed").unwrap().embeddings.is_some());
    assert!(rt.model("mock-image").unwrap().images.is_some());
    assert_eq!(rt.server.listen.to_string(), "127.0.0.1:8080");
}

#[tokio::test]
async fn the_builtin_default_with_a_key_builds_real_clients() {
    let vars = env(&[("OPENAI_API_KEY", "sk-test")]);
    let cfg = Config::builtin_default_with_env(&vars);
    let rt = cfg.build_with_env(&vars).await.unwrap();
    let m = rt.model("openai/gpt-4o-mini").unwrap();
    assert_eq!(m.owned_by, "openai");
    assert!(m.chat.is_some());
    assert!(
        rt.model("openai/text-embedding-3-small")
            .unwrap()
            .embeddings
            .is_some()
    );
}

#[tokio::test]
async fn a_disk_cache_builds_and_answers_repeats() {
    let dir = std::env::temp_dir().join(format!("llm-router-config-disk-{}", std::process::id()));
    let src = format!(
        r#"
[providers.m]
kind = "mock"
[models.chat]
provider = "m"
[cache]
backend = "disk"
path = "{}"
max_bytes = "1MiB"
[limits]
requests_per_minute = 1
"#,
        dir.display()
    );
    let rt = runtime(&src).await;
    let chat = rt.model("chat").unwrap().chat.clone().unwrap();
    for _ in 0..3 {
        chat.chat(ask("chat", "cached on disk")).await.unwrap();
    }
    assert!(dir.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn every_provider_kind_builds_offline() {
    let kinds = [
        "openai",
        "anthropic",
        "gemini",
        "deepseek",
        "openrouter",
        "zhipu",
        "qwen",
        "mistral",
        "cohere",
        "ai21",
        "huggingface",
        "meta-llama",
        "ernie",
        "spark",
    ];
    let mut src = String::new();
    for kind in kinds {
        src.push_str(&format!(
            "[providers.{kind}]\nkind = \"{kind}\"\napi_key = \"${{K}}\"\ntimeout = \"30s\"\nstream_idle_timeout = \"20s\"\nheaders = {{ \"X-A\" = \"b\" }}\n\n[models.{kind}-chat]\nprovider = \"{kind}\"\nmodel = \"m\"\n\n"
        ));
    }
    src.push_str(
        r#"
[providers.azure]
kind = "azure"
api_key = "${K}"
base_url = "https://res.openai.azure.com"
api_version = "2024-10-21"
[providers.ollama]
kind = "ollama"
base_url = "http://127.0.0.1:11434"
[providers.bedrock-key]
kind = "bedrock"
region = "us-east-1"
api_key = "${K}"
[providers.bedrock-sigv4]
kind = "bedrock"
region = "eu-west-1"
aws_access_key_id = "${AWS_ID}"
aws_secret_access_key = "${AWS_SECRET}"
aws_session_token = "${AWS_TOKEN}"

[models.azure-chat]
provider = "azure"
model = "gpt-4o-deployment"
kinds = ["chat", "embeddings", "images"]
[models.ollama-embed]
provider = "ollama"
model = "nomic-embed-text"
kinds = ["chat", "embeddings"]
[models.bedrock]
deployments = [
  { provider = "bedrock-key", model = "anthropic.claude-3-5-haiku-20241022-v1:0" },
  { provider = "bedrock-sigv4", model = "anthropic.claude-3-5-haiku-20241022-v1:0" },
]
"#,
    );
    let vars = env(&[
        ("K", "k-1"),
        ("AWS_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET", "s"),
        ("AWS_TOKEN", "t"),
    ]);
    let cfg = Config::from_toml_str_with_env(&src, "all.toml", &vars).unwrap();
    let rt = cfg.build_with_env(&vars).await.unwrap();
    assert_eq!(rt.models.len(), kinds.len() + 3);
    for kind in kinds {
        let m = rt.model(&format!("{kind}-chat")).unwrap();
        assert!(m.chat.is_some(), "{kind}");
        assert_eq!(m.owned_by, kind);
    }
    let azure = rt.model("azure-chat").unwrap();
    assert!(azure.chat.is_some() && azure.embeddings.is_some() && azure.images.is_some());
    assert!(rt.model("ollama-embed").unwrap().embeddings.is_some());
    assert_eq!(rt.model("bedrock").unwrap().owned_by, "bedrock");
}

/// `aws_profile` takes a Bedrock deployment's keys, and its region when none is set, from the
/// AWS shared files (found through `HOME` here); a missing profile is named.
#[tokio::test]
async fn bedrock_takes_keys_and_region_from_an_aws_profile() {
    let dir = std::env::temp_dir().join(format!("llm-router-cfg-aws-{}", std::process::id()));
    std::fs::create_dir_all(dir.join(".aws")).unwrap();
    std::fs::write(
        dir.join(".aws/credentials"),
        "[team]\naws_access_key_id = AKIATEAM\naws_secret_access_key = team-secret\n",
    )
    .unwrap();
    std::fs::write(
        dir.join(".aws/config"),
        "[profile team]\nregion = eu-central-1\n",
    )
    .unwrap();
    let home = dir.to_string_lossy().into_owned();
    let vars = move |name: &str| (name == "HOME").then(|| home.clone());
    let toml = |profile: &str| {
        format!(
            "[providers.aws]\nkind = \"bedrock\"\naws_profile = \"{profile}\"\n\n\
             [models.claude]\nprovider = \"aws\"\nmodel = \"anthropic.claude-3-haiku\"\n"
        )
    };
    // Without the profile's region the client could not be built (no `region` is set).
    let cfg = Config::from_toml_str_with_env(&toml("team"), "t.toml", &vars).unwrap();
    let rt = cfg.build_with_env(&vars).await.unwrap();
    assert!(rt.model("claude").unwrap().chat.is_some());

    let cfg = Config::from_toml_str_with_env(&toml("nope"), "t.toml", &vars).unwrap();
    let err = cfg.build_with_env(&vars).await.unwrap_err().to_string();
    assert!(err.contains("no AWS profile `nope`"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
