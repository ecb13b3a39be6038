//! Prometheus metrics on atomics: a fixed table laid out at build time (route × model × status
//! slot), so recording is a few relaxed atomic adds and no lock or allocation. Rendering walks
//! the table and skips what never happened.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// The API routes that call models (health and metrics are not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    Chat,
    Embeddings,
    Images,
    Messages,
    CountTokens,
    Models,
}

const ROUTES: [Route; 6] = [
    Route::Chat,
    Route::Embeddings,
    Route::Images,
    Route::Messages,
    Route::CountTokens,
    Route::Models,
];

impl Route {
    pub(crate) fn path(self) -> &'static str {
        match self {
            Self::Chat => "/v1/chat/completions",
            Self::Embeddings => "/v1/embeddings",
            Self::Images => "/v1/images/generations",
            Self::Messages => "/v1/messages",
            Self::CountTokens => "/v1/messages/count_tokens",
            Self::Models => "/v1/models",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Statuses with a slot of their own; anything else is counted as `other`.
const STATUSES: [u16; 16] = [
    200, 400, 401, 403, 404, 405, 408, 409, 413, 415, 422, 429, 500, 502, 503, 504,
];
const STATUS_SLOTS: usize = STATUSES.len() + 1;

/// Histogram bounds in seconds (LLM calls run from milliseconds to minutes).
const BOUNDS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];
const BOUNDS_MICROS: [u64; 14] = [
    5_000,
    10_000,
    25_000,
    50_000,
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    30_000_000,
    60_000_000,
    120_000_000,
];

#[derive(Default)]
struct Cell {
    status: [AtomicU64; STATUS_SLOTS],
    buckets: [AtomicU64; BOUNDS.len() + 1],
    sum_micros: AtomicU64,
}

/// Picks one counter of a [`PerModel`].
type Field = fn(&PerModel) -> &AtomicU64;

#[derive(Default)]
struct PerModel {
    tokens_in: AtomicU64,
    tokens_out: AtomicU64,
    chunks: AtomicU64,
    disconnects: AtomicU64,
}

/// The gateway's counters.
pub(crate) struct Metrics {
    /// Model names by index; the index `models.len()` is "no known model".
    models: Vec<String>,
    cells: Box<[Cell]>,
    per_model: Box<[PerModel]>,
    in_flight: [AtomicI64; ROUTES.len()],
}

impl Metrics {
    /// Counters for these model names (index = position).
    pub(crate) fn new(models: Vec<String>) -> Self {
        let width = models.len() + 1;
        Self {
            cells: (0..ROUTES.len() * width).map(|_| Cell::default()).collect(),
            per_model: (0..width).map(|_| PerModel::default()).collect(),
            in_flight: Default::default(),
            models,
        }
    }

    /// The index used for requests whose model is unknown or absent.
    pub(crate) fn unknown_model(&self) -> usize {
        self.models.len()
    }

    fn cell(&self, route: Route, model: usize) -> &Cell {
        let width = self.models.len() + 1;
        &self.cells[route.index() * width + model.min(width - 1)]
    }

    fn model(&self, model: usize) -> &PerModel {
        &self.per_model[model.min(self.models.len())]
    }

    /// A request (or stream) of `route` started.
    pub(crate) fn enter(&self, route: Route) {
        self.in_flight[route.index()].fetch_add(1, Relaxed);
    }

    /// A request (or stream) of `route` is over.
    pub(crate) fn leave(&self, route: Route) {
        self.in_flight[route.index()].fetch_sub(1, Relaxed);
    }

