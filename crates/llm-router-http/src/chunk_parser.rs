//! The loop every native stream parser runs: read the protocol's events (SSE events, binary
//! frames) one at a time, let the provider's parser turn each into queued chunks, and end the
//! stream the same way everywhere. The provider writes only what an event means and what a
//! premature end is; [`parse_chunks`] owns the rules:
//!
//! - queued chunks are sent before the next event is read;
//! - an event the parser calls the last ([`EventFlow::Stop`]) ends the stream cleanly once its
//!   chunks are sent; nothing after it is read;
//! - an error (from the events or the parser) is yielded once and ends the stream; chunks the
//!   failing event had queued are dropped;
//! - when the events run out first, [`ChunkParser::end`] says whether that was a clean end.

use std::collections::VecDeque;
use std::pin::Pin;

use futures_util::{Stream, StreamExt as _};
use llm_router_core::{ChatChunk, ChatStream, Error};

/// What a parser says after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventFlow {
    /// Read the next event.
    Continue,
    /// That was the protocol's last event: the stream ends cleanly after the queued chunks.
    Stop,
}

/// A provider's stream parser: the state between events and what each event means.
pub trait ChunkParser: Send + 'static {
    /// One protocol event (an SSE event, a binary frame).
    type Event: Send + 'static;

    /// Handles one event, queueing the chunks it makes on [`ChunkParser::queue`].
    fn on_event(&mut self, event: &Self::Event) -> Result<EventFlow, Error>;

    /// The chunks made but not yet sent.
    fn queue(&mut self) -> &mut VecDeque<ChatChunk>;

    /// The events ended before an [`EventFlow::Stop`]: `None` when that is a clean end for
    /// this protocol, otherwise the error to end the stream with (normally
    /// [`ErrorKind::StreamInterrupted`](llm_router_core::ErrorKind::StreamInterrupted)).
    fn end(&mut self) -> Option<Error>;
}

type Events<E> = Pin<Box<dyn Stream<Item = Result<E, Error>> + Send>>;

struct Driver<P: ChunkParser> {
    events: Events<P::Event>,
    parser: P,
    done: bool,
}

/// Runs `parser` over `events` under the rules of this module. Spawns nothing; dropping the
/// stream drops the events (and the body under them).
pub fn parse_chunks<P, S>(events: S, parser: P) -> ChatStream
where
    P: ChunkParser,
    S: Stream<Item = Result<P::Event, Error>> + Send + 'static,
{
    let driver = Driver {
        events: Box::pin(events) as Events<P::Event>,
        parser,
        done: false,
    };
    Box::pin(futures_util::stream::unfold(driver, |mut d| async move {
        loop {
            if let Some(chunk) = d.parser.queue().pop_front() {
                return Some((Ok(chunk), d));
            }
            if d.done {
                return None;
            }
            let event = match d.events.next().await {
                Some(Ok(event)) => event,
                Some(Err(e)) => {
                    d.done = true;
                    return Some((Err(e), d));
                }
                None => {
                    d.done = true;
                    return d.parser.end().map(|e| (Err(e), d));
                }
            };
            match d.parser.on_event(&event) {
                Ok(EventFlow::Continue) => {}
                Ok(EventFlow::Stop) => d.done = true,
                Err(e) => {
                    d.done = true;
                    d.parser.queue().clear();
                    return Some((Err(e), d));
                }
            }
        }
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use llm_router_core::ErrorKind;

    /// Each event `n` queues `n` chunks; 0 is the last event, a negative one is an error.
    struct Counting {
        queue: VecDeque<ChatChunk>,
        clean_end: bool,
    }

    impl ChunkParser for Counting {
        type Event = i32;

        fn on_event(&mut self, n: &i32) -> Result<EventFlow, Error> {
            for i in 0..n.unsigned_abs() {
                self.queue
                    .push_back(ChatChunk::text_delta("c", "m", format!("{n}.{i}")));
            }
            match *n {
                0 => Ok(EventFlow::Stop),
                n if n < 0 => Err(Error::new(ErrorKind::InvalidRequest, "negative")),
                _ => Ok(EventFlow::Continue),
            }
        }

        fn queue(&mut self) -> &mut VecDeque<ChatChunk> {
            &mut self.queue
        }

        fn end(&mut self) -> Option<Error> {
            (!self.clean_end).then(|| Error::new(ErrorKind::StreamInterrupted, "cut"))
        }
    }

    async fn run(events: Vec<Result<i32, Error>>, clean_end: bool) -> Vec<Result<String, String>> {
        let parser = Counting {
            queue: VecDeque::new(),
            clean_end,
        };
        parse_chunks(futures_util::stream::iter(events), parser)
            .map(|r| {
                r.map(|c| c.choices[0].delta.content.clone().unwrap_or_default())
                    .map_err(|e| e.message().to_owned())
            })
            .collect()
            .await
    }

    fn ok(s: &str) -> Result<String, String> {
        Ok(s.to_owned())
    }

    #[tokio::test]
    async fn stop_ends_cleanly_after_its_chunks() {
        let got = run(vec![Ok(2), Ok(0), Ok(1)], false).await;
        assert_eq!(got, [ok("2.0"), ok("2.1")]);
    }

    #[tokio::test]
    async fn errors_end_the_stream_and_drop_what_the_event_queued() {
        let got = run(vec![Ok(1), Ok(-2), Ok(1)], true).await;
        assert_eq!(got, [ok("1.0"), Err("negative".to_owned())]);
        let got = run(
            vec![
                Ok(1),
                Err(Error::new(ErrorKind::Connection, "reset")),
                Ok(1),
            ],
            true,
        )
        .await;
        assert_eq!(got, [ok("1.0"), Err("reset".to_owned())]);
    }

    #[tokio::test]
    async fn running_out_asks_the_parser() {
        assert_eq!(run(vec![Ok(1)], true).await, [ok("1.0")]);
        assert_eq!(
            run(vec![Ok(1)], false).await,
            [ok("1.0"), Err("cut".to_owned())]
        );
    }
}
