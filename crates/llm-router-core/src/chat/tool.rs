//! Tools (function calling): definitions offered to the model, the model's calls, and how the
//! model may choose.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value, json};

crate::open_enum! {
    /// The kind of a tool or tool call. Only `function` is common to all providers.
    #[derive(Default)]
    pub enum ToolType {
        /// A function with JSON-Schema parameters.
        #[default]
        Function = "function",
    }
}

/// A tool offered to the model: `{"type": "function", "function": {…}}`.
///
/// ```
/// use llm_router_core::ToolDefinition;
/// use serde_json::json;
/// let t = ToolDefinition::function(
///     "get_weather",
///     "Current weather in a city",
///     json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
/// );
/// assert_eq!(t.function.name, "get_weather");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolDefinition {
    /// Always `function` today.
    #[serde(rename = "type", default)]
    pub kind: ToolType,
    /// The function.
    pub function: FunctionDefinition,
    /// Vendor fields (`cache_control`, …), kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

crate::serde_util::deserialize_keeping_extra!(ToolDefinition, extra, {
    kind: ToolType = "type" => default,
    function: FunctionDefinition = "function" => required,
});

impl ToolDefinition {
    /// A function tool.
    pub fn function(
        name: impl Into<String>,
        description: impl Into<String>,
        parameters: Value,
    ) -> Self {
        Self {
            kind: ToolType::Function,
            function: FunctionDefinition {
                name: name.into(),
                description: Some(description.into()),
                parameters: Some(parameters),
                strict: None,
                extra: Map::new(),
            },
            extra: Map::new(),
        }
    }
}

/// A function's name, description and JSON-Schema parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionDefinition {
    /// The function's name (`[a-zA-Z0-9_-]{1,64}` at most providers).
    pub name: String,
    /// What it does, for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// JSON Schema of the arguments object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// Ask for strict schema adherence (OpenAI structured outputs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
    /// Other fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

crate::serde_util::deserialize_keeping_extra!(FunctionDefinition, extra, {
    name: String = "name" => required,
    description: Option<String> = "description" => default,
    parameters: Option<Value> = "parameters" => default,
    strict: Option<bool> = "strict" => default,
});

impl FunctionDefinition {
    /// The parameters schema, or an empty object schema when none was given.
    pub fn parameters_or_empty(&self) -> Value {
        self.parameters
            .clone()
            .unwrap_or_else(|| json!({"type": "object", "properties": {}}))
    }
}

/// A call the model made: `{"id", "type": "function", "function": {"name", "arguments"}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ToolCall {
    /// The call's id; a tool result names it in `tool_call_id`.
    #[serde(default)]
    pub id: String,
    /// Always `function` today.
    #[serde(rename = "type", default)]
    pub kind: ToolType,
    /// Which function, with which arguments.
    pub function: FunctionCall,
    /// Other fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

crate::serde_util::deserialize_keeping_extra!(ToolCall, extra, {
    id: String = "id" => default,
    kind: ToolType = "type" => default,
    function: FunctionCall = "function" => required,
});

impl ToolCall {
    /// A function call.
    pub fn function(
        id: impl Into<String>,
        name: impl Into<String>,
        arguments: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            kind: ToolType::Function,
            function: FunctionCall {
                name: name.into(),
                arguments: arguments.into(),
            },
            extra: Map::new(),
        }
    }
}

/// The function part of a tool call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionCall {
    /// The function's name.
    #[serde(default)]
    pub name: String,
    /// The arguments as a JSON text (as OpenAI sends them; may be invalid JSON if the model
    /// erred).
    #[serde(default, deserialize_with = "arguments_as_string")]
    pub arguments: String,
}

impl FunctionCall {
    /// Parses the arguments; an empty string reads as `{}`.
    pub fn parse_arguments(&self) -> Result<Value, serde_json::Error> {
        if self.arguments.trim().is_empty() {
            return Ok(Value::Object(Map::new()));
        }
        serde_json::from_str(&self.arguments)
    }
}

/// Some OpenAI-compatible servers send `arguments` as an object; keep it as JSON text.
fn arguments_as_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// How the model may use the tools.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ToolChoice {
    /// `"none"`: never call a tool.
    None,
    /// `"auto"`: the model decides.
    Auto,
    /// `"required"`: call at least one tool.
    Required,
    /// `{"type": "function", "function": {"name"}}`: call this function.
    Function(String),
    /// Any other form (`allowed_tools`, custom tools), kept as sent.
    Other(Value),
}

