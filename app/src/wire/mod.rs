//! Decoding tagged enums from flat frames: see `protocol::ServerFrame` for why.

/// The field's value, or serde's own error for a missing field.
pub(crate) fn need<T, E: serde::de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(field))
}
