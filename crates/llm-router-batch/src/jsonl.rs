//! Batch files: reading requests from JSONL, writing results as JSONL (formats described in
//! the crate docs).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use llm_router_core::{BatchItem, BatchItemResult, BatchResultRecord, ChatRequest};
use serde_json::{Map, Value};

/// Why a batch file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JsonlError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A line is not a request.
    #[error("line {line}: {message}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// Two lines have the same `custom_id`.
    #[error("line {line}: custom_id {custom_id:?} was already used on line {first_line}")]
    DuplicateId {
        /// The id.
        custom_id: String,
        /// Where it was first used.
        first_line: usize,
        /// Where it was used again.
        line: usize,
    },
    /// The file has no requests.
    #[error("no requests in the batch file")]
    Empty,
}

impl JsonlError {
    /// The 1-based line the error is about, if it is about one.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Line { line, .. } | Self::DuplicateId { line, .. } => Some(*line),
            Self::Io { .. } | Self::Empty => None,
        }
    }
}

/// Parses a batch file's text into items (line formats: [the crate docs](crate#batch-files)).
///
/// ```
/// let text = r#"
/// {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}}
/// {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "yo"}]}
/// "#;
/// let items = llm_router_batch::parse_jsonl(text)?;
/// assert_eq!(items[0].custom_id, "a");
/// assert_eq!(items[1].custom_id, "line-3");
///
/// let err = llm_router_batch::parse_jsonl("{\"model\": \"m\", \"messages\": []}\n{oops").unwrap_err();
/// assert_eq!(err.line(), Some(2));
/// # Ok::<(), llm_router_batch::JsonlError>(())
/// ```
pub fn parse_jsonl(text: &str) -> Result<Vec<BatchItem>, JsonlError> {
    let mut items = Vec::new();
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let item = parse_line(raw, line).map_err(|message| JsonlError::Line { line, message })?;
        if let Some(&first_line) = first_seen.get(&item.custom_id) {
            return Err(JsonlError::DuplicateId {
                custom_id: item.custom_id,
                first_line,
                line,
            });
        }
        first_seen.insert(item.custom_id.clone(), line);
        items.push(item);
    }
    if items.is_empty() {
        return Err(JsonlError::Empty);
    }
    Ok(items)
}

/// Reads and parses a batch file.
pub fn read_jsonl_file(path: impl AsRef<Path>) -> Result<Vec<BatchItem>, JsonlError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| JsonlError::Io {
        path: path.display().to_string(),
        source,
    })?;
    parse_jsonl(&text)
}

fn parse_line(raw: &str, line: usize) -> Result<BatchItem, String> {
    let v: Value = serde_json::from_str(raw).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(mut obj) = v else {
        return Err("expected a JSON object".to_owned());
    };
    if obj.contains_key("body") {
        return openai_line(obj);
    }
    let custom_id = match obj.remove("custom_id") {
        None => format!("line-{line}"),
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(_) => return Err("custom_id must be a non-empty string".to_owned()),
    };
    Ok(BatchItem::new(custom_id, request(Value::Object(obj))?))
}

fn openai_line(mut obj: Map<String, Value>) -> Result<BatchItem, String> {
    let custom_id = match obj.remove("custom_id") {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(_) => return Err("custom_id must be a non-empty string".to_owned()),
        None => return Err("missing custom_id".to_owned()),
    };
    if let Some(m) = obj.get("method")
        && m.as_str() != Some("POST")
    {
        return Err(format!("method must be \"POST\", not {m}"));
    }
    if let Some(u) = obj.get("url") {
        let ok = u
            .as_str()
            .is_some_and(|u| u.trim_end_matches('/').ends_with("/chat/completions"));
        if !ok {
            return Err(format!(
                "url must be a chat completions path (\"/v1/chat/completions\"), not {u}"
            ));
        }
    }
    let body = obj.remove("body").unwrap_or(Value::Null);
    if !body.is_object() {
        return Err("body must be a JSON object (a chat request)".to_owned());
    }
    Ok(BatchItem::new(custom_id, request(body)?))
}

fn request(body: Value) -> Result<ChatRequest, String> {
    let mut req: ChatRequest =
        serde_json::from_value(body).map_err(|e| format!("not a chat request: {e}"))?;
    if req.model.is_empty() {
        return Err("model is empty".to_owned());
    }
    req.stream = None;
    req.stream_options = None;
    Ok(req)
}

/// Writes one [`BatchResultRecord`] line per result.
///
/// ```
/// use llm_router_core::{BatchItemResult, Error, ErrorKind};
/// let mut out = Vec::new();
/// llm_router_batch::write_results_jsonl(
///     &mut out,
///     &[BatchItemResult::new("a", Err(Error::new(ErrorKind::Timeout, "slow")))],
/// )?;
/// assert_eq!(
///     String::from_utf8(out)?,
///     "{\"custom_id\":\"a\",\"error\":{\"kind\":\"timeout\",\"message\":\"slow\"}}\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_results_jsonl(
    mut out: impl Write,
    results: &[BatchItemResult],
) -> std::io::Result<()> {
    for r in results {
        serde_json::to_writer(&mut out, &r.to_record())?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// Parses result lines written by [`write_results_jsonl`] (blank lines skipped; errors name
/// the line).
pub fn parse_results_jsonl(text: &str) -> Result<Vec<BatchResultRecord>, JsonlError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| JsonlError::Line {
                line: i + 1,
                message: format!("not a result record: {e}"),
            })
        })
        .collect()
}
