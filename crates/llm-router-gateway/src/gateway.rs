//! [`Gateway`]: the axum [`Router`] and a server loop with graceful shutdown.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, Method, Uri};
use axum::routing::{get, post};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::builder::GatewayBuilder;
use crate::routes::{self, chat, count_tokens, embeddings, health, images, messages, models};
use crate::state::Inner;

/// The OpenAI-compatible gateway. Cheap to clone (one `Arc`).
///
/// Mount [`router`](Self::router) in your own axum app, or let [`serve`](Self::serve) run it.
#[derive(Clone)]
pub struct Gateway {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gateway")
            .field(
                "models",
                &self
                    .inner
                    .listed
                    .iter()
                    .map(|m| m.id.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("caller_keys", &self.inner.keys.is_enabled())
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// A builder.
    pub fn builder() -> GatewayBuilder {
        GatewayBuilder::default()
    }

    /// The routes: `POST /v1/chat/completions`, `POST /v1/embeddings`,
    /// `POST /v1/images/generations`, `POST /v1/messages`, `POST /v1/messages/count_tokens`,
    /// `GET /v1/models`, `GET /v1/models/{id}` (ids may contain `/`), `GET /health/live`,
    /// `GET /health/ready`, `GET /metrics`, with the body limit applied.
    ///
    /// The router has no fallback, so it merges into an app that has one;
    /// [`serve`](Self::serve) adds an OpenAI-shaped 404.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/v1/chat/completions", post(chat::handle))
            .route("/v1/embeddings", post(embeddings::handle))
            .route("/v1/images/generations", post(images::handle))
            .route("/v1/messages", post(messages::handle))
            .route("/v1/messages/count_tokens", post(count_tokens::handle))
            .route("/v1/models", get(models::list))
            .route("/v1/models/{*id}", get(models::get))
            .route("/health/live", get(health::live))
            .route("/health/ready", get(health::ready))
            .route("/metrics", get(health::metrics))
            .layer(DefaultBodyLimit::max(self.inner.body_limit))
            .with_state(Arc::clone(&self.inner))
    }

    /// Serves HTTP/1.1 and HTTP/2 (cleartext) on `listener` until `shutdown` completes.
    ///
    /// Then it stops accepting, marks itself not ready, lets in-flight requests and streams
    /// finish for up to the shutdown grace, and cuts what is left (dropping a stream cancels
    /// its upstream request). Returns once every connection is closed.
    pub async fn serve(
        &self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let inner = Arc::clone(&self.inner);
        let app = self
            .router()
            .fallback(move |method: Method, uri: Uri, headers: HeaderMap| {
                let inner = Arc::clone(&inner);
                async move { routes::not_found(&inner, &method, &uri, &headers) }
            });
        let builder = auto::Builder::new(TokioExecutor::new());
        let graceful = GracefulShutdown::new();
        let mut connections = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => {
                    let (stream, _peer) = match accepted {
                        Ok(conn) => conn,
                        Err(err) => {
                            // Out of file descriptors and the like: back off, keep serving.
                            tracing::warn!(error = %err, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    // Stream chunks are small writes: send them now, not after Nagle's wait.
                    let _ = stream.set_nodelay(true);
                    let service = TowerToHyperService::new(app.clone());
                    let conn = builder
                        .serve_connection_with_upgrades(TokioIo::new(stream), service)
                        .into_owned();
                    let conn = graceful.watch(conn);
                    connections.spawn(async move {
                        if let Err(err) = conn.await {
                            tracing::debug!(error = %err, "connection ended with an error");
                        }
                    });
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        drop(listener);
        self.inner.shutting_down.store(true, Ordering::Relaxed);
        let grace = self.inner.shutdown_grace;
        tracing::info!(
            connections = connections.len(),
            ?grace,
            "shutting down: no new connections; waiting for in-flight requests"
        );
        if tokio::time::timeout(grace, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!(
                connections = connections.len(),
                "shutdown grace over: cutting the remaining connections"
            );
            connections.abort_all();
        }
        while connections.join_next().await.is_some() {}
        Ok(())
    }
}
