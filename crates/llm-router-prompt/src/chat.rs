//! [`ChatTemplate`]: role + template pairs that render to a conversation.

use llm_router_core::{Message, Role};

use crate::error::PromptError;
use crate::template::{PromptTemplate, referenced_variables};

/// A conversation template: a list of (role, template) that renders to `Vec<Message>`, with
/// optional few-shot examples.
///
/// Every message template is checked against the chat's declared variables, and rendering
/// needs all of them. Few-shot examples are literal user/assistant pairs, inserted after the
/// leading system (and developer) messages, before the first templated user turn.
#[derive(Debug, Clone)]
pub struct ChatTemplate {
    input_variables: Vec<String>,
    messages: Vec<(Role, PromptTemplate)>,
    examples: Vec<(String, String)>,
}

impl ChatTemplate {
    /// A chat template from (role, template text) pairs, all declaring `input_variables`.
    pub fn new<I, S, M, T>(messages: M, input_variables: I) -> Result<Self, PromptError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
        M: IntoIterator<Item = (Role, T)>,
        T: Into<String>,
    {
        let input_variables: Vec<String> = input_variables.into_iter().map(Into::into).collect();
        let messages = messages
            .into_iter()
            .map(|(role, text)| {
                PromptTemplate::new(text, input_variables.iter().cloned()).map(|t| (role, t))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            input_variables,
            messages,
            examples: Vec::new(),
        })
    }

    pub(crate) fn empty() -> Self {
        Self {
            input_variables: Vec::new(),
            messages: Vec::new(),
            examples: Vec::new(),
        }
    }

    /// A chat template declaring exactly the variables its messages read.
    pub fn infer<M, T>(messages: M) -> Result<Self, PromptError>
    where
        M: IntoIterator<Item = (Role, T)>,
        T: Into<String>,
    {
        let messages: Vec<(Role, String)> =
            messages.into_iter().map(|(r, t)| (r, t.into())).collect();
        let mut vars = std::collections::BTreeSet::new();
        for (_, t) in &messages {
            vars.extend(referenced_variables(t)?);
        }
        Self::new(messages, vars)
    }

    /// Adds a few-shot example: a user message and the assistant's answer.
    pub fn with_example(mut self, user: impl Into<String>, assistant: impl Into<String>) -> Self {
        self.examples.push((user.into(), assistant.into()));
        self
    }

    /// Registers a partial (`{{> name}}`) for every message template.
    pub fn with_partial(mut self, name: &str, template: &str) -> Result<Self, PromptError> {
        self.messages = self
            .messages
            .into_iter()
            .map(|(r, t)| t.with_partial(name, template).map(|t| (r, t)))
            .collect::<Result<_, _>>()?;
        Ok(self)
    }

    /// The declared variables.
    pub fn input_variables(&self) -> &[String] {
        &self.input_variables
    }

    /// The few-shot examples.
    pub fn examples(&self) -> &[(String, String)] {
        &self.examples
    }

    /// Renders every message with `vars` (a JSON object).
    pub fn render<T: serde::Serialize + ?Sized>(
        &self,
        vars: &T,
    ) -> Result<Vec<Message>, PromptError> {
        let value = serde_json::to_value(vars).map_err(|e| PromptError::Render {
            message: e.to_string(),
        })?;
        let leading = self
            .messages
            .iter()
            .take_while(|(r, _)| matches!(r, Role::System | Role::Developer))
            .count();
        let mut out = Vec::with_capacity(self.messages.len() + 2 * self.examples.len());
        for (i, (role, t)) in self.messages.iter().enumerate() {
            if i == leading {
                self.push_examples(&mut out);
            }
            out.push(Message::new(role.clone(), t.render(&value)?));
        }
        if leading == self.messages.len() {
            self.push_examples(&mut out);
        }
        Ok(out)
    }

    fn push_examples(&self, out: &mut Vec<Message>) {
        for (user, assistant) in &self.examples {
            out.push(Message::user(user.as_str()));
            out.push(Message::assistant(assistant.as_str()));
        }
    }
}
