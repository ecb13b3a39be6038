//! `llm-router embed`: embeddings as JSON on stdout.

use std::path::Path;

use clap::Args;
use llm_router_core::{EmbeddingRequest, InputType};

use crate::{Failure, load};

/// Arguments of `embed`.
#[derive(Debug, Args)]
pub(crate) struct EmbedArgs {
    /// Model name from the configuration (default: the first embedding model).
    #[arg(long, short = 'm')]
    model: Option<String>,
    /// Output dimensions, for models that can shorten their vectors.
    #[arg(long)]
    dimensions: Option<u32>,
    /// `query` or `document` (providers that embed them differently use it).
    #[arg(long)]
    input_type: Option<String>,
    /// The texts to embed (one vector each, in order).
    #[arg(required = true)]
    texts: Vec<String>,
}

/// Embeds the texts and prints `{"model", "usage", "data": [{"index", "embedding"}]}`.
pub(crate) async fn run(config: Option<&Path>, args: EmbedArgs) -> Result<(), Failure> {
    let runtime = load::runtime(config).await?;
    let mut candidates = runtime
        .models
        .iter()
        .filter_map(|m| m.embeddings.clone().map(|e| (m.name.clone(), e)));
    let (name, provider) = match &args.model {
        Some(wanted) => candidates.find(|(n, _)| n == wanted).ok_or_else(|| {
            Failure(format!(
                "no embedding model `{wanted}` in the configuration"
            ))
        })?,
        None => candidates
            .next()
            .ok_or_else(|| Failure("the configuration has no embedding model".into()))?,
    };
    let mut req = EmbeddingRequest::new(name, args.texts);
    req.dimensions = args.dimensions;
    req.input_type = args.input_type.map(|t| InputType::from(t.as_str()));
    let resp = provider.embed(req).await?;
    println!("{}", serde_json::to_string(&resp)?);
    Ok(())
}
