//! The search and its answers: the shapes both sides put on the wire (docs/architecture.md §3).

use serde::{Deserialize, Serialize};
use std::fmt;

/// What the server plans for a search: the products, in display order, and the places of its
/// two ends (the browser has no postal register of its own).
/// The places of a search's two ends, where known.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Places {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

impl Places {
    pub fn is_empty(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }
}

/// Field names of the form and the URL (docs/architecture.md §10).
pub mod field {
    pub const FROM_COUNTRY: &str = "from_country";
    pub const FROM_POSTAL: &str = "from_postal";
    pub const TO_COUNTRY: &str = "to_country";
    pub const TO_POSTAL: &str = "to_postal";
    pub const WEIGHT: &str = "weight";
    pub const LENGTH: &str = "length";
    pub const WIDTH: &str = "width";
    pub const HEIGHT: &str = "height";
    /// A parcel size (`small`, `medium`, `large`) or `own` measurements.
    pub const SIZE: &str = "size";
    /// Every field, in form order: the order errors are reported in.
    pub const ALL: [&str; 9] = [
        FROM_COUNTRY,
        FROM_POSTAL,
        TO_COUNTRY,
        TO_POSTAL,
        WEIGHT,
        SIZE,
        LENGTH,
        WIDTH,
        HEIGHT,
    ];
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub products: Vec<ProductId>,
    #[serde(default, skip_serializing_if = "Places::is_empty")]
    pub places: Places,
}

/// ISO 3166-1 alpha-2 country code plus the postal code as the customer wrote it (normalised).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    pub country: String,
    pub postal_code: String,
}

/// Weight in grams and optional outer dimensions in whole centimetres.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Parcel {
    pub weight_grams: u32,
    #[serde(default)]
    pub length_cm: Option<u32>,
    #[serde(default)]
    pub width_cm: Option<u32>,
    #[serde(default)]
    pub height_cm: Option<u32>,
}

impl Parcel {
    /// The weight Bring counts for its measurements: length × width × height (cm) / 5000 kg,
    /// in grams. `None` without all three.
    pub fn volumetric_grams(&self) -> Option<u32> {
        let (l, w, h) = (self.length_cm?, self.width_cm?, self.height_cm?);
        let grams = u64::from(l) * u64::from(w) * u64::from(h) / 5;
        Some(u32::try_from(grams).unwrap_or(u32::MAX))
    }

    /// What the price is counted on: the weight, or the volumetric weight when that is more.
    pub fn chargeable_grams(&self) -> u32 {
        self.volumetric_grams()
            .map_or(self.weight_grams, |v| v.max(self.weight_grams))
    }

