//! The shared reqwest client: rustls with the `ring` provider, pooled connections, timeouts.

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use llm_router_core::{Error, ErrorKind};

use crate::transport::{DirectClient, Transport, proxy_configured};

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

/// Runtimes whose pools are kept; older entries (runtimes of finished tests) are dropped.
const MAX_RUNTIMES: usize = 64;

/// One runtime's clients: reqwest's, and the transport the OpenAI-dialect path sends on
/// (direct unless a proxy is configured).
#[derive(Clone)]
struct Pools {
    reqwest: reqwest::Client,
    transport: Transport,
}

impl Pools {
    fn new() -> Result<Self, Error> {
        let config = HttpConfig::default();
        let reqwest = build_client(&config)?;
        let transport = if proxy_configured(|v| std::env::var(v).ok()) {
            Transport::Reqwest(reqwest.clone())
        } else {
            Transport::Direct(DirectClient::new(&config)?)
        };
        Ok(Self { reqwest, transport })
    }
}

static GLOBAL: OnceLock<Pools> = OnceLock::new();
static PER_RUNTIME: Mutex<Vec<(tokio::runtime::Id, Pools)>> = Mutex::new(Vec::new());

/// The shared client with default settings; every provider built without its own client uses
/// it, and so shares its connection pool.
///
/// There is one pool per tokio runtime: a pooled connection is driven by the runtime that
/// opened it and dies with it, so a client shared across runtimes (one per `#[tokio::test]`)
/// would hand out dead connections, and a gateway running one event loop per core would hop
/// between threads on every request. Providers built without their own client therefore ask
/// for it per request; the answer is cached per thread, so that costs a thread-local read.
/// Outside a runtime a process-wide client is returned.
pub fn shared_client() -> Result<reqwest::Client, Error> {
    with_pools(|p| p.reqwest.clone())
}

/// The shared [`Transport`] of the current runtime, kept as [`shared_client`] is.
pub(crate) fn shared_transport() -> Result<Transport, Error> {
    with_pools(|p| p.transport.clone())
}

fn with_pools<T>(f: impl Fn(&Pools) -> T) -> Result<T, Error> {
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        if let Some(p) = GLOBAL.get() {
            return Ok(f(p));
        }
        let p = Pools::new()?;
        return Ok(f(GLOBAL.get_or_init(|| p)));
    };
    let id = handle.id();
    if let Some(found) =
        LOCAL.with_borrow(|l| l.as_ref().filter(|(i, _)| *i == id).map(|(_, p)| f(p)))
    {
        return Ok(found);
    }
    let p = runtime_pools(id)?;
    let out = f(&p);
    LOCAL.with_borrow_mut(|l| *l = Some((id, p)));
    Ok(out)
}

thread_local! {
    /// The last runtime this thread asked about, and its pools.
    static LOCAL: std::cell::RefCell<Option<(tokio::runtime::Id, Pools)>> =
        const { std::cell::RefCell::new(None) };
}

/// The pools of runtime `id`, made on first use.
fn runtime_pools(id: tokio::runtime::Id) -> Result<Pools, Error> {
    let mut map = PER_RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, p)) = map.iter().find(|(i, _)| *i == id) {
        return Ok(p.clone());
    }
    let p = Pools::new()?;
    if map.len() >= MAX_RUNTIMES {
        map.remove(0);
    }
    map.push((id, p.clone()));
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_client_per_runtime() {
        let new_rt = || {
            tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap()
        };
        let (a, b) = (new_rt(), new_rt());
        let a1 = a.block_on(async { shared_client().unwrap() });
        let a2 = a.block_on(async { shared_client().unwrap() });
        let b1 = b.block_on(async { shared_client().unwrap() });
        // reqwest::Client has no identity to compare: check the registry instead.
        let map = PER_RUNTIME.lock().unwrap();
        assert!(map.iter().any(|(i, _)| *i == a.handle().id()));
        assert!(map.iter().any(|(i, _)| *i == b.handle().id()));
        drop((a1, a2, b1));
    }
}
