//! The client: credentials or an API key, a region, a base URL and an HTTP client; implements
//! [`ChatProvider`] and [`EmbeddingProvider`].

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use futures_util::{StreamExt as _, TryStreamExt as _};
use llm_router_core::{
    ApiKey, ChatProvider, ChatRequest, ChatResponse, ChatStream, EmbeddingProvider,
    EmbeddingRequest, EmbeddingResponse, Error, ErrorKind, Usage,
};
use llm_router_http::reqwest::{self, header::HeaderValue};
use llm_router_http::{AuthScheme, Connection, ConnectionSettings, StreamTimeouts};
use serde_json::{Map, Value};

use crate::auth::{Auth, AwsCredentials, sign_post};
use crate::convert::{request_body, response};
use crate::embed::{self, EmbeddingApi};
use crate::error::http_error;
use crate::stream::chat_chunks;
use crate::{NAME, wire};

const JSON: &str = "application/json";

/// A client for Bedrock Runtime. Cheap to clone; its `Debug` output never shows a secret.
#[derive(Clone)]
pub struct BedrockClient {
    inner: Arc<Inner>,
}

struct Inner {
    conn: Connection,
    auth: Auth,
    region: String,
    embedding_api: Option<EmbeddingApi>,
    embedding_concurrency: usize,
}

impl fmt::Debug for BedrockClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BedrockClient")
            .field("connection", &self.inner.conn)
            .field("auth", &self.inner.auth)
            .field("region", &self.inner.region)
            .finish()
    }
}

/// Builds a [`BedrockClient`]; start from [`crate::builder`].
#[derive(Debug)]
pub struct BedrockBuilder {
    /// The key is the Bedrock API key; the base URL is set at build (it may come from the
    /// region).
    settings: ConnectionSettings,
    credentials: Option<AwsCredentials>,
    region: Option<String>,
    base_url: Option<String>,
    embedding_api: Option<EmbeddingApi>,
    embedding_concurrency: usize,
}

impl Default for BedrockBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl BedrockBuilder {
    /// A builder with the defaults: 600 s per request, streams cut after 300 s without data,
    /// 8 Titan embedding calls at a time.
    pub fn new() -> Self {
        Self {
            settings: ConnectionSettings::new(""),
            credentials: None,
            region: None,
            base_url: None,
            embedding_api: None,
            embedding_concurrency: 8,
        }
    }

    /// Signs requests with SigV4 and these credentials.
    pub fn credentials(mut self, credentials: AwsCredentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Uses a Bedrock API key (`Authorization: Bearer`) instead of SigV4; it wins over
    /// credentials when both are set.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.settings.key = Some(key.into());
        self
    }

    /// The AWS region (`us-east-1`): the SigV4 scope and the default endpoint's host.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Overrides the endpoint (VPC endpoints, tests). Default:
    /// `https://bedrock-runtime.<region>.amazonaws.com`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Uses this HTTP client instead of the shared one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.settings.http = Some(client);
        self
    }

    /// Adds a header sent (unsigned) with every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings.headers.push((name.into(), value.into()));
        self
    }

    /// Deadline of a non-streaming request (default 600 s; `None` for none).
    pub fn request_timeout(mut self, t: Option<Duration>) -> Self {
        self.settings.request_timeout = t;
        self
    }

    /// Idle and total limits of streams (default: 300 s idle, no total).
    pub fn stream_timeouts(mut self, t: StreamTimeouts) -> Self {
        self.settings.stream_timeouts = t;
        self
    }

    /// The embedding body for model ids that do not name their family (provisioned
    /// throughput ARNs, imported models). Ids that do are recognised whatever this says.
    pub fn embedding_api(mut self, api: EmbeddingApi) -> Self {
        self.embedding_api = Some(api);
        self
    }

    /// How many Titan calls (one per text) run at once (default 8, at least 1).
    pub fn embedding_concurrency(mut self, n: usize) -> Self {
        self.embedding_concurrency = n.max(1);
        self
    }

    /// Builds the client. Fails with [`ErrorKind::Config`] without credentials or API key,
    /// without a region when SigV4 or the default endpoint needs one, or with a bad base URL.
    pub fn build(mut self) -> Result<BedrockClient, Error> {
        let config = |msg: String| Error::new(ErrorKind::Config, msg).with_provider(NAME);
        let region = self
            .region
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        let auth = match (self.settings.key.take(), self.credentials) {
            (Some(k), _) => {
                if HeaderValue::from_str(&format!("Bearer {}", k.expose())).is_err() {
                    return Err(config(
                        "the Bedrock API key is not a valid header value".to_owned(),
                    ));
                }
                Auth::Bearer(k)
            }
            (None, Some(c)) => Auth::SigV4(c),
            (None, None) => {
                return Err(config(format!(
                    "no credentials for bedrock (set {API_KEY_ENV}, or AWS_ACCESS_KEY_ID and \
                     AWS_SECRET_ACCESS_KEY)",
                    API_KEY_ENV = crate::API_KEY_ENV
                )));
            }
        };
        let base_url = match (self.base_url, &region) {
            (Some(u), _) => u.trim_end_matches('/').to_owned(),
            (None, Some(r)) => crate::default_base_url(r),
            (None, None) => {
                return Err(config("no region for bedrock (set AWS_REGION)".to_owned()));
            }
        };
        if matches!(auth, Auth::SigV4(_)) && region.is_none() {
            return Err(config(
                "SigV4 signing needs a region (set AWS_REGION)".to_owned(),
            ));
        }
        self.settings.base_url = base_url;
        // With SigV4 the connection sends no key: each request is signed instead.
        self.settings.key = match &auth {
            Auth::Bearer(k) => Some(k.clone()),
            Auth::SigV4(_) => None,
        };
        let conn = self.settings.connect(NAME, AuthScheme::Bearer)?;
        Ok(BedrockClient {
            inner: Arc::new(Inner {
                conn,
                auth,
                region: region.unwrap_or_default(),
                embedding_api: self.embedding_api,
                embedding_concurrency: self.embedding_concurrency,
            }),
        })
    }
}

