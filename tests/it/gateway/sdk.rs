//! The official `openai` and `anthropic` Python SDKs against the gateway: `tests/sdk/run.sh`
//! installs them into a virtualenv (cached under `$TMPDIR`, keyed by `requirements.txt`) and
//! runs their checks against a gateway on 127.0.0.1:0 over mock providers. The script exits 0
//! with a SKIP line only when the package registry cannot be reached.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use llm_router::gateway::{CallerKey, Gateway};
use llm_router::mock::MockProvider;
use tokio::io::{AsyncBufReadExt as _, AsyncRead, BufReader};
use tokio::process::Command;

use crate::gateway::support::Server;

/// The caller key the SDKs send (`Authorization: Bearer` for OpenAI, `x-api-key` for
/// Anthropic).
const KEY: &str = "sk-llm-router-sdk-check";
/// The mock's vector length when a request does not set `dimensions`.
const EMBED_DIM: usize = 8;
/// A cold `pip install` of both SDKs takes about a minute; the checks take a few seconds.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(600);

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sdk/run.sh")
}

/// Copies each line of `from` to the test's output as it arrives, prefixed with `tag`, and
/// says whether the script skipped the whole run (a line starting with `SKIP:`).
async fn forward(tag: &'static str, from: impl AsyncRead + Unpin) -> bool {
    let mut skipped = false;
    let mut lines = BufReader::new(from).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        println!("[{tag}] {line}");
        skipped |= line.starts_with("SKIP:");
    }
    skipped
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_openai_and_anthropic_sdks_pass_against_the_gateway() {
    // One mock behind every model name: it streams, calls a tool whenever `tool_choice` names
    // one, answers after a tool result, and embeds deterministically.
    let mock = MockProvider::new().default_reply("Hello! One, two, three, four, five.");
    let server = Server::start(
        Gateway::builder()
            .chat_model("sdk-chat", Arc::new(mock.clone()))
            .chat_model("sdk-claude", Arc::new(mock.clone()))
            .embedding_model("sdk-embed", Arc::new(mock.clone()))
            .caller_key(CallerKey::from_secret("sdk-check", KEY))
            .build(),
    )
    .await;

    let started = Instant::now();
    let mut child = Command::new("bash")
        .arg(script())
        .env("LLM_ROUTER_BASE_URL", &server.base)
        .env("LLM_ROUTER_KEY", KEY)
        .env("LLM_ROUTER_CHAT_MODEL", "sdk-chat")
        .env("LLM_ROUTER_TOOLS_MODEL", "sdk-chat")
        .env("LLM_ROUTER_EMBED_MODEL", "sdk-embed")
        .env("LLM_ROUTER_EMBED_DIM", EMBED_DIM.to_string())
        .env("LLM_ROUTER_ANTHROPIC_MODEL", "sdk-claude")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("bash runs tests/sdk/run.sh");
    let out = tokio::spawn(forward("sdk", child.stdout.take().unwrap()));
    let err = tokio::spawn(forward("sdk stderr", child.stderr.take().unwrap()));

    let status = tokio::time::timeout(SCRIPT_TIMEOUT, child.wait())
        .await
        .unwrap_or_else(|_| panic!("tests/sdk/run.sh did not finish in {SCRIPT_TIMEOUT:?}"))
        .unwrap();
    let skipped = out.await.unwrap() | err.await.unwrap();
    println!(
        "[sdk] run.sh finished in {:.1}s with {status}",
        started.elapsed().as_secs_f64()
    );
    assert!(status.success(), "the SDK checks failed: {status}");
    if skipped {
        println!("[sdk] SKIPPED: the SDK checks did not run (see the SKIP line above)");
        return;
    }
    // The SDKs really went through the gateway to the mock.
    let chats = mock.requests();
    assert!(
        chats.iter().any(|r| r.model == "sdk-chat"),
        "no OpenAI SDK chat reached the mock"
    );
    assert!(
        chats.iter().any(|r| r.model == "sdk-claude"),
        "no Anthropic SDK message reached the mock"
    );
    assert_eq!(
        mock.embedding_requests().len(),
        2,
        "base64 and float embeddings"
    );
}
