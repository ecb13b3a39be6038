//! A local Spark WebSocket server: checks the signed URL (recomputing the signature from its
//! definition), records the request frame, plays a script of response frames.

// tungstenite's handshake callback returns `Result<Response, ErrorResponse>` by design.
#![allow(clippy::result_large_err)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;

pub(crate) const APP_ID: &str = "a1b2c3d4";
pub(crate) const API_KEY: &str = "0123456789abcdef0123456789abcdef";
pub(crate) const API_SECRET: &str = "MjlmNzkzNmZkMDQ2OTc0ZDdmNGE2ZTZi";
/// The date every test client signs with (its clock is pinned to it).
pub(crate) const FIXED_DATE: &str = "Fri, 05 May 2023 10:43:39 GMT";

pub(crate) fn fixed_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_683_283_419)
}

/// What the server does after its frames.
#[derive(Debug, Clone, Copy)]
pub(crate) enum End {
    /// Sends a close frame (as Spark does after status 2).
    Close,
    /// Drops the TCP connection without a close frame.
    Drop,
    /// Waits for the client to go away (up to 5 s) and records that it did.
    Wait,
    /// Keeps the socket open, silent, for 5 s.
    Stall,
}

pub(crate) struct Script {
    /// The path the client must connect to.
    pub(crate) path: &'static str,
    /// Response frames, one text message each.
    pub(crate) frames: Vec<String>,
    pub(crate) end: End,
}

impl Script {
    pub(crate) fn new(path: &'static str, frames: Vec<String>, end: End) -> Self {
        Self { path, frames, end }
    }
}

/// What the server saw.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub(crate) uri: String,
    pub(crate) refused: Option<u16>,
    pub(crate) request: Option<Value>,
    pub(crate) client_went_away: bool,
}

/// `base64(api_key="…", algorithm="hmac-sha256", headers="host date request-line",
/// signature="base64(HMAC-SHA256(secret, host/date/request-line))")`, from the definition.
pub(crate) fn expected_authorization(host: &str, date: &str, path: &str) -> String {
    let origin = format!("host: {host}\ndate: {date}\nGET {path} HTTP/1.1");
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, API_SECRET.as_bytes());
    let signature = STANDARD.encode(ring::hmac::sign(&key, origin.as_bytes()));
    STANDARD.encode(format!(
        "api_key=\"{API_KEY}\", algorithm=\"hmac-sha256\", headers=\"host date request-line\", signature=\"{signature}\""
    ))
}

fn refuse(status: StatusCode, message: &str) -> ErrorResponse {
    let mut resp = ErrorResponse::new(Some(format!("{{\"message\":\"{message}\"}}")));
    *resp.status_mut() = status;
    resp
}

/// Checks the upgrade request as iFlytek's gateway does: 401 for a bad signature, 403 for a
/// date other than the expected one (clock skew).
fn check(req: &Request, path: &str, port: u16) -> Result<(), ErrorResponse> {
    let uri = req.uri();
    assert_eq!(uri.path(), path, "connected to the model's path");
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let names: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["authorization", "date", "host"], "query parameters");
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let host = format!("127.0.0.1:{port}");
    assert_eq!(get("host"), Some(host.as_str()));
    let header_host = req.headers().get("host").and_then(|v| v.to_str().ok());
    assert_eq!(
        header_host,
        Some(host.as_str()),
        "the signed host is the Host header"
    );
    if get("date") != Some(FIXED_DATE) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication",
        ));
    }
    if get("authorization") != Some(expected_authorization(&host, FIXED_DATE, path).as_str()) {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "HMAC signature does not match",
        ));
    }
    Ok(())
}

/// Serves one connection with `script`; returns the `ws://` base URL and what it saw.
pub(crate) async fn serve(script: Script) -> (String, JoinHandle<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = tokio::spawn(async move {
        let mut seen = Seen::default();
        let (tcp, _) = listener.accept().await.unwrap();
        let outcome = Arc::new(Mutex::new((String::new(), None::<u16>)));
        let record = outcome.clone();
        let path = script.path;
        let accepted = tokio_tungstenite::accept_hdr_async(
            tcp,
            move |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
                let result = check(req, path, port);
                let mut o = record.lock().unwrap();
                o.0 = req.uri().to_string();
                o.1 = result.as_ref().err().map(|e| e.status().as_u16());
                result.map(|()| resp)
            },
        )
        .await;
        {
            let o = outcome.lock().unwrap();
            seen.uri = o.0.clone();
            seen.refused = o.1;
        }
        let Ok(mut ws) = accepted else {
            return seen;
        };
        if let Some(Ok(Message::Text(t))) = ws.next().await {
            seen.request = Some(serde_json::from_str(t.as_str()).unwrap());
        }
        for f in script.frames {
            if ws.send(Message::text(f)).await.is_err() {
                return seen;
            }
        }
        match script.end {
            End::Close => {
                let _ = ws.close(None).await;
                while let Some(Ok(_)) = ws.next().await {}
            }
            End::Drop => drop(ws),
            End::Wait => {
                let next = tokio::time::timeout(Duration::from_secs(5), ws.next()).await;
                seen.client_went_away =
                    matches!(next, Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))));
            }
            End::Stall => tokio::time::sleep(Duration::from_secs(5)).await,
        }
        seen
    });
    (format!("ws://127.0.0.1:{port}"), handle)
}

/// A client of `base` signing with the fixed clock.
pub(crate) fn client(base: &str) -> llm_router_spark::ws::Client {
    client_builder(base).build().unwrap()
}

pub(crate) fn client_builder(base: &str) -> llm_router_spark::ws::Builder {
    llm_router_spark::ws::builder()
        .app_id(APP_ID)
        .api_key(API_KEY)
        .api_secret(API_SECRET)
        .base_url(base)
        .clock(fixed_clock)
}

/// The lines of a `.jsonl` fixture, one frame each.
pub(crate) fn frames(name: &str) -> Vec<String> {
    crate::fixtures()
        .text(name)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}
