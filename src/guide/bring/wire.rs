//! Bring's Shipping Guide API v2 JSON (`POST /v2/products`), as documented on
//! developer.bring.com. One set of types for both sides: the client sends the request and reads
//! the answer; the simulated API ([`super::simulated_api`]) reads the request and writes the
//! answer. Unknown fields are ignored (Bring adds fields and codes without notice), and every
//! answer field is optional: a missing one is an error for that product only.

use serde::{Deserialize, Deserializer, Serialize};
use time::{Date, Month};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductsRequest {
    pub consignments: Vec<Consignment>,
    pub with_price: bool,
    pub with_expected_delivery: bool,
    pub with_gui_information: bool,
    /// Whether the last mile is driven fossil-free, for the services Bring knows it for.
    #[serde(default)]
    pub with_environmental_data: bool,
    /// Later delivery dates the recipient could choose (Bring's maximum is 9).
    #[serde(default)]
    pub number_of_alternative_delivery_dates: u8,
    pub language: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Consignment {
    pub id: String,
    pub from_country_code: String,
    pub from_postal_code: String,
    pub to_country_code: String,
    pub to_postal_code: String,
    pub shipping_date: DateParts,
    pub packages: Vec<Package>,
    pub products: Vec<RequestedProduct>,
}

/// A date as Bring writes it: each part a string (`{"year":"2026","month":"12","day":"1"}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DateParts {
    #[serde(deserialize_with = "text")]
    pub year: String,
    #[serde(deserialize_with = "text")]
    pub month: String,
    #[serde(deserialize_with = "text")]
    pub day: String,
}

impl DateParts {
    pub fn from_date(date: Date) -> Self {
        Self {
            year: date.year().to_string(),
            month: u8::from(date.month()).to_string(),
            day: date.day().to_string(),
        }
    }

    /// The date, if the parts make one.
    pub fn to_date(&self) -> Option<Date> {
        let year = self.year.trim().parse().ok()?;
        let month: u8 = self.month.trim().parse().ok()?;
        let day = self.day.trim().parse().ok()?;
        Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
    }
}

/// Weight in grams; dimensions in centimetres, sent only when the customer gave them (prices
/// of some products depend on volumetric weight).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    pub id: String,
    pub gross_weight: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestedProduct {
    pub id: String,
    /// Makes Bring add the customer's `netPrice` next to the `listPrice`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_number: Option<String>,
}

/// A 200 answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductsResponse {
    #[serde(default)]
    pub consignments: Vec<ConsignmentAnswer>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsignmentAnswer {
    #[serde(default)]
    pub products: Vec<ProductAnswer>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductAnswer {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gui_information: Option<GuiInformation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Price>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_delivery: Option<ExpectedDelivery>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environmental_data: Option<EnvironmentalData>,
    /// Why Bring cannot offer this product for this parcel.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Problem>,
    /// Informational only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Problem>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GuiInformation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_text: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Price {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_price: Option<PriceLine>,
    /// Present when the request named a customer number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_price: Option<PriceLine>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_without_additional_services: Option<Amounts>,
}

/// Decimal amounts as strings (`"145.75"`); read them with [`super::money::parse_minor`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Amounts {
    #[serde(
        rename = "amountWithoutVAT",
        default,
        deserialize_with = "optional_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount_without_vat: Option<String>,
    #[serde(
        default,
        deserialize_with = "optional_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub vat: Option<String>,
    #[serde(
        rename = "amountWithVAT",
        default,
        deserialize_with = "optional_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount_with_vat: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpectedDelivery {
    /// A whole number as a string (`"2"`).
    #[serde(
        default,
        deserialize_with = "optional_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub working_days: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_delivery_date: Option<DateParts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted_expected_delivery_date: Option<String>,
    /// Each alternative has the shape of an expected delivery. One Bring writes in a shape we
    /// do not know is left out, never the whole answer.
    #[serde(
        default,
        deserialize_with = "lenient_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub alternative_delivery_dates: Vec<ExpectedDelivery>,
}

impl ExpectedDelivery {
    /// The date: its parts, else its formatted text (`dd.mm.yyyy`).
    pub fn date(&self) -> Option<Date> {
        if let Some(date) = self
            .expected_delivery_date
            .as_ref()
            .and_then(DateParts::to_date)
        {
            return Some(date);
        }
        let text = self.formatted_expected_delivery_date.as_deref()?;
        let mut parts = text.trim().split('.');
        let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
        DateParts {
            year: year.into(),
            month: month.into(),
            day: day.into(),
        }
        .to_date()
    }
}

/// An error or warning on one product (`errorCode` e.g. `PACKAGE_NOT_WITHIN_WEIGHT_LIMIT`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The body of a 400 or 500.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireFieldErrors {
    #[serde(default)]
    pub field_errors: Vec<WireFieldError>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WireFieldError {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
}

/// A string, or a number kept as its text: Bring documents strings, and a number must not
/// pass through a float on its way to money.
#[derive(Deserialize)]
#[serde(untagged)]
enum Text {
    String(String),
    Number(serde_json::Number),
}

impl From<Text> for String {
    fn from(text: Text) -> String {
        match text {
            Text::String(s) => s,
            Text::Number(n) => n.to_string(),
        }
    }
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Text::deserialize(d).map(String::from)
}

fn optional_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<Text>::deserialize(d).map(|t| t.map(String::from))
}

