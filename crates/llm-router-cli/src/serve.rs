//! `llm-router serve`: the gateway.

use std::net::SocketAddr;
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
}

/// Builds the gateway from the configuration and serves until SIGINT/SIGTERM, then drains.
pub(crate) async fn run(config: Option<&Path>, args: ServeArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let runtime = load::runtime(config).await?;
    logging::init(&runtime.telemetry.log_level, runtime.telemetry.json_logs);
    let listen = args.listen.unwrap_or(runtime.server.listen);
    let models: Vec<String> = runtime.models.iter().map(|m| m.name.clone()).collect();
    let gateway = gateway_from(runtime);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Failure(format!("cannot listen on {listen}: {e}")))?;
    let addr = listener.local_addr().unwrap_or(listen);
    tracing::info!(
        %addr,
        models = models.len(),
        startup_ms = started.elapsed().as_secs_f64() * 1000.0,
        "llm-router gateway ready"
    );
    eprintln!(
        "llm-router listening on http://{addr} ({} models: {}), ready in {:.1} ms",
        models.len(),
        models.join(", "),
        started.elapsed().as_secs_f64() * 1000.0
    );
    gateway.serve(listener, shutdown_signal()).await?;
    eprintln!("llm-router stopped");
    Ok(())
}

/// The gateway serving every model, key and readiness check of the runtime.
pub(crate) fn gateway_from(runtime: Runtime) -> Gateway {
    let mut builder = Gateway::builder()
        .body_limit(runtime.server.body_limit)
        .shutdown_grace(runtime.server.shutdown_grace);
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
