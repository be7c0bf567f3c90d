//! Stable error codes shared by the socket, the server functions and the page.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Error codes are part of the wire contract: never rename a variant's string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MissingField => "missing_field",
            ErrorCode::UnknownCountry => "unknown_country",
            ErrorCode::InvalidPostalCode => "invalid_postal_code",
            ErrorCode::UnknownPostalCode => "unknown_postal_code",
            ErrorCode::InvalidWeight => "invalid_weight",
            ErrorCode::WeightOutOfRange => "weight_out_of_range",
            ErrorCode::InvalidDimension => "invalid_dimension",
            ErrorCode::DimensionOutOfRange => "dimension_out_of_range",
            ErrorCode::UnknownProduct => "unknown_product",
            ErrorCode::TooManySearches => "too_many_searches",
            ErrorCode::DuplicateSearch => "duplicate_search",
            ErrorCode::BadMessage => "bad_message",
            ErrorCode::UnknownMessageType => "unknown_message_type",
            ErrorCode::ShuttingDown => "shutting_down",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::ProbeRunning => "probe_running",
        }
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
        for code in [
            ErrorCode::MissingField,
            ErrorCode::UnknownCountry,
            ErrorCode::InvalidPostalCode,
            ErrorCode::UnknownPostalCode,
            ErrorCode::InvalidWeight,
            ErrorCode::WeightOutOfRange,
            ErrorCode::InvalidDimension,
            ErrorCode::DimensionOutOfRange,
            ErrorCode::UnknownProduct,
            ErrorCode::TooManySearches,
            ErrorCode::DuplicateSearch,
            ErrorCode::BadMessage,
            ErrorCode::UnknownMessageType,
            ErrorCode::ShuttingDown,
            ErrorCode::RateLimited,
            ErrorCode::ProbeRunning,
        ] {
            assert_eq!(
                serde_json::to_string(&code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
        }
    }
}
