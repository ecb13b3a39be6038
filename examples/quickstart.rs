//! Quickstart: one chat call and one streamed call.
//!
//! With `OPENAI_API_KEY` set this calls OpenAI (model from `OPENAI_MODEL`, default
//! `gpt-4o-mini`); without it, the built-in mock provider answers. It says which it used.
//!
//! ```sh
//! cargo run -p examples --example quickstart
//! ```

use std::io::Write as _;
use std::sync::Arc;

use futures_util::StreamExt as _;
use llm_router::mock::MockProvider;
use llm_router::{ChatRequest, Message, SharedChat};

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), llm_router::Error> {
    let (provider, model): (SharedChat, String) =
        if std::env::var("OPENAI_API_KEY").is_ok_and(|k| !k.trim().is_empty()) {
            let model = std::env::var("OPENAI_MODEL").unwrap_or_else(|_| "gpt-4o-mini".to_owned());
            println!("provider: OpenAI ({model}), because OPENAI_API_KEY is set");
            (Arc::new(llm_router::openai::from_env()?), model)
        } else {
            println!("provider: mock (set OPENAI_API_KEY to call OpenAI)");
            let mock = MockProvider::new()
                .reply("capital of France", "The capital of France is Paris.")
                .reply(
                    "haiku",
                    "Packets cross the wire / one interface for them all / the router hums on",
                );
            (Arc::new(mock), "mock-model".to_owned())
        };

    let req = ChatRequest::new(
        model.clone(),
        vec![
            Message::system("You answer in one sentence."),
            Message::user("What is the capital of France?"),
        ],
    );
    let resp = provider.chat(req).await?;
    println!("chat: {}", resp.text());
    if let Some(u) = &resp.usage {
        println!("usage: {} in, {} out", u.input_tokens(), u.output_tokens());
    }

    let req = ChatRequest::new(model, vec![Message::user("Write a haiku about routers.")]);
    let mut stream = provider.chat_stream(req).await?;
    print!("stream: ");
    while let Some(chunk) = stream.next().await {
        if let Some(text) = chunk?.text() {
            print!("{text}");
            let _ = std::io::stdout().flush();
        }
    }
    println!();
    Ok(())
}
