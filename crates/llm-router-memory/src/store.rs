//! Persisting conversations by id.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use llm_router_core::{Error, ErrorKind};

use crate::conversation::Conversation;

/// Loads, saves and deletes [`Conversation`]s by id (for example one per chat session).
#[async_trait]
pub trait ConversationStore: Send + Sync {
    /// The conversation saved under `id`, or `None`.
    async fn load(&self, id: &str) -> Result<Option<Conversation>, Error>;
    /// Saves `conversation` under `id`, replacing what was there.
    async fn save(&self, id: &str, conversation: &Conversation) -> Result<(), Error>;
    /// Deletes the conversation saved under `id` (no error if there is none).
    async fn delete(&self, id: &str) -> Result<(), Error>;
}

/// Conversations in this process's memory, stored as JSON exactly like `RedisStore`
/// (feature `redis`) stores them, so both behave the same.
#[derive(Debug, Default)]
pub struct MemoryStore {
    items: Mutex<HashMap<String, String>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many conversations are stored.
    pub fn len(&self) -> usize {
        self.items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// No conversation is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

pub(crate) fn decode(json: &str) -> Result<Conversation, Error> {
    serde_json::from_str(json).map_err(|e| {
        Error::new(
            ErrorKind::Decode,
            format!("stored conversation is not valid: {e}"),
        )
        .with_source(e)
    })
}

pub(crate) fn encode(conversation: &Conversation) -> Result<String, Error> {
    Ok(serde_json::to_string(conversation)?)
}

#[async_trait]
impl ConversationStore for MemoryStore {
    async fn load(&self, id: &str) -> Result<Option<Conversation>, Error> {
        let json = self
            .items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .cloned();
        json.as_deref().map(decode).transpose()
    }

    async fn save(&self, id: &str, conversation: &Conversation) -> Result<(), Error> {
        let json = encode(conversation)?;
        self.items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_owned(), json);
        Ok(())
    }

    async fn delete(&self, id: &str) -> Result<(), Error> {
        self.items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
        Ok(())
    }
}
