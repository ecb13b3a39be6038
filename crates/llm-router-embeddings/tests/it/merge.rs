//! MergeLayer: coalescing, fan-out of vectors, usage and errors, isolation of keys,
//! cancellation, pass-through, no leaked tasks.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use llm_router_core::{
    EmbeddingInput, EmbeddingRequest, EmbeddingStack, ErrorKind, SharedEmbedding,
};
use llm_router_embeddings::{Embedder, MergeLayer};
use tokio::time::Instant;

use crate::support::{Fake, decode};

const WINDOW: Duration = Duration::from_millis(5);

fn merged(fake: &Arc<Fake>, layer: MergeLayer) -> SharedEmbedding {
    EmbeddingStack::new().layer(layer).build(fake.clone())
}

fn layer() -> MergeLayer {
    MergeLayer::new().window(WINDOW).max_inputs(64)
}

fn vector(resp: &llm_router_core::EmbeddingResponse, i: usize) -> Vec<f32> {
    resp.data[i].embedding.to_floats().unwrap()
}

/// No task of the layer is left once every caller has its answer and the window is over.
async fn assert_no_tasks_left() {
    tokio::time::sleep(WINDOW * 4).await;
    assert_eq!(
        tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks(),
        0
    );
}

#[tokio::test(start_paused = true)]
async fn two_hundred_single_calls_become_a_few() {
    let fake = Arc::new(Fake::new().latency(Duration::from_millis(2)));
    let provider = merged(&fake, layer());
    let calls = (100..300).map(|i| {
        let provider = provider.clone();
        async move {
            (
                i,
                provider
                    .embed(EmbeddingRequest::new("m", i.to_string()))
                    .await,
            )
        }
    });
    let results = join_all(calls).await;

    // 200 = 64 + 64 + 64 (sent as they fill) + 8 (sent when the window ends).
    assert!(fake.calls() <= 10);
    assert_eq!(fake.calls(), 4);
    let mut sizes: Vec<usize> = fake.inputs().iter().map(Vec::len).collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [8, 64, 64, 64]);
    for (i, result) in results {
        let resp = result.unwrap();
        assert_eq!(resp.data.len(), 1);
        assert_eq!(resp.data[0].index, 0);
        assert_eq!(
            decode(&vector(&resp, 0)),
            i as f32,
            "caller {i} got its own vector"
        );
        // Every text is 3 bytes and the fake bills a token per byte: a fair share is 3.
        let usage = resp.usage.unwrap();
        assert_eq!((usage.prompt_tokens, usage.total_tokens), (3, 3));
        assert_eq!(resp.model, "m");
    }
    assert_no_tasks_left().await;
}

#[tokio::test(start_paused = true)]
async fn a_partial_batch_waits_one_window() {
    let fake = Arc::new(Fake::new().latency(Duration::from_millis(1)));
    let provider = merged(&fake, layer());
    let start = Instant::now();
    let resp = provider
        .embed(EmbeddingRequest::new("m", "7"))
        .await
        .unwrap();
    assert_eq!(decode(&vector(&resp, 0)), 7.0);
    assert_eq!(start.elapsed(), WINDOW + Duration::from_millis(1));
    assert_no_tasks_left().await;
}

#[tokio::test(start_paused = true)]
async fn different_models_and_options_are_never_merged() {
    let fake = Arc::new(Fake::new());
    let provider = merged(&fake, layer());
    let calls = (0..90).map(|i| {
        let provider = provider.clone();
        async move {
            let mut req = EmbeddingRequest::new(if i % 3 == 1 { "b" } else { "a" }, i.to_string());
            if i % 3 == 2 {
                req.dimensions = Some(2);
            }
            (i, provider.embed(req).await.unwrap())
        }
    });
    for (i, resp) in join_all(calls).await {
        assert_eq!(decode(&vector(&resp, 0)), i as f32);
    }
    assert_eq!(fake.calls(), 3, "one call per (model, options) group");
    for req in fake.requests() {
        let group = |t: &str| t.parse::<usize>().unwrap() % 3;
        let texts = req.input.texts().unwrap();
        let g = group(texts[0]);
        assert!(
            texts.iter().all(|t| group(t) == g),
            "mixed groups in {texts:?}"
        );
        let (model, dims) = match g {
            0 => ("a", None),
            1 => ("b", None),
            _ => ("a", Some(2)),
        };
        assert_eq!((req.model.as_str(), req.dimensions), (model, dims));
        assert_eq!(texts.len(), 30);
    }
}

