//! From a `[providers.<name>]` table to clients: the one place that knows every provider
//! crate's builder. Add a provider here (a [`ProviderKind`] variant, its
//! [`ProviderKind::info`] and one arm of [`build_provider`]).

use std::sync::Arc;

use llm_router_core::{
    ApiKey, Capabilities, Error, ErrorKind, ProviderInfo, SharedBatch, SharedChat, SharedEmbedding,
    SharedImage,
};
use llm_router_http::StreamTimeouts;
use llm_router_mock::MockProvider;
use llm_router_openai_compat::{Auth, Dialect, MaxTokensField, OpenAiCompatClient, Quirks};

use crate::interpolate::SecretRef;
use crate::model::{AuthStyle, MaxTokensFieldConfig, ProviderConfig, ProviderKind};

/// The clients built for one provider; a kind it does not serve is `None`.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct BuiltProvider {
    /// Chat completions.
    pub chat: Option<SharedChat>,
    /// Embeddings.
    pub embeddings: Option<SharedEmbedding>,
    /// Image generation.
    pub images: Option<SharedImage>,
    /// The provider's batch API (OpenAI Batch, Anthropic Message Batches).
    pub batch: Option<SharedBatch>,
}

impl std::fmt::Debug for BuiltProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltProvider")
            .field("chat", &self.chat.is_some())
            .field("embeddings", &self.embeddings.is_some())
            .field("images", &self.images.is_some())
            .field("batch", &self.batch.is_some())
            .finish()
    }
}

const MOCK_INFO: ProviderInfo = ProviderInfo {
    name: "mock",
    display_name: "Mock",
    crate_name: "llm-router-mock",
    feature: "mock",
    env_vars: &[],
    default_base_url: "",
    capabilities: Capabilities {
        chat: true,
        streaming: true,
        tools: true,
        vision: true,
        embeddings: true,
        images: true,
        reasoning: false,
    },
    notes: "in-process, no network",
};

impl ProviderKind {
    /// Every kind, in documentation order.
    pub const ALL: [ProviderKind; 19] = [
        ProviderKind::Openai,
        ProviderKind::Azure,
        ProviderKind::Anthropic,
        ProviderKind::Gemini,
        ProviderKind::Deepseek,
        ProviderKind::Openrouter,
        ProviderKind::Zhipu,
        ProviderKind::Qwen,
        ProviderKind::Ollama,
        ProviderKind::Mistral,
        ProviderKind::Cohere,
        ProviderKind::Ai21,
        ProviderKind::Huggingface,
        ProviderKind::MetaLlama,
        ProviderKind::Bedrock,
        ProviderKind::Ernie,
        ProviderKind::Spark,
        ProviderKind::Mock,
        ProviderKind::OpenaiCompatible,
    ];

