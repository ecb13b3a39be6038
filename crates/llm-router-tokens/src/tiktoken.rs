//! Exact counts for OpenAI's tokenizers, through tiktoken-rs.
//!
//! tiktoken-rs embeds its BPE tables, so nothing is downloaded; parsing a table costs 70–220 ms
//! the first time an encoding is used. Each encoding is therefore loaded once per process, in
//! tiktoken-rs's own lazy singletons (`std::sync::LazyLock`), and shared by every counter. Call
//! [`Encoding::warm_up`] at start-up to keep that cost off the first request.
//!
//! Which encoding a model uses is decided only by an [`EncodingTable`]: a list of model-family
//! prefixes the user can change, with a fallback. There is no other guessing from model names.

use std::sync::Arc;

use llm_router_core::ChatRequest;
use tiktoken_rs::CoreBPE;

use crate::counter::{TokenCounter, expected_output};

/// A tiktoken encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// `o200k_base`: GPT-4o, GPT-4.1, GPT-5 and the o-series.
    O200kBase,
    /// `cl100k_base`: GPT-4, GPT-3.5 Turbo and the `text-embedding-3` / `ada-002` models.
    Cl100kBase,
}

impl Encoding {
    /// The encoding's name in tiktoken (`"o200k_base"`, `"cl100k_base"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::O200kBase => "o200k_base",
            Self::Cl100kBase => "cl100k_base",
        }
    }

    /// The encoding with this tiktoken name, if this crate knows it.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "o200k_base" => Some(Self::O200kBase),
            "cl100k_base" => Some(Self::Cl100kBase),
            _ => None,
        }
    }

    fn bpe(self) -> &'static CoreBPE {
        match self {
            Self::O200kBase => tiktoken_rs::o200k_base_singleton(),
            Self::Cl100kBase => tiktoken_rs::cl100k_base_singleton(),
        }
    }

    /// Tokens in `text` (special-token spellings count as ordinary text).
    pub fn count(self, text: &str) -> usize {
        if text.is_empty() {
            return 0;
        }
        self.bpe().encode_ordinary(text).len()
    }

    /// Loads the encoding's table now (once per process), so the first request does not pay
    /// for it.
    pub fn warm_up(self) {
        let _ = self.bpe();
    }
}

/// Which encoding each model family uses: the longest family prefix that starts the model id
/// wins, else the fallback.
///
/// The model id is matched after its last `/`, so vendor-prefixed ids such as OpenRouter's
/// `openai/gpt-4o` count like `gpt-4o`.
///
/// [`EncodingTable::openai_default`] is this table (fallback `o200k_base`):
///
/// | family prefix | encoding |
/// |---|---|
/// | `gpt-5`, `gpt-4.1`, `gpt-4.5`, `gpt-4o`, `chatgpt-4o`, `o1`, `o3`, `o4` | `o200k_base` |
/// | `gpt-4`, `gpt-3.5-turbo`, `gpt-35-turbo`, `text-embedding-3`, `text-embedding-ada-002` | `cl100k_base` |
///
/// Models of other vendors (Claude, Gemini, Llama, …) have tokenizers of their own; they get the
/// fallback, which is an estimate for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodingTable {
    entries: Vec<(String, Encoding)>,
    fallback: Encoding,
}

impl Default for EncodingTable {
    fn default() -> Self {
        Self::openai_default()
    }
}

impl EncodingTable {
    /// An empty table: every model uses `fallback`.
    pub fn new(fallback: Encoding) -> Self {
        Self {
            entries: Vec::new(),
            fallback,
        }
    }

    /// The documented default table (see the type's docs).
    pub fn openai_default() -> Self {
        let o200k = [
            "gpt-5",
            "gpt-4.1",
            "gpt-4.5",
            "gpt-4o",
            "chatgpt-4o",
            "o1",
            "o3",
            "o4",
        ];
        let cl100k = [
            "gpt-4",
            "gpt-3.5-turbo",
            "gpt-35-turbo",
            "text-embedding-3",
            "text-embedding-ada-002",
        ];
        let mut table = Self::new(Encoding::O200kBase);
        for family in o200k {
            table = table.with(family, Encoding::O200kBase);
        }
        for family in cl100k {
            table = table.with(family, Encoding::Cl100kBase);
        }
        table
    }

    /// Maps the model family `prefix` to `encoding`, replacing an earlier entry for it.
    pub fn with(mut self, prefix: impl Into<String>, encoding: Encoding) -> Self {
        let prefix = prefix.into();
        match self.entries.iter_mut().find(|(p, _)| *p == prefix) {
            Some(entry) => entry.1 = encoding,
            None => self.entries.push((prefix, encoding)),
        }
        self
    }

    /// Removes the entry for `prefix`, if there is one.
    pub fn without(mut self, prefix: &str) -> Self {
        self.entries.retain(|(p, _)| p != prefix);
        self
    }