#[tokio::test(start_paused = true)]
async fn callers_with_several_texts_get_their_slice() {
    let fake = Arc::new(Fake::new());
    let provider = merged(&fake, layer());
    let calls = (0..10).map(|k| {
        let provider = provider.clone();
        async move {
            let texts: Vec<String> = (0..3).map(|j| (k * 10 + j).to_string()).collect();
            (
                k,
                provider
                    .embed(EmbeddingRequest::new("m", texts))
                    .await
                    .unwrap(),
            )
        }
    });
    for (k, resp) in join_all(calls).await {
        assert_eq!(resp.data.len(), 3);
        for j in 0..3 {
            assert_eq!(resp.data[j].index as usize, j);
            assert_eq!(decode(&vector(&resp, j)), (k * 10 + j) as f32);
        }
    }
    assert_eq!(fake.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn errors_reach_every_caller_of_the_batch() {
    let fake = Arc::new(Fake::new().fail_always(ErrorKind::RateLimited));
    let provider = merged(&fake, layer());
    let calls = (0..10).map(|i| provider.embed(EmbeddingRequest::new("m", i.to_string())));
    let results = join_all(calls).await;
    assert_eq!(fake.calls(), 1);
    for r in results {
        let err = r.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RateLimited);
        assert_eq!(err.provider(), Some("fake"));
        assert_eq!(err.status(), Some(429));
        assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
    }
    assert_no_tasks_left().await;
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_caller_does_not_break_the_others() {
    let fake = Arc::new(Fake::new().latency(Duration::from_millis(10)));
    let provider = merged(&fake, layer());
    let spawn = |i: u32| {
        let provider = provider.clone();
        tokio::spawn(async move {
            provider
                .embed(EmbeddingRequest::new("m", i.to_string()))
                .await
        })
    };

    // Cancelled while waiting for the window: its input is left out of the batch.
    let (a, b, c) = (spawn(1), spawn(2), spawn(3));
    tokio::time::sleep(Duration::from_millis(1)).await;
    b.abort();
    assert_eq!(decode(&vector(&a.await.unwrap().unwrap(), 0)), 1.0);
    assert_eq!(decode(&vector(&c.await.unwrap().unwrap(), 0)), 3.0);
    assert_eq!(fake.inputs(), [vec!["1".to_owned(), "3".to_owned()]]);

    // Cancelled while the merged call is in flight: the call goes on for the others.
    let (a, b, c) = (spawn(4), spawn(5), spawn(6));
    tokio::time::sleep(WINDOW + Duration::from_millis(2)).await;
    b.abort();
    assert_eq!(decode(&vector(&a.await.unwrap().unwrap(), 0)), 4.0);
    assert_eq!(decode(&vector(&c.await.unwrap().unwrap(), 0)), 6.0);
    assert_eq!(fake.inputs()[1], ["4", "5", "6"]);

    // Everyone cancelled: nothing is sent.
    let (a, b) = (spawn(7), spawn(8));
    tokio::time::sleep(Duration::from_millis(1)).await;
    a.abort();
    b.abort();
    assert_no_tasks_left().await;
    assert_eq!(fake.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn calls_that_cannot_merge_go_straight_through() {
    let fake = Arc::new(Fake::new());
    let provider = merged(&fake, MergeLayer::new().window(WINDOW).max_inputs(4));
    let mut with_ext = EmbeddingRequest::new("m", "1");
    with_ext.extensions.insert(42u8);
    let mut tokens = EmbeddingRequest::new("m", "x");
    tokens.input = EmbeddingInput::Tokens(vec![1, 2]);
    let big = EmbeddingRequest::new("m", vec!["1", "2", "3", "4"]);
    let titan = EmbeddingRequest::new("amazon.titan-embed-text-v1", "5");

    let start = Instant::now();
    let results = join_all([with_ext, big, titan].map(|r| provider.embed(r))).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(start.elapsed(), Duration::ZERO, "no window waited");
    assert_eq!(fake.calls(), 3);
    // Token input reaches the provider unchanged (the fake has no vectors for tokens).
    let _ = provider.embed(tokens).await;
    assert_eq!(fake.requests()[3].input, EmbeddingInput::Tokens(vec![1, 2]));
}

#[tokio::test(start_paused = true)]
async fn token_cap_limits_a_batch() {
    let fake = Arc::new(Fake::new());
    // Four-character texts are one token each with the default estimate.
    let provider = merged(&fake, layer().max_tokens(4));
    let calls = (1000..1020).map(|i| provider.embed(EmbeddingRequest::new("m", i.to_string())));
    assert!(join_all(calls).await.iter().all(Result::is_ok));
    assert_eq!(fake.calls(), 5);
    assert!(fake.inputs().iter().all(|r| r.len() == 4));
}

#[tokio::test(start_paused = true)]
async fn usage_shares_add_up_to_the_merged_usage() {
    let fake = Arc::new(Fake::new());
    let provider = merged(&fake, layer());
    let texts = ["1", "22222222", "333333333333", "4444"];
    let results = join_all(texts.map(|t| provider.embed(EmbeddingRequest::new("m", t)))).await;
    let shares: Vec<u64> = results
        .iter()
        .map(|r| r.as_ref().unwrap().usage.as_ref().unwrap().prompt_tokens)
        .collect();
    let billed: u64 = texts.iter().map(|t| t.len() as u64).sum();
    assert_eq!(shares.iter().sum::<u64>(), billed);
    // Weights are estimated tokens (1, 2, 3, 1 of 7): 25 billed → 3, 7, 11, 4.
    assert_eq!(shares, [3, 7, 11, 4]);
}

#[tokio::test(start_paused = true)]
async fn embedder_over_a_merged_provider() {
    let fake = Arc::new(Fake::new());
    let provider = merged(&fake, layer());
    let embedder = Embedder::new(provider, "m").concurrency(8);
    let calls = (0..32).map(|i| {
        let embedder = embedder.clone();
        async move { (i, embedder.embed_one(i.to_string()).await.unwrap()) }
    });
    for (i, v) in join_all(calls).await {
        assert_eq!(decode(&v), i as f32);
    }
    assert_eq!(fake.calls(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_threads_real_time() {
    let fake = Arc::new(Fake::new().latency(Duration::from_millis(1)));
    let provider = merged(&fake, MergeLayer::new());
    let handles: Vec<_> = (0..500)
        .map(|i| {
            let provider = provider.clone();
            tokio::spawn(async move {
                let resp = provider
                    .embed(EmbeddingRequest::new("m", i.to_string()))
                    .await;
                (i, resp)
            })
        })
        .collect();
    for h in handles {
        let (i, resp) = h.await.unwrap();
        assert_eq!(decode(&vector(&resp.unwrap(), 0)), i as f32);
    }
    let sent: usize = fake.inputs().iter().map(Vec::len).sum();
    assert_eq!(sent, 500);
    assert!(fake.calls() < 500, "{} calls", fake.calls());
}