/// A model id as one path segment: everything but unreserved characters percent-encoded, so
/// `anthropic.claude-3-haiku-20240307-v1:0` → `...-v1%3A0` and an ARN's `/` → `%2F`.
pub fn encode_model_id(model: &str) -> String {
    let mut out = String::with_capacity(model.len() + 8);
    for b in model.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn request_id(resp: &llm_router_http::Reply) -> String {
    resp.headers()
        .get("x-amzn-requestid")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

impl BedrockClient {
    /// A builder (the same as [`crate::builder`]).
    pub fn builder() -> BedrockBuilder {
        BedrockBuilder::new()
    }

    /// The endpoint requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.conn.base_url
    }

    /// The region (empty when an API key and a base URL were given without one).
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// The JSON body this client would send to `/model/{id}/converse` for `req`.
    pub fn request_body(&self, req: &ChatRequest) -> Result<Value, Error> {
        request_body(req)
    }

    /// `POST /model/{id}/{action}` with `body`, signed (SigV4) or with the API key. Like the
    /// AWS SDKs, a stream request names no `accept` (the answer is
    /// `application/vnd.amazon.eventstream`) and has no overall deadline: its head is awaited
    /// as long as the stream idle limit, then the stream limits apply.
    async fn post(
        &self,
        model: &str,
        action: &str,
        body: &Value,
        extra_headers: &BTreeMap<String, String>,
        stream: bool,
    ) -> Result<llm_router_http::Reply, Error> {
        let c = &self.inner.conn;
        let path = format!("/model/{}/{action}", encode_model_id(model));
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::new(
                ErrorKind::InvalidRequest,
                format!("unserializable body: {e}"),
            )
            .with_provider(NAME)
        })?;
        let mut rb = c
            .request(reqwest::Method::POST, &path, extra_headers)?
            .header("content-type", JSON)?;
        rb = if stream {
            // The wait for the answer's head is bounded by the stream's idle limit.
            rb.timeout(c.stream_timeouts.idle)
        } else {
            rb.header("accept", JSON)?.timeout(c.request_timeout)
        };
        if let Auth::SigV4(creds) = &self.inner.auth {
            let url = format!("{}{path}", c.base_url);
            let signed = sign_post(
                creds,
                &self.inner.region,
                &url,
                JSON,
                &bytes,
                SystemTime::now(),
            )?;
            for (name, value, sensitive) in signed {
                let mut v = HeaderValue::from_str(&value).map_err(|_| {
                    Error::new(ErrorKind::Config, format!("invalid {name} header value"))
                        .with_provider(NAME)
                })?;
                v.set_sensitive(sensitive || name == "authorization");
                rb = rb.header(name, v)?;
            }
        }
        c.send(rb.body(bytes), http_error).await
    }

    /// One Cohere call for up to 96 texts: vectors, token count, response id.
    async fn cohere_batch(
        &self,
        req: &EmbeddingRequest,
        texts: Vec<String>,
    ) -> Result<(Vec<Vec<f32>>, Option<u64>, Option<String>), Error> {
        let body = embed::cohere_body(req, &texts);
        let (bytes, tokens) = self.invoke(req, &body).await?;
        let (v, id) = embed::cohere_vectors(&bytes, texts.len())?;
        Ok((v, tokens, id))
    }

    /// One Titan call: the vector and its token count.
    async fn titan_one(
        &self,
        api: EmbeddingApi,
        req: &EmbeddingRequest,
        text: String,
    ) -> Result<(Vec<f32>, Option<u64>), Error> {
        let body = embed::titan_body(api, req, &text)?;
        let (bytes, header_tokens) = self.invoke(req, &body).await?;
        let (v, tokens) = embed::titan_vector(&bytes)?;
        Ok((v, tokens.or(header_tokens)))
    }

    async fn invoke(
        &self,
        req: &EmbeddingRequest,
        body: &Value,
    ) -> Result<(Vec<u8>, Option<u64>), Error> {
        let resp = self
            .post(&req.model, "invoke", body, &req.extra_headers, false)
            .await?;
        let tokens = resp
            .headers()
            .get("x-amzn-bedrock-input-token-count")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let bytes = self.inner.conn.read_body(resp).await?;
        Ok((bytes.to_vec(), tokens))
    }
}

