//! Small serde helpers for tolerant parsing of provider responses.

use serde::{Deserialize, Deserializer};

/// Reads `null` as the type's default (providers send `"tool_calls": null`, `"usage": null`).
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Implements `Deserialize` for a struct that keeps the fields it does not model in a
/// `Map<String, Value>`: what `#[serde(flatten)] extra: Map<String, Value>` does, without
/// serde's flatten, which first buffers every field of the object into an intermediate tree
/// and then reads the known fields back out of it (nested flattened structs repeat that at
/// every level). Decoding a chat response this way takes about a third of the work; every
/// response, stream chunk and gateway request goes through it.
///
/// ```text
/// deserialize_keeping_extra!(Type, extra, {
///     field: FieldType = "wire_name" => mode,
///     ...
/// } skip { field_not_on_the_wire, ... });
/// ```
///
/// Modes: `default` (absent → `Default`), `null` (absent or `null` → `Default`), `required`
/// (absent → "missing field" error), `or(path)` (absent → `path()`), `with(path)` (read by
/// `path`, absent → `Default`). A field given twice is an error, as with the derive. Fields in
/// `skip` are not read and start as `Default`.
macro_rules! deserialize_keeping_extra {
    (
        $ty:ident, $extra:ident, {
            $($field:ident : $fty:ty = $wire:literal => $mode:ident $(($path:path))?),* $(,)?
        } $(skip { $($skipped:ident),* $(,)? })?
    ) => {
        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                #[allow(non_camel_case_types)]
                enum Key {
                    $($field,)*
                    Other(String),
                }
                impl<'de> ::serde::Deserialize<'de> for Key {
                    fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        struct KeyVisitor;
                        impl ::serde::de::Visitor<'_> for KeyVisitor {
                            type Value = Key;
                            fn expecting(
                                &self,
                                f: &mut ::std::fmt::Formatter<'_>,
                            ) -> ::std::fmt::Result {
                                f.write_str("a field name")
                            }
                            fn visit_str<E: ::serde::de::Error>(self, s: &str) -> Result<Key, E> {
                                Ok(match s {
                                    $($wire => Key::$field,)*
                                    other => Key::Other(other.to_owned()),
                                })
                            }
                        }
                        d.deserialize_identifier(KeyVisitor)
                    }
                }
                struct ValueVisitor;
                impl<'de> ::serde::de::Visitor<'de> for ValueVisitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("struct ", stringify!($ty)))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$ty, A::Error> {
                        $(let mut $field: Option<$fty> = None;)*
                        let mut extra = ::serde_json::Map::new();
                        while let Some(key) = map.next_key::<Key>()? {
                            match key {
                                $(Key::$field => {
                                    if $field.is_some() {
                                        return Err(::serde::de::Error::duplicate_field($wire));
                                    }
                                    $field = Some($crate::serde_util::deserialize_keeping_extra!(
                                        @read map, $fty, $mode $(($path))?
                                    ));
                                })*
                                Key::Other(name) => {
                                    extra.insert(name, map.next_value()?);
                                }
                            }
                        }
                        Ok($ty {
                            $($field: $crate::serde_util::deserialize_keeping_extra!(
                                @finish $field, $wire, $mode $(($path))?
                            ),)*
                            $extra: extra,
                            $($($skipped: Default::default(),)*)?
                        })
                    }
                }
                d.deserialize_map(ValueVisitor)
            }
        }
    };
    (@read $map:ident, $fty:ty, null) => {
        $map.next_value::<Option<$fty>>()?.unwrap_or_default()
    };
    (@read $map:ident, $fty:ty, with($path:path)) => {{
        struct With($fty);
        impl<'de> ::serde::Deserialize<'de> for With {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $path(d).map(With)
            }
        }
        $map.next_value::<With>()?.0
    }};
    (@read $map:ident, $fty:ty, $other:ident $(($path:path))?) => {
        $map.next_value::<$fty>()?
    };
    (@finish $field:ident, $wire:literal, required) => {
        $field.ok_or_else(|| <A::Error as ::serde::de::Error>::missing_field($wire))?
    };
    (@finish $field:ident, $wire:literal, or($path:path)) => {
        $field.unwrap_or_else($path)
    };
    (@finish $field:ident, $wire:literal, $other:ident $(($path:path))?) => {
        $field.unwrap_or_default()
    };
}
pub(crate) use deserialize_keeping_extra;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use crate::{ChatChunk, ChatRequest, ChatResponse, Role};

    fn response() -> serde_json::Value {
        json!({
            "id": "c1", "created": 7, "model": "m", "citations": ["https://a"],
            "choices": [{
                "index": 0, "native_finish_reason": "end_turn", "finish_reason": "stop",
                "message": {"role": "assistant", "content": "hi", "tool_calls": null,
                    "annotations": [{"type": "url_citation"}]}
            }],
            "usage": {"prompt_tokens": 3, "completion_tokens": null, "total_tokens": 3, "cost": 0.5,
                "prompt_tokens_details": {"cached_tokens": 1, "image_tokens": 2}}
        })
    }

    #[test]
    fn unknown_fields_are_kept_at_every_level_and_written_back() {
        let text = response().to_string();
        let r: ChatResponse = serde_json::from_str(&text).unwrap();
        assert_eq!(r.object, "chat.completion", "absent → the type's default");
        assert_eq!(r.extra["citations"], json!(["https://a"]));
        assert_eq!(r.choices[0].extra["native_finish_reason"], "end_turn");
        let m = &r.choices[0].message;
        assert_eq!(m.role, Role::Assistant);
        assert!(m.tool_calls.is_empty(), "null → empty");
        assert_eq!(m.extra["annotations"][0]["type"], "url_citation");
        let u = r.usage.as_ref().unwrap();
        assert_eq!(u.completion_tokens, 0, "null → 0");
        assert_eq!(u.extra["cost"], 0.5);
        let details = u.prompt_tokens_details.as_ref().unwrap();
        assert_eq!(
            (details.cached_tokens, &details.extra["image_tokens"]),
            (Some(1), &json!(2))
        );
        // The same from a `Value`, and back out with the extras in place.
        let again: ChatResponse = serde_json::from_value(response()).unwrap();
        assert_eq!(again, r);
        let out = serde_json::to_value(&r).unwrap();
        assert_eq!(out["citations"], json!(["https://a"]));
        assert_eq!(
            out["choices"][0]["message"]["annotations"][0]["type"],
            "url_citation"
        );
        assert_eq!(out["usage"]["prompt_tokens_details"]["image_tokens"], 2);
    }

    #[test]
    fn required_fields_duplicates_and_wrong_types_are_errors() {
        let e = serde_json::from_str::<ChatRequest>(r#"{"messages": []}"#).unwrap_err();
        assert!(e.to_string().starts_with("missing field `model`"), "{e}");
        let e =
            serde_json::from_str::<ChatRequest>(r#"{"model": "a", "model": "b", "messages": []}"#)
                .unwrap_err();
        assert!(e.to_string().starts_with("duplicate field `model`"), "{e}");
        let e = serde_json::from_str::<ChatRequest>(r#"{"model": 1, "messages": []}"#).unwrap_err();
        assert!(e.to_string().contains("invalid type: integer `1`"), "{e}");
        let e = serde_json::from_str::<ChatRequest>(
            r#"{"model": "m", "messages": [{"content": "x"}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("missing field `role`"), "{e}");
        assert!(serde_json::from_str::<ChatRequest>("[]").is_err());
    }

    #[test]
    fn fields_that_are_not_on_the_wire_stay_extras() {
        let r: ChatRequest = serde_json::from_str(
            r#"{"model": "m", "messages": [], "extensions": 1, "top_k": 40, "stream_options": {"include_usage": true, "x": 1}}"#,
        )
        .unwrap();
        assert_eq!(r.extra["extensions"], 1);
        assert_eq!(r.extra["top_k"], 40);
        assert!(r.extensions.is_empty());
        assert!(r.wants_stream_usage());
        assert_eq!(r.stream_options.unwrap().extra["x"], 1);
    }

    #[test]
    fn chunks_default_their_object_and_read_null_choices() {
        let c: ChatChunk =
            serde_json::from_str(r#"{"id": "c", "choices": null, "x_groq": {"id": "q"}}"#).unwrap();
        assert_eq!(c.object, "chat.completion.chunk");
        assert!(c.choices.is_empty());
        assert_eq!(c.extra["x_groq"]["id"], "q");
    }
}
