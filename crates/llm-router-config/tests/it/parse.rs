//! Parsing every section, interpolation, the example file and the built-in default.

use std::time::Duration;

use llm_router_config::{
    AuthStyle, CacheBackend, Config, DEFAULT_TOML, LimitBackend, LimitMode, MaxTokensFieldConfig,
    ModelKind, ProviderKind,
};
use llm_router_routing::StrategyKind;

use crate::env;

const FULL: &str = r#"
[server]
listen = "${HOST:-0.0.0.0}:9090"
body_limit = "2MiB"
shutdown_grace = "1m30s"
request_timeout = "5m"

[telemetry]
log_level = "warn,llm_router=debug"
json_logs = true

[providers.oa]
kind = "openai"
api_key = "${OPENAI_API_KEY}"
headers = { "OpenAI-Organization" = "${ORG}" }
timeout = "120s"
stream_idle_timeout = "45s"

[providers.az]
kind = "azure"
api_key = "${AZURE_KEY}"
base_url = "https://res.openai.azure.com"
api_version = "2024-10-21"

[providers.vllm]
kind = "openai-compatible"
base_url = "http://vllm:8000/v1"
auth = { header = "x-api-key" }
api_key = "${VLLM_KEY}"
[providers.vllm.quirks]
max_tokens_field = "max_tokens"
supports_embeddings = false

[providers.local]
kind = "openai-compatible"
base_url = "http://localhost:8000/v1"
auth = "none"

[models.gpt]
provider = "oa"
model = "gpt-4o-mini"
fallbacks = ["smart"]

[models.smart]
deployments = [
  { provider = "oa", model = "gpt-4o", weight = 3 },
  { provider = "az", model = "gpt-4o-dep" },
]
strategy = "least_latency"
passes = 2

[models.embed]
provider = "oa"
model = "text-embedding-3-small"
kinds = ["embeddings"]

[models.auto]
rules = [
  { condition = "has_images", target = "smart" },
  { condition = { keywords = { any = ["contract"] } }, target = "gpt" },
]
default = "gpt"

[routing]
failure_threshold = 5
cooldown = "10s"

[retry]
max_attempts = 4
base_delay = "100ms"
max_delay = "5s"
multiplier = 3.0
jitter = "equal"
budget = "20s"

[timeouts]
per_attempt = "60s"
stream_idle = "30s"
stream_total = "10m"

[cache]
backend = "disk"
path = "/tmp/llm-router-cache"
ttl = "10m"
max_bytes = 1048576

[limits]
requests_per_minute = 100
tokens_per_minute = 50000
concurrency = 8
mode = "wait"
max_wait = "3s"
backend = "redis"
redis_url = "${REDIS_URL:-redis://127.0.0.1:6379}"
fail_closed = true

[[keys]]
name = "team"
key = "${TEAM_KEY}"
models = ["gpt", "auto"]
requests_per_minute = 10

[[keys]]
name = "ops"
sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
models = ["*"]
"#;

const VARS: &[(&str, &str)] = &[
    ("OPENAI_API_KEY", "sk-test"),
    ("AZURE_KEY", "az-test"),
    ("VLLM_KEY", "v-test"),
    ("TEAM_KEY", "team-secret"),
    ("ORG", "org-42"),
];

