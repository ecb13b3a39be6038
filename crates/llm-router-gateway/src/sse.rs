//! Server-sent events: a provider's [`ChatStream`] written out chunk by chunk as it arrives.
//!
//! Nothing is collected: each chunk becomes one body frame the moment the provider yields it.
//! hyper's HTTP/1.1 writer keeps buffering frames while the body has another one ready (up to
//! 16) and writes them in one go, so after the first frame the body yields once: the headers
//! and the first frame go out at once even when the upstream delivered a burst of chunks (the
//! time to first byte does not wait for the burst to be re-encoded). Dropping the body — the
//! client went away, or the server cut the connection after its shutdown grace — drops the
//! provider's stream, which cancels the upstream request. The wire format is a
//! [`StreamFormat`], so the Messages route reuses this writer with Anthropic's events.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::{Instant, Sleep};

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use futures_util::{Stream, StreamExt as _};
use llm_router_core::{ChatChunk, ChatStream, Error};

use crate::context::Ctx;
use crate::error::openai_body;
use crate::limits::Admitted;
use crate::request_id::REQUEST_ID;

/// How chunks, the end and a late error are written on the wire.
pub(crate) trait StreamFormat: Send + Unpin + 'static {
    /// Writes the events for one chunk (maybe none).
    fn chunk(&mut self, chunk: &ChatChunk, out: &mut Vec<u8>);
    /// Writes the events that end a complete stream.
    fn finish(&mut self, out: &mut Vec<u8>);
    /// Writes the event for an error after the stream started (the stream then ends).
    fn error(&mut self, err: &Error, out: &mut Vec<u8>);
    /// Writes what keeps an idle stream open through proxies that close silent connections
    /// (an SSE comment, which clients skip, unless the API has its own event).
    fn keep_alive(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(b": keep-alive\n\n");
    }
}

/// OpenAI's framing: `data: <chunk>` per chunk, `data: [DONE]` at the end, and
/// `data: {"error": {...}}` (then no `[DONE]`) when the upstream fails mid-stream.
pub(crate) struct OpenAiFormat {
    /// Whether the client asked for `stream_options.include_usage`. When it did not, usage
    /// the provider sent anyway is taken off (a usage-only chunk is not sent at all), so
    /// clients that read `choices[0]` of every chunk keep working.
    pub(crate) include_usage: bool,
}

impl StreamFormat for OpenAiFormat {
    fn chunk(&mut self, chunk: &ChatChunk, out: &mut Vec<u8>) {
        if !self.include_usage && chunk.usage.is_some() {
            if chunk.choices.is_empty() {
                return;
            }
            let mut trimmed = chunk.clone();
            trimmed.usage = None;
            return data(out, &trimmed);
        }
        data(out, chunk);
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"data: [DONE]\n\n");
    }

    fn error(&mut self, err: &Error, out: &mut Vec<u8>) {
        out.extend_from_slice(b"data: ");
        out.extend_from_slice(&openai_body(err, None));
        out.extend_from_slice(b"\n\n");
    }
}

fn data(out: &mut Vec<u8>, chunk: &ChatChunk) {
    out.extend_from_slice(b"data: ");
    if serde_json::to_writer(&mut *out, chunk).is_err() {
        out.extend_from_slice(b"{}");
    }
    out.extend_from_slice(b"\n\n");
}

/// Writes one `event:`/`data:` pair (Anthropic-style named events).
pub(crate) fn named_event(out: &mut Vec<u8>, event: &str, data: &str) {
    out.extend_from_slice(b"event: ");
    out.extend_from_slice(event.as_bytes());
    out.extend_from_slice(b"\ndata: ");
    out.extend_from_slice(data.as_bytes());
    out.extend_from_slice(b"\n\n");
}

enum Phase {
    /// Chunks are still coming.
    Streaming,
    /// The provider's stream ended or failed and the last event was written.
    Over,
}

/// Where the first frame is.
enum First {
    /// Not written yet.
    Unsent,
    /// Handed to hyper; the next poll yields once so hyper writes it out.
    Sent,
    /// Written out; frames follow as they are ready.
    Flushed,
}

