//! The signed connection URL (iFlytek's "通用鉴权URL" for WebSocket APIs).
//!
//! 1. `date`: the current time, RFC 1123 in GMT (`Fri, 05 May 2023 10:43:39 GMT`).
//! 2. `signature_origin = "host: <host>\ndate: <date>\nGET <path> HTTP/1.1"`.
//! 3. `signature = base64(HMAC-SHA256(APISecret, signature_origin))`.
//! 4. `authorization_origin = api_key="<APIKey>", algorithm="hmac-sha256",
//!    headers="host date request-line", signature="<signature>"`.
//! 5. `authorization = base64(authorization_origin)`.
//! 6. `<base><path>?authorization=…&date=…&host=…`, form-encoded.
//!
//! The server allows 300 s of clock skew; a wrong signature is refused with HTTP 401 before the
//! upgrade, a skewed clock with 403.

use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use llm_router_core::ApiKey;
use ring::hmac;
use url::Url;

/// `date` as the signature wants it: RFC 1123, GMT.
pub(crate) fn rfc1123(at: SystemTime) -> String {
    httpdate::fmt_http_date(at)
}

/// `base64(HMAC-SHA256(secret, "host: …\ndate: …\n<request_line>"))`.
pub(crate) fn signature(secret: &ApiKey, host: &str, date: &str, request_line: &str) -> String {
    let origin = format!("host: {host}\ndate: {date}\n{request_line}");
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.expose().as_bytes());
    STANDARD.encode(hmac::sign(&key, origin.as_bytes()).as_ref())
}

/// `base64('api_key="…", algorithm="hmac-sha256", headers="host date request-line",
/// signature="…"')`.
pub(crate) fn authorization(api_key: &ApiKey, signature: &str) -> String {
    let origin = format!(
        "api_key=\"{}\", algorithm=\"hmac-sha256\", headers=\"host date request-line\", signature=\"{signature}\"",
        api_key.expose()
    );
    STANDARD.encode(origin.as_bytes())
}

/// The `host` that is signed: the URL's authority (`host` or `host:port`), as the `Host`
/// header the WebSocket client sends.
pub(crate) fn host_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    }
}

/// The URL to connect to for `path` below `base` (`wss://spark-api.xf-yun.com`), signed at
/// `at`. It carries the authorization: never log it or put it in an error.
pub(crate) fn signed_url(
    base: &Url,
    path: &str,
    api_key: &ApiKey,
    api_secret: &ApiKey,
    at: SystemTime,
) -> String {
    let host = host_of(base);
    let date = rfc1123(at);
    let sig = signature(api_secret, &host, &date, &format!("GET {path} HTTP/1.1"));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("authorization", &authorization(api_key, &sig))
        .append_pair("date", &date)
        .append_pair("host", &host)
        .finish();
    format!("{}{path}?{query}", base.as_str().trim_end_matches('/'))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    /// The worked example of iFlytek's HMAC auth documentation (voiceprint API page, "鉴权认证"),
    /// which uses the same scheme with a POST request line.
    #[test]
    fn the_documented_example() {
        let secret = ApiKey::new("apisecretXXXXXXXXXXXXXXXXXXXXXXX");
        let key = ApiKey::new("apikeyXXXXXXXXXXXXXXXXXXXXXXXXXX");
        let sig = signature(
            &secret,
            "api.xf-yun.com",
            "Fri, 23 Apr 2021 02:35:47 GMT",
            "POST /v1/private/s782b4996 HTTP/1.1",
        );
        assert_eq!(sig, "1jwQbIAKmQE7JwIH0IDxiC1pejrlN+VpHXDWOFVy5NM=");
        assert_eq!(
            authorization(&key, &sig),
            "YXBpX2tleT0iYXBpa2V5WFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFgiLCBhbGdvcml0aG09ImhtYWMtc2hhMjU2IiwgaGVhZGVycz0iaG9zdCBkYXRlIHJlcXVlc3QtbGluZSIsIHNpZ25hdHVyZT0iMWp3UWJJQUttUUU3SndJSDBJRHhpQzFwZWpybE4rVnBIWERXT0ZWeTVOTT0i"
        );
    }

    /// The Spark example of the same documentation ("通用鉴权URL生成说明"): the digest of the
    /// documented origin string starts with the documented bytes.
    #[test]
    fn the_documented_spark_digest_prefix() {
        let sig = signature(
            &ApiKey::new("MjlmNzkzNmZkMDQ2OTc0ZDdmNGE2ZTZi"),
            "spark-api.xf-yun.com",
            "Fri, 05 May 2023 10:43:39 GMT",
            "GET /v1.1/chat HTTP/1.1",
        );
        let digest = STANDARD.decode(sig).unwrap();
        assert_eq!(
            &digest[..15],
            b"\xcf\x98\x07v\xed\xe9\xc5Ux\x0032\x93\x8e\xbb"
        );
    }

    #[test]
    fn date_is_rfc1123_gmt() {
        // 2023-05-05T10:43:39Z
        let at = UNIX_EPOCH + Duration::from_secs(1_683_283_419);
        assert_eq!(rfc1123(at), "Fri, 05 May 2023 10:43:39 GMT");
    }

    #[test]
    fn url_is_form_encoded_with_host_and_port() {
        let at = UNIX_EPOCH + Duration::from_secs(1_683_283_419);
        let base = Url::parse("ws://127.0.0.1:8080").unwrap();
        let url = signed_url(&base, "/v3.5/chat", &"k".into(), &"s".into(), at);
        assert!(
            url.starts_with("ws://127.0.0.1:8080/v3.5/chat?authorization="),
            "{url}"
        );
        assert!(
            url.contains("&date=Fri%2C+05+May+2023+10%3A43%3A39+GMT&host=127.0.0.1%3A8080"),
            "{url}"
        );
        let wss = signed_url(
            &Url::parse("wss://spark-api.xf-yun.com").unwrap(),
            "/v1.1/chat",
            &"k".into(),
            &"s".into(),
            at,
        );
        assert!(wss.ends_with("&host=spark-api.xf-yun.com"), "{wss}");
    }
}
