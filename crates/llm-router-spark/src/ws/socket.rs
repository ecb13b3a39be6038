//! Connecting, sending the request frame, and reading response frames as a [`ChatStream`].
//!
//! The stream owns the socket: dropping it closes the connection. A frame with a non-zero
//! `header.code` ends the stream with that error; so does a socket that closes (or fails)
//! before the frame with status 2, as [`ErrorKind::StreamInterrupted`].

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use llm_router_core::{ChatStream, Error, ErrorKind};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::frame::{ChunkState, Frame};
use crate::PROVIDER;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens the socket at `url` (signed: it never appears in an error) within `timeout`.
pub(crate) async fn connect(url: &str, timeout: Duration) -> Result<Socket, Error> {
    llm_router_http::ensure_crypto_provider();
    match tokio::time::timeout(timeout, tokio_tungstenite::connect_async(url)).await {
        Err(_) => Err(Error::new(
            ErrorKind::Timeout,
            format!("no WebSocket connection to Spark within {timeout:?}"),
        )
        .with_provider(PROVIDER)),
        Ok(Err(e)) => Err(connect_error(e)),
        Ok(Ok((socket, _response))) => Ok(socket),
    }
}

/// A failed handshake as an error. The upgrade refused with 401/403 is iFlytek's answer to a
/// bad signature, unknown key or skewed clock: [`ErrorKind::Authentication`].
fn connect_error(e: tungstenite::Error) -> Error {
    match e {
        tungstenite::Error::Http(resp) => {
            let status = resp.status().as_u16();
            let body = resp.body().as_deref().unwrap_or_default();
            let err = llm_router_http::classify(PROVIDER, status, resp.headers(), body);
            if matches!(status, 401 | 403) {
                err.with_kind(ErrorKind::Authentication)
            } else {
                err
            }
        }
        tungstenite::Error::Io(io) => Error::new(
            ErrorKind::Connection,
            format!("cannot connect to Spark's WebSocket API: {io}"),
        )
        .with_provider(PROVIDER)
        .with_source(io),
        tungstenite::Error::Tls(tls) => Error::new(
            ErrorKind::Connection,
            format!("TLS failure connecting to Spark's WebSocket API: {tls}"),
        )
        .with_provider(PROVIDER),
        // URL errors would show the signed URL: say only what kind of failure it was.
        tungstenite::Error::Url(_) => Error::new(
            ErrorKind::Config,
            "the WebSocket URL for Spark is not valid (check the base URL)",
        )
        .with_provider(PROVIDER),
        other => Error::new(
            ErrorKind::Connection,
            format!(
                "the WebSocket handshake with Spark failed: {}",
                kind_of(&other)
            ),
        )
        .with_provider(PROVIDER),
    }
}

/// A short description of a tungstenite error that cannot carry the URL.
fn kind_of(e: &tungstenite::Error) -> String {
    match e {
        tungstenite::Error::Protocol(p) => p.to_string(),
        tungstenite::Error::Capacity(c) => c.to_string(),
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
            "connection closed".to_owned()
        }
        _ => "protocol error".to_owned(),
    }
}

/// Sends the request frame.
pub(crate) async fn send_request(socket: &mut Socket, frame: &Value) -> Result<(), Error> {
    socket
        .send(Message::text(frame.to_string()))
        .await
        .map_err(|e| {
            Error::new(
                ErrorKind::Connection,
                format!("cannot send the request frame to Spark: {}", kind_of(&e)),
            )
            .with_provider(PROVIDER)
        })
}

struct Reader {
    socket: Socket,
    chunks: ChunkState,
    done: bool,
}

fn interrupted(why: &str) -> Error {
    Error::new(
        ErrorKind::StreamInterrupted,
        format!("Spark's socket {why} before the last frame (status 2)"),
    )
    .with_provider(PROVIDER)
}

/// The response frames of `socket` as chunks (errors keep their own kinds; the first-event
/// rule is applied by the caller).
pub(crate) fn frames(socket: Socket, chunks: ChunkState) -> ChatStream {
    let reader = Reader {
        socket,
        chunks,
        done: false,
    };
    Box::pin(futures_util::stream::unfold(reader, |mut r| async move {
        if r.done {
            return None;
        }
        loop {
            let text = match r.socket.next().await {
                None => {
                    r.done = true;
                    return Some((Err(interrupted("closed")), r));
                }
                Some(Err(e)) => {
                    r.done = true;
                    let why = format!("failed ({})", kind_of(&e));
                    return Some((Err(interrupted(&why)), r));
                }
                Some(Ok(Message::Close(_))) => {
                    r.done = true;
                    return Some((Err(interrupted("closed")), r));
                }
                Some(Ok(Message::Text(t))) => t.as_str().to_owned(),
                Some(Ok(Message::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
            };
            let frame = match Frame::parse(&text) {
                Ok(f) => f,
                Err(e) => {
                    r.done = true;
                    return Some((Err(e), r));
                }
            };
            if let Some(e) = frame.error() {
                r.done = true;
                return Some((Err(e), r));
            }
            r.done = frame.is_last();
            let chunk = r.chunks.chunk(frame);
            return Some((Ok(chunk), r));
        }
    }))
}
