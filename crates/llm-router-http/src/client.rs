//! The shared reqwest client: rustls with the `ring` provider, pooled connections, timeouts.

use std::sync::OnceLock;
use std::time::Duration;

use llm_router_core::{Error, ErrorKind};

/// Settings of an HTTP client.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Time to establish a connection (TCP + TLS).
    pub connect_timeout: Duration,
    /// Time to the response headers. Streams are governed by [`StreamTimeouts`](crate::StreamTimeouts)
    /// instead, so this is not a whole-body deadline.
    pub read_timeout: Option<Duration>,
    /// How long an idle pooled connection is kept.
    pub pool_idle_timeout: Duration,
    /// Idle connections kept per host.
    pub pool_max_idle_per_host: usize,
    /// `User-Agent` header.
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Some(Duration::from_secs(600)),
            pool_idle_timeout: Duration::from_secs(90),
            pool_max_idle_per_host: 32,
            user_agent: concat!("llm-router/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// Installs rustls' `ring` provider for the process unless one is installed already.
///
/// The workspace uses one TLS crypto provider everywhere (`ring`); with none installed, rustls
/// cannot pick one and building a client would fail.
pub fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may win the race; either way a provider is installed afterwards.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// Builds a client with `config`.
pub fn build_client(config: &HttpConfig) -> Result<reqwest::Client, Error> {
    ensure_crypto_provider();
    let mut b = reqwest::Client::builder()
        .connect_timeout(config.connect_timeout)
        .pool_idle_timeout(config.pool_idle_timeout)
        .pool_max_idle_per_host(config.pool_max_idle_per_host)
        .tcp_nodelay(true)
        .user_agent(config.user_agent.clone());
    if let Some(t) = config.read_timeout {
        b = b.read_timeout(t);
    }
    b.build().map_err(|e| {
        Error::new(
            ErrorKind::Config,
            format!("cannot build the HTTP client: {e}"),
        )
        .with_source(e)
    })
}

static SHARED: OnceLock<reqwest::Client> = OnceLock::new();

/// The process-wide client with default settings; every provider built without its own client
/// shares it, and so shares its connection pool.
pub fn shared_client() -> Result<reqwest::Client, Error> {
    if let Some(c) = SHARED.get() {
        return Ok(c.clone());
    }
    let c = build_client(&HttpConfig::default())?;
    Ok(SHARED.get_or_init(|| c).clone())
}
