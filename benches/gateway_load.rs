//! Gateway overhead on loopback: the same load sent straight to a fast upstream and through
//! `llm-router serve` in front of it, in one run.
//!
//! Run with `cargo xtask bench` (which builds the release binary first) or
//! `LLM_ROUTER_BIN=target/release/llm-router cargo bench -p benches --bench gateway_load`.
//! Writes the figures to BENCHMARKS.md (between the `gateway:start`/`gateway:end` markers)
//! and prints them.
//!
//! - upstream: a tiny axum server answering `/v1/chat/completions` with a fixed completion,
//!   or with a 20-chunk SSE stream;
//! - gateway: the real binary as its own process (so its RSS is its own), configured with one
//!   OpenAI-compatible provider pointing at the upstream;
//! - load: 16 concurrent keep-alive connections, each sending requests back to back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::header;
use axum::response::Response;
use axum::routing::post;

const CONCURRENCY: usize = 16;
const WARMUP: Duration = Duration::from_secs(2);
const MEASURE: Duration = Duration::from_secs(8);
const STREAM_SAMPLES: usize = 300;

const COMPLETION: &str = r#"{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench-upstream","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the upstream."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17}}"#;

fn stream_body() -> String {
    let mut s = String::new();
    for i in 0..20 {
        s.push_str(&format!(
            "data: {{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"bench-upstream\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"w{i} \"}},\"finish_reason\":null}}]}}\n\n"
        ));
    }
    s.push_str("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"bench-upstream\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
    s
}

async fn upstream(body: axum::body::Bytes) -> Response {
    let streaming = memchr_stream(&body);
    if streaming {
        Response::builder()
            .header(header::CONTENT_TYPE, "text/event-stream")
            .body(Body::from(stream_body()))
            .unwrap()
    } else {
        Response::builder()
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(COMPLETION))
            .unwrap()
    }
}

/// Whether the request body asks for a stream (`"stream":true`), without parsing the JSON.
fn memchr_stream(body: &[u8]) -> bool {
    body.windows(13).any(|w| w == b"\"stream\":true")
}

fn start_upstream(rt: &tokio::runtime::Runtime) -> SocketAddr {
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().route("/v1/chat/completions", post(upstream));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        addr
    })
}

