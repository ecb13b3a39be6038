//! Reference counts: tiktoken's own numbers for multilingual text, code and emoji, and the
//! prompt-token counts OpenAI's cookbook reports for whole conversations and tool definitions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod reference;