#[test]
fn every_section_parses() {
    let cfg = Config::from_toml_str_with_env(FULL, "full.toml", &env(VARS)).unwrap();
    cfg.validate_with_env(&env(VARS)).unwrap();
    assert_eq!(cfg.origin(), Some("full.toml"));

    assert_eq!(cfg.server.listen.to_string(), "0.0.0.0:9090");
    assert_eq!(cfg.server.body_limit, 2 * 1024 * 1024);
    assert_eq!(cfg.server.shutdown_grace, Duration::from_secs(90));
    assert_eq!(cfg.server.request_timeout, Some(Duration::from_secs(300)));
    assert_eq!(cfg.telemetry.log_level, "warn,llm_router=debug");
    assert!(cfg.telemetry.json_logs);

    let oa = &cfg.providers["oa"];
    assert_eq!(oa.kind, ProviderKind::Openai);
    assert_eq!(oa.api_key.as_ref().unwrap().var(), "OPENAI_API_KEY");
    assert_eq!(oa.headers["OpenAI-Organization"], "org-42");
    assert_eq!(oa.timeout, Some(Duration::from_secs(120)));
    assert_eq!(oa.stream_idle_timeout, Some(Duration::from_secs(45)));
    assert_eq!(
        cfg.providers["az"].api_version.as_deref(),
        Some("2024-10-21")
    );
    let vllm = &cfg.providers["vllm"];
    assert_eq!(vllm.auth, Some(AuthStyle::Header("x-api-key".into())));
    let q = vllm.quirks.as_ref().unwrap();
    assert_eq!(q.max_tokens_field, Some(MaxTokensFieldConfig::MaxTokens));
    assert_eq!(q.supports_embeddings, Some(false));
    assert_eq!(cfg.providers["local"].auth, Some(AuthStyle::None));

    let gpt = &cfg.models["gpt"];
    assert_eq!(gpt.provider.as_deref(), Some("oa"));
    assert_eq!(gpt.fallbacks, ["smart"]);
    assert_eq!(gpt.kinds(), [ModelKind::Chat]);
    let smart = &cfg.models["smart"];
    assert_eq!(smart.deployments.len(), 2);
    assert_eq!(smart.deployments[0].weight, 3);
    assert_eq!(smart.deployments[1].weight, 1);
    assert_eq!(smart.strategy, Some(StrategyKind::LeastLatency));
    assert_eq!(smart.passes, Some(2));
    assert_eq!(cfg.models["embed"].kinds(), [ModelKind::Embeddings]);
    assert_eq!(cfg.models["auto"].rules.len(), 2);
    assert_eq!(cfg.models["auto"].default.as_deref(), Some("gpt"));

    assert_eq!(cfg.routing.failure_threshold, Some(5));
    assert_eq!(cfg.routing.cooldown, Some(Duration::from_secs(10)));
    assert_eq!(cfg.retry.max_attempts, Some(4));
    assert_eq!(cfg.retry.base_delay, Some(Duration::from_millis(100)));
    assert_eq!(cfg.retry.budget, Some(Duration::from_secs(20)));
    assert_eq!(cfg.timeouts.per_attempt, Some(Duration::from_secs(60)));
    assert_eq!(cfg.timeouts.stream_total, Some(Duration::from_secs(600)));

    let cache = cfg.cache.as_ref().unwrap();
    assert_eq!(cache.backend, CacheBackend::Disk);
    assert_eq!(cache.max_bytes, Some(1_048_576));
    assert_eq!(cache.ttl, Some(Duration::from_secs(600)));
    let limits = cfg.limits.as_ref().unwrap();
    assert_eq!(limits.mode, LimitMode::Wait);
    assert_eq!(limits.backend, LimitBackend::Redis);
    assert_eq!(limits.redis_url.as_deref(), Some("redis://127.0.0.1:6379"));
    assert!(limits.fail_closed);

    assert_eq!(cfg.keys.len(), 2);
    assert_eq!(cfg.keys[0].key.as_ref().unwrap().var(), "TEAM_KEY");
    assert_eq!(cfg.keys[1].models, ["*"]);
}

#[test]
fn secrets_are_never_read_into_the_config() {
    let cfg = Config::from_toml_str_with_env(FULL, "full.toml", &env(VARS)).unwrap();
    let debug = format!("{cfg:?}");
    for (_, value) in VARS.iter().filter(|(k, _)| k.ends_with("KEY")) {
        assert!(!debug.contains(value), "{value} leaked into Debug");
    }
}