    /// Counts a finished request: its status and how long it took.
    pub(crate) fn record(&self, route: Route, model: usize, status: u16, elapsed: Duration) {
        let cell = self.cell(route, model);
        let slot = STATUSES
            .iter()
            .position(|s| *s == status)
            .unwrap_or(STATUSES.len());
        cell.status[slot].fetch_add(1, Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        let bucket = BOUNDS_MICROS
            .iter()
            .position(|b| micros <= *b)
            .unwrap_or(BOUNDS_MICROS.len());
        cell.buckets[bucket].fetch_add(1, Relaxed);
        cell.sum_micros.fetch_add(micros, Relaxed);
    }

    /// Adds tokens reported by a provider.
    pub(crate) fn tokens(&self, model: usize, prompt: u64, completion: u64) {
        let m = self.model(model);
        m.tokens_in.fetch_add(prompt, Relaxed);
        m.tokens_out.fetch_add(completion, Relaxed);
    }

    /// Counts one stream chunk sent.
    pub(crate) fn chunk(&self, model: usize) {
        self.model(model).chunks.fetch_add(1, Relaxed);
    }

    /// Counts a stream the client left before it ended.
    pub(crate) fn disconnect(&self, model: usize) {
        self.model(model).disconnects.fetch_add(1, Relaxed);
    }

    fn model_label(&self, model: usize) -> &str {
        self.models.get(model).map_or("", String::as_str)
    }

    /// The Prometheus text exposition (format 0.0.4).
    pub(crate) fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let width = self.models.len() + 1;
        header(
            &mut out,
            "llm_router_gateway_requests_total",
            "counter",
            "Requests answered, by route, model and HTTP status.",
        );
        for route in ROUTES {
            for model in 0..width {
                let cell = self.cell(route, model);
                for (slot, n) in cell.status.iter().enumerate() {
                    let n = n.load(Relaxed);
                    if n == 0 {
                        continue;
                    }
                    let status = STATUSES
                        .get(slot)
                        .map_or_else(|| "other".to_owned(), u16::to_string);
                    let _ = writeln!(
                        out,
                        "llm_router_gateway_requests_total{{route=\"{}\",model=\"{}\",status=\"{status}\"}} {n}",
                        route.path(),
                        Escaped(self.model_label(model)),
                    );
                }
            }
        }
        header(
            &mut out,
            "llm_router_gateway_request_duration_seconds",
            "histogram",
            "Time from request to the end of the response (streams: to the last chunk).",
        );
        for route in ROUTES {
            for model in 0..width {
                self.render_histogram(&mut out, route, model);
            }
        }
        header(
            &mut out,
            "llm_router_gateway_requests_in_flight",
            "gauge",
            "Requests (and streams) in progress, by route.",
        );
        for route in ROUTES {
            let _ = writeln!(
                out,
                "llm_router_gateway_requests_in_flight{{route=\"{}\"}} {}",
                route.path(),
                self.in_flight[route.index()].load(Relaxed)
            );
        }
        let per_model: [(&str, &str, Field); 4] = [
            (
                "llm_router_gateway_prompt_tokens_total",
                "Prompt (input) tokens reported by providers, by model.",
                |m| &m.tokens_in,
            ),
            (
                "llm_router_gateway_completion_tokens_total",
                "Completion (output) tokens reported by providers, by model.",
                |m| &m.tokens_out,
            ),
            (
                "llm_router_gateway_stream_chunks_total",
                "Stream chunks sent to clients, by model.",
                |m| &m.chunks,
            ),
            (
                "llm_router_gateway_stream_disconnects_total",
                "Streams the client closed before they ended, by model.",
                |m| &m.disconnects,
            ),
        ];
        for (name, help, field) in per_model {
            header(&mut out, name, "counter", help);
            for model in 0..self.models.len() {
                let _ = writeln!(
                    out,
                    "{name}{{model=\"{}\"}} {}",
                    Escaped(self.model_label(model)),
                    field(&self.per_model[model]).load(Relaxed)
                );
            }
        }
        out
    }

    fn render_histogram(&self, out: &mut String, route: Route, model: usize) {
        let cell = self.cell(route, model);
        let counts: Vec<u64> = cell.buckets.iter().map(|b| b.load(Relaxed)).collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return;
        }
        let name = "llm_router_gateway_request_duration_seconds";
        let labels = format!(
            "route=\"{}\",model=\"{}\"",
            route.path(),
            Escaped(self.model_label(model))
        );
        let mut cumulative = 0;
        for (i, n) in counts.iter().enumerate() {
            cumulative += n;
            match BOUNDS.get(i) {
                Some(le) => {
                    let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{le}\"}} {cumulative}");
                }
                None => {
                    let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {cumulative}");
                }
            }
        }
        let sum = cell.sum_micros.load(Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
        let _ = writeln!(out, "{name}_count{{{labels}}} {total}");
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value with `\`, `"` and newlines escaped.
struct Escaped<'a>(&'a str);

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for c in self.0.chars() {
            match c {
                '\\' => f.write_str("\\\\")?,
                '"' => f.write_str("\\\"")?,
                '\n' => f.write_str("\\n")?,
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_histograms_and_escapes() {
        let m = Metrics::new(vec!["gpt".into(), "we\"ird".into()]);
        {
            m.enter(Route::Chat);
            m.record(Route::Chat, 0, 200, Duration::from_millis(30));
            m.record(Route::Chat, 0, 200, Duration::from_millis(3));
            m.record(Route::Chat, 1, 418, Duration::from_secs(500));
            m.record(Route::Models, m.unknown_model(), 401, Duration::ZERO);
            m.tokens(0, 10, 5);
            m.chunk(0);
            let text = m.render();
            assert!(text.contains(
                "llm_router_gateway_requests_in_flight{route=\"/v1/chat/completions\"} 1"
            ));
            m.leave(Route::Chat);
        }
        let text = m.render();
        assert!(text.contains(
            "llm_router_gateway_requests_total{route=\"/v1/chat/completions\",model=\"gpt\",status=\"200\"} 2"
        ));
        assert!(text.contains("model=\"we\\\"ird\",status=\"other\"} 1"));
        assert!(text.contains("route=\"/v1/models\",model=\"\",status=\"401\"} 1"));
        assert!(text.contains(
            "llm_router_gateway_request_duration_seconds_bucket{route=\"/v1/chat/completions\",model=\"gpt\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "llm_router_gateway_request_duration_seconds_bucket{route=\"/v1/chat/completions\",model=\"gpt\",le=\"0.05\"} 2"
        ));
        assert!(text.contains(
            "llm_router_gateway_request_duration_seconds_count{route=\"/v1/chat/completions\",model=\"gpt\"} 2"
        ));
        assert!(text.contains("llm_router_gateway_prompt_tokens_total{model=\"gpt\"} 10"));
        assert!(text.contains("llm_router_gateway_completion_tokens_total{model=\"gpt\"} 5"));
        assert!(text.contains("llm_router_gateway_stream_chunks_total{model=\"gpt\"} 1"));
        assert!(
            text.contains(
                "llm_router_gateway_requests_in_flight{route=\"/v1/chat/completions\"} 0"
            )
        );
    }
}
