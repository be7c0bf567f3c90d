//! The search transport. [`machine`] decides (pure, unit-tested); the driver in
//! `driver.rs` opens the socket (`browser_socket.rs`, shared with the connection test), calls
//! the server functions and keeps the timer.

pub mod machine;

use crate::error::FieldError;
use crate::model::{Outcome, Places, ProductId};

/// An event of one search, whatever transport carried it.
#[derive(Clone, Debug, PartialEq)]
pub enum SearchEvent {
    Planned(Vec<ProductId>),
    /// The places of the search's two ends, as the server's register names them.
    Places(Places),
    Outcome(Outcome),
    Done,
    /// The server refused a field (e.g. a postal code that does not exist): the form shows it.
    Invalid(FieldError),
    Failed(String),
}

/// Not a product: the page's warm-up call when it turns to HTTP (`Transport::warm_http`) is
/// refused by the server without a quote.
pub const WARM_UP_PRODUCT: &str = "warm-up";
/// An answer as `quote_product` sends it, decoded by the warm-up so that code is compiled too.
pub const WARM_UP_OUTCOME: &str = r#"{"kind":"offer","offer":{"product_id":"5800","name":"","description":"","price":{"currency":"NOK","with_vat_minor":0,"without_vat_minor":0},"lead_time":{"working_days":1,"expected_delivery":"2026-01-02"}}}"#;
/// A line as `/api/search` sends it, decoded by the warm-up likewise.
pub const WARM_UP_LINE: &str = r#"{"type":"offer","search_id":0,"offer":{"product_id":"5800","name":"","description":"","price":{"currency":"NOK","with_vat_minor":0,"without_vat_minor":0},"lead_time":{"working_days":1,"expected_delivery":"2026-01-02"}}}"#;

/// Shown when the socket is broken: what is wrong and what to ask IT for. `host` is the
/// page's host, for the `wss://` address IT should allow.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub host: String,
}

#[cfg(feature = "client")]
pub(crate) mod browser_socket;
#[cfg(feature = "client")]
pub(crate) mod driver;
#[cfg(feature = "client")]
pub use driver::Transport;

/// `<body data-transport>` names the tier in use, for tests and support staff.
#[cfg(feature = "client")]
fn mark_body(tier: &str) {
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-transport", tier);
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Outcome;
    use crate::protocol::ServerMessage;

    #[test]
    fn the_warm_up_samples_are_offers_on_the_wire() {
        let outcome: Outcome = serde_json::from_str(super::WARM_UP_OUTCOME).unwrap();
        assert!(matches!(outcome, Outcome::Offer { .. }));
        let line: ServerMessage = serde_json::from_str(super::WARM_UP_LINE).unwrap();
        assert!(matches!(line, ServerMessage::Offer { search_id: 0, .. }));
    }
}