/// Keep-alives of one stream: due `interval` after the last frame written.
struct KeepAlive {
    interval: Duration,
    timer: Pin<Box<Sleep>>,
    /// When the last frame went out (the timer is re-armed from it lazily, not per frame).
    last_frame: Instant,
}

impl KeepAlive {
    fn new(interval: Duration) -> Self {
        let now = Instant::now();
        Self {
            interval,
            timer: Box::pin(tokio::time::sleep_until(now + interval)),
            last_frame: now,
        }
    }

    /// Whether a keep-alive is due now; otherwise the timer wakes the body later. The timer is
    /// moved only when it fires early (frames went out since it was set), not on every frame.
    fn due(&mut self, cx: &mut Context<'_>) -> bool {
        loop {
            if self.timer.as_mut().poll(cx).is_pending() {
                return false;
            }
            let deadline = self.last_frame + self.interval;
            if Instant::now() >= deadline {
                return true;
            }
            self.timer.as_mut().reset(deadline);
        }
    }
}

/// The response body of a stream.
struct SseBody<F> {
    inner: ChatStream,
    keep_alive: Option<KeepAlive>,
    format: F,
    alias: String,
    phase: Phase,
    first: First,
    /// The capacity of the next frame's buffer.
    frame_size: usize,
    ctx: Ctx,
    _admitted: Admitted,
}

impl<F: StreamFormat> Stream for SseBody<F> {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let _in = this.ctx.span.enter();
        loop {
            if matches!(this.phase, Phase::Over) {
                return Poll::Ready(None);
            }
            if matches!(this.first, First::Sent) {
                this.first = First::Flushed;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let next = match this.inner.poll_next_unpin(cx) {
                Poll::Ready(next) => next,
                Poll::Pending => {
                    let Some(k) = &mut this.keep_alive else {
                        return Poll::Pending;
                    };
                    if !k.due(cx) {
                        return Poll::Pending;
                    }
                    k.last_frame = Instant::now();
                    let mut out = Vec::new();
                    this.format.keep_alive(&mut out);
                    return Poll::Ready(Some(Ok(Bytes::from(out))));
                }
            };
            // Sized like the previous frame: one allocation per frame instead of a doubling
            // series while the chunk is written.
            let mut out = Vec::with_capacity(this.frame_size);
            if let Some(k) = &mut this.keep_alive {
                k.last_frame = Instant::now();
            }
            match next {
                Some(Ok(mut chunk)) => {
                    let metrics = &this.ctx.g.metrics;
                    if let Some(u) = &chunk.usage {
                        metrics.tokens(this.ctx.model, u.prompt_tokens, u.completion_tokens);
                    }
                    chunk.model.clear();
                    chunk.model.push_str(&this.alias);
                    this.format.chunk(&chunk, &mut out);
                    if out.is_empty() {
                        continue;
                    }
                    metrics.chunk(this.ctx.model);
                }
                Some(Err(err)) => {
                    tracing::warn!(error = %err, "stream failed after it started");
                    this.format.error(&err, &mut out);
                    this.phase = Phase::Over;
                }
                None => {
                    this.format.finish(&mut out);
                    this.phase = Phase::Over;
                }
            }
            if matches!(this.first, First::Unsent) {
                this.first = First::Sent;
            }
            this.frame_size = frame_size_after(out.len());
            return Poll::Ready(Some(Ok(Bytes::from(out))));
        }
    }
}

/// The buffer for a stream's first frame: a typical chunk with its framing fits.
const FIRST_FRAME_SIZE: usize = 256;

/// The buffer for the frame after one of `len` bytes: room for a slightly longer one, within
/// bounds (a rare huge frame does not make every later buffer huge).
fn frame_size_after(len: usize) -> usize {
    (len + len / 4).clamp(64, 16 * 1024)
}

impl<F> Drop for SseBody<F> {
    fn drop(&mut self) {
        if matches!(self.phase, Phase::Streaming) {
            self.ctx.g.metrics.disconnect(self.ctx.model);
            let _in = self.ctx.span.enter();
            tracing::debug!("client left before the stream ended; upstream request cancelled");
        }
        self.ctx.record(StatusCode::OK);
    }
}