    /// Sets the encoding of models no entry matches.
    pub fn with_fallback(mut self, encoding: Encoding) -> Self {
        self.fallback = encoding;
        self
    }

    /// The encoding of models no entry matches.
    pub fn fallback(&self) -> Encoding {
        self.fallback
    }

    /// The entries, in insertion order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, Encoding)> {
        self.entries.iter().map(|(p, e)| (p.as_str(), *e))
    }

    /// Whether an entry (not the fallback) matches `model`.
    pub fn matches(&self, model: &str) -> bool {
        let model = model.rsplit('/').next().unwrap_or(model);
        self.entries
            .iter()
            .any(|(prefix, _)| model.starts_with(prefix.as_str()))
    }

    /// The encoding for `model`: the longest matching family prefix, else the fallback.
    pub fn encoding_for(&self, model: &str) -> Encoding {
        let model = model.rsplit('/').next().unwrap_or(model);
        self.entries
            .iter()
            .filter(|(prefix, _)| model.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map_or(self.fallback, |(_, e)| *e)
    }
}

/// Exact token counts with tiktoken.
///
/// [`count_text`](TokenCounter::count_text) and
/// [`count_messages`](TokenCounter::count_messages) use the counter's own encoding
/// (`o200k_base` by default); [`estimate_request`](TokenCounter::estimate_request) picks the
/// encoding for `req.model` from the counter's [`EncodingTable`]. [`TiktokenCounter::new`]
/// fixes one encoding for everything.
///
/// Cheap to clone; the BPE tables are process-wide singletons.
#[derive(Debug, Clone)]
pub struct TiktokenCounter {
    encoding: Encoding,
    table: Arc<EncodingTable>,
}

impl Default for TiktokenCounter {
    /// `o200k_base`, with [`EncodingTable::openai_default`] for per-model estimates.
    fn default() -> Self {
        Self::with_table(EncodingTable::openai_default())
    }
}

impl TiktokenCounter {
    /// A counter that uses `encoding` for every text and every model.
    pub fn new(encoding: Encoding) -> Self {
        Self {
            encoding,
            table: Arc::new(EncodingTable::new(encoding)),
        }
    }

    /// A counter that chooses the encoding per model from `table`; plain text uses the table's
    /// fallback.
    pub fn with_table(table: EncodingTable) -> Self {
        Self {
            encoding: table.fallback(),
            table: Arc::new(table),
        }
    }

    /// The same table, counting with the encoding `model` maps to.
    pub fn for_model(&self, model: &str) -> Self {
        Self {
            encoding: self.table.encoding_for(model),
            table: Arc::clone(&self.table),
        }
    }

    /// The encoding used for text.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The model → encoding table.
    pub fn table(&self) -> &EncodingTable {
        &self.table
    }

    /// Whether counts for `model` are exact: an entry of the table matches it (an OpenAI
    /// family); models that only get the fallback (Claude, Gemini, Llama, …) have tokenizers of
    /// their own, so their counts are estimates.
    pub fn is_exact_for(&self, model: &str) -> bool {
        self.table.matches(model)
    }
}

impl TokenCounter for TiktokenCounter {
    fn count_text(&self, text: &str) -> usize {
        self.encoding.count(text)
    }

    fn is_exact(&self) -> bool {
        true
    }

    /// The cookbook's count ([`openai_tool_tokens`](crate::openai_tool_tokens)) with the
    /// counter's encoding.
    fn count_tools(&self, tools: &[llm_router_core::ToolDefinition]) -> usize {
        crate::tools::openai_tool_tokens(self.encoding, tools)
    }

