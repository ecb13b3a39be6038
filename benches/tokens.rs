//! Token counting throughput: 1 MB of mixed text (English prose, code, Chinese, Russian, emoji)
//! with tiktoken's `o200k_base` and `cl100k_base`, and with the character estimate.
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use llm_router_tokens::{CharEstimate, Encoding, TokenCounter};

const SAMPLE: &str = "The quick brown fox jumps over the lazy dog; routers count tokens before sending. \
fn main() { let v: Vec<u32> = (1..=10).filter(|x| x % 2 == 0).collect(); println!(\"{v:?}\"); }\n\
我们的目标是让每个人都能使用人工智能。Съешь же ещё этих мягких французских булок, да выпей чаю. \
I love 🦀 Rust! 🚀🎉 👍🏽\n";

fn one_megabyte() -> String {
    let mut text = String::with_capacity(1 << 20);
    while text.len() < 1 << 20 {
        text.push_str(SAMPLE);
    }
    text
}

fn counting(c: &mut Criterion) {
    let text = one_megabyte();
    Encoding::O200kBase.warm_up();
    Encoding::Cl100kBase.warm_up();
    let mut group = c.benchmark_group("tokens/1MB");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    group.bench_function("o200k_base", |b| {
        b.iter(|| Encoding::O200kBase.count(std::hint::black_box(&text)))
    });
    group.bench_function("cl100k_base", |b| {
        b.iter(|| Encoding::Cl100kBase.count(std::hint::black_box(&text)))
    });
    group.bench_function("char_estimate", |b| {
        b.iter(|| CharEstimate.count_text(std::hint::black_box(&text)))
    });
    group.finish();
}

criterion_group!(benches, counting);
criterion_main!(benches);
