//! A counting fake embedding provider whose vectors encode their input.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use llm_router_core::{
    EmbeddingData, EmbeddingProvider, EmbeddingRequest, EmbeddingResponse, Error, ErrorKind, Usage,
    async_trait,
};

/// The fake's vector for `text`: `[text as a number (or -1), length in bytes]`.
pub(crate) fn encode(text: &str) -> Vec<f32> {
    vec![text.parse::<f32>().unwrap_or(-1.0), text.len() as f32]
}

/// The number a vector encodes.
pub(crate) fn decode(v: &[f32]) -> f32 {
    v[0]
}

type LatencyFn = Box<dyn Fn(&[String]) -> Duration + Send + Sync>;

/// Counts calls and calls in flight, records requests, answers with [`encode`]d vectors and
/// usage = bytes of input; can sleep per call and fail on chosen calls.
pub(crate) struct Fake {
    calls: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    latency: LatencyFn,
    fail: Option<(Option<usize>, ErrorKind)>,
    requests: Mutex<Vec<EmbeddingRequest>>,
}

impl Fake {
    pub(crate) fn new() -> Self {
        Self {
            calls: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            latency: Box::new(|_| Duration::ZERO),
            fail: None,
            requests: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn latency(mut self, d: Duration) -> Self {
        self.latency = Box::new(move |_| d);
        self
    }

    pub(crate) fn latency_fn(
        mut self,
        f: impl Fn(&[String]) -> Duration + Send + Sync + 'static,
    ) -> Self {
        self.latency = Box::new(f);
        self
    }

    /// Every call fails with `kind` (429-style errors carry a 2 s `Retry-After`).
    pub(crate) fn fail_always(mut self, kind: ErrorKind) -> Self {
        self.fail = Some((None, kind));
        self
    }

    /// Call number `n` (1-based) fails with `kind`.
    pub(crate) fn fail_call(mut self, n: usize, kind: ErrorKind) -> Self {
        self.fail = Some((Some(n), kind));
        self
    }

    pub(crate) fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub(crate) fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }

    pub(crate) fn requests(&self) -> Vec<EmbeddingRequest> {
        self.requests.lock().unwrap().clone()
    }

    /// The texts of every request, one list per request.
    pub(crate) fn inputs(&self) -> Vec<Vec<String>> {
        self.requests()
            .iter()
            .map(|r| {
                r.input
                    .texts()
                    .unwrap()
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            })
            .collect()
    }
}

#[async_trait]
impl EmbeddingProvider for Fake {
    fn name(&self) -> &str {
        "fake"
    }

    async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, Error> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        self.requests.lock().unwrap().push(req.clone());
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let texts: Vec<String> = req
            .input
            .texts()
            .map(|t| t.into_iter().map(str::to_owned).collect())
            .unwrap_or_default();
        tokio::time::sleep((self.latency)(&texts)).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        if let Some((when, kind)) = &self.fail
            && when.is_none_or(|w| w == n)
        {
            return Err(Error::new(*kind, format!("fake failure on call {n}"))
                .with_provider("fake")
                .with_status(429)
                .with_retry_after(Duration::from_secs(2)));
        }
        let data = texts
            .iter()
            .enumerate()
            .map(|(i, t)| EmbeddingData::new(i as u32, encode(t)))
            .collect();
        let bytes: usize = texts.iter().map(String::len).sum();
        Ok(EmbeddingResponse {
            object: "list".into(),
            data,
            model: req.model.clone(),
            usage: Some(Usage::new(bytes as u64, 0)),
            ..EmbeddingResponse::default()
        })
    }
}
