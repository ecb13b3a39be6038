//! An event-stream encoder written from the format's definition, independent of the crate:
//! `[total_len u32][headers_len u32][prelude_crc u32][headers][payload][message_crc u32]`,
//! big-endian, CRC32 (IEEE, reflected, polynomial 0xEDB88320) computed here bit by bit.

use serde_json::Value;

/// CRC32 (IEEE 802.3 / zlib), bitwise.
pub(crate) fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// One frame with string headers (type 7) and `payload`.
pub(crate) fn frame(headers: &[(&str, &str)], payload: &[u8]) -> Vec<u8> {
    let mut h = Vec::new();
    for (name, value) in headers {
        h.push(u8::try_from(name.len()).unwrap());
        h.extend_from_slice(name.as_bytes());
        h.push(7);
        h.extend_from_slice(&u16::try_from(value.len()).unwrap().to_be_bytes());
        h.extend_from_slice(value.as_bytes());
    }
    let total = 12 + h.len() + payload.len() + 4;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&u32::try_from(total).unwrap().to_be_bytes());
    out.extend_from_slice(&u32::try_from(h.len()).unwrap().to_be_bytes());
    let prelude_crc = crc32(&out);
    out.extend_from_slice(&prelude_crc.to_be_bytes());
    out.extend_from_slice(&h);
    out.extend_from_slice(payload);
    let message_crc = crc32(&out);
    out.extend_from_slice(&message_crc.to_be_bytes());
    out
}

/// An `event` frame of type `event_type` with a JSON payload.
pub(crate) fn event(event_type: &str, payload: &Value) -> Vec<u8> {
    frame(
        &[
            (":event-type", event_type),
            (":content-type", "application/json"),
            (":message-type", "event"),
        ],
        payload.to_string().as_bytes(),
    )
}

/// An `exception` frame (`:exception-type`, JSON `{"message"}` payload).
pub(crate) fn exception(exception_type: &str, message: &str) -> Vec<u8> {
    frame(
        &[
            (":exception-type", exception_type),
            (":content-type", "application/json"),
            (":message-type", "exception"),
        ],
        serde_json::json!({"message": message})
            .to_string()
            .as_bytes(),
    )
}

/// Frames concatenated.
pub(crate) fn transcript(frames: &[Vec<u8>]) -> Vec<u8> {
    frames.concat()
}

#[test]
fn crc32_check_value() {
    // The standard check value of CRC-32/ISO-HDLC.
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32(b""), 0);
}

#[test]
fn frame_layout() {
    let f = frame(&[("a", "b")], b"xy");
    // 12 prelude + (1+1+1+2+1 = 6 header bytes) + 2 payload + 4 crc
    assert_eq!(f.len(), 24);
    assert_eq!(&f[..8], &[0, 0, 0, 24, 0, 0, 0, 6]);
    assert_eq!(&f[12..18], &[1, b'a', 7, 0, 1, b'b']);
    assert_eq!(&f[18..20], b"xy");
}
