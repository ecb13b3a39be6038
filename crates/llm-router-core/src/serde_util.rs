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