#[test]
fn defaults_when_sections_are_absent() {
    let cfg = Config::from_toml_str("", "empty.toml").unwrap();
    cfg.validate().unwrap();
    assert_eq!(cfg.server.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(cfg.server.body_limit, 10 * 1024 * 1024);
    assert_eq!(cfg.server.shutdown_grace, Duration::from_secs(30));
    assert_eq!(cfg.server.request_timeout, None);
    assert_eq!(cfg.telemetry.log_level, "info");
    assert!(cfg.cache.is_none() && cfg.limits.is_none() && cfg.keys.is_empty());
}

#[test]
fn interpolation_works_in_every_string() {
    let src = r#"
[server]
listen = "${HOST}:${PORT:-8081}"
[telemetry]
log_level = "${LEVEL:-debug}"
[providers.p]
kind = "openai-compatible"
base_url = "http://${UPSTREAM}/v1"
auth = "none"
headers = { "X-Cost-$$" = "a$$b", "X-Team" = "${TEAM}" }
[models.m]
provider = "p"
model = "${MODEL_ID}"
"#;
    let vars = env(&[
        ("HOST", "10.1.2.3"),
        ("UPSTREAM", "llm.internal:8000"),
        ("TEAM", "search"),
        ("MODEL_ID", "qwen2.5-7b"),
    ]);
    let cfg = Config::from_toml_str_with_env(src, "i.toml", &vars).unwrap();
    assert_eq!(cfg.server.listen.to_string(), "10.1.2.3:8081");
    assert_eq!(cfg.telemetry.log_level, "debug");
    let p = &cfg.providers["p"];
    assert_eq!(p.base_url.as_deref(), Some("http://llm.internal:8000/v1"));
    assert_eq!(p.headers["X-Team"], "search");
    // `$$` is a literal dollar in values; keys are not interpolated.
    assert_eq!(p.headers["X-Cost-$$"], "a$b");
    assert_eq!(cfg.models["m"].model.as_deref(), Some("qwen2.5-7b"));
}

#[test]
fn the_example_file_parses_and_validates() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/default.toml");
    let cfg = Config::from_path(&path).unwrap();
    cfg.validate_with_env(&env(&[])).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), DEFAULT_TOML);
    let names: Vec<&str> = cfg.models.keys().map(String::as_str).collect();
    assert_eq!(names, ["mock-chat", "mock-embed", "mock-image"]);
    assert_eq!(cfg.cache.as_ref().unwrap().backend, CacheBackend::Memory);
    assert!(cfg.limits.as_ref().unwrap().requests_per_minute.is_some());
}

#[test]
fn builtin_default_enables_providers_whose_key_is_set() {
    let none = Config::builtin_default_with_env(&env(&[]));
    none.validate_with_env(&env(&[])).unwrap();
    assert_eq!(none.providers.keys().collect::<Vec<_>>(), ["mock"]);
    assert_eq!(none.models.len(), 3);

    let vars = env(&[
        ("OPENAI_API_KEY", "sk-x"),
        ("ANTHROPIC_API_KEY", "a-x"),
        ("QIANFAN_API_KEY", "q-x"),
        ("SPARKAI_API_PASSWORD", "s-x"),
    ]);
    let some = Config::builtin_default_with_env(&vars);
    some.validate_with_env(&vars).unwrap();
    let providers: Vec<&str> = some.providers.keys().map(String::as_str).collect();
    assert_eq!(providers, ["anthropic", "ernie", "mock", "openai", "spark"]);
    assert!(some.models.contains_key("ernie/ernie-4.5-turbo-128k"));
    assert!(some.models.contains_key("spark/lite"));
    assert!(some.models.contains_key("openai/gpt-4o-mini"));
    assert!(some.models.contains_key("anthropic/claude-sonnet-4-0"));
    assert_eq!(
        some.models["openai/text-embedding-3-small"].kinds(),
        [ModelKind::Embeddings]
    );
    assert!(!some.providers.contains_key("gemini"));
}

#[test]
fn from_path_reports_a_missing_file() {
    let err = Config::from_path(std::path::Path::new("/nonexistent/llm-router.toml")).unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent/llm-router.toml"),
        "{err}"
    );
}
