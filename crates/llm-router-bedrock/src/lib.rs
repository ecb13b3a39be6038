//! AWS Bedrock for llm-router: chat through the Converse API (`POST /model/{id}/converse`,
//! `/converse-stream`) and embeddings through InvokeModel (`/model/{id}/invoke`) for Amazon
//! Titan and Cohere Embed models.
//!
//! [`builder`] and [`from_env`] give a [`BedrockClient`] implementing
//! [`ChatProvider`](llm_router_core::ChatProvider) and
//! [`EmbeddingProvider`](llm_router_core::EmbeddingProvider). What differs from the OpenAI
//! dialect, and how it is bridged:
//!
//! - **Auth.** AWS Signature Version 4 (`aws-sigv4`, signing name `bedrock`, the client's
//!   region) over `content-type;host;x-amz-date[;x-amz-security-token]`, from
//!   [`AwsCredentials`] (access key, secret, optional session token: from the environment, the
//!   caller, or a profile of the AWS shared files, [`load_profile`]); or a Bedrock API key
//!   (`AWS_BEARER_TOKEN_BEDROCK`) sent as `Authorization: Bearer`. Model ids go in the path
//!   percent-encoded (`…-v1:0` → `…-v1%3A0`, an ARN's `/` → `%2F`, see [`encode_model_id`]);
//!   the canonical request encodes the path once more (`%253A`), as AWS expects.
//! - **Messages.** `system`/`developer` → top-level `system` blocks; user text and images
//!   (`data:` URLs only → `{image: {format, source: {bytes}}}`; remote URLs are refused with
//!   `InvalidRequest`, nothing is downloaded); assistant tool calls → `toolUse` (arguments
//!   parsed to an object); tool results → `toolResult` blocks of a user message, and
//!   consecutive messages of one role are merged (Converse wants strict alternation). A text
//!   part with `cache_control` is followed by a `cachePoint` block. Reasoning blocks this
//!   crate returned (`reasoning_details` with a signature, format `bedrock-converse`) are
//!   sent back as `reasoningContent`.
//! - **Fields.** `max_completion_tokens`/`max_tokens` → `inferenceConfig.maxTokens`,
//!   `temperature`, `top_p` → `topP`, `stop` → `stopSequences`; tools → `toolConfig.tools[].
//!   toolSpec`; `tool_choice` `auto` → `{auto:{}}`, `required` → `{any:{}}`, a function →
//!   `{tool:{name}}`, `none` → tools left out (sent without a choice when the conversation
//!   already has tool calls, since Bedrock then requires them). `n > 1`, `logprobs` and a
//!   non-text `response_format` are refused (`Unsupported`); `seed`, penalties, `logit_bias`,
//!   `reasoning_effort`, `user`, `metadata` have no Converse field and are not sent.
//! - **`extra`.** Only Converse's own top-level fields pass ([`PASSTHROUGH_FIELDS`]:
//!   `additionalModelRequestFields` for model-native parameters such as `top_k` or Claude's
//!   `thinking`, `guardrailConfig`, `performanceConfig`, …); any other key is an
//!   `InvalidRequest` error rather than a silently dropped or rejected field.
//! - **Responses.** Text blocks joined; `toolUse` → tool calls; `reasoningContent` →
//!   `reasoning_content` and `reasoning_details`. `stopReason`: `end_turn`/`stop_sequence` →
//!   `stop`, `max_tokens`/`model_context_window_exceeded` → `length`, `tool_use` →
//!   `tool_calls`, `guardrail_intervened`/`content_filtered` → `content_filter`,
//!   `malformed_*` → `error`. Usage: `prompt_tokens` = `inputTokens` + cache reads + cache
//!   writes, with `cacheReadInputTokens`/`cacheWriteInputTokens` in the details
//!   (`cache_read_tokens()`, `cache_write_tokens()`). The response id is the
//!   `x-amzn-RequestId`; `additionalModelResponseFields` and `metrics` land in `extra`.
//! - **Streams.** The binary `application/vnd.amazon.eventstream` framing is decoded with
//!   `aws-smithy-eventstream` across reads; see [`chat_chunks`]. Exception frames inside the
//!   HTTP 200 are typed errors (`throttlingException` → `RateLimited`, `validationException` →
//!   `InvalidRequest`, …; after content, `StreamInterrupted`). Usage comes from the final
//!   `metadata` event as a usage chunk; a stream ending before it is interrupted.
//! - **Embeddings.** Titan text v2 takes one text per call: texts fan out with bounded
//!   concurrency ([`BedrockBuilder::embedding_concurrency`]), order kept, `dimensions` sent,
//!   `normalize: true` (overridable with `extra.normalize`). Cohere Embed takes up to 96
//!   texts per call (longer inputs are split, order kept) with `input_type` from the request
//!   (none given → `search_document`) and `dimensions` as `output_dimension`. The
//!   family comes from the model id, or [`BedrockBuilder::embedding_api`] for ARNs.
//! - **Errors.** The type from `x-amzn-ErrorType` (or the body's `code`/`__type`) and
//!   `{"message"}`: `ThrottlingException` → `RateLimited`; `ModelNotReadyException` (also 429)
//!   → `ProviderUnavailable` (retryable, not a quota); `ServiceQuotaExceededException` →
//!   `QuotaExceeded`; `AccessDeniedException` → `PermissionDenied`; signature and token
//!   errors → `Authentication`; `ResourceNotFoundException` → `ModelNotFound`;
//!   `ModelTimeoutException` → `Timeout`; `ValidationException` → `InvalidRequest` (or
//!   `ContextLengthExceeded` when the input is too long).
//!
//! # Example
//!
//! ```
//! use llm_router_bedrock::AwsCredentials;
//! use llm_router_core::{ChatRequest, Message};
//!
//! let client = llm_router_bedrock::builder()
//!     .credentials(AwsCredentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
//!     .region("us-east-1")
//!     .build()?;
//! assert_eq!(client.base_url(), "https://bedrock-runtime.us-east-1.amazonaws.com");
//! assert!(!format!("{client:?}").contains("EXAMPLEKEY"));
//! assert_eq!(
//!     llm_router_bedrock::encode_model_id("anthropic.claude-3-haiku-20240307-v1:0"),
//!     "anthropic.claude-3-haiku-20240307-v1%3A0"
//! );
//! let req = ChatRequest::new("anthropic.claude-3-haiku-20240307-v1:0", vec![
//!     Message::system("Be brief."),
//!     Message::user("Hi"),
//! ])
//! .with_max_tokens(100)
//! .with_extra("additionalModelRequestFields", serde_json::json!({"top_k": 50}));
//! let body = client.request_body(&req)?;
//! assert_eq!(body["system"][0]["text"], "Be brief.");
//! assert_eq!(body["messages"][0]["content"][0]["text"], "Hi");
//! assert_eq!(body["inferenceConfig"]["maxTokens"], 100);
//! assert_eq!(body["additionalModelRequestFields"]["top_k"], 50);
//! # Ok::<(), llm_router_core::Error>(())
//! ```

