//! Fitting a conversation into a token budget: units that are never split, the window walk,
//! and cutting text at character boundaries.

use std::collections::HashMap;
use std::ops::Range;

use llm_router_core::{Content, Error, ErrorKind, Message, Role};
use llm_router_tokens::TokenCounter;

use crate::conversation::Entry;

/// Which end of a text [`truncate_text`] and [`truncate_to_tokens`] keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Keep {
    /// Keep the beginning, drop the end.
    Start,
    /// Keep the end, drop the beginning (what [`Strategy::TruncateOldest`](crate::Strategy)
    /// does: the latest words of a message are usually the ones that matter).
    End,
}

/// Cuts `text` to at most `max_bytes` bytes, never inside a multi-byte character (so the
/// result can be a few bytes shorter than `max_bytes`).
///
/// ```
/// use llm_router_memory::{Keep, truncate_text};
/// // "é" is two bytes: a cut after 3 bytes would split the second one.
/// assert_eq!(truncate_text("éé", 3, Keep::Start), "é");
/// assert_eq!(truncate_text("a😀b", 5, Keep::End), "😀b");
/// assert_eq!(truncate_text("short", 100, Keep::End), "short");
/// ```
pub fn truncate_text(text: &str, max_bytes: usize, keep: Keep) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    match keep {
        Keep::Start => {
            let mut end = max_bytes;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            &text[..end]
        }
        Keep::End => {
            let mut start = text.len() - max_bytes;
            while !text.is_char_boundary(start) {
                start += 1;
            }
            &text[start..]
        }
    }
}

/// The longest part of `text` (from the end kept by `keep`, cut at a character boundary)
/// whose [`count_text`](TokenCounter::count_text) is at most `max_tokens`.
pub fn truncate_to_tokens<'t, C: TokenCounter + ?Sized>(
    text: &'t str,
    max_tokens: usize,
    keep: Keep,
    counter: &C,
) -> &'t str {
    longest_fit(text, keep, |t| counter.count_text(t) <= max_tokens).unwrap_or("")
}

/// The longest piece of `text` kept from `keep`'s end for which `fits` holds, found by a
/// binary search over character boundaries. `None` when not even the empty string fits.
/// The answer always satisfies `fits`, even for counters that are not monotonic.
fn longest_fit(text: &str, keep: Keep, mut fits: impl FnMut(&str) -> bool) -> Option<&str> {
    // Boundaries 0..=n, as byte offsets.
    let mut bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    bounds.push(text.len());
    let n = bounds.len() - 1;
    // piece(k) keeps k characters.
    let piece = |k: usize| match keep {
        Keep::Start => &text[..bounds[k]],
        Keep::End => &text[bounds[n - k]..],
    };
    if fits(text) {
        return Some(text);
    }
    if !fits("") {
        return None;
    }
    // Invariant: piece(lo) fits, piece(hi) does not.
    let (mut lo, mut hi) = (0, n);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(piece(mid)) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(piece(lo))
}

/// A run of entries kept or dropped as a whole: one message, or an assistant message with
/// tool calls together with the tool messages answering them (and anything between them).
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    pub(crate) range: Range<usize>,
    pub(crate) pinned: bool,
}

/// Groups entries into units. A tool message answering a call made earlier joins the unit of
/// that call, together with everything in between, so dropping units never orphans a tool
/// result or a call.
pub(crate) fn units(entries: &[Entry]) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::with_capacity(entries.len());
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        let m = &e.message;
        let answered = if m.role == Role::Tool {
            m.tool_call_id
                .as_deref()
                .and_then(|id| owner.get(id).copied())
        } else {
            None
        };
        match answered {
            Some(u) => {
                let pinned = e.pinned || units[u..].iter().any(|x| x.pinned);
                units.truncate(u + 1);
                units[u].range.end = i + 1;
                units[u].pinned = pinned;
                for v in owner.values_mut() {
                    if *v > u {
                        *v = u;
                    }
                }
            }
            None => units.push(Unit {
                range: i..i + 1,
                pinned: e.pinned,
            }),
        }
        let last = units.len() - 1;
        for call in &m.tool_calls {
            owner.insert(call.id.as_str(), last);
        }
    }
    units
}

/// How [`fit`] walks the history.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mode {
    /// At most this many (non-pinned) messages, counted in whole units; the newest unit is
    /// always eligible.
    pub(crate) max_messages: Option<usize>,
    /// Cut the text of the first unit that does not fit instead of stopping before it.
    pub(crate) truncate: bool,
}

pub(crate) fn too_long(what: &str, needed: usize, available: usize) -> Error {
    Error::new(
        ErrorKind::ContextLengthExceeded,
        format!("{what} need {needed} tokens but the budget allows {available}"),
    )
}

/// Per-message costs under `counter`, such that `base + Σ cost = count_messages`.
pub(crate) struct Costs<'c, C: ?Sized> {
    counter: &'c C,
    pub(crate) base: usize,
}

