//! SigV4: the signature the client puts on the wire is recomputed here from the algorithm's
//! definition (canonical request written out by hand, HMAC-SHA256 chain with `ring`), after
//! that reference implementation reproduces vectors of the AWS SigV4 test suite.

use llm_router_core::{ChatProvider as _, ChatRequest, Message};
use ring::{digest, hmac};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::{AKID, CLAUDE, CLAUDE_PATH, SECRET, fixture, sigv4_client};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn sha256_hex(b: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, b).as_ref())
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), msg)
        .as_ref()
        .to_vec()
}

/// The signature of `canonical_request`: string to sign, then the key chain
/// `"AWS4"+secret → date → region → service → "aws4_request"`.
fn signature(secret: &str, amz_date: &str, region: &str, service: &str, creq: &str) -> String {
    let date = &amz_date[..8];
    let sts = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/{service}/aws4_request\n{}",
        sha256_hex(creq.as_bytes())
    );
    let mut k = hmac_sha256(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    for part in [region, service, "aws4_request"] {
        k = hmac_sha256(&k, part.as_bytes());
    }
    hex(&hmac_sha256(&k, sts.as_bytes()))
}

#[test]
fn reference_implementation_reproduces_the_aws_test_suite() {
    let empty = sha256_hex(b"");
    // post-vanilla
    let creq = format!(
        "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n{empty}"
    );
    assert_eq!(
        signature(SECRET, "20150830T123600Z", "us-east-1", "service", &creq),
        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
    );
    // post-x-www-form-urlencoded (body signed, x-amz-content-sha256)
    let body_hash = sha256_hex(b"Param1=value1");
    assert_eq!(
        body_hash,
        "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
    );
    let creq = format!(
        "POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-content-sha256:{body_hash}\nx-amz-date:20150830T123600Z\n\ncontent-length;content-type;host;x-amz-content-sha256;x-amz-date\n{body_hash}"
    );
    assert_eq!(
        signature(SECRET, "20150830T123600Z", "us-east-1", "service", &creq),
        "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"
    );
    // get-vanilla-with-session-token
    let token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
    let creq = format!(
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\nx-amz-security-token:{token}\n\nhost;x-amz-date;x-amz-security-token\n{empty}"
    );
    assert_eq!(
        signature(SECRET, "20150830T123600Z", "us-east-1", "service", &creq),
        "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"
    );
}

fn header<'a>(r: &'a Request, name: &str) -> &'a str {
    r.headers
        .get(name)
        .unwrap_or_else(|| panic!("header {name} missing"))
        .to_str()
        .unwrap()
}

/// `Credential=…, SignedHeaders=…, Signature=…` → the three values.
fn parse_authorization(v: &str) -> (String, String, String) {
    let rest = v
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .unwrap_or_else(|| panic!("algorithm: {v}"));
    let mut parts = rest.split(", ");
    let mut next = |prefix: &str| {
        parts
            .next()
            .and_then(|p| p.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("{prefix} in {v}"))
            .to_owned()
    };
    let c = next("Credential=");
    let s = next("SignedHeaders=");
    let sig = next("Signature=");
    (c, s, sig)
}

async fn signed_request(model: &str, raw_path: &str, token: Option<&str>) -> Request {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(raw_path))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("converse_response.json").to_string(),
            "application/json",
        ))
        .mount(&server)
        .await;
    let client = sigv4_client(&server.uri(), token);
    let req = ChatRequest::new(model, vec![Message::user("Hello")]).with_max_tokens(32);
    client.chat(req).await.expect("signed request accepted");
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 1);
    reqs.into_iter().next().unwrap()
}

#[tokio::test]
async fn converse_request_carries_a_valid_signature_for_a_model_id_with_a_colon() {
    let raw_path = format!("/model/{CLAUDE_PATH}/converse");
    let r = signed_request(CLAUDE, &raw_path, None).await;
    assert_eq!(
        r.url.path(),
        raw_path,
        "model id percent-encoded once on the wire"
    );
    let amz_date = header(&r, "x-amz-date");
    assert_eq!(amz_date.len(), 16, "{amz_date}");
    assert!(
        amz_date.ends_with('Z') && amz_date.as_bytes()[8] == b'T',
        "{amz_date}"
    );
    assert!(r.headers.get("x-amz-security-token").is_none());
    let host = header(&r, "host");
    assert!(host.starts_with("127.0.0.1:"), "{host}");
    let (credential, signed_headers, sig) = parse_authorization(header(&r, "authorization"));
    assert_eq!(
        credential,
        format!("{AKID}/{}/us-east-1/bedrock/aws4_request", &amz_date[..8])
    );
    assert_eq!(signed_headers, "content-type;host;x-amz-date");
    // The canonical URI encodes the already-encoded path again: %3A → %253A.
    let creq = format!(
        "POST\n/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse\n\ncontent-type:application/json\nhost:{host}\nx-amz-date:{amz_date}\n\ncontent-type;host;x-amz-date\n{}",
        sha256_hex(&r.body)
    );
    assert_eq!(
        sig,
        signature(SECRET, amz_date, "us-east-1", "bedrock", &creq)
    );
    // And the body signed is the body sent.
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["messages"][0]["content"][0]["text"], "Hello");
}

#[tokio::test]
async fn session_token_is_sent_and_signed() {
    let token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN/+=";
    let raw_path = format!("/model/{CLAUDE_PATH}/converse");
    let r = signed_request(CLAUDE, &raw_path, Some(token)).await;
    assert_eq!(header(&r, "x-amz-security-token"), token);
    let amz_date = header(&r, "x-amz-date");
    let host = header(&r, "host");
    let (_, signed_headers, sig) = parse_authorization(header(&r, "authorization"));
    assert_eq!(
        signed_headers,
        "content-type;host;x-amz-date;x-amz-security-token"
    );
    let creq = format!(
        "POST\n/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse\n\ncontent-type:application/json\nhost:{host}\nx-amz-date:{amz_date}\nx-amz-security-token:{token}\n\ncontent-type;host;x-amz-date;x-amz-security-token\n{}",
        sha256_hex(&r.body)
    );
    assert_eq!(
        sig,
        signature(SECRET, amz_date, "us-east-1", "bedrock", &creq)
    );
}

#[tokio::test]
async fn inference_profile_arn_is_one_path_segment() {
    let arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0";
    let raw_path = "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-haiku-20240307-v1%3A0/converse";
    let r = signed_request(arn, raw_path, None).await;
    let amz_date = header(&r, "x-amz-date");
    let host = header(&r, "host");
    let (_, _, sig) = parse_authorization(header(&r, "authorization"));
    let creq = format!(
        "POST\n/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A123456789012%253Ainference-profile%252Fus.anthropic.claude-3-haiku-20240307-v1%253A0/converse\n\ncontent-type:application/json\nhost:{host}\nx-amz-date:{amz_date}\n\ncontent-type;host;x-amz-date\n{}",
        sha256_hex(&r.body)
    );
    assert_eq!(
        sig,
        signature(SECRET, amz_date, "us-east-1", "bedrock", &creq)
    );
}
