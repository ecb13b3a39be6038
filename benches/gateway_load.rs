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
//! - load: 16 concurrent keep-alive connections, each sending requests back to back, once
//!   against the instant upstream (saturation: every process competes for the 2 cores, so the
//!   latency is 16 ÷ throughput and measures CPU cost) and once against an upstream that
//!   answers after [`UPSTREAM_DELAY`] (16 requests in flight without saturating the machine:
//!   the latency the gateway adds to requests that wait on a model, which is every real one);
//! - the gateway's own CPU time per proxied request, read from `/proc/<pid>/stat` around the
//!   saturated run;
//! - the floor: the same runs through a bare pass-through proxy (this binary again, started
//!   with `--passthrough-proxy`), so the figures say how much of the added latency is any
//!   proxy's on these 2 shared cores and how much is llm-router's own work.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::header;
use axum::response::Response;
use axum::routing::post;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;

const CONCURRENCY: usize = 16;
const WARMUP: Duration = Duration::from_secs(2);
const MEASURE: Duration = Duration::from_secs(8);
const STREAM_SAMPLES: usize = 300;
/// How long the second upstream takes to answer, on average: far below any real model's
/// latency, yet long enough that 16 concurrent requests do not saturate the 2 cores. Each answer
/// waits a uniformly random time between half and one and a half times this, slept precisely
/// on a blocking thread: tokio's timer rounds up to whole milliseconds, which would release the
/// 16 answers in lock-step bursts every tick, a load no real upstream produces.
const UPSTREAM_DELAY: Duration = Duration::from_millis(2);

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

