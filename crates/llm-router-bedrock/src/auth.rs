//! How requests are authenticated: AWS Signature Version 4 (with `aws-sigv4`) or a Bedrock API
//! key sent as a bearer token.

use std::fmt;
use std::time::SystemTime;

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use llm_router_core::{ApiKey, Error, ErrorKind};

use crate::NAME;

/// The SigV4 signing name of Bedrock Runtime (botocore's `signingName`; not `bedrock-runtime`).
pub const SIGNING_NAME: &str = "bedrock";

/// Static AWS credentials: an access key id, its secret and, for temporary credentials, a
/// session token. The secret and the token never appear in `Debug` output.
#[derive(Clone)]
pub struct AwsCredentials {
    access_key_id: String,
    secret_access_key: ApiKey,
    session_token: Option<ApiKey>,
}

impl AwsCredentials {
    /// Long-term credentials (`AKIA…` and its secret).
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<ApiKey>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
        }
    }

    /// Adds the session token of temporary credentials (sent as `x-amz-security-token`).
    pub fn with_session_token(mut self, token: impl Into<ApiKey>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and the optional `AWS_SESSION_TOKEN`, if the
    /// first two are set and not empty.
    pub fn from_env() -> Option<Self> {
        let id = std::env::var("AWS_ACCESS_KEY_ID").ok()?;
        let id = id.trim();
        if id.is_empty() {
            return None;
        }
        let secret = ApiKey::from_env("AWS_SECRET_ACCESS_KEY")?;
        let mut c = Self::new(id, secret);
        if let Some(t) = ApiKey::from_env("AWS_SESSION_TOKEN") {
            c = c.with_session_token(t);
        }
        Some(c)
    }

    /// The access key id (not a secret: it appears in every `Authorization` header).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// Whether these are temporary credentials with a session token.
    pub fn has_session_token(&self) -> bool {
        self.session_token.is_some()
    }
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .finish()
    }
}

/// How a client authenticates.
#[derive(Debug, Clone)]
pub(crate) enum Auth {
    /// SigV4 with these credentials, scoped to the region.
    SigV4(AwsCredentials),
    /// A Bedrock API key: `Authorization: Bearer <key>`.
    Bearer(ApiKey),
}

/// A header the signature adds: name, value, and whether it is secret.
pub(crate) type SignedHeader = (&'static str, String, bool);

/// Signs `POST url` with `body` and the given (signed) `content_type`, at `time`. Returns the
/// headers to add (`authorization`, `x-amz-date`, `x-amz-security-token`). The URL's path
/// must already be percent-encoded; the canonical URI encodes it once more (aws-sigv4's
/// default `PercentEncodingMode::Double`, what every AWS service but S3 expects), so a model
/// id's `%3A` is `%253A` in the canonical request. `host` is taken from the URL.
pub(crate) fn sign_post(
    creds: &AwsCredentials,
    region: &str,
    url: &str,
    content_type: &str,
    body: &[u8],
    time: SystemTime,
) -> Result<Vec<SignedHeader>, Error> {
    let failed = |e: &dyn fmt::Display| {
        Error::new(
            ErrorKind::Config,
            format!("could not sign the request: {e}"),
        )
        .with_provider(NAME)
    };
    let identity: Identity = aws_credential_types::Credentials::new(
        creds.access_key_id.clone(),
        creds.secret_access_key.expose().to_owned(),
        creds.session_token.as_ref().map(|t| t.expose().to_owned()),
        None,
        "llm-router-bedrock",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SIGNING_NAME)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| failed(&e))?
        .into();
    let request = SignableRequest::new(
        "POST",
        url,
        [("content-type", content_type)].into_iter(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| failed(&e))?;
    let (instructions, _signature) = sign(request, &params).map_err(|e| failed(&e))?.into_parts();
    let (headers, _params) = instructions.into_parts();
    Ok(headers
        .into_iter()
        .map(|h| (h.name(), h.value().to_owned(), h.sensitive()))
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let c = AwsCredentials::new("AKIDEXAMPLE", "very-secret").with_session_token("tok-secret");
        let s = format!("{c:?}");
        assert!(s.contains("AKIDEXAMPLE"));
        assert!(
            !s.contains("very-secret") && !s.contains("tok-secret"),
            "{s}"
        );
    }

    #[test]
    fn signed_headers_include_the_token_when_present() {
        let c = AwsCredentials::new("AKIDEXAMPLE", "secret").with_session_token("tok");
        let h = sign_post(
            &c,
            "us-east-1",
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/a%3A0/converse",
            "application/json",
            b"{}",
            SystemTime::UNIX_EPOCH,
        )
        .unwrap();
        let names: Vec<&str> = h.iter().map(|(n, _, _)| *n).collect();
        assert!(names.contains(&"x-amz-security-token"), "{names:?}");
        let auth = &h.iter().find(|(n, _, _)| *n == "authorization").unwrap().1;
        assert!(
            auth.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token"),
            "{auth}"
        );
        assert!(
            auth.contains("/19700101/us-east-1/bedrock/aws4_request"),
            "{auth}"
        );
    }
}
