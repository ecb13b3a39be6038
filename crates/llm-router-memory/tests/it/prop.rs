//! Property test: for random conversations and budgets, a fitted conversation never exceeds
//! its budget, keeps the system prompt and pinned messages, and never splits a tool-call unit.

use llm_router_core::{ErrorKind, Message};
use llm_router_memory::{Budget, Conversation, Strategy as Fit};
use llm_router_tokens::{CharEstimate, TokenCounter};
use proptest::prelude::*;

use crate::common::*;

/// Text mixing ASCII, accents, CJK, emoji and combining marks.
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("word "),
            Just("é"),
            Just("世界"),
            Just("😀"),
            Just("🇳🇴"),
            Just("e\u{301}"),
            Just("\n"),
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

#[derive(Debug, Clone)]
enum Turn {
    User(String, bool),
    Assistant(String, bool),
    Tools(usize, String),
}

fn turn() -> impl Strategy<Value = Turn> {
    prop_oneof![
        4 => (text(), proptest::bool::weighted(0.05)).prop_map(|(t, p)| Turn::User(t, p)),
        4 => (text(), proptest::bool::weighted(0.05)).prop_map(|(t, p)| Turn::Assistant(t, p)),
        2 => (1usize..4, text()).prop_map(|(n, t)| Turn::Tools(n, t)),
    ]
}

fn build(system: Option<String>, turns: &[Turn]) -> Conversation {
    let mut conv = Conversation::new();
    conv.system = system.map(Message::system);
    for (i, t) in turns.iter().enumerate() {
        match t {
            Turn::User(text, pinned) | Turn::Assistant(text, pinned) => {
                let m = if matches!(t, Turn::User(..)) {
                    Message::user(text.as_str())
                } else {
                    Message::assistant(text.as_str())
                };
                if *pinned {
                    conv.push_pinned(m);
                } else {
                    conv.push(m);
                }
            }
            Turn::Tools(n, text) => {
                let ids: Vec<String> = (0..*n).map(|k| format!("call_{i}_{k}")).collect();
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                for m in tool_unit(&ids, text) {
                    conv.push(m);
                }
            }
        }
    }
    conv
}

fn check(conv: &Conversation, strategy: &Fit, budget: Budget, counter: &dyn TokenCounter) {
    let all = conv.all_messages();
    match conv.fit(strategy, budget, counter) {
        Ok(sent) => {
            assert!(counter.count_messages(&sent) <= budget.available());
            if let Some(system) = &conv.system {
                assert_eq!(&sent[0], system);
            }
            for e in conv.messages.iter().filter(|e| e.pinned) {
                assert!(sent.contains(&e.message), "pinned message dropped");
            }
            assert_no_orphans(&sent, &all);
            // Order is preserved and every message is original or a cut (suffix) of one.
            let mut pos = 0;
            for m in &sent {
                let found = all[pos..].iter().position(|o| {
                    o == m
                        || (o.role == m.role
                            && o.tool_call_id == m.tool_call_id
                            && o.text().ends_with(&m.text()))
                });
                let found = found.expect("message not from the conversation or out of order");
                pos += found + 1;
            }
        }
        Err(e) => assert_eq!(e.kind(), ErrorKind::ContextLengthExceeded),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn summarize_keeps_budgets_over_a_growing_conversation(
        turns in proptest::collection::vec(turn(), 1..60),
        window in 150usize..1_500,
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let mock = llm_router_mock::MockProvider::new().default_reply("summary 😀 世界");
        let strategy = Fit::summarize(std::sync::Arc::new(mock.clone()), "m");
        let full = build(Some("sys".into()), &turns);
        let budget = Budget::new(window, 50);
        let mut conv = Conversation::with_system("sys");
        let mut overflows = 0;
        for entry in &full.messages {
            conv.messages.push(entry.clone());
            let over = CharEstimate.count_messages(&conv.all_messages()) > budget.available();
            let before = conv.clone();
            let result = rt.block_on(conv.messages_for_request(&strategy, budget, &CharEstimate));
            match result {
                Ok(sent) => {
                    prop_assert!(CharEstimate.count_messages(&sent) <= budget.available());
                    for e in before.messages.iter().filter(|e| e.pinned) {
                        prop_assert!(sent.contains(&e.message), "pinned message dropped");
                    }
                    assert_no_orphans(&sent, &before.all_messages());
                }
                Err(e) => prop_assert_eq!(e.kind(), ErrorKind::ContextLengthExceeded),
            }
            // At most one provider call per fit, and none while the conversation fits.
            if over {
                overflows += 1;
            }
            prop_assert!(mock.call_count() <= overflows);
        }
    }

    #[test]
    fn budgets_hold_and_units_are_never_split(
        system in proptest::option::of(text()),
        turns in proptest::collection::vec(turn(), 0..80),
        window in 0usize..2_000,
        reserve in 0usize..300,
        max_messages in proptest::option::of(1usize..30),
    ) {
        let conv = build(system, &turns);
        let budget = Budget::new(window, reserve);
        let tiktoken = llm_router_tokens::TiktokenCounter::default();
        for counter in [&CharEstimate as &dyn TokenCounter, &tiktoken] {
            check(&conv, &Fit::SlidingWindow { max_messages }, budget, counter);
            check(&conv, &Fit::TruncateOldest, budget, counter);
        }
    }

    #[test]
    fn truncate_oldest_near_the_fixed_part_stays_within_budget(
        turns in proptest::collection::vec(turn(), 1..40),
        extra in 20usize..500,
    ) {
        let conv = build(Some("sys".into()), &turns);
        let fixed: Vec<Message> = conv.all_messages().into_iter().take(1)
            .chain(conv.messages.iter().filter(|e| e.pinned).map(|e| e.message.clone()))
            .collect();
        // Room for the fixed part plus a whole empty-ish message of any unit.
        let budget = Budget::new(CharEstimate.count_messages(&fixed) + extra, 0);
        match conv.fit(&Fit::TruncateOldest, budget, &CharEstimate) {
            Ok(sent) => prop_assert!(CharEstimate.count_messages(&sent) <= budget.available()),
            Err(e) => prop_assert_eq!(e.kind(), ErrorKind::ContextLengthExceeded),
        }
    }
}
