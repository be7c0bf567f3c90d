//! Which products to ask the shipping guide about for a route: our own rule table, shared by
//! every guide (the simulator prices by it; Bring is asked for exactly these products), and
//! shared with the page, which on the HTTP tier starts quoting without waiting for the
//! server's copy of the plan.
//!
//! Senders must be in NO, SE, DK or FI (we collect only there).
//! - Norway → Norway: 5800 pickup point, 5600 home delivery, 3584 mailbox, 5000 business,
//!   4850 express next day.
//! - Norway ↔ Svalbard (postal codes 9170–9179): 5800, 3584, 5000 and 5100 business
//!   groupage; no express, no home delivery.
//! - Any other route: cross-border 0340 pickup, 0349 home, 0330 business; with Svalbard at
//!   either end, no home delivery (0340 and 0330 only).
//! - To Russia or Belarus: nothing (sanctions). From outside the Nordics: nothing.

use crate::model::{Address, ProductId, SearchRequest};
use crate::region::Region;

pub const NORDIC: [&str; 4] = ["NO", "SE", "DK", "FI"];
const SANCTIONED: [&str; 2] = ["RU", "BY"];

/// Whether an address is on Svalbard (its own products, prices and lead times).
pub fn on_svalbard(address: &Address) -> bool {
    address.country == "NO" && Region::of(&address.postal_code) == Region::Svalbard
}

/// Whether either end of the route is on Svalbard.
pub fn touches_svalbard(request: &SearchRequest) -> bool {
    on_svalbard(&request.from) || on_svalbard(&request.to)
}

/// The products to quote for a validated request, in display order; empty when no product
/// serves the route.
pub fn plan(request: &SearchRequest) -> Vec<ProductId> {
    let (from, to) = (request.from.country.as_str(), request.to.country.as_str());
    let svalbard = touches_svalbard(request);
    let ids: &[&str] = if !NORDIC.contains(&from) || SANCTIONED.contains(&to) {
        &[]
    } else if from == "NO" && to == "NO" {
        if svalbard {
            &["5800", "3584", "5000", "5100"]
        } else {
            &["5800", "5600", "3584", "5000", "4850"]
        }
    } else if svalbard {
        &["0340", "0330"]
    } else {
        &["0340", "0349", "0330"]
    };
    ids.iter().map(|id| ProductId::new(id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn request(from: (&str, &str), to: (&str, &str)) -> SearchRequest {
        SearchRequest::between(from, to, 1200)
    }

    fn ids(from: (&str, &str), to: (&str, &str)) -> Vec<String> {
        plan(&request(from, to)).into_iter().map(|p| p.0).collect()
    }

    const OSLO: (&str, &str) = ("NO", "0150");
    const LONGYEARBYEN: (&str, &str) = ("NO", "9170");
    const STOCKHOLM: (&str, &str) = ("SE", "11455");

    #[test]
    fn domestic_routes_get_the_five_parcel_products() {
        assert_eq!(
            ids(OSLO, ("NO", "9900")),
            ["5800", "5600", "3584", "5000", "4850"]
        );
    }

    #[test]
    fn svalbard_gets_groupage_but_no_express_or_home_delivery() {
        assert_eq!(ids(OSLO, LONGYEARBYEN), ["5800", "3584", "5000", "5100"]);
        assert_eq!(ids(LONGYEARBYEN, OSLO), ["5800", "3584", "5000", "5100"]);
    }

    #[test]
    fn nordic_senders_to_svalbard_get_the_svalbard_rules_too() {
        for from in [STOCKHOLM, ("DK", "1050"), ("FI", "00100")] {
            assert_eq!(ids(from, LONGYEARBYEN), ["0340", "0330"], "{from:?}");
        }
        assert_eq!(ids(LONGYEARBYEN, STOCKHOLM), ["0340", "0330"]);
        assert_eq!(ids(STOCKHOLM, OSLO), ["0340", "0349", "0330"]);
    }

    #[test]
    fn sanctioned_and_foreign_routes_get_nothing() {
        assert!(ids(OSLO, ("RU", "101000")).is_empty());
        assert!(ids(STOCKHOLM, ("BY", "220030")).is_empty());
        assert!(ids(("DE", "10115"), OSLO).is_empty());
    }

    #[test]
    fn every_plan_is_distinct_catalogue_products_so_the_server_rendered_page_shows_it_all() {
        let places = [
            OSLO,
            LONGYEARBYEN,
            STOCKHOLM,
            ("DK", "1050"),
            ("FI", "00100"),
            ("DE", "10115"),
            ("RU", "101000"),
        ];
        for from in places {
            for to in places {
                let plan = ids(from, to);
                let distinct: std::collections::HashSet<_> = plan.iter().collect();
                assert_eq!(distinct.len(), plan.len(), "{from:?} → {to:?}: {plan:?}");
                assert!(plan.len() <= crate::catalogue::MAX_PLAN);
                for id in &plan {
                    assert!(
                        crate::catalogue::PRODUCTS.iter().any(|p| p.id == id),
                        "{id} is not in the catalogue"
                    );
                }
            }
        }
    }

    #[test]
    fn other_countries_get_cross_border_products() {
        assert_eq!(ids(OSLO, ("DE", "10115")), ["0340", "0349", "0330"]);
    }
}