/// A list whose unreadable items (or a non-list) are dropped.
fn lenient_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let items = match serde_json::Value::deserialize(d)? {
        serde_json::Value::Array(items) => items,
        _ => return Ok(Vec::new()),
    };
    Ok(items
        .into_iter()
        .filter_map(|item| serde_json::from_value(item).ok())
        .collect())
}

/// The transport legs Bring has environmental data for (documented in XML as
/// `EnvironmentalData > TransportLeg`): read as a list of legs, or as an object holding one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EnvironmentalData {
    Legs(Vec<TransportLeg>),
    Wrapped {
        #[serde(alias = "transportLegs")]
        #[serde(rename = "transportLeg")]
        legs: Vec<TransportLeg>,
    },
}

impl EnvironmentalData {
    pub fn legs(&self) -> &[TransportLeg] {
        match self {
            EnvironmentalData::Legs(legs) | EnvironmentalData::Wrapped { legs } => legs,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransportLeg {
    /// `FIRST_MILE`, `LINE_HAUL` or `LAST_MILE` (only the last is reported today).
    pub transport_leg_type: String,
    #[serde(default)]
    pub fossil_free: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<LegDetails>,
}

/// Shares of the leg's driving, 1.0 = all of it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LegDetails {
    #[serde(default)]
    pub electric: f64,
    #[serde(default)]
    pub bio: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_documented_answer_reads_with_unknown_fields_ignored() {
        let json = r#"{"consignments":[{"id":"1","products":[{
            "id":"5800","productionCode":"1202","newField":{"x":[1,2]},
            "guiInformation":{"displayName":"Pakke til hentested","descriptionText":"Hentes","logo":"x"},
            "price":{"listPrice":{"currencyCode":"NOK","priceWithoutAdditionalServices":
                {"amountWithoutVAT":"145.75","vat":"36.44","amountWithVAT":"182.19"}}},
            "expectedDelivery":{"workingDays":"2","formattedExpectedDeliveryDate":"01.12.2026",
                "expectedDeliveryDate":{"year":"2026","month":"12","day":"1"}},
            "warnings":[{"code":"W1","description":"later"}]}]}],"traceMessages":[]}"#;
        let answer: ProductsResponse = serde_json::from_str(json).unwrap();
        let product = &answer.consignments[0].products[0];
        let amounts = product.price.as_ref().unwrap().list_price.as_ref().unwrap();
        let amounts = amounts.price_without_additional_services.as_ref().unwrap();
        assert_eq!(amounts.amount_with_vat.as_deref(), Some("182.19"));
        assert_eq!(amounts.amount_without_vat.as_deref(), Some("145.75"));
        let delivery = product.expected_delivery.as_ref().unwrap();
        assert_eq!(delivery.working_days.as_deref(), Some("2"));
        assert_eq!(delivery.expected_delivery_date.as_ref().unwrap().day, "1");
        assert_eq!(product.warnings.len(), 1);
    }

    #[test]
    fn numbers_where_strings_are_documented_keep_their_text() {
        let json = r#"{"amountWithoutVAT":145.75,"amountWithVAT":"182.19"}"#;
        let amounts: Amounts = serde_json::from_str(json).unwrap();
        assert_eq!(amounts.amount_without_vat.as_deref(), Some("145.75"));
    }

    #[test]
    fn the_request_has_the_documented_shape() {
        let request = ProductsRequest {
            consignments: vec![Consignment {
                id: "1".into(),
                from_country_code: "NO".into(),
                from_postal_code: "0150".into(),
                to_country_code: "NO".into(),
                to_postal_code: "9900".into(),
                shipping_date: DateParts {
                    year: "2026".into(),
                    month: "12".into(),
                    day: "1".into(),
                },
                packages: vec![Package {
                    id: "1".into(),
                    gross_weight: 1200,
                    length: Some(30),
                    width: None,
                    height: None,
                }],
                products: vec![RequestedProduct {
                    id: "5800".into(),
                    customer_number: None,
                }],
            }],
            with_price: true,
            with_expected_delivery: true,
            with_gui_information: true,
            with_environmental_data: true,
            number_of_alternative_delivery_dates: 3,
            language: "EN".into(),
        };
        let v = serde_json::to_value(&request).unwrap();
        let c = &v["consignments"][0];
        assert_eq!(c["fromPostalCode"], "0150");
        assert_eq!(c["shippingDate"]["month"], "12");
        assert_eq!(c["packages"][0]["grossWeight"], 1200);
        assert_eq!(c["packages"][0]["length"], 30);
        assert!(c["packages"][0].get("width").is_none());
        assert!(c["products"][0].get("customerNumber").is_none());
        assert_eq!(v["withPrice"], true);
        assert_eq!(v["withExpectedDelivery"], true);
        assert_eq!(v["withGuiInformation"], true);
        assert_eq!(v["withEnvironmentalData"], true);
    }

    #[test]
    fn environmental_data_reads_as_a_list_or_an_object_of_legs() {
        let leg = r#"{"transportLegType": "LAST_MILE", "fossilFree": true,
            "description": "Pakken leveres fossilfritt", "details": {"electric": 0.6, "bio": 0.4}}"#;
        for json in [
            format!("[{leg}]"),
            format!(r#"{{"transportLeg": [{leg}]}}"#),
            format!(r#"{{"transportLegs": [{leg}]}}"#),
        ] {
            let data: EnvironmentalData = serde_json::from_str(&json).unwrap();
            let leg = &data.legs()[0];
            assert!(leg.fossil_free, "{json}");
            assert_eq!(leg.details.as_ref().unwrap().electric, 0.6);
        }
    }
}