    /// The name written in `kind = "…"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Openai => "openai",
            ProviderKind::Azure => "azure",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::Gemini => "gemini",
            ProviderKind::Deepseek => "deepseek",
            ProviderKind::Openrouter => "openrouter",
            ProviderKind::Zhipu => "zhipu",
            ProviderKind::Qwen => "qwen",
            ProviderKind::Ollama => "ollama",
            ProviderKind::Mistral => "mistral",
            ProviderKind::Cohere => "cohere",
            ProviderKind::Ai21 => "ai21",
            ProviderKind::Huggingface => "huggingface",
            ProviderKind::MetaLlama => "meta-llama",
            ProviderKind::Bedrock => "bedrock",
            ProviderKind::Ernie => "ernie",
            ProviderKind::Spark => "spark",
            ProviderKind::Mock => "mock",
            ProviderKind::OpenaiCompatible => "openai-compatible",
        }
    }

    /// The provider crate's description (`None` for `openai-compatible`).
    pub fn info(self) -> Option<&'static ProviderInfo> {
        Some(match self {
            ProviderKind::Openai => &llm_router_openai::INFO,
            ProviderKind::Azure => &llm_router_azure::INFO,
            ProviderKind::Anthropic => &llm_router_anthropic::INFO,
            ProviderKind::Gemini => &llm_router_gemini::INFO,
            ProviderKind::Deepseek => &llm_router_deepseek::INFO,
            ProviderKind::Openrouter => &llm_router_openrouter::INFO,
            ProviderKind::Zhipu => &llm_router_zhipu::INFO,
            ProviderKind::Qwen => &llm_router_qwen::INFO,
            ProviderKind::Ollama => &llm_router_ollama::INFO,
            ProviderKind::Mistral => &llm_router_mistral::INFO,
            ProviderKind::Cohere => &llm_router_cohere::INFO,
            ProviderKind::Ai21 => &llm_router_ai21::INFO,
            ProviderKind::Huggingface => &llm_router_huggingface::INFO,
            ProviderKind::MetaLlama => &llm_router_meta_llama::INFO,
            ProviderKind::Bedrock => &llm_router_bedrock::INFO,
            ProviderKind::Ernie => &llm_router_ernie::INFO,
            ProviderKind::Spark => &llm_router_spark::INFO,
            ProviderKind::Mock => &MOCK_INFO,
            ProviderKind::OpenaiCompatible => return None,
        })
    }

    /// The environment variable its key conventionally lives in (`OPENAI_API_KEY`).
    pub fn key_env(self) -> Option<&'static str> {
        match self {
            ProviderKind::Ollama | ProviderKind::Mock | ProviderKind::OpenaiCompatible => None,
            ProviderKind::Bedrock => Some(llm_router_bedrock::API_KEY_ENV),
            other => other.info().and_then(|i| i.env_vars.first().copied()),
        }
    }

    /// Whether a client of this kind needs `api_key` (Bedrock may use AWS credentials).
    pub fn needs_key(self, cfg: &ProviderConfig) -> bool {
        match self {
            ProviderKind::Ollama | ProviderKind::Mock => false,
            ProviderKind::Bedrock => cfg.aws_access_key_id.is_none() && cfg.aws_profile.is_none(),
            ProviderKind::OpenaiCompatible => !matches!(cfg.auth, Some(AuthStyle::None)),
            _ => true,
        }
    }
}

/// The dialect of an `openai-compatible` provider.
fn compat_dialect(name: &str, cfg: &ProviderConfig) -> Dialect {
    let mut quirks = Quirks::default();
    if let Some(q) = &cfg.quirks {
        if let Some(f) = q.max_tokens_field {
            quirks.max_tokens_field = match f {
                MaxTokensFieldConfig::AsGiven => MaxTokensField::AsGiven,
                MaxTokensFieldConfig::MaxTokens => MaxTokensField::MaxTokens,
                MaxTokensFieldConfig::MaxCompletionTokens => MaxTokensField::MaxCompletionTokens,
            };
        }
        let set = |slot: &mut bool, v: Option<bool>| {
            if let Some(v) = v {
                *slot = v;
            }
        };
        set(&mut quirks.stream_include_usage, q.stream_include_usage);
        set(&mut quirks.supports_tools, q.supports_tools);
        set(
            &mut quirks.supports_response_format,
            q.supports_response_format,
        );
        set(&mut quirks.supports_vision, q.supports_vision);
        set(&mut quirks.supports_embeddings, q.supports_embeddings);
        set(&mut quirks.supports_images, q.supports_images);
        set(&mut quirks.stream_done_optional, q.stream_done_optional);
        if q.reasoning_field.is_some() {
            quirks.reasoning_field.clone_from(&q.reasoning_field);
        }
    }
    let auth = match cfg.auth.clone().unwrap_or(AuthStyle::Bearer) {
        AuthStyle::Bearer => Auth::Bearer,
        AuthStyle::None => Auth::None,
        AuthStyle::Header(h) => Auth::Header(h),
        AuthStyle::Query(q) => Auth::Query(q),
    };
    Dialect::new(name, cfg.base_url.clone().unwrap_or_default())
        .with_auth(auth)
        .with_quirks(quirks)
}

