//! The search and its answers: the shapes both sides put on the wire (docs/architecture.md §3).

pub use crate::places::Places;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What the server plans for a search: the products, in display order, and the places of its
/// two ends (the browser has no postal register of its own).
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
    /// The weight in kilograms as people write it ("1.2", "0.25", "12"), by integer
    /// arithmetic: formatting a float would add kilobytes of float-printing code to the WASM.
    pub fn weight_kg(&self) -> String {
        let (kg, grams) = (self.weight_grams / 1000, self.weight_grams % 1000);
        if grams == 0 {
            return kg.to_string();
        }
        let fraction = format!("{grams:03}");
        format!("{kg}.{}", fraction.trim_end_matches('0'))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SearchRequest {
    pub from: Address,
    pub to: Address,
    pub parcel: Parcel,
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
    /// `"NOK 182.19"`, with thin grouping for thousands: `"NOK 1 250.00"`.
    pub fn display_with_vat(&self) -> String {
        let minor = self.with_vat_minor;
        let sign = if minor < 0 { "-" } else { "" };
        let (units, cents) = (minor.abs() / 100, minor.abs() % 100);
        let digits = units.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push('\u{a0}');
            }
            grouped.push(c);
        }
        format!("{} {sign}{grouped}.{cents:02}", self.currency)
    }

    pub fn includes_vat(&self) -> bool {
        self.with_vat_minor != self.without_vat_minor
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadTime {
    pub working_days: u32,
    /// ISO 8601 date, `YYYY-MM-DD`.
    pub expected_delivery: String,
}

impl LeadTime {
    /// `"Mon 30 Nov"` for the expected delivery date (the raw date when it is malformed).
    pub fn delivery_label(&self) -> String {
        let parts: Vec<u32> = self
            .expected_delivery
            .split('-')
            .filter_map(|p| p.parse().ok())
            .collect();
        let [y, m, d] = parts[..] else {
            return self.expected_delivery.clone();
        };
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            return self.expected_delivery.clone();
        }
        // Sakamoto's day-of-week, 0 = Sunday.
        const T: [u32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
        let y = if m < 3 { y - 1 } else { y };
        let dow = (y + y / 4 - y / 100 + y / 400 + T[m as usize - 1] + d) % 7;
        const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        format!("{} {d} {}", DAYS[dow as usize], MONTHS[m as usize - 1])
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub product_id: ProductId,
    pub name: String,
    pub description: String,
    pub price: Money,
    pub lead_time: LeadTime,
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
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
    SearchRequest {
        from: Address {
            country: "NO".into(),
            postal_code: "0150".into(),
        },
        to: Address {
            country: "NO".into(),
            postal_code: "9900".into(),
        },
        parcel: Parcel {
            weight_grams: 1200,
            length_cm: None,
            width_cm: None,
            height_cm: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_written_in_kilograms_without_trailing_zeros() {
        let kg = |weight_grams| {
            Parcel {
                weight_grams,
                length_cm: None,
                width_cm: None,
                height_cm: None,
            }
            .weight_kg()
        };
        for (grams, text) in [
            (1200, "1.2"),
            (250, "0.25"),
            (12000, "12"),
            (1, "0.001"),
            (35_050, "35.05"),
        ] {
            assert_eq!(kg(grams), text);
            // What the float formatting it replaces printed.
            assert_eq!(text, format!("{}", grams as f64 / 1000.0));
        }
    }

    #[test]
    fn money_is_shown_in_whole_units_and_ore() {
        let m = Money {
            currency: "NOK".into(),
            with_vat_minor: 18219,
            without_vat_minor: 14575,
        };
        assert_eq!(m.display_with_vat(), "NOK 182.19");
        let big = Money {
            currency: "NOK".into(),
            with_vat_minor: 125_000,
            without_vat_minor: 125_000,
        };
        assert_eq!(big.display_with_vat(), "NOK 1\u{a0}250.00");
        assert!(m.includes_vat());
        assert!(!big.includes_vat());
    }

    #[test]
    fn delivery_dates_read_as_weekday_day_month() {
        let lt = |d: &str| LeadTime {
            working_days: 1,
            expected_delivery: d.into(),
        };
        assert_eq!(lt("2026-11-30").delivery_label(), "Mon 30 Nov");
        assert_eq!(lt("2027-01-01").delivery_label(), "Fri 1 Jan");
        assert_eq!(lt("2024-02-29").delivery_label(), "Thu 29 Feb");
        assert_eq!(lt("soon").delivery_label(), "soon");
        assert_eq!(lt("2026-13-01").delivery_label(), "2026-13-01");
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
            },
        };
        let v = serde_json::to_value(&offer).unwrap();
        assert_eq!(v["product_id"], "5800");
        assert_eq!(v["price"]["with_vat_minor"], 18219);
        assert_eq!(v["lead_time"]["expected_delivery"], "2026-11-30");
    }
}
