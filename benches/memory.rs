//! Benchmarks of conversation memory: fitting a 200-turn conversation into a token budget.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use llm_router_core::{Message, ToolCall};
use llm_router_memory::{Budget, Conversation, Strategy};
use llm_router_tokens::{CharEstimate, TiktokenCounter, TokenCounter};

/// 200 turns (user + assistant, a tool call with its result every tenth turn), a pinned fact
/// and a system prompt: about 17k characters-estimate tokens, fitted into 4,096 − 512.
fn conversation() -> Conversation {
    let mut conv = Conversation::with_system("You are a helpful assistant. Answer briefly.");
    conv.push_pinned(Message::user("My name is Ada and I live in Oslo."));
    for i in 0..200 {
        conv.push(Message::user(format!(
            "Turn {i}: could you explain how step {i} of the migration works, and what happens \
             to the data already stored in the old tables? Include the edge cases."
        )));
        if i % 10 == 0 {
            let id = format!("call_{i}");
            conv.push(Message::assistant_tool_calls(vec![ToolCall::function(
                id.clone(),
                "lookup_docs",
                format!(r#"{{"topic":"migration step {i}"}}"#),
            )]));
            conv.push(Message::tool(id, format!("Step {i}: copy rows in batches of 500, then swap the table names inside one transaction.")));
        }
        conv.push(Message::assistant(format!(
            "Step {i} copies the rows in batches, verifies checksums, then swaps the tables \
             atomically; existing data is kept until the swap succeeds. Edge cases: empty tables, \
             rows written during the copy (replayed from the log), and failures (rolled back)."
        )));
    }
    conv
}

fn bench_fit(c: &mut Criterion) {
    let conv = conversation();
    let budget = Budget::new(4096, 512);
    let tiktoken = TiktokenCounter::default();
    tiktoken.count_text("warm up");
    let mut group = c.benchmark_group("memory_fit_200_turns");
    let strategies = [
        ("sliding_window", Strategy::sliding_window()),
        ("truncate_oldest", Strategy::TruncateOldest),
    ];
    let counters: [(&str, &dyn TokenCounter); 2] = [
        ("char_estimate", &CharEstimate),
        ("tiktoken_o200k", &tiktoken),
    ];
    for (sname, strategy) in &strategies {
        for (cname, counter) in counters {
            let sent = conv.fit(strategy, budget, counter).unwrap();
            assert!(counter.count_messages(&sent) <= budget.available());
            group.bench_function(format!("{sname}/{cname}"), |b| {
                b.iter(|| conv.fit(black_box(strategy), budget, counter).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_fit);
criterion_main!(benches);
