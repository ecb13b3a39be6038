//! `llm-router batch …`: a JSONL file of chat requests, run here with bounded concurrency
//! (`run`) or handed to a provider's batch API at its discount (`submit`, `status`,
//! `results`, `cancel`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use llm_router_batch::{Batch, CancelToken, Progress, RetryPolicy};
use llm_router_core::{BatchItemResult, BatchJob, SharedBatch};

use crate::dispatch::ModelTable;
use crate::{Failure, load};

/// `llm-router batch` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum BatchCommand {
    /// Run every request of the file here, through the configured models, and write one
    /// result line per request (in input order).
    Run(RunArgs),
    /// Submit the file to a provider's batch API (OpenAI Batch, Anthropic Message Batches);
    /// prints the job.
    Submit(SubmitArgs),
    /// Print a submitted job's status.
    Status(JobArgs),
    /// Download a finished job's results as JSONL (one line per request).
    Results(ResultsArgs),
    /// Cancel a submitted job.
    Cancel(JobArgs),
}

/// Arguments of `batch run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// JSONL input: OpenAI batch lines (`custom_id`, `method`, `url`, `body`) or chat requests.
    #[arg(long, short = 'i')]
    input: PathBuf,
    /// Where to write the results (default: stdout).
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Send every request to this model instead of the one in its line.
    #[arg(long, short = 'm')]
    model: Option<String>,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Attempts per request for retryable errors (1 = no retry).
    #[arg(long, default_value_t = 3)]
    attempts: u32,
}

/// Arguments of `batch submit`.
#[derive(Debug, Args)]
pub(crate) struct SubmitArgs {
    /// The provider (a `[providers.<name>]` of the configuration with a batch API).
    #[arg(long, short = 'p')]
    provider: String,
    /// JSONL input; `model` in each request is the provider's own model id.
    #[arg(long, short = 'i')]
    input: PathBuf,
    /// Wait until the job finishes, printing its progress.
    #[arg(long)]
    wait: bool,
    /// Seconds between status polls with `--wait`.
    #[arg(long, default_value_t = 30)]
    poll_seconds: u64,
}

/// A job of a provider.
#[derive(Debug, Args)]
pub(crate) struct JobArgs {
    /// The provider that runs the job.
    #[arg(long, short = 'p')]
    provider: String,
    /// The job id `submit` printed.
    id: String,
}

/// Arguments of `batch results`.
#[derive(Debug, Args)]
pub(crate) struct ResultsArgs {
    /// The job.
    #[command(flatten)]
    job: JobArgs,
    /// Where to write the results (default: stdout).
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
}

/// Runs one batch subcommand.
pub(crate) async fn run(config: Option<&Path>, cmd: BatchCommand) -> Result<(), Failure> {
    match cmd {
        BatchCommand::Run(args) => run_local(config, args).await,
        BatchCommand::Submit(args) => submit(config, args).await,
        BatchCommand::Status(args) => {
            let provider = batch_provider(config, &args.provider).await?;
            print_job(&llm_router_batch::status(provider.as_ref(), &args.id).await?)
        }
        BatchCommand::Results(args) => {
            let provider = batch_provider(config, &args.job.provider).await?;
            let results = llm_router_batch::results(provider.as_ref(), &args.job.id).await?;
            write_results(args.output.as_deref(), &results)?;
            let failed = results.iter().filter(|r| r.result.is_err()).count();
            eprintln!("{} results, {failed} failed", results.len());
            Ok(())
        }
        BatchCommand::Cancel(args) => {
            let provider = batch_provider(config, &args.provider).await?;
            print_job(&llm_router_batch::cancel(provider.as_ref(), &args.id).await?)
        }
    }
}

/// `batch run`: local, bounded concurrency, a progress bar on stderr, Ctrl-C cancels what is
/// left (finished results are still written).
async fn run_local(config: Option<&Path>, args: RunArgs) -> Result<(), Failure> {
    let mut items = llm_router_batch::read_jsonl_file(&args.input)?;
    if let Some(model) = &args.model {
        for item in &mut items {
            item.request.model.clone_from(model);
        }
    }
    let runtime = load::runtime(config).await?;
    let table = ModelTable::new(&runtime.models);
    for item in &items {
        table.check(&item.request.model)?;
    }
    let total = items.len() as u64;
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} [{elapsed_precise}, eta {eta}]")
            .map_err(|e| Failure(e.to_string()))?,
    );
    let progress_bar = bar.clone();
    let token = CancelToken::new();
    let on_ctrl_c = token.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    let batch = Batch::new(Arc::new(table))
        .concurrency(args.concurrency.max(1))
        .retry(RetryPolicy::new(args.attempts.max(1)))
        .cancel_token(token)
        .on_progress(move |p: Progress| {
            progress_bar.set_position(p.done as u64);
            if p.failed > 0 {
                progress_bar.set_message(format!("{} failed", p.failed));
            }
        });
    let results = batch.run_items(items).await;
    bar.finish();
    write_results(args.output.as_deref(), &results)?;
    let failed = results.iter().filter(|r| r.result.is_err()).count();
    eprintln!("{} requests, {failed} failed", results.len());
    if failed > 0 {
        return Err(Failure(format!(
            "{failed} of {} requests failed",
            results.len()
        )));
    }
    Ok(())
}

/// `batch submit`: checks the file, submits it, optionally waits.
async fn submit(config: Option<&Path>, args: SubmitArgs) -> Result<(), Failure> {
    let items = llm_router_batch::read_jsonl_file(&args.input)?;
    let provider = batch_provider(config, &args.provider).await?;
    let job = llm_router_batch::submit(provider.as_ref(), items).await?;
    print_job(&job)?;
    if args.wait {
        let interval = Duration::from_secs(args.poll_seconds.max(1));
        let job = llm_router_batch::wait_for(provider.as_ref(), &job.id, interval, |job| {
            eprintln!(
                "{}: {:?} ({}/{} done, {} failed)",
                job.id, job.status, job.counts.completed, job.counts.total, job.counts.failed
            );
        })
        .await?;
        print_job(&job)?;
    }
    Ok(())
}

/// The batch API of a configured provider.
async fn batch_provider(config: Option<&Path>, name: &str) -> Result<SharedBatch, Failure> {
    let runtime = load::runtime(config).await?;
    runtime.batch_providers.get(name).cloned().ok_or_else(|| {
        let known: Vec<&str> = runtime.batch_providers.keys().map(String::as_str).collect();
        Failure(format!(
            "provider `{name}` has no batch API in this configuration (providers with one: {})",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ))
    })
}

/// A job as one line of JSON on stdout.
fn print_job(job: &BatchJob) -> Result<(), Failure> {
    println!("{}", serde_json::to_string(job)?);
    Ok(())
}

/// Results as JSONL, to a file or stdout.
fn write_results(path: Option<&Path>, results: &[BatchItemResult]) -> Result<(), Failure> {
    match path {
        Some(path) => {
            let file = File::create(path)
                .map_err(|e| Failure(format!("cannot write {}: {e}", path.display())))?;
            llm_router_batch::write_results_jsonl(BufWriter::new(file), results)?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            llm_router_batch::write_results_jsonl(&mut lock, results)?;
            lock.flush()?;
        }
    }
    Ok(())
}
