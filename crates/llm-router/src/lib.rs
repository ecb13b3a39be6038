//! llm-router: every major LLM provider behind one OpenAI-shaped interface.
//!
//! The mental model is one function, `async fn(ChatRequest) -> Result<ChatResponse, Error>`,
//! implemented by every provider client and by every layer (cache, retry, rate limit, routing)
//! that wraps one. This crate only re-exports: the canonical types and traits of
//! [`llm_router_core`] at the root, and each provider or feature crate as a module behind a
//! cargo feature of the same name.
//!
//! | feature | module | what it is |
//! |---|---|---|
//! | `openai` | [`openai`] | OpenAI: chat, streaming, tools, vision, embeddings, images |
//! | `anthropic` | [`anthropic`] | Anthropic Messages API: tools, vision, thinking with signatures, prompt caching |
//! | `gemini` | [`gemini`] | Google Gemini (native API): tools, vision, thought signatures, embeddings |
//! | `deepseek` | [`deepseek`] | DeepSeek: reasoning_content, prefix completion |
//! | `openrouter` | [`openrouter`] | OpenRouter: attribution headers, provider routing, reasoning |
//! | `zhipu` | [`zhipu`] | Zhipu GLM: optional JWT auth, business error codes, embeddings |
//! | `qwen` | [`qwen`] | Qwen / DashScope: compatible mode and native API, embeddings |
//! | `ollama` | [`ollama`] | Ollama native API: NDJSON streams, tools, images, embeddings |
//! | `azure` | [`azure`] | Azure OpenAI: deployments or v1 paths, api-key or Entra ID, content-filter results |
//! | `mistral` | [`mistral`] | Mistral: 9-character tool-call ids mapped, random_seed, tool_choice any, embeddings |
//! | `cohere` | [`cohere`] | Cohere v2 (native): documents and citations, tools, embed input types |
//! | `ai21` | [`ai21`] | AI21 Jamba: documents, JSON mode |
//! | `huggingface` | [`huggingface`] | Hugging Face router (provider-suffixed model ids) and feature-extraction embeddings |
//! | `meta-llama` | [`meta_llama`] | Meta Llama API: native shape and the OpenAI-compatible surface |
//! | `spark` | [`spark`] | iFlytek Spark (讯飞星火): HTTP (APIPassword) and signed WebSocket surfaces |
//! | `bedrock` | [`bedrock`] | AWS Bedrock: Converse/ConverseStream with SigV4 or API keys, binary event streams, Titan and Cohere embeddings |
//! | `ernie` | [`ernie`] | Baidu ERNIE (Qianfan): v2 OpenAI-compatible and legacy wenxinworkshop (access tokens, error codes in 200 bodies) |
//! | `openai-compat` | [`openai_compat`] | any OpenAI-compatible endpoint, declared as a `Dialect` |
//! | `retry` | [`retry`] | `RetryLayer` (backoff, Retry-After) and `TimeoutLayer` (per attempt, stream idle/total) |
//! | `limiter` | [`limiter`] | `RateLimitLayer`: requests/tokens per minute, concurrency, scopes; Redis backend with `limiter-redis` |
//! | `limiter-redis` | | the `redis` backend of [`limiter`] |
//! | `routing` | [`routing`] | `Router` (groups, strategies, failover, health) and `ModelRouter` (rules) |
//! | `cache` | [`cache`] | `CacheLayer` with an in-memory store; `cache-disk`, `cache-redis` add backends |
//! | `cache-disk` | | the `disk` backend of [`cache`] |
//! | `cache-redis` | | the `redis` backend of [`cache`] |
//! | `tokens` | [`tokens`] | token counting with tiktoken (exact for OpenAI families), model limits |
//! | `memory` | [`memory`] | `Conversation` with token budgets: sliding window, truncate, incremental summaries; Redis store with `memory-redis` |
//! | `memory-redis` | | the `redis` backend of [`memory`] |
//! | `prompt` | [`prompt`] | handlebars `PromptTemplate` (strict), chat templates, a built-in library |
//! | `batch` | [`batch`] | batches of chat requests: bounded concurrency, per-item results and retry, progress, cancellation; provider batch APIs (OpenAI, Anthropic) behind one trait |
//! | `messages-api` | [`messages_api`] | the Anthropic Messages API over any provider: request, response and stream-event conversion |
//! | `embeddings` | [`embeddings`] | Embedder (split by provider limits, bounded concurrency, dimensions, normalisation), MergeLayer (request coalescing), vector helpers |
//! | `gateway` | [`gateway`] | the OpenAI- and Anthropic-compatible HTTP gateway (axum), mountable in your own app |
//! | `config` | [`config`] | one TOML file to providers, models, routing, retry, cache, limits and caller keys (what `llm-router serve` runs) |
//! | `mock` | [`mock`] | `MockProvider` for your tests (not in `full`) |
//! | `all-providers` | | every provider |
//! | `full` | | everything except `mock` |
//!
//! # Example
//!
//! ```
//! # #[cfg(feature = "mock")] {
//! use llm_router::{ChatProvider, ChatRequest, Message};
//! use llm_router::mock::MockProvider;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let provider = MockProvider::new().reply("Hello", "Hi there!");
//! let resp = provider
//!     .chat(ChatRequest::new("mock-model", vec![Message::user("Hello!")]))
//!     .await?;
//! assert_eq!(resp.text(), "Hi there!");
//! # Ok::<(), llm_router::Error>(())
//! # }).unwrap();
//! # }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use llm_router_core::*;

