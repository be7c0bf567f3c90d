//! Stable error codes shared by the socket, the server functions and the page, and the
//! errors they answer with.

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

/// What a server function can answer besides its result.
/// Decoded flat, as `protocol::ServerFrame` says why.
#[derive(Clone, Debug, PartialEq, Serialize, thiserror::Error, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum_discriminants(name(ApiErrorKind), derive(Deserialize))]
#[strum_discriminants(serde(rename_all = "snake_case"))]
pub enum ApiError {
    /// The request failed validation: same codes as the socket's `error` message.
    #[error("{0}")]
    Invalid(FieldError),
    /// The server refused to work on it now (e.g. `rate_limited`); the message says when to retry.
    #[error("{message}")]
    Refused { code: ErrorCode, message: String },
    /// The request body could not be read: malformed, incomplete or too slow.
    #[error("{message}")]
    Unreadable { message: String },
    /// Transport or server trouble.
    #[error("{message}")]
    Server { message: String },
}

#[derive(Deserialize)]
struct ApiErrorFrame {
    kind: ApiErrorKind,
    field: Option<String>,
    code: Option<ErrorCode>,
    message: Option<String>,
}

impl<'de> Deserialize<'de> for ApiError {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use crate::wire::need;
        let f = ApiErrorFrame::deserialize(d)?;
        let message = need(f.message, "message")?;
        Ok(match f.kind {
            ApiErrorKind::Invalid => ApiError::Invalid(FieldError {
                field: need(f.field, "field")?,
                code: need(f.code, "code")?,
                message,
            }),
            ApiErrorKind::Refused => ApiError::Refused {
                code: need(f.code, "code")?,
                message,
            },
            ApiErrorKind::Unreadable => ApiError::Unreadable { message },
            ApiErrorKind::Server => ApiError::Server { message },
        })
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
