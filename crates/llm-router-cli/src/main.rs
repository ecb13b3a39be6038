//! `llm-router`: every LLM provider behind one OpenAI-compatible gateway, from the command line.
//!
//! - `llm-router serve [--config FILE] [--listen HOST:PORT]` runs the gateway. With no file and
//!   no provider keys it serves a built-in configuration of mock models, so every endpoint
//!   answers at once on a fresh machine; real providers join when their key env vars are set.
//! - `llm-router chat [--model M] [--system S]` is an interactive, streaming chat that keeps
//!   the conversation (`/reset` clears it, `/exit` or end of input leaves).
//! - `llm-router embed`, `llm-router models`, `llm-router config check FILE`.
//! - `llm-router batch run|submit|status|results|cancel` runs a JSONL file of requests, locally
//!   with bounded concurrency or through a provider's discounted batch API.
//!
//! Every command reads the same configuration: `--config FILE`, else `$LLM_ROUTER_CONFIG`, else
//! the built-in default.

mod batch;
mod chat;
mod check;
mod dispatch;
mod embed;
mod load;
mod logging;
mod models;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// mimalloc instead of the system allocator: a proxied request allocates and frees a few
/// hundred small buffers, and glibc malloc (arena locks, consolidation) cost about a fifth of
/// the gateway's CPU under load (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Command-line interface.
#[derive(Debug, Parser)]
#[command(
    name = "llm-router",
    version,
    about = "Every LLM provider behind one OpenAI-compatible interface"
)]
struct Cli {
    /// Configuration file (TOML). Default: $LLM_ROUTER_CONFIG, else the built-in mock
    /// configuration plus every provider whose key env var is set.
    #[arg(long, short = 'c', global = true, env = "LLM_ROUTER_CONFIG")]
    config: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the OpenAI- and Anthropic-compatible HTTP gateway.
    Serve(serve::ServeArgs),
    /// Chat interactively (streams answers, keeps the conversation).
    Chat(chat::ChatArgs),
    /// Print embeddings of texts as JSON.
    Embed(embed::EmbedArgs),
    /// List the configured models.
    Models,
    /// Configuration commands.
    Config(ConfigArgs),
    /// Batches of chat requests from a JSONL file.
    #[command(subcommand)]
    Batch(batch::BatchCommand),
}

/// `llm-router config …`
#[derive(Debug, Args)]
struct ConfigArgs {
    /// What to do with the configuration.
    #[command(subcommand)]
    command: ConfigCommand,
}

/// `llm-router config` subcommands.
#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate a configuration file without starting anything.
    Check(check::CheckArgs),
}

/// A failure that ends the command: printed on stderr, exit code 1 (2 for usage errors, which
/// clap reports itself).
#[derive(Debug)]
pub(crate) struct Failure(pub(crate) String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Dispatches one command.
async fn run(cli: Cli) -> Result<(), Failure> {
    let config = cli.config.as_deref();
    match cli.command {
        Command::Serve(args) => serve::run(config, args).await,
        Command::Chat(args) => chat::run(config, args).await,
        Command::Embed(args) => embed::run(config, args).await,
        Command::Models => models::run(config).await,
        Command::Config(ConfigArgs {
            command: ConfigCommand::Check(args),
        }) => check::run(config, args),
        Command::Batch(cmd) => batch::run(config, cmd).await,
    }
}
