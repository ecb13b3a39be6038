//! Keeping the legacy API's secrets out of errors.
//!
//! The legacy API puts secrets in **query strings**: the access token in every call
//! (`?access_token=…`) and the API key and secret key in the token request
//! (`?client_id=…&client_secret=…`). `llm_router_http` already strips the URL from transport
//! errors and [`Error::redact`] removes a known secret from a message; this adds the query
//! parameters themselves, so a token we no longer hold (an old one echoed back by a proxy or
//! the server) is removed too.

use llm_router_core::{ApiKey, Error};

/// Query parameters whose values are secrets.
const SECRET_PARAMS: [&str; 3] = ["access_token=", "client_id=", "client_secret="];

/// `err` with every secret in `known` and every secret query-parameter value removed.
pub(crate) fn scrub(mut err: Error, known: &[&ApiKey]) -> Error {
    for k in known {
        err = err.redact(k.expose());
    }
    for value in query_secrets(err.message()) {
        err = err.redact(&value);
    }
    err
}

/// The values of secret query parameters mentioned in `text`.
fn query_secrets(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for param in SECRET_PARAMS {
        let mut rest = text;
        while let Some(at) = rest.find(param) {
            let after = &rest[at + param.len()..];
            let end = after
                .find(|c: char| c == '&' || c == '"' || c == '\'' || c.is_whitespace())
                .unwrap_or(after.len());
            let value = &after[..end];
            if value != "***" && !value.is_empty() {
                found.push(value.to_owned());
            }
            rest = &after[end..];
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_core::ErrorKind;

    #[test]
    fn known_secrets_and_query_values_are_removed() {
        let token = ApiKey::new("24.abcdef0123456789.2592000.1700000000.282335-12345");
        let e = Error::new(
            ErrorKind::Connection,
            "POST https://aip.baidubce.com/x?access_token=24.old-token-value&x=1 failed; \
             client_id=ak-123456 client_secret=sk-654321; now 24.abcdef0123456789.2592000.1700000000.282335-12345",
        );
        let m = scrub(e, &[&token]).message().to_owned();
        for secret in [
            "24.old-token-value",
            "ak-123456",
            "sk-654321",
            "24.abcdef0123456789",
        ] {
            assert!(!m.contains(secret), "{secret} in {m}");
        }
        assert!(m.contains("access_token=***&x=1"), "{m}");
    }
}
