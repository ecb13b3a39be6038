//! Remote images go through the `GuardedFetcher`: private and loopback hosts are refused by
//! default; when allowed, the bytes are fetched and inlined; size and type are checked.

use base64::Engine as _;
use llm_router_core::{ChatProvider, ChatRequest, ContentPart, ErrorKind, Message};
use llm_router_gemini::{GeminiClient, GuardedFetcher};
use llm_router_testkit::conformance::PNG_1X1;
use llm_router_testkit::wire::received;
use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{KEY, expect_post, fixtures, ok};

const PATH: &str = "/v1beta/models/gemini-2.5-flash:generateContent";

fn png() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(PNG_1X1)
        .unwrap()
}

fn with_image(url: &str) -> ChatRequest {
    ChatRequest::new(
        "gemini-2.5-flash",
        vec![Message::user(vec![
            ContentPart::text("What is this?"),
            ContentPart::image_url(url),
        ])],
    )
}

fn client_with(base: &str, fetcher: GuardedFetcher) -> GeminiClient {
    llm_router_gemini::builder()
        .api_key(KEY)
        .http_client(crate::http())
        .base_url(base)
        .image_fetcher(fetcher)
        .build()
        .unwrap()
}

async fn image_server(resp: ResponseTemplate) -> MockServer {
    let s = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cat.png"))
        .respond_with(resp)
        .mount(&s)
        .await;
    s
}

#[tokio::test]
async fn loopback_and_private_hosts_are_refused_by_default() {
    let images = image_server(ResponseTemplate::new(200).set_body_raw(png(), "image/png")).await;
    let api = MockServer::start().await;
    let c = crate::client(&api.uri());
    for url in [
        format!("{}/cat.png", images.uri()), // http://127.0.0.1:<port>
        "http://10.0.0.1/cat.png".to_owned(),
        "http://[::1]/cat.png".to_owned(),
        "http://169.254.169.254/latest/meta-data".to_owned(),
        format!("http://localhost:{}/cat.png", images.address().port()), // resolves to loopback
    ] {
        let e = c.chat(with_image(&url)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{url}: {e}");
        assert!(e.message().contains("allow_private_networks"), "{url}: {e}");
    }
    assert!(received(&images).await.is_empty(), "nothing was fetched");
    assert!(received(&api).await.is_empty(), "nothing was sent");
}

#[tokio::test]
async fn allowed_private_images_are_fetched_and_inlined() {
    let images =
        image_server(ResponseTemplate::new(200).set_body_raw(png(), "image/png; charset=binary"))
            .await;
    let expected = json!({"contents": [{"role": "user", "parts": [
        {"text": "What is this?"},
        {"inlineData": {"mimeType": "image/png", "data": PNG_1X1}}
    ]}]});
    // By address, and by name: `localhost` is resolved, checked and pinned.
    for url in [
        format!("{}/cat.png", images.uri()),
        format!("http://localhost:{}/cat.png", images.address().port()),
    ] {
        let api = expect_post(PATH, &expected, ok(&fixtures().json("chat_text.json"))).await;
        let c = client_with(
            &api.uri(),
            GuardedFetcher::new().allow_private_networks(true),
        );
        c.chat(with_image(&url)).await.unwrap();
    }
    assert_eq!(received(&images).await.len(), 2);
}

#[tokio::test]
async fn redirects_are_followed_and_checked() {
    let images = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/old.png"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/cat.png"))
        .mount(&images)
        .await;
    Mock::given(method("GET"))
        .and(path("/cat.png"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(png(), "image/png"))
        .mount(&images)
        .await;
    let f = GuardedFetcher::new().allow_private_networks(true);
    let img = f
        .fetch_image(&format!("{}/old.png", images.uri()))
        .await
        .unwrap();
    assert_eq!((img.mime_type.as_str(), img.bytes), ("image/png", png()));
    // A redirect to a private address is refused when private networks are not allowed,
    // even from an allowed first hop: each hop is checked (here the first hop is refused).
    let e = GuardedFetcher::new()
        .fetch_image(&format!("{}/old.png", images.uri()))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
}

#[tokio::test]
async fn oversized_non_image_and_failed_downloads_are_refused() {
    let f = GuardedFetcher::new()
        .allow_private_networks(true)
        .max_bytes(10);
    // Content-Length over the cap.
    let s =
        image_server(ResponseTemplate::new(200).set_body_raw(vec![0u8; 100], "image/png")).await;
    let e = f
        .fetch_image(&format!("{}/cat.png", s.uri()))
        .await
        .unwrap_err();
    assert!(e.message().contains("larger than 10 bytes"), "{e}");
    // Not an image.
    let s = image_server(ResponseTemplate::new(200).set_body_raw(b"<html/>".to_vec(), "text/html"))
        .await;
    let e = f
        .fetch_image(&format!("{}/cat.png", s.uri()))
        .await
        .unwrap_err();
    assert!(e.message().contains("not image/*"), "{e}");
    // HTTP error.
    let s = image_server(ResponseTemplate::new(404)).await;
    let e = f
        .fetch_image(&format!("{}/cat.png", s.uri()))
        .await
        .unwrap_err();
    assert!(e.message().contains("404"), "{e}");
    // Other schemes.
    let e = f.fetch_image("file:///etc/passwd").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
}

/// Serves one chunked response without Content-Length, so only the streamed count can stop it.
async fn chunked_image_server(chunks: usize, chunk_size: usize) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let Ok((mut sock, _)) = listener.accept().await else {
            return;
        };
        let mut buf = vec![0u8; 8192];
        let _ = sock.read(&mut buf).await;
        let _ = sock
            .write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ntransfer-encoding: chunked\r\n\r\n",
            )
            .await;
        for _ in 0..chunks {
            let head = format!("{chunk_size:x}\r\n");
            let _ = sock.write_all(head.as_bytes()).await;
            let _ = sock.write_all(&vec![7u8; chunk_size]).await;
            let _ = sock.write_all(b"\r\n").await;
        }
        let _ = sock.write_all(b"0\r\n\r\n").await;
        let _ = sock.flush().await;
    });
    format!("http://{addr}/big.png")
}

#[tokio::test]
async fn the_size_cap_holds_without_content_length() {
    let f = GuardedFetcher::new()
        .allow_private_networks(true)
        .max_bytes(64 * 1024);
    let url = chunked_image_server(100, 4096).await;
    let e = f.fetch_image(&url).await.unwrap_err();
    assert!(e.message().contains("larger than 65536 bytes"), "{e}");
    let url = chunked_image_server(4, 1000).await;
    assert_eq!(f.fetch_image(&url).await.unwrap().bytes.len(), 4000);
}

#[tokio::test]
async fn without_a_fetcher_remote_urls_are_refused() {
    let api = MockServer::start().await;
    let c = llm_router_gemini::builder()
        .api_key(KEY)
        .http_client(crate::http())
        .base_url(api.uri())
        .no_image_fetching()
        .build()
        .unwrap();
    let e = c
        .chat(with_image("https://example.com/cat.png"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(e.message().contains("not fetched"), "{e}");
    assert!(received(&api).await.is_empty());
}