// modules:start (generated from the feature list)
/// OpenAI: chat, streaming, tools, vision, embeddings, images (`features = ["openai"]`).
#[cfg(feature = "openai")]
#[cfg_attr(docsrs, doc(cfg(feature = "openai")))]
pub mod openai {
    pub use llm_router_openai::*;
}

/// Anthropic Messages API: tools, vision, thinking with signatures, prompt caching (`features = ["anthropic"]`).
#[cfg(feature = "anthropic")]
#[cfg_attr(docsrs, doc(cfg(feature = "anthropic")))]
pub mod anthropic {
    pub use llm_router_anthropic::*;
}

/// Google Gemini (native API): tools, vision, thought signatures, embeddings (`features = ["gemini"]`).
#[cfg(feature = "gemini")]
#[cfg_attr(docsrs, doc(cfg(feature = "gemini")))]
pub mod gemini {
    pub use llm_router_gemini::*;
}

/// DeepSeek: reasoning_content, prefix completion (`features = ["deepseek"]`).
#[cfg(feature = "deepseek")]
#[cfg_attr(docsrs, doc(cfg(feature = "deepseek")))]
pub mod deepseek {
    pub use llm_router_deepseek::*;
}

/// OpenRouter: attribution headers, provider routing, reasoning (`features = ["openrouter"]`).
#[cfg(feature = "openrouter")]
#[cfg_attr(docsrs, doc(cfg(feature = "openrouter")))]
pub mod openrouter {
    pub use llm_router_openrouter::*;
}

/// Zhipu GLM: optional JWT auth, business error codes, embeddings (`features = ["zhipu"]`).
#[cfg(feature = "zhipu")]
#[cfg_attr(docsrs, doc(cfg(feature = "zhipu")))]
pub mod zhipu {
    pub use llm_router_zhipu::*;
}

/// Qwen / DashScope: compatible mode and native API, embeddings (`features = ["qwen"]`).
#[cfg(feature = "qwen")]
#[cfg_attr(docsrs, doc(cfg(feature = "qwen")))]
pub mod qwen {
    pub use llm_router_qwen::*;
}

/// Ollama native API: NDJSON streams, tools, images, embeddings (`features = ["ollama"]`).
#[cfg(feature = "ollama")]
#[cfg_attr(docsrs, doc(cfg(feature = "ollama")))]
pub mod ollama {
    pub use llm_router_ollama::*;
}

/// Azure OpenAI: deployments or v1 paths, api-key or Entra ID, content-filter results (`features = ["azure"]`).
#[cfg(feature = "azure")]
#[cfg_attr(docsrs, doc(cfg(feature = "azure")))]
pub mod azure {
    pub use llm_router_azure::*;
}

/// Mistral: 9-character tool-call ids mapped, random_seed, tool_choice any, embeddings (`features = ["mistral"]`).
#[cfg(feature = "mistral")]
#[cfg_attr(docsrs, doc(cfg(feature = "mistral")))]
pub mod mistral {
    pub use llm_router_mistral::*;
}

/// Cohere v2 (native): documents and citations, tools, embed input types (`features = ["cohere"]`).
#[cfg(feature = "cohere")]
#[cfg_attr(docsrs, doc(cfg(feature = "cohere")))]
pub mod cohere {
    pub use llm_router_cohere::*;
}

/// AI21 Jamba: documents, JSON mode (`features = ["ai21"]`).
#[cfg(feature = "ai21")]
#[cfg_attr(docsrs, doc(cfg(feature = "ai21")))]
pub mod ai21 {
    pub use llm_router_ai21::*;
}

/// Hugging Face router (provider-suffixed model ids) and feature-extraction embeddings (`features = ["huggingface"]`).
#[cfg(feature = "huggingface")]
#[cfg_attr(docsrs, doc(cfg(feature = "huggingface")))]
pub mod huggingface {
    pub use llm_router_huggingface::*;
}

/// Meta Llama API: native shape and the OpenAI-compatible surface (`features = ["meta-llama"]`).
#[cfg(feature = "meta-llama")]
#[cfg_attr(docsrs, doc(cfg(feature = "meta-llama")))]
pub mod meta_llama {
    pub use llm_router_meta_llama::*;
}

/// Any OpenAI-compatible endpoint, declared as a `Dialect` (`features = ["openai-compat"]`).
#[cfg(feature = "openai-compat")]
#[cfg_attr(docsrs, doc(cfg(feature = "openai-compat")))]
pub mod openai_compat {
    pub use llm_router_openai_compat::*;
}

