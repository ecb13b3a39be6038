//! Message content: a plain string or a list of typed parts (text, images, audio, files).

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;

/// The `content` of a message: OpenAI accepts a string or an array of parts, and the form is
/// kept so JSON read in is written back the same.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// `"content": "hello"`
    Text(String),
    /// `"content": [{"type": "text", …}, {"type": "image_url", …}]`
    Parts(Vec<ContentPart>),
}

impl Content {
    /// All text of the content, parts joined without separator. Non-text parts are skipped.
    pub fn text(&self) -> String {
        match self {
            Content::Text(t) => t.clone(),
            Content::Parts(parts) => parts
                .iter()
                .filter_map(|p| match p {
                    ContentPart::Text { text, .. } => Some(text.as_str()),
                    _ => None,
                })
                .collect(),
        }
    }

    /// The parts of the content; a string is one text part.
    pub fn parts(&self) -> Vec<ContentPart> {
        match self {
            Content::Text(t) => vec![ContentPart::text(t.clone())],
            Content::Parts(p) => p.clone(),
        }
    }

    /// Whether any part is an image.
    pub fn has_images(&self) -> bool {
        matches!(self, Content::Parts(p) if p.iter().any(|p| matches!(p, ContentPart::ImageUrl { .. })))
    }
}

impl From<String> for Content {
    fn from(s: String) -> Self {
        Content::Text(s)
    }
}

impl From<&str> for Content {
    fn from(s: &str) -> Self {
        Content::Text(s.to_owned())
    }
}

impl From<Vec<ContentPart>> for Content {
    fn from(p: Vec<ContentPart>) -> Self {
        Content::Parts(p)
    }
}