mod auth;
mod client;
mod convert;
mod embed;
mod error;
mod eventstream;
mod profile;
mod stream;
mod wire;

use llm_router_core::{ApiKey, Capabilities, Error, ProviderInfo};

pub use auth::{AwsCredentials, SIGNING_NAME};
pub use client::{BedrockBuilder, BedrockClient, encode_model_id};
pub use convert::PASSTHROUGH_FIELDS;
pub use embed::EmbeddingApi;
pub use llm_router_http::StreamTimeouts;
pub use profile::{DEFAULT_PROFILE, Profile, load_profile, load_profile_with};
pub use stream::chat_chunks;

/// The provider's short name.
pub(crate) const NAME: &str = "bedrock";

/// The environment variable holding a Bedrock API key (bearer token).
pub const API_KEY_ENV: &str = "AWS_BEARER_TOKEN_BEDROCK";

/// The environment variables read for the region, in order.
pub const REGION_ENVS: [&str; 2] = ["AWS_REGION", "AWS_DEFAULT_REGION"];

/// The environment variable that overrides the endpoint (the AWS SDKs' service-specific
/// endpoint variable for Bedrock Runtime).
pub const BASE_URL_ENV: &str = "AWS_ENDPOINT_URL_BEDROCK_RUNTIME";

/// The endpoint pattern; `{region}` is replaced.
pub const DEFAULT_BASE_URL: &str = "https://bedrock-runtime.{region}.amazonaws.com";

/// The default endpoint of `region`.
pub fn default_base_url(region: &str) -> String {
    DEFAULT_BASE_URL.replace("{region}", region)
}

/// What this crate is and supports (the README's provider table is generated from it).
pub const INFO: ProviderInfo = ProviderInfo {
    name: NAME,
    display_name: "AWS Bedrock",
    crate_name: "llm-router-bedrock",
    feature: "bedrock",
    env_vars: &[
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        API_KEY_ENV,
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        BASE_URL_ENV,
    ],
    default_base_url: DEFAULT_BASE_URL,
    capabilities: Capabilities {
        chat: true,
        streaming: true,
        tools: true,
        vision: true,
        embeddings: true,
        images: false,
        reasoning: true,
    },
    notes: "Converse/ConverseStream; SigV4 or API key; binary event stream; Titan + Cohere embeddings; images as data: URLs only",
};

/// A builder; set credentials (or an API key) and a region.
pub fn builder() -> BedrockBuilder {
    BedrockBuilder::new()
}

/// A client configured from the environment: `AWS_BEARER_TOKEN_BEDROCK` if set, else
/// `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`), else the keys of the
/// shared-file profile `AWS_PROFILE` (or `default`; see [`load_profile`]); the region from
/// `AWS_REGION`, else `AWS_DEFAULT_REGION`, else that profile; the endpoint from
/// `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` (optional). Roles, SSO and instance credentials are not
/// resolved: export them or pass [`AwsCredentials`].
pub fn from_env() -> Result<BedrockClient, Error> {
    let mut b = builder();
    let api_key = ApiKey::from_env(API_KEY_ENV);
    let env_credentials = AwsCredentials::from_env();
    let env_region = REGION_ENVS
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|r| r.trim().to_owned())
        .find(|r| !r.is_empty());
    // The profile is read only for what the environment lacks; when only the region is
    // missing, a profile that cannot give keys is no error.
    let profile = if api_key.is_none() && env_credentials.is_none() {
        load_profile(None)?
    } else if env_region.is_none() {
        load_profile(None).unwrap_or_default()
    } else {
        Profile::default()
    };
    if let Some(k) = api_key {
        b = b.api_key(k);
    } else if let Some(c) = env_credentials.or(profile.credentials) {
        b = b.credentials(c);
    }
    if let Some(r) = env_region.or(profile.region) {
        b = b.region(r);
    }
    if let Ok(url) = std::env::var(BASE_URL_ENV)
        && !url.trim().is_empty()
    {
        b = b.base_url(url.trim());
    }
    b.build()
}
