//! Redis-backed cache and limits build against the server at `REDIS_URL` (CI sets it; locally
//! the default port is used).

use std::time::{SystemTime, UNIX_EPOCH};

use llm_router_config::Config;
use llm_router_core::{ChatRequest, ErrorKind, Message};

fn redis_url() -> String {
    match std::env::var("REDIS_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var_os("CI").is_some() => {
            panic!("REDIS_URL is not set: CI must start Redis and export REDIS_URL (see .ci/run)")
        }
        _ => "redis://127.0.0.1:6379".to_owned(),
    }
}

fn unique() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{nanos}", std::process::id())
}

#[tokio::test]
async fn redis_cache_and_limits_build_and_serve() {
    let url = redis_url();
    let run = unique();
    let src = format!(
        r#"
[providers.m]
kind = "mock"
[models.chat]
provider = "m"

[cache]
backend = "redis"
redis_url = "${{REDIS_URL}}"
namespace = "config-test-{run}"
ttl = "1m"

[limits]
requests_per_minute = 1
backend = "redis"
redis_url = "${{REDIS_URL}}"
key_prefix = "llm-router-config-test:{run}:"
"#
    );
    let vars = move |name: &str| (name == "REDIS_URL").then(|| url.clone());
    let cfg = Config::from_toml_str_with_env(&src, "redis.toml", &vars).unwrap();
    let rt = cfg.build_with_env(&vars).await.unwrap();

    let names: Vec<&str> = rt.readiness.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["redis (cache)", "redis (limits)"]);
    for check in &rt.readiness {
        (check.check)().await.unwrap();
    }

    let chat = rt.model("chat").unwrap().chat.clone().unwrap();
    let ask = |t: &str| ChatRequest::new("chat", vec![Message::user(t)]);
    chat.chat(ask("first")).await.unwrap();
    // A repeat is answered from Redis without touching the one-per-minute budget…
    chat.chat(ask("first")).await.unwrap();
    // …a new question is over it.
    let err = chat.chat(ask("second")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
}

#[tokio::test]
async fn readiness_fails_when_redis_is_unreachable() {
    let src = r#"
[providers.m]
kind = "mock"
[models.chat]
provider = "m"
[cache]
backend = "redis"
redis_url = "redis://127.0.0.1:1"
"#;
    let cfg = Config::from_toml_str(src, "down.toml").unwrap();
    let rt = cfg.build().await.unwrap();
    assert_eq!(rt.readiness.len(), 1);
    assert!((rt.readiness[0].check)().await.is_err());
    // A broken cache never fails a request.
    let chat = rt.model("chat").unwrap().chat.clone().unwrap();
    chat.chat(ChatRequest::new("chat", vec![Message::user("hi")]))
        .await
        .unwrap();
}