impl Serialize for ToolChoice {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ToolChoice::None => s.serialize_str("none"),
            ToolChoice::Auto => s.serialize_str("auto"),
            ToolChoice::Required => s.serialize_str("required"),
            ToolChoice::Function(name) => {
                json!({"type": "function", "function": {"name": name}}).serialize(s)
            }
            ToolChoice::Other(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for ToolChoice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Ok(match &v {
            Value::String(s) => match s.as_str() {
                "none" => ToolChoice::None,
                "auto" => ToolChoice::Auto,
                "required" => ToolChoice::Required,
                _ => ToolChoice::Other(v),
            },
            Value::Object(o) => {
                let name = o
                    .get("function")
                    .and_then(|f| f.get("name"))
                    .and_then(Value::as_str);
                match (o.get("type").and_then(Value::as_str), name, o.len()) {
                    (Some("function"), Some(name), 2) => ToolChoice::Function(name.to_owned()),
                    _ => ToolChoice::Other(v),
                }
            }
            _ => {
                return Err(de::Error::custom(
                    "tool_choice must be a string or an object",
                ));
            }
        })
    }
}

/// The requested output format.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ResponseFormat {
    /// `{"type": "text"}`
    Text,
    /// `{"type": "json_object"}`: any valid JSON object.
    JsonObject,
    /// `{"type": "json_schema", "json_schema": {…}}`: JSON that fits the schema.
    JsonSchema(JsonSchemaFormat),
    /// Any other form, kept as sent.
    Other(Value),
}

/// A named JSON Schema for structured output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonSchemaFormat {
    /// The format's name.
    pub name: String,
    /// What the output is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The JSON Schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Value>,
    /// Ask for strict adherence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
}

impl Serialize for ResponseFormat {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ResponseFormat::Text => json!({"type": "text"}).serialize(s),
            ResponseFormat::JsonObject => json!({"type": "json_object"}).serialize(s),
            ResponseFormat::JsonSchema(f) => {
                json!({"type": "json_schema", "json_schema": f}).serialize(s)
            }
            ResponseFormat::Other(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for ResponseFormat {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let Some(obj) = v.as_object() else {
            return Err(de::Error::custom("response_format must be an object"));
        };
        Ok(match (obj.get("type").and_then(Value::as_str), obj.len()) {
            (Some("text"), 1) => ResponseFormat::Text,
            (Some("json_object"), 1) => ResponseFormat::JsonObject,
            (Some("json_schema"), 2) => match obj.get("json_schema") {
                Some(js) => ResponseFormat::JsonSchema(
                    serde_json::from_value(js.clone()).map_err(de::Error::custom)?,
                ),
                None => ResponseFormat::Other(v),
            },
            _ => ResponseFormat::Other(v),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_choice_forms_round_trip() {
        for v in [
            json!("auto"),
            json!("none"),
            json!("required"),
            json!({"type": "function", "function": {"name": "f"}}),
            json!({"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": []}}),
        ] {
            let c: ToolChoice = serde_json::from_value(v.clone()).unwrap();
            assert_eq!(serde_json::to_value(&c).unwrap(), v);
        }
        assert_eq!(
            serde_json::from_value::<ToolChoice>(
                json!({"type": "function", "function": {"name": "f"}})
            )
            .unwrap(),
            ToolChoice::Function("f".into())
        );
    }

    #[test]
    fn object_arguments_become_text() {
        let c: ToolCall = serde_json::from_value(
            json!({"id": "c1", "function": {"name": "f", "arguments": {"a": 1}}}),
        )
        .unwrap();
        assert_eq!(c.function.arguments, r#"{"a":1}"#);
        assert_eq!(c.function.parse_arguments().unwrap(), json!({"a": 1}));
    }

    #[test]
    fn response_format_schema() {
        let v = json!({"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}, "strict": true}});
        let f: ResponseFormat = serde_json::from_value(v.clone()).unwrap();
        assert!(matches!(f, ResponseFormat::JsonSchema(ref s) if s.name == "x"));
        assert_eq!(serde_json::to_value(&f).unwrap(), v);
    }
}