    /// The volumetric weight, when it decides the price.
    pub fn priced_by_volume(&self) -> Option<u32> {
        self.volumetric_grams().filter(|v| *v > self.weight_grams)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SearchRequest {
    pub from: Address,
    pub to: Address,
    pub parcel: Parcel,
}

impl SearchRequest {
    /// A parcel of `weight_grams`, no measurements, from one `(country, postal code)` to
    /// another: the request tests and tools build (the form's is `validate`'s).
    pub fn between(from: (&str, &str), to: (&str, &str), weight_grams: u32) -> Self {
        let address = |(country, postal_code): (&str, &str)| Address {
            country: country.into(),
            postal_code: postal_code.into(),
        };
        SearchRequest {
            from: address(from),
            to: address(to),
            parcel: Parcel {
                weight_grams,
                length_cm: None,
                width_cm: None,
                height_cm: None,
            },
        }
    }
}

/// A shipping guide product number, e.g. `"5800"`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProductId(pub String);

impl ProductId {
    pub fn new(id: &str) -> Self {
        Self(id.to_owned())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProductId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A price in integer minor units (øre): money is never a float.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub currency: String,
    pub with_vat_minor: i64,
    pub without_vat_minor: i64,
}

impl Money {
    pub fn includes_vat(&self) -> bool {
        self.with_vat_minor != self.without_vat_minor
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadTime {
    pub working_days: u32,
    /// ISO 8601 date, `YYYY-MM-DD`.
    pub expected_delivery: String,
    /// Later days the recipient may have it delivered instead, where the guide offers them
    /// (ISO dates, at most [`MAX_ALTERNATIVES`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
}

/// How many alternative delivery dates a card shows.
pub const MAX_ALTERNATIVES: usize = 3;

/// When the parcel leaves if the customer hands it in now: each service has a cut-off time
/// (Norway's clock) for shipping the same working day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispatch {
    /// The cut-off, `HH:MM` in Norway.
    pub order_by: String,
    /// ISO date the parcel ships: today, or the next working day after the cut-off.
    pub ships: String,
    /// Whether that is today.
    pub today: bool,
}

/// How the last leg to the recipient is driven, where the guide tells (Bring's environmental
/// data: only the last mile, only some services).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastMile {
    /// Electric and bio-fuelled vehicles only.
    pub fossil_free: bool,
    /// Their shares of the driving, in percent.
    pub electric_pct: u8,
    pub bio_pct: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub product_id: ProductId,
    pub name: String,
    pub description: String,
    pub price: Money,
    pub lead_time: LeadTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_mile: Option<LastMile>,
    /// Set by the search for the moment it is asked, never cached with the quote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatch: Option<Dispatch>,
}

/// Why a planned product has no offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnavailableReason {
    /// The product cannot carry this parcel (weight, size, route).
    NotEligible,
    /// The shipping guide did not answer in time.
    Timeout,
    /// The shipping guide answered with an error.
    UpstreamError,
}

/// The answer for one planned product: exactly one per product and search.
/// Decoded flat, as `protocol::ServerFrame` says why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum_discriminants(name(OutcomeKind), derive(Deserialize))]
#[strum_discriminants(serde(rename_all = "snake_case"))]
pub enum Outcome {
    Offer {
        offer: Offer,
    },
    Unavailable {
        product_id: ProductId,
        reason: UnavailableReason,
        message: String,
    },
}

#[derive(Deserialize)]
struct OutcomeFrame {
    kind: OutcomeKind,
    offer: Option<Offer>,
    product_id: Option<ProductId>,
    reason: Option<UnavailableReason>,
    message: Option<String>,
}

impl<'de> Deserialize<'de> for Outcome {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use crate::wire::need;
        let f = OutcomeFrame::deserialize(d)?;
        Ok(match f.kind {
            OutcomeKind::Offer => Outcome::Offer {
                offer: need(f.offer, "offer")?,
            },
            OutcomeKind::Unavailable => Outcome::Unavailable {
                product_id: need(f.product_id, "product_id")?,
                reason: need(f.reason, "reason")?,
                message: need(f.message, "message")?,
            },
        })
    }
}

impl Outcome {
    pub fn product_id(&self) -> &ProductId {
        match self {
            Outcome::Offer { offer } => &offer.product_id,
            Outcome::Unavailable { product_id, .. } => product_id,
        }
    }
}

/// Oslo 0150 → Kirkenes 9900, 1.2 kg: the example request of the tests.
#[cfg(test)]
pub fn sample_request() -> SearchRequest {
    SearchRequest::between(("NO", "0150"), ("NO", "9900"), 1200)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_is_included_when_the_prices_differ() {
        let m = Money {
            currency: "NOK".into(),
            with_vat_minor: 18219,
            without_vat_minor: 14575,
        };
        let big = Money {
            currency: "NOK".into(),
            with_vat_minor: 125_000,
            without_vat_minor: 125_000,
        };
        assert!(m.includes_vat());
        assert!(!big.includes_vat());
    }

    #[test]
    fn request_has_the_documented_shape() {
        let json = r#"{"from":{"country":"NO","postal_code":"0150"},
            "to":{"country":"NO","postal_code":"9900"},
            "parcel":{"weight_grams":1200,"length_cm":null,"width_cm":null,"height_cm":null}}"#;
        let req: SearchRequest = serde_json::from_str(json).unwrap();
        assert_eq!(req.to.postal_code, "9900");
        assert_eq!(req.parcel.weight_grams, 1200);
        let back = serde_json::to_value(&req).unwrap();
        assert_eq!(back["parcel"]["length_cm"], serde_json::Value::Null);
    }

    #[test]
    fn offer_has_the_documented_shape() {
        let offer = Offer {
            product_id: ProductId::new("5800"),
            name: "Pickup point parcel".into(),
            description: "d".into(),
            price: Money {
                currency: "NOK".into(),
                with_vat_minor: 18219,
                without_vat_minor: 14575,
            },
            lead_time: LeadTime {
                working_days: 2,
                expected_delivery: "2026-11-30".into(),
                alternatives: vec![],
            },
            last_mile: None,
            dispatch: None,
        };
        let v = serde_json::to_value(&offer).unwrap();
        assert_eq!(v["product_id"], "5800");
        assert_eq!(v["price"]["with_vat_minor"], 18219);
        assert_eq!(v["lead_time"]["expected_delivery"], "2026-11-30");
        let outcome = Outcome::Offer { offer };
        let json = serde_json::to_string(&outcome).unwrap();
        assert!(json.starts_with(r#"{"kind":"offer","offer":{"#), "{json}");
        assert_eq!(serde_json::from_str::<Outcome>(&json).unwrap(), outcome);
    }

    #[test]
    fn unavailable_outcomes_round_trip_and_name_what_is_missing() {
        let outcome = Outcome::Unavailable {
            product_id: ProductId::new("3584"),
            reason: UnavailableReason::NotEligible,
            message: "Over 5 kg".into(),
        };
        let json = serde_json::to_string(&outcome).unwrap();
        assert_eq!(serde_json::from_str::<Outcome>(&json).unwrap(), outcome);
        let missing =
            serde_json::from_str::<Outcome>(r#"{"kind":"unavailable","product_id":"3584"}"#);
        assert!(
            missing
                .unwrap_err()
                .to_string()
                .contains("missing field `reason`")
        );
    }
}