/// What a configured provider can serve.
pub fn capabilities(cfg: &ProviderConfig) -> Capabilities {
    match cfg.kind.info() {
        Some(info) => info.capabilities,
        None => {
            let q = compat_dialect("", cfg).quirks;
            Capabilities {
                chat: true,
                streaming: true,
                tools: q.supports_tools,
                vision: q.supports_vision,
                embeddings: q.supports_embeddings,
                images: q.supports_images,
                reasoning: q.reasoning_field.is_some(),
            }
        }
    }
}

/// Sets what every provider builder shares: base URL, headers, timeouts.
macro_rules! settings {
    ($builder:expr, $cfg:expr) => {{
        let mut b = $builder;
        if let Some(u) = &$cfg.base_url {
            b = b.base_url(u.clone());
        }
        for (n, v) in &$cfg.headers {
            b = b.header(n.clone(), v.clone());
        }
        if let Some(t) = $cfg.timeout {
            b = b.request_timeout(Some(t));
        }
        if let Some(t) = $cfg.stream_idle_timeout {
            b = b.stream_timeouts(StreamTimeouts::new(Some(t), None));
        }
        b
    }};
}

/// [`settings!`] and the API key.
macro_rules! common {
    ($builder:expr, $cfg:expr, $key:expr) => {{
        let mut b = $builder;
        if let Some(k) = $key {
            b = b.api_key(k);
        }
        settings!(b, $cfg)
    }};
}

fn chat_only<T: llm_router_core::ChatProvider + 'static>(c: T) -> BuiltProvider {
    BuiltProvider {
        chat: Some(Arc::new(c)),
        ..BuiltProvider::default()
    }
}

fn chat_embed<T>(c: T) -> BuiltProvider
where
    T: llm_router_core::ChatProvider + llm_router_core::EmbeddingProvider + 'static,
{
    let c = Arc::new(c);
    BuiltProvider {
        chat: Some(c.clone()),
        embeddings: Some(c),
        ..BuiltProvider::default()
    }
}

fn compat(c: OpenAiCompatClient, caps: Capabilities) -> BuiltProvider {
    let c = Arc::new(c);
    BuiltProvider {
        chat: Some(c.clone()),
        embeddings: caps.embeddings.then(|| c.clone() as SharedEmbedding),
        images: caps.images.then_some(c as SharedImage),
        batch: None,
    }
}