struct Gateway {
    child: Child,
    addr: SocketAddr,
    startup: Duration,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

fn start_gateway(rt: &tokio::runtime::Runtime, upstream: SocketAddr) -> Gateway {
    let bin = std::env::var("LLM_ROUTER_BIN").unwrap_or_else(|_| {
        panic!("set LLM_ROUTER_BIN to a release build of `llm-router` (cargo xtask bench does)")
    });
    let dir = std::env::temp_dir().join(format!("llm-router-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("bench.toml");
    std::fs::write(&config, config_toml(upstream)).unwrap();
    let addr = free_port();
    let started = Instant::now();
    let child = Command::new(bin)
        .args(["serve", "--config"])
        .arg(&config)
        .args(["--listen", &addr.to_string()])
        .env("RUST_LOG", "warn")
        .env("BENCH_UPSTREAM_KEY", "sk-bench")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest_client();
    let url = format!("http://{addr}/health/ready");
    let startup = rt.block_on(async {
        loop {
            if let Ok(r) = client.get(&url).send().await
                && r.status().is_success()
            {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "gateway not ready in 20 s"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
    Gateway {
        child,
        addr,
        startup,
    }
}

fn config_toml(upstream: SocketAddr) -> String {
    format!(
        r#"[server]
listen = "127.0.0.1:0"

[providers.upstream]
kind = "openai-compatible"
base_url = "http://{upstream}/v1"
api_key = "${{BENCH_UPSTREAM_KEY}}"

[models.bench]
provider = "upstream"
model = "bench-upstream"
"#
    )
}

fn reqwest_client() -> reqwest::Client {
    llm_router_http::ensure_crypto_provider();
    reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY * 2)
        .build()
        .unwrap()
}

const REQUEST: &str = r#"{"model":"bench","messages":[{"role":"user","content":"Say hello."}]}"#;
const STREAM_REQUEST: &str =
    r#"{"model":"bench","messages":[{"role":"user","content":"Say hello."}],"stream":true}"#;

struct Load {
    latencies: Vec<Duration>,
    requests: usize,
    elapsed: Duration,
}

/// `workers` connections, each sending requests back to back for `duration`.
async fn load(client: &reqwest::Client, url: &str, duration: Duration, workers: usize) -> Load {
    let url: Arc<str> = url.into();
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let client = client.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let resp = client
                    .post(&*url)
                    .header("content-type", "application/json")
                    .header("authorization", "Bearer sk-bench")
                    .body(REQUEST)
                    .send()
                    .await
                    .unwrap();
                assert!(resp.status().is_success(), "status {}", resp.status());
                let _ = resp.bytes().await.unwrap();
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Load {
        requests: latencies.len(),
        latencies,
        elapsed,
    }
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn ttft(client: &reqwest::Client, url: &str) -> Vec<Duration> {
    let mut out = Vec::with_capacity(STREAM_SAMPLES);
    for _ in 0..STREAM_SAMPLES {
        let t = Instant::now();
        let mut resp = client
            .post(url)
            .header("content-type", "application/json")
            .header("authorization", "Bearer sk-bench")
            .body(STREAM_REQUEST)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success());
        let mut first = None;
        while let Some(chunk) = resp.chunk().await.unwrap() {
            if first.is_none() && !chunk.is_empty() {
                first = Some(t.elapsed());
            }
        }
        out.push(first.unwrap());
    }
    out.sort();
    out
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing: run only for bench.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let upstream = start_upstream(&rt);
    let gateway = start_gateway(&rt, upstream);
    let client = reqwest_client();
    let direct_url = format!("http://{upstream}/v1/chat/completions");
    let gw_url = format!("http://{}/v1/chat/completions", gateway.addr);

    let (direct, via, direct_one, via_one, direct_ttft, via_ttft) = rt.block_on(async {
        load(&client, &direct_url, WARMUP, CONCURRENCY).await;
        load(&client, &gw_url, WARMUP, CONCURRENCY).await;
        let direct = load(&client, &direct_url, MEASURE, CONCURRENCY).await;
        let via = load(&client, &gw_url, MEASURE, CONCURRENCY).await;
        let direct_one = load(&client, &direct_url, MEASURE, 1).await;
        let via_one = load(&client, &gw_url, MEASURE, 1).await;
        let direct_ttft = ttft(&client, &direct_url).await;
        let via_ttft = ttft(&client, &gw_url).await;
        (direct, via, direct_one, via_one, direct_ttft, via_ttft)
    });
    let pid = gateway.child.id();
    let rss = rss_kib(pid, "VmRSS:");
    let hwm = rss_kib(pid, "VmHWM:");

    let row = |name: &str, l: &Load| {
        format!(
            "| {name} | {} | {:.0} | {:.0} | {:.0} | {:.0} |",
            l.requests,
            l.requests as f64 / l.elapsed.as_secs_f64(),
            us(pct(&l.latencies, 0.5)),
            us(pct(&l.latencies, 0.99)),
            us(pct(&l.latencies, 0.999)),
        )
    };
    let added = |via: &Load, direct: &Load, p: f64| {
        us(pct(&via.latencies, p)) - us(pct(&direct.latencies, p))
    };
    let added_p50 = added(&via, &direct, 0.5);
    let added_p99 = added(&via, &direct, 0.99);
    let one_p50 = added(&via_one, &direct_one, 0.5);
    let one_p99 = added(&via_one, &direct_one, 0.99);
    let ttft_direct = us(pct(&direct_ttft, 0.5));
    let ttft_via = us(pct(&via_ttft, 0.5));
    let report = format!(
        "Measured {date} on this 2-core machine, {CONCURRENCY} concurrent keep-alive connections, \
{measure} s per side after {warm} s warm-up; load generator, upstream and gateway share the cores.\n\n\
| path | requests | req/s | p50 µs | p99 µs | p99.9 µs |\n|---|---|---|---|---|---|\n{}\n{}\n{}\n{}\n\n\
- **Added latency, one connection, back to back** (no queueing): p50 {one_p50:.0} µs, p99 {one_p99:.0} µs.\n\
- **Added latency at saturation, 16 connections back to back**: p50 {added_p50:.0} µs, p99 {added_p99:.0} µs \
— here all three processes compete for the 2 cores, so this is CPU queueing: latency = \
16 ÷ throughput, and the gateway path does twice the HTTP work of the direct one.\n\
- **Streaming time to first byte** (20-chunk SSE, {STREAM_SAMPLES} sequential requests, p50): \
direct {ttft_direct:.0} µs, through the gateway {ttft_via:.0} µs (added {:.0} µs).\n\
- **Gateway memory** after the run: RSS {:.1} MiB (peak {:.1} MiB).\n\
- **Start-up to ready** (process spawn → `/health/ready` 200): {:.1} ms.\n",
        row("16 conns, back to back: direct", &direct),
        row("16 conns, back to back: through llm-router", &via),
        row("1 conn, back to back: direct", &direct_one),
        row("1 conn, back to back: through llm-router", &via_one),
        ttft_via - ttft_direct,
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0,
        gateway.startup.as_secs_f64() * 1000.0,
        date = today(),
        measure = MEASURE.as_secs(),
        warm = WARMUP.as_secs(),
    );
    println!("{report}");
    write_report(&report);
}

fn today() -> String {
    Command::new("date")
        .arg("-u")
        .arg("+%Y-%m-%d")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

fn write_report(section: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let start = "<!-- gateway:start -->";
    let end = "<!-- gateway:end -->";
    let block = format!("{start}\n{section}{end}");
    let updated = match (existing.find(start), existing.find(end)) {
        (Some(s), Some(e)) if e > s => {
            format!("{}{}{}", &existing[..s], block, &existing[e + end.len()..])
        }
        _ => format!("{existing}\n## Gateway overhead\n\n{block}\n"),
    };
    std::fs::write(&path, updated).unwrap();
}
