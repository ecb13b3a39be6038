//! The `llm-router` binary end to end: every command against the built-in mock configuration
//! or small config files, through the real process (arguments, stdout, stderr, exit codes).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_llm-router"));
    // The built-in default enables real providers whose keys are set: keep tests hermetic.
    for var in [
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "GEMINI_API_KEY",
        "GOOGLE_API_KEY",
        "DEEPSEEK_API_KEY",
        "OPENROUTER_API_KEY",
        "MISTRAL_API_KEY",
        "COHERE_API_KEY",
        "LLM_ROUTER_CONFIG",
        "LLM_ROUTER_LISTEN",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("RUST_LOG", "warn");
    cmd
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("llm-router-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn models_lists_the_builtin_mock_models() {
    let out = run(&["models"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("mock-chat\t") && l.contains("chat")),
        "{text}"
    );
    assert!(text.lines().any(|l| l.contains("embeddings")), "{text}");
}

#[test]
fn chat_one_shot_prints_the_answer() {
    let out = run(&["chat", "--model", "mock-chat", "hello there"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).trim().is_empty());
}

#[test]
fn chat_interactive_keeps_history_and_reads_until_eof() {
    let mut child = bin()
        .args(["chat", "--model", "mock-chat", "--system", "be brief"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"first question\n\n/reset\nsecond question\n/exit\n")
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // Two answers, one line each.
    assert_eq!(
        stdout(&out).lines().filter(|l| !l.is_empty()).count(),
        2,
        "{}",
        stdout(&out)
    );
}

#[test]
fn chat_with_an_unknown_model_fails_clearly() {
    let out = run(&["chat", "--model", "no-such-model", "hi"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("no-such-model") && err.contains("mock-chat"),
        "{err}"
    );
}

#[test]
fn embed_prints_vectors_of_the_requested_dimension() {
    let out = run(&[
        "embed",
        "--model",
        "mock-embed",
        "--dimensions",
        "8",
        "a",
        "b",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["embedding"].as_array().unwrap().len(), 8);
}

#[test]
fn config_check_accepts_a_good_file() {
    let path = temp_file(
        "good.toml",
        "[providers.m]\nkind = \"mock\"\n\n[models.chat]\nprovider = \"m\"\n",
    );
    let out = run(&["config", "check", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("ok"));
}

#[test]
fn config_check_names_the_misspelt_field_and_its_line() {
    let path = temp_file(
        "bad.toml",
        "[providers.m]\nkind = \"mock\"\n\n[models.chat]\nprovider = \"m\"\nwieght = 3\n",
    );
    let out = run(&["config", "check", path.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("wieght"), "{err}");
    assert!(err.contains(":6"), "the line of the field: {err}");
}

#[test]
fn config_check_without_a_file_is_a_usage_error() {
    let out = run(&["config", "check"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("needs a file"));
}

#[test]
fn batch_run_writes_one_result_per_line_in_order() {
    let input = temp_file(
        "batch.jsonl",
        concat!(
            r#"{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"mock-chat","messages":[{"role":"user","content":"one"}]}}"#,
            "\n",
            r#"{"custom_id":"b","method":"POST","url":"/v1/chat/completions","body":{"model":"mock-chat","messages":[{"role":"user","content":"two"}]}}"#,
            "\n"
        ),
    );
    let out = run(&[
        "batch",
        "run",
        "--input",
        input.to_str().unwrap(),
        "--concurrency",
        "2",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["custom_id"], "a");
    assert_eq!(lines[1]["custom_id"], "b");
    assert!(lines[0].get("response").is_some(), "{}", lines[0]);
}

#[test]
fn batch_run_with_a_bad_line_names_it() {
    let input = temp_file(
        "bad.jsonl",
        "{\"model\":\"mock-chat\",\"messages\":[]}\nnot json\n",
    );
    let out = run(&["batch", "run", "--input", input.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains('2'), "{}", stderr(&out));
}

#[test]
fn batch_submit_to_a_provider_without_batch_api_fails_clearly() {
    let input = temp_file(
        "submit.jsonl",
        "{\"custom_id\":\"a\",\"model\":\"mock-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}\n",
    );
    let out = run(&[
        "batch",
        "submit",
        "--provider",
        "mock",
        "--input",
        input.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no batch API"), "{}", stderr(&out));
}

/// `serve` with no config answers at once, and stops on SIGTERM.
#[test]
fn serve_answers_with_the_builtin_config_and_stops_on_sigterm() {
    let banner = serve_then_stop(&[], 1);
    assert!(banner.contains("work-stealing runtime"), "{banner}");
}

/// `serve --workers 2` runs two event loops on one socket: every connection is answered,
/// whichever loop takes it, and SIGTERM stops both.
#[test]
fn serve_with_event_loops_answers_on_each_and_stops_on_sigterm() {
    let banner = serve_then_stop(&["--workers", "2"], 8);
    assert!(banner.contains("2 event loops"), "{banner}");
}

/// Starts `serve` with `extra` arguments, sends a health check and `chats` chat requests, each
/// on its own connection, then SIGTERM; returns the line that announced the address.
fn serve_then_stop(extra: &[&str], chats: usize) -> String {
    let mut cmd = bin();
    cmd.args(["serve", "--listen", "127.0.0.1:0"]).args(extra);
    let (mut child, addr, banner) = start_serve(cmd);
    let body = http(
        &addr,
        "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    let req = r#"{"model":"mock-chat","messages":[{"role":"user","content":"hi"}]}"#;
    for _ in 0..chats {
        let body = post_chat(&addr, req);
        assert!(body.starts_with("HTTP/1.1 200"), "{body}");
        assert!(body.contains("chat.completion"), "{body}");
    }

    #[cfg(unix)]
    {
        sigterm(&child);
        wait_for_clean_exit(&mut child);
    }
    #[cfg(not(unix))]
    {
        let _ = child.kill();
    }
    banner
}

/// Spawns a `serve` command and waits for the line announcing its address: the child, the
/// address and that line. The caller stops and waits for the child.
#[allow(clippy::zombie_processes)]
fn start_serve(mut cmd: Command) -> (std::process::Child, String, String) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let started = Instant::now();
    loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let addr = rest.split_whitespace().next().unwrap().to_owned();
            // Keep reading, so the server's later writes to stderr find the pipe open.
            std::thread::spawn(move || lines.for_each(drop));
            return (child, addr, line);
        }
        assert!(started.elapsed() < Duration::from_secs(30));
    }
}

/// With `HTTP_PROXY` set, upstream requests go through the proxy (reqwest's path; without a
/// proxy the OpenAI-dialect client sends on hyper-util directly). The upstream's host does not
/// resolve, so only the proxy can answer.
#[test]
#[cfg(unix)]
fn upstream_requests_go_through_the_proxy_in_the_environment() {
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_addr = proxy.local_addr().unwrap();
    // Two proxied requests, one connection each: the OpenAI dialect's, then a native
    // provider's (Anthropic, through `Connection`).
    let seen = std::thread::spawn(move || {
        use std::io::Read as _;
        let mut seen = Vec::new();
        for _ in 0..2 {
            let (mut sock, _) = proxy.accept().unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            while !String::from_utf8_lossy(&req).contains("\"messages\"") {
                let n = sock.read(&mut buf).unwrap();
                assert!(n > 0, "the request ended early");
                req.extend_from_slice(&buf[..n]);
            }
            let req = String::from_utf8_lossy(&req).into_owned();
            let body = if req.contains("/v1/messages") {
                r#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"via proxy"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":2}}"#
            } else {
                r#"{"id":"c","object":"chat.completion","created":1,"model":"x","choices":[{"index":0,"message":{"role":"assistant","content":"via proxy"},"finish_reason":"stop"}]}"#
            };
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            sock.write_all(answer.as_bytes()).unwrap();
            seen.push(req);
        }
        seen
    });
    let config = temp_file(
        "proxied.toml",
        r#"[providers.up]
kind = "openai-compatible"
base_url = "http://upstream.invalid/v1"
api_key = "${PROXY_TEST_KEY}"

[providers.claude]
kind = "anthropic"
base_url = "http://anthropic.invalid"
api_key = "${PROXY_TEST_KEY}"

[models.m]
provider = "up"
model = "x"

[models.c]
provider = "claude"
model = "claude-x"
"#,
    );
    let mut cmd = bin();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .env("PROXY_TEST_KEY", "sk-proxied")
        .env("HTTP_PROXY", format!("http://{proxy_addr}"))
        .env_remove("NO_PROXY")
        .env_remove("no_proxy");
    let (mut child, addr, _) = start_serve(cmd);
    for model in ["m", "c"] {
        let body = post_chat(
            &addr,
            &format!(r#"{{"model":"{model}","messages":[{{"role":"user","content":"hi"}}]}}"#),
        );
        assert!(body.starts_with("HTTP/1.1 200"), "{model}: {body}");
        assert!(body.contains("via proxy"), "{model}: {body}");
    }
    let seen = seen.join().unwrap();
    assert!(
        seen[0].starts_with("POST http://upstream.invalid/v1/chat/completions HTTP/1.1\r\n"),
        "{}",
        seen[0]
    );
    assert!(
        seen[0]
            .to_ascii_lowercase()
            .contains("authorization: bearer sk-proxied"),
        "{}",
        seen[0]
    );
    assert!(
        seen[1].starts_with("POST http://anthropic.invalid/v1/messages HTTP/1.1\r\n"),
        "{}",
        seen[1]
    );
    assert!(
        seen[1]
            .to_ascii_lowercase()
            .contains("x-api-key: sk-proxied"),
        "{}",
        seen[1]
    );
    sigterm(&child);
    wait_for_clean_exit(&mut child);
}

/// `POST /v1/chat/completions` with `req` on its own connection (the response as text).
fn post_chat(addr: &str, req: &str) -> String {
    http(addr, &chat_request(req))
}

/// The HTTP/1.1 text of `POST /v1/chat/completions` with body `req`, closing the connection.
fn chat_request(req: &str) -> String {
    format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{req}",
        req.len()
    )
}

/// A minimal HTTP/1.1 exchange over a plain TCP stream (the response as text).
fn http(addr: &str, request: &str) -> String {
    use std::io::Read as _;
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).unwrap();
    out
}

/// `batch status` reaches a configured provider's batch API (OpenAI here, on wiremock) with
/// the key from the environment, and prints the job.
#[test]
fn batch_status_goes_to_the_configured_providers_batch_api() {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    let job = include_str!("fixtures/batch_completed.json");
    rt.block_on(
        Mock::given(method("GET"))
            .and(path("/v1/batches/batch_abc123"))
            .and(header("authorization", "Bearer sk-cli-test"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(job, "application/json"))
            .expect(1)
            .mount(&server),
    );
    let config = temp_file(
        "batch.toml",
        &format!(
            "[providers.oa]\nkind = \"openai\"\napi_key = \"${{CLI_TEST_OPENAI_KEY}}\"\nbase_url = \"{}/v1\"\n\n[models.gpt]\nprovider = \"oa\"\nmodel = \"gpt-4o-mini\"\n",
            server.uri()
        ),
    );
    let out = bin()
        .env("CLI_TEST_OPENAI_KEY", "sk-cli-test")
        .args(["--config", config.to_str().unwrap()])
        .args(["batch", "status", "--provider", "oa", "batch_abc123"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let printed: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(printed["id"], "batch_abc123");
    assert_eq!(printed["status"], "completed");
    assert_eq!(printed["counts"]["total"], 100);
    assert!(!stdout(&out).contains("sk-cli-test") && !stderr(&out).contains("sk-cli-test"));
    rt.block_on(server.verify());
}

/// With event loops, SIGTERM lets a stream that is under way finish (within the grace) before
/// the process exits 0.
#[cfg(unix)]
#[test]
fn event_loops_drain_a_live_stream_on_sigterm() {
    use std::io::Read as _;
    let config = temp_file(
        "drain.toml",
        "[server]\nshutdown_grace = \"10s\"\n\n\
         [providers.slow]\nkind = \"mock\"\nchunk_delay = \"80ms\"\n\
         default_reply = \"one two three four five six seven eight\"\n\n\
         [models.slow]\nprovider = \"slow\"\nmodel = \"slow\"\n",
    );
    let mut cmd = bin();
    cmd.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--workers",
        "2",
        "--config",
    ])
    .arg(&config);
    let (mut child, addr, _) = start_serve(cmd);
    let req = r#"{"model":"slow","stream":true,"messages":[{"role":"user","content":"hi"}]}"#;
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    stream.write_all(chat_request(req).as_bytes()).unwrap();
    // Wait for the first chunk, then ask the server to stop.
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("data: {") {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "the stream ended before its first chunk");
        seen.extend_from_slice(&buf[..n]);
    }
    sigterm(&child);
    stream.read_to_end(&mut seen).unwrap();
    let body = String::from_utf8_lossy(&seen);
    assert!(body.contains("eight"), "{body}");
    assert!(body.contains("data: [DONE]"), "{body}");
    wait_for_clean_exit(&mut child);
}

#[cfg(unix)]
fn sigterm(child: &std::process::Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits (up to 20 s) for `child` to exit, and checks it exited 0.
#[cfg(unix)]
fn wait_for_clean_exit(child: &mut std::process::Child) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
