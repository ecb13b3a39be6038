//! wiremock helpers: responses in the shapes providers send, and access to what a mock server
//! received.

use serde_json::Value;
use wiremock::{MockServer, Request, ResponseTemplate};

/// A JSON response with `status`.
pub fn json_response(status: u16, body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_string().into_bytes(), "application/json")
}

/// An SSE response (`text/event-stream`) with the transcript `body`.
pub fn sse_response(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "text/event-stream")
}

/// The requests a server received, in order.
pub async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

/// Every value a request carried for header `name`, in order (a header sent twice shows
/// twice; a value that is not text shows as `<binary>`).
pub fn header_values(req: &Request, name: &str) -> Vec<String> {
    req.headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap_or("<binary>").to_owned())
        .collect()
}

/// The JSON body of the only request a server received (panics otherwise: test code).
pub async fn only_request_json(server: &MockServer) -> Value {
    let reqs = received(server).await;
    assert_eq!(
        reqs.len(),
        1,
        "expected exactly one request, got {}",
        reqs.len()
    );
    serde_json::from_slice(&reqs[0].body).expect("request body is JSON")
}

/// `data: <json>\n\n` for each value, then `data: [DONE]\n\n` when `done`.
pub fn sse_transcript(events: &[Value], done: bool) -> String {
    let mut out = String::new();
    for e in events {
        out.push_str("data: ");
        out.push_str(&e.to_string());
        out.push_str("\n\n");
    }
    if done {
        out.push_str("data: [DONE]\n\n");
    }
    out
}

/// Serves one response whose body is `head` and then drops the connection without finishing
/// the chunked body: a real mid-stream disconnect, which wiremock cannot produce. Returns the
/// base URL (`http://127.0.0.1:<port>`). Serves one connection, then stops.
pub async fn disconnecting_server(content_type: &'static str, head: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let Ok((mut sock, _)) = listener.accept().await else {
            return;
        };
        // Read the request head and as much body as is already there.
        let mut buf = vec![0u8; 64 * 1024];
        let _ =
            tokio::time::timeout(std::time::Duration::from_millis(500), sock.read(&mut buf)).await;
        let header = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n",
            head.len()
        );
        let _ = sock.write_all(header.as_bytes()).await;
        let _ = sock.write_all(&head).await;
        let _ = sock.write_all(b"\r\n").await;
        let _ = sock.flush().await;
        // Dropping the socket now, mid-body, is the disconnect.
    });
    format!("http://{addr}")
}
