//! The summarising strategy: provider calls only on overflow, incremental summaries.

use std::sync::Arc;

use llm_router_core::{ErrorKind, Message, Role};
use llm_router_memory::{Budget, Conversation, SUMMARY_PREFIX, Strategy, Summarizer};
use llm_router_mock::{MockFailure, MockProvider};
use llm_router_tokens::{CharEstimate, TokenCounter as _};

use crate::common::*;

fn summarizer(mock: &MockProvider) -> Strategy {
    Strategy::Summarize(Summarizer::new(Arc::new(mock.clone()), "summary-model").target(0.5))
}

/// `n` user/assistant pairs of about 16 tokens per message.
fn push_turn(conv: &mut Conversation, i: usize) {
    conv.push(Message::user(format!("question {i:04} {}", "q".repeat(30))));
    conv.push(Message::assistant(format!(
        "answer {i:04} {}",
        "a".repeat(30)
    )));
}

#[tokio::test]
async fn no_call_while_the_conversation_fits() {
    let mock = MockProvider::new();
    let mut conv = Conversation::with_system("sys");
    let budget = Budget::new(10_000, 1_000);
    for i in 0..20 {
        push_turn(&mut conv, i);
        let sent = conv
            .messages_for_request(&summarizer(&mock), budget, &CharEstimate)
            .await
            .unwrap();
        assert_eq!(sent, conv.all_messages());
    }
    assert_eq!(mock.call_count(), 0);
}

#[tokio::test]
async fn one_call_per_overflow_and_only_new_turns_are_sent() {
    let mock = MockProvider::new().default_reply("SUMMARY-1");
    let strategy = summarizer(&mock);
    let mut conv = Conversation::with_system("sys");
    let budget = Budget::new(400, 100); // 300 for the prompt
    let mut expected_calls = 0;
    for i in 0..100 {
        push_turn(&mut conv, i);
        let over = CharEstimate.count_messages(&conv.all_messages()) > budget.available();
        let summary_before = conv.summary.clone();
        let sent = conv
            .messages_for_request(&strategy, budget, &CharEstimate)
            .await
            .unwrap();
        if over {
            expected_calls += 1;
            // The request carries the previous summary and only turns not summarised before.
            let req = mock.last_request().unwrap();
            let body = req.messages[1].text();
            assert!(body.contains(summary_before.as_deref().unwrap_or("(none)")));
            assert!(
                !body.contains(&format!("question {:04}", i)),
                "newest turn kept"
            );
            assert_eq!(req.model, "summary-model");
            assert_eq!(req.messages[0].role, Role::System);
        }
        assert_eq!(mock.call_count(), expected_calls, "after turn {i}");
        assert!(CharEstimate.count_messages(&sent) <= budget.available());
        assert_eq!(sent[0].text(), "sys");
    }
    // Summarising down to half the budget leaves room for several turns before the next
    // overflow: 16 calls for 100 turns (deterministic with the character estimate).
    assert_eq!(expected_calls, 16);
    assert_eq!(conv.summary.as_deref(), Some("SUMMARY-1"));
    assert_eq!(conv.summarized_messages + conv.len(), 200);

    // Each summarised message was sent to the provider exactly once.
    let requests = mock.requests();
    for i in 0..100 {
        let needle = format!("question {i:04}");
        let times = requests
            .iter()
            .filter(|r| r.messages[1].text().contains(&needle))
            .count();
        let still_in_history = conv
            .messages
            .iter()
            .any(|e| e.message.text().contains(&needle));
        assert_eq!(times, usize::from(!still_in_history), "{needle}");
    }
}

#[tokio::test]
async fn summary_is_sent_after_the_system_prompt_and_pinned_turns_are_never_summarised() {
    let mock = MockProvider::new().default_reply("they talked about numbers");
    let mut conv = Conversation::with_system("sys");
    conv.push_pinned(Message::user("PINNED fact"));
    for m in tool_unit(&["t1"], "tool output") {
        conv.push(m);
    }
    for i in 0..30 {
        push_turn(&mut conv, i);
    }
    let original = conv.all_messages();
    let sent = conv
        .messages_for_request(&summarizer(&mock), Budget::new(300, 0), &CharEstimate)
        .await
        .unwrap();
    assert_eq!(mock.call_count(), 1);
    assert_eq!(sent[0].text(), "sys");
    assert_eq!(
        sent[1].text(),
        format!("{SUMMARY_PREFIX}they talked about numbers")
    );
    assert_eq!(sent[2].text(), "PINNED fact");
    assert!(conv.messages[0].pinned);
    assert_no_orphans(&sent, &original);
    // The tool unit was summarised whole: call and result in the same request.
    let body = mock.last_request().unwrap().messages[1].text();
    assert!(body.contains("called tool lookup") && body.contains("(result of t1): tool output"));
    assert!(!body.contains("PINNED"));
    assert!(CharEstimate.count_messages(&sent) <= 300);
}

#[tokio::test]
async fn a_provider_error_leaves_the_conversation_unchanged() {
    let mock = MockProvider::new().fail_next(MockFailure::Timeout);
    let mut conv = Conversation::new();
    for i in 0..30 {
        push_turn(&mut conv, i);
    }
    let before = conv.clone();
    let err = conv
        .messages_for_request(&summarizer(&mock), Budget::new(200, 0), &CharEstimate)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(conv, before);
    // Fitting without the provider still works (truncating).
    let sent = conv
        .fit(&summarizer(&mock), Budget::new(200, 0), &CharEstimate)
        .unwrap();
    assert!(CharEstimate.count_messages(&sent) <= 200);
}
