//! Request merging: N concurrent single-text embedding calls against a provider that takes
//! 2 ms per call and serves at most 8 calls at once (a connection pool or a concurrency
//! limit), sent one call each (unmerged) or through `MergeLayer` (2 ms window, 64 per batch).
//! Plus the vector helpers at typical sizes.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use llm_router_core::{
    EmbeddingData, EmbeddingProvider, EmbeddingRequest, EmbeddingResponse, EmbeddingStack, Error,
    SharedEmbedding, Usage, async_trait,
};
use llm_router_embeddings::{MergeLayer, cosine_similarity, top_k};
use tokio::sync::Semaphore;

const LATENCY: Duration = Duration::from_millis(2);
const PROVIDER_CONCURRENCY: usize = 8;
const DIMS: usize = 256;

/// A provider with a fixed latency per call and a cap on calls in flight.
struct Slow {
    permits: Semaphore,
    calls: AtomicUsize,
}

#[async_trait]
impl EmbeddingProvider for Slow {
    fn name(&self) -> &str {
        "slow"
    }

    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        let _permit = self.permits.acquire().await.unwrap();
        self.calls.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(LATENCY).await;
        let n = req.input.len();
        Ok(EmbeddingResponse {
            object: "list".into(),
            data: (0..n)
                .map(|i| EmbeddingData::new(i as u32, vec![0.5; DIMS]))
                .collect(),
            model: req.model,
            usage: Some(Usage::new(n as u64, 0)),
            ..EmbeddingResponse::default()
        })
    }
}

async fn burst(provider: &SharedEmbedding, n: usize) {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        let p = Arc::clone(provider);
        set.spawn(async move {
            p.embed(EmbeddingRequest::new("m", format!("text {i}")))
                .await
        });
    }
    while let Some(r) = set.join_next().await {
        black_box(r.unwrap().unwrap());
    }
}

fn merging(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let slow = Arc::new(Slow {
        permits: Semaphore::new(PROVIDER_CONCURRENCY),
        calls: AtomicUsize::new(0),
    });
    let unmerged: SharedEmbedding = slow.clone();
    let merged: SharedEmbedding = EmbeddingStack::new()
        .layer(
            MergeLayer::new()
                .window(Duration::from_millis(2))
                .max_inputs(64),
        )
        .build(slow.clone());

    let mut g = c.benchmark_group("embeddings_merge");
    for n in [64usize, 256] {
        g.throughput(Throughput::Elements(n as u64));
        for (name, provider) in [("unmerged", &unmerged), ("merged", &merged)] {
            // One burst first, to report the upstream calls it takes.
            let before = slow.calls.load(Ordering::Relaxed);
            rt.block_on(burst(provider, n));
            let calls = slow.calls.load(Ordering::Relaxed) - before;
            eprintln!("{name} n={n}: {calls} provider calls per burst");
            g.bench_with_input(BenchmarkId::new(name, n), &n, |b, &n| {
                b.iter(|| rt.block_on(burst(provider, n)));
            });
        }
    }
    g.finish();
}

fn vectors(c: &mut Criterion) {
    let v = |seed: usize, dims: usize| -> Vec<f32> {
        (0..dims)
            .map(|i| (((i * 31 + seed * 17) % 97) as f32 / 97.0) - 0.5)
            .collect()
    };
    let (a, b) = (v(1, 1536), v(2, 1536));
    let docs: Vec<Vec<f32>> = (0..10_000).map(|s| v(s, 256)).collect();
    let query = v(12_345, 256);
    let mut g = c.benchmark_group("embeddings_vector");
    g.bench_function("cosine_1536", |bench| {
        bench.iter(|| cosine_similarity(black_box(&a), black_box(&b)));
    });
    g.bench_function("top10_of_10k_x256", |bench| {
        bench.iter(|| top_k(black_box(&query), black_box(&docs), 10));
    });
    g.finish();
}

criterion_group!(benches, merging, vectors);
criterion_main!(benches);