impl<'c, C: TokenCounter + ?Sized> Costs<'c, C> {
    pub(crate) fn new(counter: &'c C) -> Self {
        Self {
            counter,
            base: counter.count_messages(&[]),
        }
    }

    pub(crate) fn of(&self, m: &Message) -> usize {
        self.counter
            .count_messages(std::slice::from_ref(m))
            .saturating_sub(self.base)
    }

    pub(crate) fn of_entries(&self, entries: &[Entry]) -> usize {
        entries.iter().map(|e| self.of(&e.message)).sum()
    }
}

/// The messages to send: `head` (system prompt, summary), every pinned unit, and the newest
/// other units that fit `available` tokens, in their original order.
pub(crate) fn fit<C: TokenCounter + ?Sized>(
    head: &[Message],
    entries: &[Entry],
    mode: Mode,
    available: usize,
    counter: &C,
) -> Result<Vec<Message>, Error> {
    let costs = Costs::new(counter);
    let units = units(entries);
    let unit_cost = |u: &Unit| costs.of_entries(&entries[u.range.clone()]);

    let mut used = costs.base + head.iter().map(|m| costs.of(m)).sum::<usize>();
    used += units
        .iter()
        .filter(|u| u.pinned)
        .map(unit_cost)
        .sum::<usize>();
    if used > available {
        return Err(too_long(
            "the system prompt, summary and pinned messages",
            used,
            available,
        ));
    }

    let mut keep = vec![false; units.len()];
    let mut cut: Option<(usize, Vec<Message>)> = None;
    let mut kept_messages = 0usize;
    let mut newest_dropped = None;
    for (ui, u) in units.iter().enumerate().rev() {
        if u.pinned {
            continue;
        }
        let n = u.range.len();
        if let Some(max) = mode.max_messages
            && kept_messages > 0
            && kept_messages + n > max
        {
            break;
        }
        let c = unit_cost(u);
        if used + c <= available {
            used += c;
            keep[ui] = true;
            kept_messages += n;
            continue;
        }
        if mode.truncate
            && let Some(msgs) = truncate_unit(&entries[u.range.clone()], available - used, &costs)
        {
            keep[ui] = true;
            cut = Some((ui, msgs));
        } else if kept_messages == 0 {
            newest_dropped = Some(used + c);
        }
        break;
    }
    if let Some(needed) = newest_dropped {
        return Err(too_long("the newest turn", needed, available));
    }

    let mut out: Vec<Message> = Vec::with_capacity(head.len() + entries.len());
    out.extend(head.iter().cloned());
    for (ui, u) in units.iter().enumerate() {
        if let Some((ci, msgs)) = &cut
            && *ci == ui
        {
            out.extend(msgs.iter().cloned());
        } else if u.pinned || keep[ui] {
            out.extend(entries[u.range.clone()].iter().map(|e| e.message.clone()));
        }
    }
    // Counters are additive per message by the trait's contract; check anyway, so a custom
    // counter that is not can never make us exceed the budget silently.
    let total = counter.count_messages(&out);
    if total > available {
        return Err(too_long("the fitted conversation", total, available));
    }
    Ok(out)
}

/// The messages of a unit with their text cut (from the start, keeping the end; largest text
/// first) so that together they cost at most `room`. `None` when that is impossible or would
/// leave no text at all.
fn truncate_unit<C: TokenCounter + ?Sized>(
    entries: &[Entry],
    room: usize,
    costs: &Costs<'_, C>,
) -> Option<Vec<Message>> {
    let mut msgs: Vec<Message> = entries.iter().map(|e| e.message.clone()).collect();
    let mut total: usize = msgs.iter().map(|m| costs.of(m)).sum();
    let text_len = |m: &Message| match &m.content {
        Some(Content::Text(t)) => Some(t.len()),
        _ => None,
    };
    let mut order: Vec<usize> = (0..msgs.len())
        .filter(|&i| text_len(&msgs[i]).is_some_and(|l| l > 0))
        .collect();
    order.sort_by_key(|&i| std::cmp::Reverse(text_len(&msgs[i])));
    for i in order {
        if total <= room {
            break;
        }
        let Some(Content::Text(text)) = msgs[i].content.clone() else {
            continue;
        };
        let others = total - costs.of(&msgs[i]);
        let allowed = room.saturating_sub(others);
        let mut probe = msgs[i].clone();
        let kept = longest_fit(&text, Keep::End, |t| {
            probe.content = Some(Content::Text(t.to_owned()));
            costs.of(&probe) <= allowed
        })
        .unwrap_or("")
        .to_owned();
        msgs[i].content = Some(Content::Text(kept));
        total = others + costs.of(&msgs[i]);
    }
    let has_text = msgs.iter().any(|m| text_len(m).is_some_and(|l| l > 0));
    (total <= room && has_text).then_some(msgs)
}
