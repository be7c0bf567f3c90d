//! Bring's Booking API (JSON, schema version 1) as far as we use it: one consignment of one
//! package per booking. Requests and answers both ways, so the stand-in reads what the client
//! writes. Unknown fields in answers are ignored, as Bring asks of its clients.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingRequest {
    /// `true` books nothing real (Bring's test mode).
    pub test_indicator: bool,
    pub schema_version: u32,
    pub consignments: Vec<ConsignmentRequest>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsignmentRequest {
    /// `2026-12-04T12:00:00`.
    pub shipping_date_time: String,
    pub parties: Parties,
    pub product: WireProduct,
    pub packages: Vec<PackageRequest>,
    /// Ours, echoed in the answer.
    pub correlation_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Parties {
    pub sender: WireParty,
    pub recipient: WireParty,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_point: Option<PickupPointRef>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireParty {
    pub name: String,
    pub address_line: String,
    pub postal_code: String,
    pub city: String,
    pub country_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PickupPointRef {
    pub id: String,
    pub country_code: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireProduct {
    pub id: String,
    pub customer_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Services>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Services {
    /// The recipient's notice by e-mail and text message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_notification: Option<RecipientNotification>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecipientNotification {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageRequest {
    pub weight_in_kg: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Dimensions>,
    pub correlation_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dimensions {
    pub height_in_cm: u32,
    pub width_in_cm: u32,
    pub length_in_cm: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingResponse {
    #[serde(default)]
    pub consignments: Vec<ConsignmentResponse>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsignmentResponse {
    #[serde(default)]
    pub correlation_id: Option<String>,
    #[serde(default)]
    pub confirmation: Option<WireConfirmation>,
    #[serde(default)]
    pub errors: Option<Vec<WireError>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireConfirmation {
    pub consignment_number: String,
    pub links: Links,
    #[serde(default)]
    pub packages: Vec<PackageNumber>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Links {
    /// The label PDF (a GET redirects to where it is stored).
    #[serde(default)]
    pub labels: Option<String>,
    #[serde(default)]
    pub tracking: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageNumber {
    #[serde(default)]
    pub correlation_id: Option<String>,
    pub package_number: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireError {
    #[serde(default)]
    pub unique_id: Option<String>,
    pub code: String,
    #[serde(default)]
    pub messages: Vec<Message>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub lang: String,
    pub message: String,
}