    fn estimate_request(&self, req: &ChatRequest) -> usize {
        let c = self.for_model(&req.model);
        c.count_messages(&req.messages) + c.count_tools(&req.tools) + expected_output(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_core::{ChatRequest, ContentPart, ImageDetail, Message};

    const CORPORATE: &str = "You are a helpful, pattern-following assistant that translates corporate jargon into plain English.";

    #[test]
    fn hello_world_is_two_tokens_in_both_encodings() {
        assert_eq!(Encoding::O200kBase.count("hello world"), 2);
        assert_eq!(Encoding::Cl100kBase.count("hello world"), 2);
        assert_eq!(Encoding::O200kBase.count(""), 0);
    }

    #[test]
    fn special_tokens_count_as_text() {
        assert!(Encoding::Cl100kBase.count("<|endoftext|>") > 1);
    }

    #[test]
    fn encodings_differ_where_the_vocabularies_do() {
        // The system message of the OpenAI-reported counts below, without its 7 tokens of
        // message overhead (25 - 7 and 24 - 7).
        let text = CORPORATE;
        assert_eq!(Encoding::Cl100kBase.count(text), 18);
        assert_eq!(Encoding::O200kBase.count(text), 17);
    }

    /// Prompt-token counts OpenAI's API reported for single-message requests, as recorded in
    /// pamelafox/openai-messages-token-helper `tests/messages.py` (checked there against the API
    /// by `tests/verify_openai.py`): `count` for GPT-3.5/GPT-4 (cl100k_base), `count_omni` for
    /// GPT-4o (o200k_base).
    #[test]
    fn message_counts_match_the_prompt_tokens_openai_reports() {
        let mut named = Message::system("New synergies will help drive top-line growth.");
        named.name = Some("example_user".into());
        let cases: Vec<(Message, usize, usize)> = vec![
            (Message::system("You are a bot."), 12, 12),
            (Message::system(CORPORATE), 25, 24),
            (Message::system("á"), 8, 8),
            (named, 20, 20),
            (Message::user("Hello, how are you?"), 13, 13),
            (
                Message::user("What happens in a performance review?"),
                14,
                14,
            ),
            (
                Message::assistant(
                    "Yes, there is a dress code at Contoso Electronics. Look sharp! [employee_handbook-1.pdf]",
                ),
                30,
                30,
            ),
        ];
        let cl = TiktokenCounter::new(Encoding::Cl100kBase);
        let o = TiktokenCounter::new(Encoding::O200kBase);
        for (msg, cl100k, o200k) in cases {
            let msgs = std::slice::from_ref(&msg);
            assert_eq!(cl.count_messages(msgs), cl100k, "cl100k: {msg:?}");
            assert_eq!(o.count_messages(msgs), o200k, "o200k: {msg:?}");
        }
    }

    #[test]
    fn images_are_a_documented_flat_amount() {
        let msg = Message::user(vec![
            ContentPart::text("Describe this picture:"),
            ContentPart::ImageUrl {
                image_url: llm_router_core::ImageUrl {
                    url: "data:image/png;base64,AAAA".into(),
                    detail: Some(ImageDetail::Low),
                },
                extra: Default::default(),
            },
        ]);
        let text_only =
            TiktokenCounter::default().count_messages(&[Message::user("Describe this picture:")]);
        assert_eq!(
            TiktokenCounter::default().count_messages(&[msg]),
            text_only + crate::IMAGE_TOKENS_LOW_DETAIL
        );
    }

    #[test]
    fn the_default_table_maps_families_by_longest_prefix() {
        let t = EncodingTable::openai_default();
        assert_eq!(t.encoding_for("gpt-4o-mini"), Encoding::O200kBase);
        assert_eq!(t.encoding_for("gpt-4.1-nano"), Encoding::O200kBase);
        assert_eq!(t.encoding_for("gpt-4-turbo"), Encoding::Cl100kBase);
        assert_eq!(t.encoding_for("gpt-3.5-turbo-0125"), Encoding::Cl100kBase);
        assert_eq!(
            t.encoding_for("text-embedding-3-small"),
            Encoding::Cl100kBase
        );
        assert_eq!(t.encoding_for("openai/gpt-4"), Encoding::Cl100kBase);
        assert_eq!(t.encoding_for("o3-mini"), Encoding::O200kBase);
        assert_eq!(t.encoding_for("claude-sonnet-4"), Encoding::O200kBase);
    }

    #[test]
    fn the_table_can_be_overridden() {
        let t = EncodingTable::openai_default()
            .with("gpt-4", Encoding::O200kBase)
            .with("my-model", Encoding::Cl100kBase)
            .without("o3")
            .with_fallback(Encoding::Cl100kBase);
        assert_eq!(t.encoding_for("gpt-4-turbo"), Encoding::O200kBase);
        assert_eq!(t.encoding_for("my-model-v2"), Encoding::Cl100kBase);
        assert_eq!(t.encoding_for("o3-mini"), Encoding::Cl100kBase);
        assert_eq!(t.fallback(), Encoding::Cl100kBase);
        assert_eq!(t.entries().filter(|(p, _)| *p == "gpt-4").count(), 1);
    }

    #[test]
    fn estimate_request_uses_the_model_encoding() {
        let text = CORPORATE;
        let counter = TiktokenCounter::default();
        assert_eq!(counter.encoding(), Encoding::O200kBase);
        let req =
            |model: &str| ChatRequest::new(model, vec![Message::user(text)]).with_max_tokens(0);
        // 3 + "user" (1) + text + 3
        assert_eq!(counter.estimate_request(&req("gpt-4")), 25);
        assert_eq!(counter.estimate_request(&req("gpt-4o")), 24);
        let fixed = TiktokenCounter::new(Encoding::Cl100kBase);
        assert_eq!(fixed.estimate_request(&req("gpt-4o")), 25);
        assert_eq!(counter.for_model("gpt-4").encoding(), Encoding::Cl100kBase);
    }

    #[test]
    fn encoding_names_round_trip() {
        for e in [Encoding::O200kBase, Encoding::Cl100kBase] {
            assert_eq!(Encoding::from_name(e.name()), Some(e));
            e.warm_up();
        }
        assert_eq!(Encoding::from_name("p50k_base"), None);
    }
}
