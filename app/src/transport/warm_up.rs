//! Samples the page decodes when it turns to HTTP, so that code is compiled before the first
//! real answer needs it (V8 compiles WebAssembly lazily).

/// Not a product: the page's warm-up call when it turns to HTTP (`Transport::warm_http`) is
/// refused by the server without a quote.
pub const WARM_UP_PRODUCT: &str = "warm-up";
/// An answer as `quote_product` sends it, decoded by the warm-up so that code is compiled too.
pub const WARM_UP_OUTCOME: &str = r#"{"kind":"offer","offer":{"product_id":"5800","name":"","description":"","price":{"currency":"NOK","with_vat_minor":0,"without_vat_minor":0},"lead_time":{"working_days":1,"expected_delivery":"2026-01-02"}}}"#;
/// A line as `/api/search` sends it, decoded by the warm-up likewise.
pub const WARM_UP_LINE: &str = r#"{"type":"offer","search_id":0,"offer":{"product_id":"5800","name":"","description":"","price":{"currency":"NOK","with_vat_minor":0,"without_vat_minor":0},"lead_time":{"working_days":1,"expected_delivery":"2026-01-02"}}}"#;

#[cfg(test)]
mod tests {
    use crate::model::Outcome;
    use crate::protocol::ServerMessage;

    #[test]
    fn the_warm_up_product_is_no_product_so_nothing_is_quoted() {
        let id = crate::model::ProductId::new(super::WARM_UP_PRODUCT);
        assert!(crate::catalogue::product(&id).is_none());
    }

    #[test]
    fn the_warm_up_samples_are_offers_on_the_wire() {
        let outcome: Outcome = serde_json::from_str(super::WARM_UP_OUTCOME).unwrap();
        assert!(matches!(outcome, Outcome::Offer { .. }));
        let line: ServerMessage = serde_json::from_str(super::WARM_UP_LINE).unwrap();
        assert!(matches!(line, ServerMessage::Offer { search_id: 0, .. }));
    }
}