#[async_trait]
impl ChatProvider for BedrockClient {
    fn name(&self) -> &str {
        NAME
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let body = request_body(&req)?;
        let resp = self
            .post(&req.model, "converse", &body, &req.extra_headers, false)
            .await?;
        let id = request_id(&resp);
        let wire: wire::ConverseResponse = self.inner.conn.read_json(resp).await?;
        let mut out = response(wire, &req.model);
        out.id = id;
        out.created = llm_router_http::unix_now();
        Ok(out)
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        let body = request_body(&req)?;
        let resp = self
            .post(
                &req.model,
                "converse-stream",
                &body,
                &req.extra_headers,
                true,
            )
            .await?;
        let id = request_id(&resp);
        let conn = &self.inner.conn;
        let chunks = chat_chunks(conn.body_stream(resp), id);
        conn.start_chat_stream(chunks, Some(req.model.clone()))
            .await
    }
}

#[async_trait]
impl EmbeddingProvider for BedrockClient {
    fn name(&self) -> &str {
        NAME
    }

    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        let Some(api) = EmbeddingApi::detect(&req.model).or(self.inner.embedding_api) else {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "cannot tell the embedding API of {:?}; set BedrockBuilder::embedding_api",
                    req.model
                ),
            )
            .with_provider(NAME));
        };
        let texts = embed::texts(&req)?;
        let mut extra = Map::new();
        let (vectors, tokens) = match api {
            EmbeddingApi::Cohere => {
                // Cohere on Bedrock takes at most 96 texts per call.
                let calls: Vec<_> = texts
                    .chunks(embed::COHERE_MAX_TEXTS)
                    .map(|batch| self.cohere_batch(&req, batch.to_vec()))
                    .collect();
                let batches: Vec<(Vec<Vec<f32>>, Option<u64>, Option<String>)> =
                    futures_util::stream::iter(calls)
                        .buffered(self.inner.embedding_concurrency)
                        .try_collect()
                        .await?;
                let tokens = batches.iter().map(|(_, t, _)| *t).sum::<Option<u64>>();
                let ids: Vec<Value> = batches
                    .iter()
                    .filter_map(|(_, _, id)| id.clone().map(Value::from))
                    .collect();
                match ids.len() {
                    0 => {}
                    1 => {
                        extra.insert("id".into(), ids[0].clone());
                    }
                    _ => {
                        extra.insert("ids".into(), Value::Array(ids));
                    }
                }
                (
                    batches.into_iter().flat_map(|(v, _, _)| v).collect(),
                    tokens,
                )
            }
            titan => {
                let calls: Vec<_> = texts
                    .into_iter()
                    .map(|t| self.titan_one(titan, &req, t))
                    .collect();
                let results: Vec<(Vec<f32>, Option<u64>)> = futures_util::stream::iter(calls)
                    .buffered(self.inner.embedding_concurrency)
                    .try_collect()
                    .await?;
                let tokens = results.iter().map(|(_, t)| *t).sum::<Option<u64>>();
                (results.into_iter().map(|(v, _)| v).collect(), tokens)
            }
        };
        Ok(EmbeddingResponse {
            object: "list".into(),
            data: embed::data(vectors, req.encoding_format.as_ref()),
            model: req.model.clone(),
            usage: tokens.map(|n| Usage::new(n, 0)),
            extra,
        })
    }
}