/// The 200 `text/event-stream` response that streams `inner` in `format`; `alias` is the
/// model name written into every chunk.
pub(crate) fn response<F: StreamFormat>(
    ctx: Ctx,
    inner: ChatStream,
    format: F,
    alias: String,
    admitted: Admitted,
) -> Response {
    let id = ctx.id.clone();
    let body = SseBody {
        inner,
        keep_alive: ctx.g.sse_keep_alive.map(KeepAlive::new),
        format,
        alias,
        phase: Phase::Streaming,
        first: First::Unsent,
        frame_size: FIRST_FRAME_SIZE,
        ctx,
        _admitted: admitted,
    };
    let mut resp = Response::new(Body::from_stream(body));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Tells nginx-style proxies not to buffer the stream either.
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    h.insert(REQUEST_ID, id);
    resp
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::http::HeaderMap;
    use futures_util::task::{ArcWake, waker};
    use llm_router_core::{ErrorKind, Usage, stream_from_chunks};

    use crate::metrics::Route;

    struct Wakes(AtomicUsize);

    impl ArcWake for Wakes {
        fn wake_by_ref(arc_self: &Arc<Self>) {
            arc_self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn the_first_frame_goes_out_before_the_rest_of_a_burst() {
        let gateway = crate::Gateway::builder().build();
        let ctx = Ctx::begin(Arc::clone(&gateway.inner), Route::Chat, &HeaderMap::new());
        let chunks = vec![
            ChatChunk::text_delta("c", "m", "a"),
            ChatChunk::text_delta("c", "m", "b"),
        ];
        let mut body = SseBody {
            inner: stream_from_chunks(chunks),
            keep_alive: None,
            format: OpenAiFormat {
                include_usage: false,
            },
            alias: "x".into(),
            phase: Phase::Streaming,
            first: First::Unsent,
            frame_size: FIRST_FRAME_SIZE,
            ctx,
            _admitted: Admitted::default(),
        };
        let wakes = Arc::new(Wakes(AtomicUsize::new(0)));
        let waker = waker(Arc::clone(&wakes));
        let mut cx = Context::from_waker(&waker);
        let mut next = || match Pin::new(&mut body).poll_next(&mut cx) {
            Poll::Ready(Some(Ok(frame))) => Some(String::from_utf8(frame.to_vec()).unwrap()),
            Poll::Ready(None) => Some(String::new()),
            Poll::Pending => None,
        };
        assert!(next().unwrap().contains("\"content\":\"a\""));
        // The chunk "b" is ready, but the body yields once (and wakes itself) first.
        assert_eq!(next(), None);
        assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
        assert!(next().unwrap().contains("\"content\":\"b\""));
        assert_eq!(next().unwrap(), "data: [DONE]\n\n");
        assert_eq!(next().unwrap(), "");
        assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn frame_buffers_follow_the_last_frame_within_bounds() {
        assert_eq!(frame_size_after(0), 64);
        assert_eq!(frame_size_after(200), 250);
        assert_eq!(frame_size_after(1 << 20), 16 * 1024);
    }

    #[test]
    fn openai_framing_and_usage_trimming() {
        let mut with_usage = ChatChunk::text_delta("c", "m", "hi");
        with_usage.usage = Some(Usage::new(1, 2));
        let usage_only = ChatChunk {
            usage: Some(Usage::new(1, 2)),
            ..ChatChunk::default()
        };

        let mut out = Vec::new();
        let mut f = OpenAiFormat {
            include_usage: false,
        };
        f.chunk(&usage_only, &mut out);
        assert!(out.is_empty());
        f.chunk(&with_usage, &mut out);
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with("data: {") && text.ends_with("}\n\n"));
        assert!(!text.contains("usage"));

        let mut f = OpenAiFormat {
            include_usage: true,
        };
        out.clear();
        f.chunk(&usage_only, &mut out);
        assert!(
            String::from_utf8(out.clone())
                .unwrap()
                .contains("\"usage\"")
        );

        out.clear();
        f.error(
            &Error::new(ErrorKind::ProviderUnavailable, "down"),
            &mut out,
        );
        f.finish(&mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("data: {\"error\":{\"message\":\"down\""));
        assert!(text.ends_with("data: [DONE]\n\n"));
    }
}