/// Builds the clients of provider `name` from its table; `env` resolves its `${VAR}` secret
/// references (`api_key`, AWS credentials).
///
/// # Errors
///
/// The provider builder's error ([`ErrorKind::Config`]: a missing key or endpoint, a base URL
/// that is not a URL).
pub fn build_provider(
    name: &str,
    cfg: &ProviderConfig,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<BuiltProvider, Error> {
    let secret = |s: &Option<SecretRef>| s.as_ref().and_then(|s| s.resolve(env)).map(ApiKey::new);
    let key = secret(&cfg.api_key);
    let caps = capabilities(cfg);
    let built = match cfg.kind {
        ProviderKind::Openai => {
            let mut built = compat(
                common!(llm_router_openai::builder(), cfg, key.clone()).build()?,
                caps,
            );
            let mut batch = llm_router_openai::batch_builder();
            if let Some(k) = key {
                batch = batch.api_key(k);
            }
            if let Some(u) = &cfg.base_url {
                batch = batch.base_url(u.clone());
            }
            for (n, v) in &cfg.headers {
                batch = batch.header(n.clone(), v.clone());
            }
            built.batch = Some(Arc::new(batch.build()?));
            built
        }
        ProviderKind::Azure => {
            let mut b = common!(llm_router_azure::builder(), cfg, key);
            if let Some(v) = &cfg.api_version {
                b = b.api_version(v.clone());
            }
            compat(b.build()?, caps)
        }
        ProviderKind::Anthropic => {
            let client = Arc::new(common!(llm_router_anthropic::builder(), cfg, key).build()?);
            BuiltProvider {
                chat: Some(client.clone()),
                batch: Some(client),
                ..BuiltProvider::default()
            }
        }
        ProviderKind::Gemini => {
            chat_embed(common!(llm_router_gemini::builder(), cfg, key).build()?)
        }
        ProviderKind::Deepseek => compat(
            common!(llm_router_deepseek::builder(), cfg, key).build()?,
            caps,
        ),
        ProviderKind::Openrouter => compat(
            common!(llm_router_openrouter::builder(), cfg, key).build()?,
            caps,
        ),
        ProviderKind::Zhipu => compat(
            common!(llm_router_zhipu::builder(), cfg, key).build()?,
            caps,
        ),
        ProviderKind::Qwen => compat(common!(llm_router_qwen::builder(), cfg, key).build()?, caps),
        ProviderKind::Ollama => {
            chat_embed(common!(llm_router_ollama::builder(), cfg, key).build()?)
        }
        ProviderKind::Mistral => compat(
            common!(llm_router_mistral::builder(), cfg, key).build()?,
            caps,
        ),
        ProviderKind::Cohere => {
            chat_embed(common!(llm_router_cohere::builder(), cfg, key).build()?)
        }
        ProviderKind::Ai21 => compat(common!(llm_router_ai21::builder(), cfg, key).build()?, caps),
        ProviderKind::Huggingface => compat(
            common!(llm_router_huggingface::builder(), cfg, key).build()?,
            caps,
        ),
        ProviderKind::MetaLlama => {
            chat_only(common!(llm_router_meta_llama::builder(), cfg, key).build()?)
        }
        ProviderKind::Bedrock => {
            let mut b = common!(llm_router_bedrock::builder(), cfg, key);
            if let Some(r) = &cfg.region {
                b = b.region(r.clone());
            }
            let id = cfg.aws_access_key_id.as_ref().and_then(|s| s.resolve(env));
            if let (Some(id), Some(secret_key)) = (id, secret(&cfg.aws_secret_access_key)) {
                let mut creds = llm_router_bedrock::AwsCredentials::new(id, secret_key);
                if let Some(t) = secret(&cfg.aws_session_token) {
                    creds = creds.with_session_token(t);
                }
                b = b.credentials(creds);
            } else if let Some(profile) = &cfg.aws_profile {
                let p = llm_router_bedrock::load_profile_with(Some(profile), &|v| env(v))?;
                let Some(creds) = p.credentials else {
                    return Err(Error::new(
                        ErrorKind::Config,
                        format!("provider `{name}`: AWS profile `{profile}` has no keys"),
                    ));
                };
                b = b.credentials(creds);
                if let (None, Some(r)) = (&cfg.region, p.region) {
                    b = b.region(r);
                }
            }
            chat_embed(b.build()?)
        }
        ProviderKind::Ernie => compat(
            common!(llm_router_ernie::v2::builder(), cfg, key).build()?,
            caps,
        ),
        ProviderKind::Spark => {
            // Spark's HTTP API calls its key the APIPassword.
            let mut b = llm_router_spark::http::builder();
            if let Some(k) = key {
                b = b.api_password(k);
            }
            compat(settings!(b, cfg).build()?, caps)
        }
        ProviderKind::OpenaiCompatible => {
            let b = OpenAiCompatClient::builder(compat_dialect(name, cfg));
            compat(common!(b, cfg, key).build()?, caps)
        }
        ProviderKind::Mock => {
            let mut m = MockProvider::new().with_name(name);
            if let Some(r) = &cfg.default_reply {
                m = m.default_reply(r.clone());
            }
            if let Some(d) = cfg.chunk_delay {
                m = m.chunk_delay(d);
            }
            if cfg.call_offered_tools == Some(true) {
                m = m.call_offered_tools();
            }
            let m = Arc::new(m);
            BuiltProvider {
                chat: Some(m.clone()),
                embeddings: Some(m.clone()),
                images: Some(m),
                batch: None,
            }
        }
    };
    if built.chat.is_none() && built.embeddings.is_none() && built.images.is_none() {
        return Err(Error::new(
            ErrorKind::Config,
            format!("provider `{name}` serves nothing"),
        ));
    }
    Ok(built)
}