impl Serialize for Content {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Content::Text(t) => s.serialize_str(t),
            Content::Parts(p) => p.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Content {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Content;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of content parts")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Content, E> {
                Ok(Content::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Content, E> {
                Ok(Content::Text(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Content, A::Error> {
                Vec::<ContentPart>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(Content::Parts)
            }
        }
        d.deserialize_any(V)
    }
}

/// One part of a multi-part message.
///
/// Unknown part types are kept as [`ContentPart::Other`] with their JSON, so a part type
/// OpenAI adds tomorrow passes through the gateway unchanged.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ContentPart {
    /// `{"type": "text", "text": …}`
    Text {
        /// The text.
        text: String,
        /// Other fields of the part (Anthropic's `cache_control`, …), kept and sent on.
        extra: Map<String, Value>,
    },
    /// `{"type": "image_url", "image_url": {"url": …, "detail": …}}`
    ImageUrl {
        /// The image: an `https:` URL or a `data:image/…;base64,…` URL.
        image_url: ImageUrl,
        /// Other fields of the part (`cache_control`, …), kept and sent on.
        extra: Map<String, Value>,
    },
    /// `{"type": "input_audio", "input_audio": {"data": …, "format": …}}`
    InputAudio {
        /// Base64 audio and its format.
        input_audio: InputAudio,
    },
    /// `{"type": "refusal", "refusal": …}` (assistant messages)
    Refusal {
        /// The refusal text.
        refusal: String,
    },
    /// Any other part, as sent (its `type` included).
    Other(Map<String, Value>),
}

impl ContentPart {
    /// A text part.
    pub fn text(text: impl Into<String>) -> Self {
        ContentPart::Text {
            text: text.into(),
            extra: Map::new(),
        }
    }

    /// An image part from a URL (`https:` or `data:`).
    pub fn image_url(url: impl Into<String>) -> Self {
        ContentPart::ImageUrl {
            image_url: ImageUrl {
                url: url.into(),
                detail: None,
            },
            extra: Map::new(),
        }
    }

    /// An image part from raw base64 data and its MIME type (`image/png`).
    pub fn image_base64(mime: &str, base64_data: &str) -> Self {
        Self::image_url(format!("data:{mime};base64,{base64_data}"))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum KnownPart {
    Text { text: String },
    ImageUrl { image_url: ImageUrl },
    InputAudio { input_audio: InputAudio },
    Refusal { refusal: String },
}

impl Serialize for ContentPart {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            ContentPart::Text { text, extra } => {
                let mut m = s.serialize_map(Some(2 + extra.len()))?;
                m.serialize_entry("type", "text")?;
                m.serialize_entry("text", text)?;
                for (k, v) in extra {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
            ContentPart::ImageUrl { image_url, extra } => {
                let mut m = s.serialize_map(Some(2 + extra.len()))?;
                m.serialize_entry("type", "image_url")?;
                m.serialize_entry("image_url", image_url)?;
                for (k, v) in extra {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
            ContentPart::InputAudio { input_audio } => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("type", "input_audio")?;
                m.serialize_entry("input_audio", input_audio)?;
                m.end()
            }
            ContentPart::Refusal { refusal } => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("type", "refusal")?;
                m.serialize_entry("refusal", refusal)?;
                m.end()
            }
            ContentPart::Other(map) => map.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for ContentPart {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ContentPart;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a content part object with a \"type\"")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ContentPart, A::Error> {
                let mut obj =
                    Map::<String, Value>::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let main = match obj.get("type").and_then(Value::as_str) {
                    Some("text") => "text",
                    Some("image_url") => "image_url",
                    Some("input_audio") => "input_audio",
                    Some("refusal") => "refusal",
                    _ => return Ok(ContentPart::Other(obj)),
                };
                // Fields beside `type` and the main one: kept on text and image parts, and
                // otherwise the part is kept whole so nothing is lost.
                let mut known = Map::new();
                for key in ["type", main] {
                    if let Some(v) = obj.remove(key) {
                        known.insert(key.to_owned(), v);
                    }
                }
                let extra = obj;
                if !extra.is_empty() && matches!(main, "input_audio" | "refusal") {
                    let mut whole = known;
                    whole.extend(extra);
                    return Ok(ContentPart::Other(whole));
                }
                let part: KnownPart =
                    serde_json::from_value(Value::Object(known)).map_err(de::Error::custom)?;
                Ok(match part {
                    KnownPart::Text { text } => ContentPart::Text { text, extra },
                    KnownPart::ImageUrl { image_url } => ContentPart::ImageUrl { image_url, extra },
                    KnownPart::InputAudio { input_audio } => {
                        ContentPart::InputAudio { input_audio }
                    }
                    KnownPart::Refusal { refusal } => ContentPart::Refusal { refusal },
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// An image reference inside a content part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageUrl {
    /// `https://…` or `data:image/png;base64,…`.
    pub url: String,
    /// How closely the model should look.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<ImageDetail>,
}

impl ImageUrl {
    /// For a `data:` URL, its MIME type and base64 payload.
    pub fn as_data_url(&self) -> Option<(&str, &str)> {
        let rest = self.url.strip_prefix("data:")?;
        let (meta, data) = rest.split_once(',')?;
        let mime = meta.strip_suffix(";base64")?;
        Some((mime, data))
    }
}

crate::open_enum! {
    /// Image detail level.
    pub enum ImageDetail {
        /// Let the model decide.
        Auto = "auto",
        /// Low resolution, fewer tokens.
        Low = "low",
        /// High resolution.
        High = "high",
    }
}

/// Audio input (base64) in a content part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputAudio {
    /// Base64-encoded audio.
    pub data: String,
    /// `wav`, `mp3`, …
    pub format: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn string_and_parts_round_trip() {
        let v = json!("hi");
        let c: Content = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(serde_json::to_value(&c).unwrap(), v);
        let v = json!([
            {"type": "text", "text": "what is this?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": "high"}},
            {"type": "file", "file": {"file_id": "f1"}}
        ]);
        let c: Content = serde_json::from_value(v.clone()).unwrap();
        assert!(c.has_images());
        assert_eq!(c.text(), "what is this?");
        assert_eq!(serde_json::to_value(&c).unwrap(), v);
        let Content::Parts(parts) = c else { panic!() };
        let ContentPart::ImageUrl { image_url, .. } = &parts[1] else {
            panic!()
        };
        assert_eq!(image_url.as_data_url(), Some(("image/png", "AAAA")));
    }

    #[test]
    fn part_level_fields_are_kept() {
        let v = json!([
            {"type": "text", "text": "long context", "cache_control": {"type": "ephemeral"}},
            {"type": "image_url", "image_url": {"url": "https://x/y.png"}, "cache_control": {"type": "ephemeral"}},
            {"type": "refusal", "refusal": "no", "vendor": 1}
        ]);
        let c: Content = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(serde_json::to_value(&c).unwrap(), v);
        let Content::Parts(parts) = &c else { panic!() };
        let ContentPart::Text { extra, .. } = &parts[0] else {
            panic!()
        };
        assert_eq!(extra["cache_control"], json!({"type": "ephemeral"}));
        assert!(matches!(parts[2], ContentPart::Other(_)));
    }

    #[test]
    fn bad_content_is_a_clear_error() {
        let err = serde_json::from_value::<Content>(json!(42)).unwrap_err();
        assert!(err.to_string().contains("a string or an array"), "{err}");
        let err = serde_json::from_value::<Content>(json!([{"type": "text"}])).unwrap_err();
        assert!(err.to_string().contains("text"), "{err}");
    }
}
