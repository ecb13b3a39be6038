//! Byte streams cut at chosen places, to prove a parser does not care where the network
//! splits its input (UTF-8 characters, `data:` lines and `\r\n` cut in half).

use bytes::Bytes;
use llm_router_core::Error;
use llm_router_http::ByteStream;

/// A stream yielding `body` cut at the given offsets (sorted, out-of-range ones ignored).
pub fn chunked(body: &[u8], cuts: &[usize]) -> ByteStream {
    let mut cuts: Vec<usize> = cuts
        .iter()
        .copied()
        .filter(|c| *c > 0 && *c < body.len())
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for c in cuts {
        pieces.push(Ok::<_, Error>(Bytes::copy_from_slice(&body[start..c])));
        start = c;
    }
    pieces.push(Ok(Bytes::copy_from_slice(&body[start..])));
    Box::pin(futures_util::stream::iter(pieces))
}

/// One byte per item.
pub fn byte_by_byte(body: &[u8]) -> ByteStream {
    let cuts: Vec<usize> = (1..body.len()).collect();
    chunked(body, &cuts)
}

/// For every offset `i` in `1..len`: the body in two pieces cut at `i`.
pub fn every_split(body: &[u8]) -> impl Iterator<Item = (usize, ByteStream)> + '_ {
    (1..body.len()).map(move |i| (i, chunked(body, &[i])))
}

/// A stream that yields `body` and then a connection error, as a peer that hangs up.
pub fn then_disconnect(body: &[u8]) -> ByteStream {
    let items = vec![
        Ok(Bytes::copy_from_slice(body)),
        Err(Error::new(
            llm_router_core::ErrorKind::Connection,
            "connection reset by peer",
        )),
    ];
    Box::pin(futures_util::stream::iter(items))
}
