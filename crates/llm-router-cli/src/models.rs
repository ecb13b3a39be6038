//! `llm-router models`: what the configuration serves.

use std::path::Path;

use crate::{Failure, load};

/// Prints one line per model: name, what it serves, owner.
pub(crate) async fn run(config: Option<&Path>) -> Result<(), Failure> {
    let runtime = load::runtime(config).await?;
    for model in &runtime.models {
        let mut kinds = Vec::new();
        if model.chat.is_some() {
            kinds.push("chat");
        }
        if model.embeddings.is_some() {
            kinds.push("embeddings");
        }
        if model.images.is_some() {
            kinds.push("images");
        }
        println!("{}\t{}\t{}", model.name, kinds.join(","), model.owned_by);
    }
    Ok(())
}
