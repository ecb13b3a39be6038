//! One chat provider over every configured model: a request goes to the model it names.

use std::collections::HashMap;

use async_trait::async_trait;
use llm_router_config::ServedModel;
use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, ChatStream, Error, ErrorKind, SharedChat,
};

use crate::Failure;

/// The chat models of a configuration, by name.
pub(crate) struct ModelTable {
    /// Name → provider.
    models: HashMap<String, SharedChat>,
}

impl ModelTable {
    /// The chat models of `models`.
    pub(crate) fn new(models: &[ServedModel]) -> Self {
        let models = models
            .iter()
            .filter_map(|m| m.chat.clone().map(|c| (m.name.clone(), c)))
            .collect();
        Self { models }
    }

    /// The provider serving `model`.
    fn get(&self, model: &str) -> Result<&SharedChat, Error> {
        self.models.get(model).ok_or_else(|| {
            Error::new(
                ErrorKind::ModelNotFound,
                format!("no chat model `{model}` in the configuration"),
            )
        })
    }

    /// Fails early when `model` is not configured.
    pub(crate) fn check(&self, model: &str) -> Result<(), Failure> {
        self.get(model)
            .map(|_| ())
            .map_err(|e| Failure(e.to_string()))
    }
}

#[async_trait]
impl ChatProvider for ModelTable {
    fn name(&self) -> &str {
        "models"
    }

    async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        self.get(&req.model)?.chat(req).await
    }

    async fn chat_stream(&self, req: ChatRequest) -> Result<ChatStream, Error> {
        self.get(&req.model)?.chat_stream(req).await
    }
}
