//! Embeddings for llm-router, over any [`EmbeddingProvider`](llm_router_core::EmbeddingProvider).
//!
//! - [`Embedder`]: one call embeds one text or a million. Inputs are split into requests
//!   within the model's [`BatchLimits`] (inputs and tokens per request, with documented
//!   defaults by model name in [`KNOWN_MODELS`]), sent with bounded concurrency and put back
//!   in input order with their usage summed. A failed request fails the call with its error.
//!   `dimensions` is sent to providers that shorten vectors natively, or applied locally by
//!   truncating and re-normalising (Matryoshka models); base64 responses are decoded; the
//!   query/document [`InputType`](llm_router_core::InputType) hint travels on every request.
//! - [`MergeLayer`]: an embeddings [`Layer`](llm_router_core::Layer) that coalesces many small
//!   concurrent calls for the same model and options into one provider call, within a short
//!   window, and hands each caller its own vectors and a fair share of the usage.
//! - Vector helpers: [`dot`], [`l2_norm`], [`normalize`], [`cosine_similarity`],
//!   [`truncate_normalize`], [`top_k`].
//! - [`require_embeddings`] and [`NoEmbeddings`]: a provider without embeddings as a clear
//!   [`ErrorKind::Unsupported`](llm_router_core::ErrorKind::Unsupported) error.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use llm_router_core::{EmbeddingStack, SharedEmbedding};
//! use llm_router_embeddings::{cosine_similarity, top_k, BatchLimits, Embedder, MergeLayer};
//! use llm_router_mock::MockProvider;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
//! rt.block_on(async {
//!     let mock = MockProvider::new(); // deterministic unit vectors of any dimension
//!     let provider: SharedEmbedding = EmbeddingStack::new()
//!         .layer(MergeLayer::new())
//!         .build(Arc::new(mock.clone()));
//!
//!     let embedder = Embedder::new(provider, "my-embedding-model")
//!         .dimensions(64)
//!         .native_dimensions(true) // this provider takes `dimensions` itself
//!         .limits(BatchLimits::new(2, None)) // two texts per request
//!         .concurrency(2);
//!
//!     let docs = ["the cat sat", "dogs bark", "the cat sat", "rain again"];
//!     let out = embedder.embed_documents(docs).await?;
//!     assert_eq!(out.vectors.len(), 4);
//!     assert_eq!(out.requests, 2);
//!     assert_eq!(out.vectors[0].len(), 64);
//!     assert!((cosine_similarity(&out.vectors[0], &out.vectors[2]) - 1.0).abs() < 1e-5);
//!
//!     let query = embedder.embed_query("dogs bark").await?;
//!     assert_eq!(top_k(&query, &out.vectors, 1)[0].0, 1);
//!     Ok::<_, Box<dyn std::error::Error>>(())
//! })
//! # }
//! ```

mod embedder;
mod limits;
mod merge;
mod response;
mod split;
mod unsupported;
mod vector;

pub use embedder::{DEFAULT_CONCURRENCY, Embedder, Embeddings};
pub use limits::{BatchLimits, KNOWN_MODELS, ModelDefaults};
pub use merge::{DEFAULT_MAX_BATCH, DEFAULT_WINDOW, MergeLayer};
pub use split::plan_batches;
pub use unsupported::{NoEmbeddings, require_embeddings};
pub use vector::{cosine_similarity, dot, l2_norm, normalize, top_k, truncate_normalize};
