//! `llm-router chat`: an interactive, streaming chat that keeps the conversation.

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;

use clap::Args;
use futures_util::StreamExt as _;
use llm_router_core::{ChatRequest, Message, SharedChat};
use tokio::io::{AsyncBufReadExt as _, BufReader};

use crate::{Failure, load};

/// Arguments of `chat`.
#[derive(Debug, Args)]
pub(crate) struct ChatArgs {
    /// Model name from the configuration (default: the first chat model).
    #[arg(long, short = 'm')]
    model: Option<String>,
    /// A system prompt for the whole conversation.
    #[arg(long, short = 's')]
    system: Option<String>,
    /// Ask this one question, print the answer and exit (instead of the interactive loop).
    prompt: Option<String>,
}

/// Runs the chat loop (or the single question).
pub(crate) async fn run(config: Option<&Path>, args: ChatArgs) -> Result<(), Failure> {
    let runtime = load::runtime(config).await?;
    let (name, provider) = pick_model(&runtime.models, args.model.as_deref())?;
    let mut history = Vec::new();
    if let Some(system) = &args.system {
        history.push(Message::system(system.as_str()));
    }
    if let Some(prompt) = args.prompt {
        history.push(Message::user(prompt));
        ask(&provider, &name, &history).await?;
        return Ok(());
    }

    let interactive = std::io::stdin().is_terminal();
    if interactive {
        eprintln!("chatting with {name}; /reset clears the conversation, /exit or Ctrl-D leaves");
    }
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        if interactive {
            eprint!("> ");
            let _ = std::io::stderr().flush();
        }
        let Some(line) = lines.next_line().await? else {
            break;
        };
        let line = line.trim();
        match line {
            "" => continue,
            "/exit" | "/quit" => break,
            "/reset" => {
                history.retain(|m| m.role == llm_router_core::Role::System);
                eprintln!("(conversation cleared)");
                continue;
            }
            _ => {}
        }
        history.push(Message::user(line));
        match ask(&provider, &name, &history).await {
            Ok(answer) => history.push(Message::assistant(answer)),
            Err(Failure(message)) => {
                // Keep the session: the failed question is dropped, the history stays valid.
                history.pop();
                eprintln!("error: {message}");
            }
        }
    }
    Ok(())
}

/// The named chat model, or the first one.
fn pick_model(
    models: &[llm_router_config::ServedModel],
    wanted: Option<&str>,
) -> Result<(String, SharedChat), Failure> {
    let chat_models = models
        .iter()
        .filter_map(|m| m.chat.clone().map(|c| (m.name.clone(), c)));
    let mut all: Vec<(String, SharedChat)> = chat_models.collect();
    match wanted {
        Some(name) => match all.iter().position(|(n, _)| n == name) {
            Some(i) => Ok(all.swap_remove(i)),
            None => Err(Failure(format!(
                "no chat model `{name}` in the configuration; available: {}",
                all.iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        },
        None => {
            if all.is_empty() {
                Err(Failure("the configuration has no chat model".into()))
            } else {
                Ok(all.swap_remove(0))
            }
        }
    }
}

/// Streams one answer to stdout as it arrives and returns its text.
async fn ask(provider: &SharedChat, model: &str, history: &[Message]) -> Result<String, Failure> {
    let req = ChatRequest::new(model, history.to_vec());
    let mut stream = provider.chat_stream(req).await?;
    let mut answer = String::new();
    let mut stdout = std::io::stdout();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            println!();
            Failure(e.to_string())
        })?;
        if let Some(text) = chunk.text() {
            answer.push_str(text);
            let _ = write!(stdout, "{text}");
            let _ = stdout.flush();
        }
    }
    println!();
    Ok(answer)
}
