//! `llm-router serve`: the gateway.

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::Path;
use std::time::Instant;

use clap::Args;
use llm_router_config::Runtime;
use llm_router_gateway::{CallerKey, Gateway};

use crate::{Failure, load, logging};

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (default: the config's `server.listen`, else 127.0.0.1:8080).
    #[arg(long, short = 'l', env = "LLM_ROUTER_LISTEN")]
    listen: Option<SocketAddr>,
    /// Serve on N single-threaded event loops, each with its own upstream connection pools,
    /// instead of one work-stealing runtime over all CPUs (default: the config's
    /// `server.workers`, else the work-stealing runtime). See CONFIG.md.
    #[arg(long, short = 'w', env = "LLM_ROUTER_WORKERS")]
    workers: Option<NonZeroUsize>,
}

/// Builds the gateway from the configuration and serves until SIGINT/SIGTERM, then drains.
pub(crate) async fn run(config: Option<&Path>, args: ServeArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let runtime = load::runtime(config).await?;
    logging::init(&runtime.telemetry.log_level, runtime.telemetry.json_logs);
    let listen = args.listen.unwrap_or(runtime.server.listen);
    let models: Vec<String> = runtime.models.iter().map(|m| m.name.clone()).collect();
    let workers = args.workers.or(runtime.server.workers);
    let gateway = gateway_from(runtime);
    // tokio's bind: SO_REUSEADDR and a backlog of 1024 (std's is 128).
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Failure(format!("cannot listen on {listen}: {e}")))?;
    let addr = listener.local_addr().unwrap_or(listen);
    let threads = match workers {
        Some(n) => format!("{n} event loops"),
        None => "work-stealing runtime".to_owned(),
    };
    let ready = |started: Instant| {
        tracing::info!(
            %addr,
            models = models.len(),
            threads,
            startup_ms = started.elapsed().as_secs_f64() * 1000.0,
            "llm-router gateway ready"
        );
        eprintln!(
            "llm-router listening on http://{addr} ({} models: {}), {threads}, ready in {:.1} ms",
            models.len(),
            models.join(", "),
            started.elapsed().as_secs_f64() * 1000.0
        );
    };
    match workers {
        None => {
            ready(started);
            gateway.serve(listener, shutdown_signal()).await?;
        }
        Some(n) => {
            // Non-blocking, as every loop's `from_std` needs.
            let listener = listener
                .into_std()
                .map_err(|e| Failure(format!("cannot share the listening socket: {e}")))?;
            let (stop, stopped) = tokio::sync::watch::channel(false);
            let mut finished = Vec::with_capacity(n.get());
            for i in 0..n.get() {
                finished.push(spawn_worker(i, &gateway, &listener, stopped.clone())?);
            }
            drop(listener);
            ready(started);
            serve_workers(finished, stop).await?;
        }
    }
    eprintln!("llm-router stopped");
    Ok(())
}

/// Waits for the shutdown signal, or for a worker that stopped on its own, then stops every
/// worker and waits for them to drain; a worker's error is the command's error.
async fn serve_workers(
    finished: Vec<WorkerDone>,
    stop: tokio::sync::watch::Sender<bool>,
) -> Result<(), Failure> {
    let mut first_done = futures_util::future::select_all(finished);
    let early = tokio::select! {
        () = shutdown_signal() => None,
        done = &mut first_done => Some(done),
    };
    // Either way every worker stops accepting now and drains within the grace.
    let _ = stop.send(true);
    let (first, _, rest) = match early {
        Some(done) => done,
        None => first_done.await,
    };
    let mut results = vec![first];
    results.extend(futures_util::future::join_all(rest).await);
    for result in results {
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(Failure(format!("gateway worker failed: {e}"))),
            Err(_) => return Err(Failure("a gateway worker thread panicked".into())),
        }
    }
    Ok(())
}

/// How a worker ended: its `serve` result, or a dropped sender when its thread panicked.
type WorkerDone = tokio::sync::oneshot::Receiver<std::io::Result<()>>;

/// Starts worker `n`: a thread with its own single-threaded tokio runtime serving `gateway` on
/// a handle of the shared listening socket until `stopped` turns true.
///
/// A request then runs start to end on one thread: the connection from the client, the
/// handler, and the pooled connection to the provider (providers without a client of their own
/// take the pool of the runtime they run on), so no request hops between cores. What the
/// requests share — routing, caches, limits, metrics, caller keys — is the same `Gateway`
/// behind an `Arc`; background tasks stay on the main runtime.
fn spawn_worker(
    n: usize,
    gateway: &Gateway,
    listener: &std::net::TcpListener,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> Result<WorkerDone, Failure> {
    let listener = listener
        .try_clone()
        .map_err(|e| Failure(format!("cannot share the listening socket: {e}")))?;
    let gateway = gateway.clone();
    let (done, finished) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(format!("llm-router-worker-{n}"))
        .spawn(move || {
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .and_then(|rt| {
                    rt.block_on(async move {
                        let listener = tokio::net::TcpListener::from_std(listener)?;
                        let shutdown = async move {
                            let _ = stopped.wait_for(|stop| *stop).await;
                        };
                        gateway.serve(listener, shutdown).await
                    })
                });
            let _ = done.send(result);
        })
        .map_err(|e| Failure(format!("cannot start worker thread {n}: {e}")))?;
    Ok(finished)
}

/// The gateway serving every model, key and readiness check of the runtime.
pub(crate) fn gateway_from(runtime: Runtime) -> Gateway {
    let mut builder = Gateway::builder()
        .body_limit(runtime.server.body_limit)
        .shutdown_grace(runtime.server.shutdown_grace);
    if let Some(t) = runtime.server.request_timeout {
        builder = builder.request_timeout(t);
    }
    if let Some(t) = runtime.server.sse_keep_alive {
        builder = builder.sse_keep_alive(Some(t));
    }
    for model in runtime.models {
        builder = builder.owned_by(model.name.clone(), model.owned_by.clone());
        if model.anthropic_native {
            builder = builder.keep_anthropic_fields(model.name.clone());
        }
        if let Some(chat) = model.chat {
            builder = builder.chat_model(model.name.clone(), chat);
        }
        if let Some(embeddings) = model.embeddings {
            builder = builder.embedding_model(model.name.clone(), embeddings);
        }
        if let Some(images) = model.images {
            builder = builder.image_model(model.name.clone(), images);
        }
    }
    for spec in runtime.caller_keys {
        let mut key = CallerKey::from_sha256(spec.name, spec.sha256);
        if !spec.models.is_empty() {
            key = key.allow_models(spec.models);
        }
        if let Some(n) = spec.requests_per_minute {
            key = key.requests_per_minute(n);
        }
        if let Some(n) = spec.tokens_per_minute {
            key = key.tokens_per_minute(n);
        }
        if let Some(n) = spec.concurrency {
            key = key.concurrency(n);
        }
        builder = builder.caller_key(key);
    }
    for check in runtime.readiness {
        let f = check.check;
        builder = builder.readiness_check(check.name, move || f());
    }
    builder.build()
}

/// Resolves on Ctrl-C or SIGTERM (what Kubernetes sends before killing a pod).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    eprintln!("llm-router: shutting down, letting in-flight requests finish");
}
