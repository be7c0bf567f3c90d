//! Stable error codes shared by the socket, the server functions and the page.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Error codes are part of the wire contract: never rename a variant. serde and
/// [`ErrorCode::as_str`] derive the string from the name by the same rule (snake_case).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorCode {
    MissingField,
    UnknownCountry,
    InvalidPostalCode,
    UnknownPostalCode,
    InvalidWeight,
    WeightOutOfRange,
    InvalidDimension,
    DimensionOutOfRange,
    UnknownProduct,
    TooManySearches,
    DuplicateSearch,
    BadMessage,
    UnknownMessageType,
    ShuttingDown,
    RateLimited,
    ProbeRunning,
    // The booking form.
    InvalidName,
    InvalidStreet,
    InvalidPhone,
    InvalidEmail,
    TooLong,
    UnknownPickupPoint,
    /// The form's idempotency key is missing or malformed (an old or edited page).
    FormExpired,
    /// `?size=` names no size.
    UnknownSize,
    /// Heavier than the chosen size allows.
    TooHeavyForSize,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A problem with one form field (`field` is the input's `name`, e.g. `to_postal`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub code: ErrorCode,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_matches_the_wire_name() {
        use strum::VariantArray;
        for code in ErrorCode::VARIANTS {
            assert_eq!(
                serde_json::to_string(code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
        }
        assert_eq!(ErrorCode::UnknownPostalCode.as_str(), "unknown_postal_code");
    }
}