async fn upstream(
    axum::extract::State(delay): axum::extract::State<Duration>,
    body: Bytes,
) -> Response {
    if !delay.is_zero() {
        let wait = jittered(delay);
        tokio::task::spawn_blocking(move || std::thread::sleep(wait))
            .await
            .unwrap();
    }
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

/// A uniformly random duration in [`delay` / 2, 3 × `delay` / 2) (splitmix64 over a counter).
fn jittered(delay: Duration) -> Duration {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut z = COUNTER
        .fetch_add(0x9E37_79B9_7F4A_7C15, std::sync::atomic::Ordering::Relaxed)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let unit = (z >> 11) as f64 / (1u64 << 53) as f64;
    delay.mul_f64(0.5 + unit)
}

/// Whether the request body asks for a stream (`"stream":true`), without parsing the JSON.
fn memchr_stream(body: &[u8]) -> bool {
    body.windows(13).any(|w| w == b"\"stream\":true")
}

fn start_upstream(rt: &tokio::runtime::Runtime, delay: Duration) -> SocketAddr {
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new()
            .route("/v1/chat/completions", post(upstream))
            .with_state(delay);
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

fn start_gateway(rt: &tokio::runtime::Runtime, upstream: SocketAddr, slow: SocketAddr) -> Gateway {
    let bin = std::env::var("LLM_ROUTER_BIN").unwrap_or_else(|_| {
        panic!("set LLM_ROUTER_BIN to a release build of `llm-router` (cargo xtask bench does)")
    });
    let dir = std::env::temp_dir().join(format!("llm-router-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("bench.toml");
    std::fs::write(&config, config_toml(upstream, slow)).unwrap();
    let addr = free_port();
    let mut command = Command::new(bin);
    command
        .args(["serve", "--config"])
        .arg(&config)
        .args(["--listen", &addr.to_string()])
        .env("BENCH_UPSTREAM_KEY", "sk-bench");
    start_process(rt, command, addr)
}

/// The floor: this bench binary again, as a bare pass-through proxy (see [`passthrough`]).
fn start_passthrough(
    rt: &tokio::runtime::Runtime,
    upstream: SocketAddr,
    slow: SocketAddr,
) -> Gateway {
    let addr = free_port();
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args([
        PASSTHROUGH_FLAG,
        &addr.to_string(),
        &upstream.to_string(),
        &slow.to_string(),
    ]);
    start_process(rt, command, addr)
}

/// Spawns `command` (a server that will listen on `addr`) and waits for `/health/ready`.
fn start_process(rt: &tokio::runtime::Runtime, mut command: Command, addr: SocketAddr) -> Gateway {
    let started = Instant::now();
    let child = command
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

fn config_toml(upstream: SocketAddr, slow: SocketAddr) -> String {
    format!(
        r#"[server]
listen = "127.0.0.1:0"

[providers.upstream]
kind = "openai-compatible"
base_url = "http://{upstream}/v1"
api_key = "${{BENCH_UPSTREAM_KEY}}"

[providers.slow]
kind = "openai-compatible"
base_url = "http://{slow}/v1"
api_key = "${{BENCH_UPSTREAM_KEY}}"

[models.bench]
provider = "upstream"
model = "bench-upstream"

[models.bench-slow]
provider = "slow"
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
/// The argument that makes this binary the bare pass-through proxy instead of the bench.
const PASSTHROUGH_FLAG: &str = "--passthrough-proxy";

const SLOW_REQUEST: &str =
    r#"{"model":"bench-slow","messages":[{"role":"user","content":"Say hello."}]}"#;
const STREAM_REQUEST: &str =
    r#"{"model":"bench","messages":[{"role":"user","content":"Say hello."}],"stream":true}"#;

struct Runs {
    direct: Load,
    via: Load,
    /// Gateway CPU time (user + system) during `via`, in clock ticks.
    cpu: u64,
    slow_direct: Load,
    slow_via: Load,
    direct_one: Load,
    via_one: Load,
    direct_ttft: Vec<Duration>,
    via_ttft: Vec<Duration>,
    /// The same runs through the bare pass-through proxy.
    floor_slow: Load,
    floor: Load,
    floor_cpu: u64,
    floor_one: Load,
}

/// A process's user + system CPU time so far, in clock ticks (`/proc/<pid>/stat` fields 14, 15).
fn cpu_ticks(pid: u32) -> u64 {
    let (user, system) = cpu_split(pid);
    user + system
}

/// A process's user and system CPU time so far, in clock ticks.
fn cpu_split(pid: u32) -> (u64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| {
        fields
            .get(n - 3)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field(14), field(15))
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux unless configured otherwise).
fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

struct Load {
    latencies: Vec<Duration>,
    requests: usize,
    elapsed: Duration,
}

/// One keep-alive HTTP/1.1 connection on hyper's low-level client: no pool, no redirect
/// policy, no URL parsing, so the load generator takes as little of the 2 cores as it can and
/// the figures are the gateway's, not a heavy client's.
async fn connect(addr: SocketAddr) -> SendRequest<Full<Bytes>> {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    send
}

fn chat_request(addr: SocketAddr, body: &'static str) -> hyper::Request<Full<Bytes>> {
    hyper::Request::post("/v1/chat/completions")
        .header(header::HOST, addr.to_string())
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, "Bearer sk-bench")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap()
}

/// `workers` connections, each sending requests back to back for `duration`.
async fn load(addr: SocketAddr, body: &'static str, duration: Duration, workers: usize) -> Load {
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        tasks.push(tokio::spawn(async move {
            let mut send = connect(addr).await;
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                send.ready().await.unwrap();
                let resp = send.send_request(chat_request(addr, body)).await.unwrap();
                assert!(resp.status().is_success(), "status {}", resp.status());
                let _ = resp.into_body().collect().await.unwrap();
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

async fn ttft(addr: SocketAddr) -> Vec<Duration> {
    let mut send = connect(addr).await;
    let mut out = Vec::with_capacity(STREAM_SAMPLES);
    for _ in 0..STREAM_SAMPLES {
        let t = Instant::now();
        send.ready().await.unwrap();
        let resp = send
            .send_request(chat_request(addr, STREAM_REQUEST))
            .await
            .unwrap();
        assert!(resp.status().is_success());
        let mut body = resp.into_body();
        let mut first = None;
        while let Some(frame) = body.frame().await {
            let frame = frame.unwrap();
            if first.is_none() && frame.data_ref().is_some_and(|d| !d.is_empty()) {
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
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, listen, upstream, slow] = args.as_slice()
        && flag == PASSTHROUGH_FLAG
    {
        return passthrough::run(listen, upstream, slow);
    }
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing: run only for bench.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let upstream = start_upstream(&rt, Duration::ZERO);
    let slow = start_upstream(&rt, UPSTREAM_DELAY);
    let gateway = start_gateway(&rt, upstream, slow);
    let pid = gateway.child.id();
    let gw = gateway.addr;
    let floor_proc = start_passthrough(&rt, upstream, slow);
    let floor_pid = floor_proc.child.id();
    let fl = floor_proc.addr;

    if let Some(rounds) = std::env::var("GATEWAY_LOAD_QUICK")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        return rt.block_on(quick(rounds, slow, gw, pid, fl, floor_pid));
    }
    let r = rt.block_on(async {
        load(upstream, REQUEST, WARMUP, CONCURRENCY).await;
        load(gw, REQUEST, WARMUP, CONCURRENCY).await;
        let direct = load(upstream, REQUEST, MEASURE, CONCURRENCY).await;
        let cpu_before = cpu_ticks(pid);
        let via = load(gw, REQUEST, MEASURE, CONCURRENCY).await;
        let cpu = cpu_ticks(pid) - cpu_before;
        let slow_direct = load(slow, REQUEST, MEASURE, CONCURRENCY).await;
        let slow_via = load(gw, SLOW_REQUEST, MEASURE, CONCURRENCY).await;
        let direct_one = load(upstream, REQUEST, MEASURE, 1).await;
        let via_one = load(gw, REQUEST, MEASURE, 1).await;
        let direct_ttft = ttft(upstream).await;
        let via_ttft = ttft(gw).await;
        load(fl, REQUEST, WARMUP, CONCURRENCY).await;
        let floor_slow = load(fl, SLOW_REQUEST, MEASURE, CONCURRENCY).await;
        let cpu_before = cpu_ticks(floor_pid);
        let floor = load(fl, REQUEST, MEASURE, CONCURRENCY).await;
        let floor_cpu = cpu_ticks(floor_pid) - cpu_before;
        let floor_one = load(fl, REQUEST, MEASURE, 1).await;
        Runs {
            floor_slow,
            floor,
            floor_cpu,
            floor_one,
            direct,
            via,
            cpu,
            slow_direct,
            slow_via,
            direct_one,
            via_one,
            direct_ttft,
            via_ttft,
        }
    });
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
    let Runs {
        direct,
        via,
        cpu,
        slow_direct,
        slow_via,
        direct_one,
        via_one,
        direct_ttft,
        via_ttft,
        floor_slow,
        floor,
        floor_cpu,
        floor_one,
    } = &r;
    let floor_cpu_per_request =
        *floor_cpu as f64 / ticks_per_second() / floor.requests as f64 * 1e6;
    let cpu_per_request = *cpu as f64 / ticks_per_second() / via.requests as f64 * 1e6;
    let cores = *cpu as f64 / ticks_per_second() / via.elapsed.as_secs_f64();
    let ttft_direct = us(pct(direct_ttft, 0.5));
    let ttft_via = us(pct(via_ttft, 0.5));
    let delay_ms = UPSTREAM_DELAY.as_millis();
    let rows = [
        row(
            &format!("{CONCURRENCY} conns, upstream in {delay_ms} ms: direct"),
            slow_direct,
        ),
        row(
            &format!("{CONCURRENCY} conns, upstream in {delay_ms} ms: through llm-router"),
            slow_via,
        ),
        row(
            &format!("{CONCURRENCY} conns, upstream in {delay_ms} ms: through the bare proxy"),
            floor_slow,
        ),
        row(
            &format!("{CONCURRENCY} conns, instant upstream: direct"),
            direct,
        ),
        row(
            &format!("{CONCURRENCY} conns, instant upstream: through llm-router"),
            via,
        ),
        row(
            &format!("{CONCURRENCY} conns, instant upstream: through the bare proxy"),
            floor,
        ),
        row("1 conn, instant upstream: direct", direct_one),
        row("1 conn, instant upstream: through llm-router", via_one),
        row(
            "1 conn, instant upstream: through the bare proxy",
            floor_one,
        ),
    ]
    .join("\n");
    let report = format!(
        "Measured {date} on this 2-core machine, {CONCURRENCY} concurrent keep-alive connections, \
{measure} s per run after {warm} s warm-up; load generator, upstreams and proxies share the cores. \
\"The bare proxy\" is the floor of this harness: axum in, hyper's pooled client out, no parsing, \
no routing — what any Rust HTTP proxy costs here before doing anything.\n\n\
| run | requests | req/s | p50 µs | p99 µs | p99.9 µs |\n|---|---|---|---|---|---|\n{rows}\n\n\
- **Added latency at {CONCURRENCY} concurrent requests** (upstream answering in {delay_ms} ms on average): \
p50 {:.0} µs, p99 {:.0} µs (targets: p50 < 200 µs, p99 < 1,000 µs); the bare proxy adds \
p50 {:.0} µs, p99 {:.0} µs.\n\
- **CPU per proxied request**: llm-router {cpu_per_request:.1} µs, the bare proxy \
{floor_cpu_per_request:.1} µs (user + system, over the saturated runs; llm-router kept \
{cores:.2} cores busy).\n\
- **Saturation** (instant upstream, {CONCURRENCY} connections back to back): added p50 {:.0} µs, \
p99 {:.0} µs (bare proxy: {:.0} µs, {:.0} µs). All processes compete for the 2 cores, so \
latency = {CONCURRENCY} ÷ throughput and the added part is about {CONCURRENCY} ÷ 2 × the CPU \
per request: a measure of CPU cost, not of waiting.\n\
- **Added latency, one connection, back to back** (nothing queues): p50 {:.0} µs, p99 {:.0} µs \
(bare proxy: {:.0} µs, {:.0} µs).\n\
- **Streaming time to first byte** (20-chunk SSE, {STREAM_SAMPLES} sequential requests, p50): \
direct {ttft_direct:.0} µs, through the gateway {ttft_via:.0} µs (added {:.0} µs).\n\
- **Gateway memory** after the run: RSS {:.1} MiB (peak {:.1} MiB).\n\
- **Start-up to ready** (process spawn → `/health/ready` 200): {:.1} ms.\n",
        added(slow_via, slow_direct, 0.5),
        added(slow_via, slow_direct, 0.99),
        added(floor_slow, slow_direct, 0.5),
        added(floor_slow, slow_direct, 0.99),
        added(via, direct, 0.5),
        added(via, direct, 0.99),
        added(floor, direct, 0.5),
        added(floor, direct, 0.99),
        added(via_one, direct_one, 0.5),
        added(via_one, direct_one, 0.99),
        added(floor_one, direct_one, 0.5),
        added(floor_one, direct_one, 0.99),
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

/// `GATEWAY_LOAD_QUICK=N`: only the 2 ms-upstream run at 16 connections, `N` rounds of direct,
/// through llm-router and through the bare proxy, printed and not written to BENCHMARKS.md
/// (for comparing builds or settings back to back).
async fn quick(
    rounds: usize,
    slow: SocketAddr,
    gw: SocketAddr,
    pid: u32,
    fl: SocketAddr,
    floor_pid: u32,
) {
    let run = Duration::from_secs(4);
    load(gw, SLOW_REQUEST, WARMUP, CONCURRENCY).await;
    load(fl, SLOW_REQUEST, WARMUP, CONCURRENCY).await;
    let tick = ticks_per_second();
    for round in 1..=rounds {
        let direct = load(slow, REQUEST, run, CONCURRENCY).await;
        let per_request = |before: (u64, u64), after: (u64, u64), n: usize| {
            let f = |t: u64| t as f64 / tick / n as f64 * 1e6;
            (f(after.0 - before.0), f(after.1 - before.1))
        };
        let before = cpu_split(pid);
        let via = load(gw, SLOW_REQUEST, run, CONCURRENCY).await;
        let via_cpu = per_request(before, cpu_split(pid), via.requests);
        let before = cpu_split(floor_pid);
        let floor = load(fl, SLOW_REQUEST, run, CONCURRENCY).await;
        let floor_cpu = per_request(before, cpu_split(floor_pid), floor.requests);
        let added = |l: &Load, p: f64| us(pct(&l.latencies, p)) - us(pct(&direct.latencies, p));
        println!(
            "round {round}: llm-router added p50 {:.0} µs p99 {:.0} µs, cpu user {:.1} + sys {:.1} µs/req; \
             bare proxy added p50 {:.0} µs p99 {:.0} µs, cpu user {:.1} + sys {:.1} µs/req",
            added(&via, 0.5),
            added(&via, 0.99),
            via_cpu.0,
            via_cpu.1,
            added(&floor, 0.5),
            added(&floor, 0.99),
            floor_cpu.0,
            floor_cpu.1,
        );
    }
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

/// The floor of the harness: a proxy that forwards the request body to the upstream (the slow
/// one when the body names `bench-slow`) with hyper's pooled client and returns the answer,
/// without parsing or routing anything. Same runtime as the gateway's default: tokio's
/// multi-threaded scheduler.
mod passthrough {
    use std::net::SocketAddr;

    use axum::Router;
    use axum::body::{Body, Bytes};
    use axum::extract::State;
    use axum::http::header;
    use axum::response::Response;
    use axum::routing::{get, post};
    use http_body_util::{BodyExt as _, Full};
    use hyper_util::client::legacy::Client;
    use hyper_util::client::legacy::connect::HttpConnector;
    use hyper_util::rt::TokioExecutor;

    #[derive(Clone)]
    struct Upstreams {
        client: Client<HttpConnector, Full<Bytes>>,
        fast: String,
        slow: String,
    }

    async fn forward(State(up): State<Upstreams>, body: Bytes) -> Response {
        let slow = body.windows(10).any(|w| w == b"bench-slow");
        let base = if slow { &up.slow } else { &up.fast };
        let req = hyper::Request::post(format!("http://{base}/v1/chat/completions"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, "Bearer sk-bench")
            .body(Full::new(body))
            .unwrap();
        let resp = up.client.request(req).await.unwrap();
        let (parts, body) = resp.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        Response::from_parts(parts, Body::from(bytes))
    }

    pub(super) fn run(listen: &str, fast: &str, slow: &str) {
        let listen: SocketAddr = listen.parse().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let up = Upstreams {
                client: Client::builder(TokioExecutor::new()).build(HttpConnector::new()),
                fast: fast.to_owned(),
                slow: slow.to_owned(),
            };
            let app = Router::new()
                .route("/v1/chat/completions", post(forward))
                .route("/health/ready", get(|| async { "ok" }))
                .with_state(up);
            let listener = tokio::net::TcpListener::bind(listen).await.unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    }
}
