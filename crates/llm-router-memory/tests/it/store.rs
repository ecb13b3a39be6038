//! The in-memory store, and a suite any store must pass.

use llm_router_core::Message;
use llm_router_memory::{Conversation, ConversationStore, MemoryStore};

pub(crate) async fn store_suite(store: &dyn ConversationStore, prefix: &str) {
    let id = format!("{prefix}conv-1");
    assert!(store.load(&id).await.unwrap().is_none());
    let mut conv = Conversation::with_system("sys");
    conv.push(Message::user("héllo 😀 世界"));
    conv.push_pinned(Message::assistant("pinned"));
    conv.summary = Some("a summary".into());
    conv.summarized_messages = 4;
    store.save(&id, &conv).await.unwrap();
    assert_eq!(store.load(&id).await.unwrap(), Some(conv.clone()));
    conv.push(Message::user("more"));
    store.save(&id, &conv).await.unwrap();
    assert_eq!(store.load(&id).await.unwrap(), Some(conv));
    store.delete(&id).await.unwrap();
    assert!(store.load(&id).await.unwrap().is_none());
    store.delete(&id).await.unwrap();
}

#[tokio::test]
async fn memory_store_suite() {
    let store = MemoryStore::new();
    store_suite(&store, "").await;
    assert!(store.is_empty());
}
