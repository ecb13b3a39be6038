//! Mock images: a fixed, valid 1×1 PNG (or a URL that never resolves).

use llm_router_core::{Error, ErrorKind, ImageData, ImageRequest, ImageResponse};

/// A 1×1 transparent PNG (grey + alpha, 8 bit), base64. Every chunk CRC is valid.
pub(crate) const PIXEL_PNG_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

/// Most images one request may ask for (OpenAI's limit).
const MAX_IMAGES: u32 = 10;

/// The mock's answer to an image request.
pub(crate) fn respond(
    req: &ImageRequest,
    provider: &str,
    created: u64,
) -> Result<ImageResponse, Error> {
    let n = req.n.unwrap_or(1);
    if n == 0 || n > MAX_IMAGES {
        return Err(Error::new(
            ErrorKind::InvalidRequest,
            format!("mock: n must be between 1 and {MAX_IMAGES}, got {n}"),
        )
        .with_provider(provider)
        .with_status(400));
    }
    let as_url = req.response_format.as_deref() == Some("url");
    let data = (0..n)
        .map(|i| ImageData {
            url: as_url.then(|| format!("https://mock.invalid/image/{i}.png")),
            b64_json: (!as_url).then(|| PIXEL_PNG_BASE64.to_owned()),
            ..ImageData::default()
        })
        .collect();
    Ok(ImageResponse {
        created,
        data,
        ..ImageResponse::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_by_default_urls_on_request() {
        let mut req = ImageRequest::new("m", "a cat");
        let r = respond(&req, "mock", 1).unwrap();
        assert_eq!(r.data.len(), 1);
        assert_eq!(r.data[0].b64_json.as_deref(), Some(PIXEL_PNG_BASE64));
        assert!(r.data[0].url.is_none());

        req.n = Some(2);
        req.response_format = Some("url".into());
        let r = respond(&req, "mock", 1).unwrap();
        assert_eq!(
            r.data[1].url.as_deref(),
            Some("https://mock.invalid/image/1.png")
        );
        assert!(r.data[1].b64_json.is_none());

        req.n = Some(0);
        assert_eq!(
            respond(&req, "mock", 1).unwrap_err().kind(),
            ErrorKind::InvalidRequest
        );
    }

    #[test]
    fn the_png_has_a_png_signature() {
        // base64 of the 8-byte PNG signature 89 50 4E 47 0D 0A 1A 0A starts "iVBORw0KGgo".
        assert!(PIXEL_PNG_BASE64.starts_with("iVBORw0KGgo"));
    }
}
