//! Sliding window and truncate-oldest on hand-made conversations.

use llm_router_core::{ErrorKind, Message};
use llm_router_memory::{Budget, Conversation, Strategy};
use llm_router_tokens::{CharEstimate, TokenCounter as _};

use crate::common::*;

fn long_conversation(turns: usize) -> Conversation {
    let mut conv = Conversation::with_system("system prompt");
    for i in 0..turns {
        conv.push(Message::user(format!("user message number {i:04}")));
        conv.push(Message::assistant(format!("assistant reply number {i:04}")));
    }
    conv
}

#[test]
fn everything_is_sent_when_it_fits() {
    let conv = long_conversation(3);
    let sent = conv
        .fit(
            &Strategy::sliding_window(),
            Budget::new(10_000, 0),
            &CharEstimate,
        )
        .unwrap();
    assert_eq!(sent, conv.all_messages());
}

#[test]
fn sliding_window_keeps_the_newest_turns_within_budget() {
    let conv = long_conversation(100);
    let budget = Budget::new(400, 100);
    let sent = conv
        .fit(&Strategy::sliding_window(), budget, &CharEstimate)
        .unwrap();
    assert!(CharEstimate.count_messages(&sent) <= 300);
    assert_eq!(sent[0].text(), "system prompt");
    assert_eq!(sent.last().unwrap().text(), "assistant reply number 0099");
    // A contiguous suffix of the history.
    let all = conv.all_messages();
    assert_eq!(&sent[1..], &all[all.len() - (sent.len() - 1)..]);
    // Nearly full: one more message would not fit.
    let next = &all[all.len() - sent.len()];
    let mut more = sent.clone();
    more.insert(1, next.clone());
    assert!(CharEstimate.count_messages(&more) > 300);
}

#[test]
fn sliding_window_message_cap() {
    let conv = long_conversation(10);
    let sent = conv
        .fit(
            &Strategy::SlidingWindow {
                max_messages: Some(4),
            },
            Budget::new(100_000, 0),
            &CharEstimate,
        )
        .unwrap();
    assert_eq!(sent.len(), 5);
}

#[test]
fn pinned_messages_survive_anywhere_in_the_history() {
    let mut conv = long_conversation(50);
    conv.pin(7);
    let pinned = conv.messages[7].message.clone();
    let sent = conv
        .fit(
            &Strategy::sliding_window(),
            Budget::new(200, 0),
            &CharEstimate,
        )
        .unwrap();
    assert_eq!(sent[1], pinned);
    assert!(CharEstimate.count_messages(&sent) <= 200);
}

#[test]
fn tool_call_units_are_dropped_whole() {
    let mut conv = Conversation::new();
    conv.push(Message::user("start"));
    for m in tool_unit(&["a", "b", "c"], &"result ".repeat(10)) {
        conv.push(m);
    }
    conv.push(Message::user("end"));
    let all = conv.all_messages();
    let total = CharEstimate.count_messages(&all);
    for available in 0..=total {
        for strategy in [Strategy::sliding_window(), Strategy::TruncateOldest] {
            if let Ok(sent) = conv.fit(&strategy, Budget::new(available, 0), &CharEstimate) {
                assert!(CharEstimate.count_messages(&sent) <= available);
                assert_no_orphans(&sent, &all);
            }
        }
    }
}

#[test]
fn tool_results_after_other_messages_stay_with_their_call() {
    // The app interleaved a user message between a call and its result.
    let mut conv = Conversation::new();
    conv.push(Message::user("old ".repeat(40)));
    let unit = tool_unit(&["x"], "42");
    conv.push(unit[0].clone());
    conv.push(Message::user("meanwhile"));
    conv.push(unit[1].clone());
    let all = conv.all_messages();
    for available in 0..=CharEstimate.count_messages(&all) {
        if let Ok(sent) = conv.fit(
            &Strategy::sliding_window(),
            Budget::new(available, 0),
            &CharEstimate,
        ) {
            assert_no_orphans(&sent, &all);
        }
    }
}

#[test]
fn system_and_pinned_over_budget_is_context_length_exceeded() {
    let mut conv = Conversation::with_system("a very long system prompt ".repeat(20));
    conv.push(Message::user("hi"));
    let err = conv
        .fit(&Strategy::TruncateOldest, Budget::new(50, 0), &CharEstimate)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ContextLengthExceeded);
    assert!(err.message().contains("system prompt"), "{err}");
}

#[test]
fn sliding_window_refuses_a_newest_turn_that_cannot_fit() {
    let mut conv = Conversation::with_system("sys");
    conv.push(Message::user("word ".repeat(200)));
    let err = conv
        .fit(
            &Strategy::sliding_window(),
            Budget::new(100, 10),
            &CharEstimate,
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ContextLengthExceeded);
}

#[test]
fn truncate_oldest_cuts_the_newest_turn_keeping_its_end() {
    let mut conv = Conversation::with_system("sys");
    conv.push(Message::user("old message"));
    let text = format!("{}THE QUESTION?", "padding ".repeat(200));
    conv.push(Message::user(text.clone()));
    let sent = conv
        .fit(
            &Strategy::TruncateOldest,
            Budget::new(100, 10),
            &CharEstimate,
        )
        .unwrap();
    assert!(CharEstimate.count_messages(&sent) <= 90);
    assert_eq!(sent.len(), 2);
    let kept = sent[1].text();
    assert!(kept.ends_with("THE QUESTION?"));
    assert!(text.ends_with(&kept) && kept.len() < text.len());
    // As long as possible: one more character would not fit.
    let mut longer = sent.clone();
    longer[1] = Message::user(&text[text.len() - kept.len() - 1..]);
    assert!(CharEstimate.count_messages(&longer) > 90);
}

#[test]
fn truncate_oldest_fills_the_remaining_room_with_the_end_of_an_older_message() {
    let mut conv = Conversation::new();
    conv.push(Message::user("older ".repeat(100)));
    conv.push(Message::user("newest"));
    let sent = conv
        .fit(&Strategy::TruncateOldest, Budget::new(60, 0), &CharEstimate)
        .unwrap();
    assert_eq!(sent.len(), 2);
    assert!(sent[0].text().len() < 600 && !sent[0].text().is_empty());
    assert_eq!(sent[1].text(), "newest");
    assert!(CharEstimate.count_messages(&sent) <= 60);
}

#[test]
fn fitting_does_not_change_the_conversation_and_state_round_trips() {
    let mut conv = long_conversation(20);
    conv.pin(3);
    conv.summary = Some("earlier: 😀 and 你好".into());
    let before = conv.clone();
    conv.fit(
        &Strategy::TruncateOldest,
        Budget::new(120, 0),
        &CharEstimate,
    )
    .unwrap();
    assert_eq!(conv, before);
    let json = serde_json::to_value(&conv).unwrap();
    assert_eq!(json["messages"][3]["pinned"], true);
    assert!(json["messages"][2].get("pinned").is_none());
    assert_eq!(serde_json::from_value::<Conversation>(json).unwrap(), conv);
}