/// `RetryLayer` (backoff, Retry-After) and `TimeoutLayer` (per attempt, stream idle/total) (`features = ["retry"]`).
#[cfg(feature = "retry")]
#[cfg_attr(docsrs, doc(cfg(feature = "retry")))]
pub mod retry {
    pub use llm_router_retry::*;
}

/// `RateLimitLayer`: requests/tokens per minute, concurrency, scopes; Redis backend with `limiter-redis` (`features = ["limiter"]`).
#[cfg(feature = "limiter")]
#[cfg_attr(docsrs, doc(cfg(feature = "limiter")))]
pub mod limiter {
    pub use llm_router_limiter::*;
}

/// `Router` (groups, strategies, failover, health) and `ModelRouter` (rules) (`features = ["routing"]`).
#[cfg(feature = "routing")]
#[cfg_attr(docsrs, doc(cfg(feature = "routing")))]
pub mod routing {
    pub use llm_router_routing::*;
}

/// `CacheLayer` with an in-memory store; `cache-disk`, `cache-redis` add backends (`features = ["cache"]`).
#[cfg(feature = "cache")]
#[cfg_attr(docsrs, doc(cfg(feature = "cache")))]
pub mod cache {
    pub use llm_router_cache::*;
}

/// Token counting with tiktoken (exact for OpenAI families), model limits (`features = ["tokens"]`).
#[cfg(feature = "tokens")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokens")))]
pub mod tokens {
    pub use llm_router_tokens::*;
}

/// `Conversation` with token budgets: sliding window, truncate, incremental summaries; Redis store with `memory-redis` (`features = ["memory"]`).
#[cfg(feature = "memory")]
#[cfg_attr(docsrs, doc(cfg(feature = "memory")))]
pub mod memory {
    pub use llm_router_memory::*;
}

/// Handlebars `PromptTemplate` (strict), chat templates, a built-in library (`features = ["prompt"]`).
#[cfg(feature = "prompt")]
#[cfg_attr(docsrs, doc(cfg(feature = "prompt")))]
pub mod prompt {
    pub use llm_router_prompt::*;
}

/// `MockProvider` for your tests (not in `full`) (`features = ["mock"]`).
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock {
    pub use llm_router_mock::*;
}

/// iFlytek Spark (讯飞星火): HTTP (APIPassword) and signed WebSocket surfaces (`features = ["spark"]`).
#[cfg(feature = "spark")]
#[cfg_attr(docsrs, doc(cfg(feature = "spark")))]
pub mod spark {
    pub use llm_router_spark::*;
}

/// batches of chat requests: bounded concurrency, per-item results and retry, progress, cancellation; provider batch APIs (OpenAI, Anthropic) behind one trait (`features = ["batch"]`).
#[cfg(feature = "batch")]
#[cfg_attr(docsrs, doc(cfg(feature = "batch")))]
pub mod batch {
    pub use llm_router_batch::*;
}

/// AWS Bedrock: Converse/ConverseStream with SigV4 or API keys, binary event streams, Titan and Cohere embeddings (`features = ["bedrock"]`).
#[cfg(feature = "bedrock")]
#[cfg_attr(docsrs, doc(cfg(feature = "bedrock")))]
pub mod bedrock {
    pub use llm_router_bedrock::*;
}

/// Baidu ERNIE (Qianfan): v2 OpenAI-compatible and legacy wenxinworkshop (access tokens, error codes in 200 bodies) (`features = ["ernie"]`).
#[cfg(feature = "ernie")]
#[cfg_attr(docsrs, doc(cfg(feature = "ernie")))]
pub mod ernie {
    pub use llm_router_ernie::*;
}

/// the Anthropic Messages API over any provider: request, response and stream-event conversion (`features = ["messages-api"]`).
#[cfg(feature = "messages-api")]
#[cfg_attr(docsrs, doc(cfg(feature = "messages-api")))]
pub mod messages_api {
    pub use llm_router_messages_api::*;
}

/// Embedder (split by provider limits, bounded concurrency, dimensions, normalisation), MergeLayer (request coalescing), vector helpers (`features = ["embeddings"]`).
#[cfg(feature = "embeddings")]
#[cfg_attr(docsrs, doc(cfg(feature = "embeddings")))]
pub mod embeddings {
    pub use llm_router_embeddings::*;
}

/// the OpenAI- and Anthropic-compatible HTTP gateway (axum), mountable in your own app (`features = ["gateway"]`).
#[cfg(feature = "gateway")]
#[cfg_attr(docsrs, doc(cfg(feature = "gateway")))]
pub mod gateway {
    pub use llm_router_gateway::*;
}

/// one TOML file to providers, models, routing, retry, cache, limits and caller keys (what `llm-router serve` runs) (`features = ["config"]`).
#[cfg(feature = "config")]
#[cfg_attr(docsrs, doc(cfg(feature = "config")))]
pub mod config {
    pub use llm_router_config::*;
}

// modules:end

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../../../README.md")]
#[cfg(all(doctest, feature = "mock", feature = "openai"))]
pub struct ReadmeDoctests;
