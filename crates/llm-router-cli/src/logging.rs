//! Logs on stderr through `tracing`: `RUST_LOG` wins, then the configuration's level.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; a second call is a no-op.
pub(crate) fn init(level: &str, json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
