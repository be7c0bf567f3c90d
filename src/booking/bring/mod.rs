//! A [`Carrier`] on Bring's Booking API: `POST {base}/api/booking` with one consignment of one
//! package (a test booking unless `BRING_BOOKING_LIVE=1`), then the label from the answer's
//! link. The label link redirects to where the file is stored: that second request carries no
//! credentials. Bring's error messages may quote what the customer typed, so only their codes
//! reach our errors and logs.

pub mod simulated_api;
pub mod wire;

use super::carrier::{BookFuture, Booked, Carrier, CarrierError, Shipment};
use crate::guide::bring::{BringSettings, mybring_http, read_limited};
use app::booking::Party;
use reqwest::{StatusCode, header};
use std::sync::Arc;
use std::time::Duration;
use wire::{
    BookingRequest, BookingResponse, ConsignmentRequest, Contact, Dimensions, PackageRequest,
    Parties, PickupPointRef, RecipientNotification, Services, WireParty, WireProduct,
};

const MAX_ANSWER_BYTES: usize = 256 * 1024;
const MAX_LABEL_BYTES: usize = 5 * 1024 * 1024;

pub struct BringCarrier(Arc<BookingApi>);

struct BookingApi {
    /// With our credentials.
    mybring: reqwest::Client,
    /// Without them, for the label's storage.
    plain: reqwest::Client,
    endpoint: String,
    customer_number: String,
    live: bool,
}

impl BringCarrier {
    pub fn new(settings: &BringSettings, customer_number: &str) -> Result<Self, String> {
        // Redirects are followed by hand, so the credentials go to Bring only.
        let mybring = mybring_http(settings)?;
        let plain = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Self(Arc::new(BookingApi {
            mybring,
            plain,
            endpoint: format!("{}/api/booking", settings.booking_url.trim_end_matches('/')),
            customer_number: customer_number.to_owned(),
            live: settings.booking_live,
        })))
    }
}

impl Carrier for BringCarrier {
    fn book(&self, shipment: &Shipment) -> BookFuture {
        let client = self.0.clone();
        let body = request(shipment, &client.customer_number, !client.live);
        Box::pin(async move { client.book(&body).await })
    }
}

fn wire_party(p: &Party, reference: Option<&str>, contact: Option<Contact>) -> WireParty {
    WireParty {
        name: p.name.clone(),
        address_line: p.street.clone(),
        postal_code: p.postal_code.clone(),
        city: p.place.clone().unwrap_or_default(),
        country_code: p.country.clone(),
        reference: reference.map(str::to_owned),
        contact,
    }
}

/// The booking request for a shipment.
pub fn request(shipment: &Shipment, customer_number: &str, test: bool) -> BookingRequest {
    let order = &shipment.order;
    let recipient = &order.recipient;
    let parcel = &order.request.parcel;
    let dimensions = match (parcel.length_cm, parcel.width_cm, parcel.height_cm) {
        (Some(l), Some(w), Some(h)) => Some(Dimensions {
            length_in_cm: l,
            width_in_cm: w,
            height_in_cm: h,
        }),
        _ => None,
    };
    BookingRequest {
        test_indicator: test,
        schema_version: 1,
        consignments: vec![ConsignmentRequest {
            shipping_date_time: format!("{}T12:00:00", shipment.shipping_date),
            parties: Parties {
                sender: wire_party(&order.sender, order.reference.as_deref(), None),
                recipient: wire_party(
                    recipient,
                    None,
                    Some(Contact {
                        name: recipient.name.clone(),
                        email: recipient.email.clone(),
                        phone_number: recipient.phone.clone(),
                    }),
                ),
                pickup_point: shipment.pickup_point.as_ref().map(|p| PickupPointRef {
                    id: p.id.clone(),
                    country_code: recipient.country.clone(),
                }),
            },
            product: WireProduct {
                id: order.product.to_string(),
                customer_number: customer_number.to_owned(),
                services: Some(Services {
                    recipient_notification: Some(RecipientNotification {
                        email: recipient.email.clone(),
                        mobile: recipient.phone.clone(),
                    }),
                }),
            },
            packages: vec![PackageRequest {
                weight_in_kg: f64::from(parcel.weight_grams) / 1000.0,
                dimensions,
                correlation_id: "1".into(),
            }],
            // The form's key: Bring's answer names it.
            correlation_id: order.form_id.clone(),
        }],
    }
}

impl BookingApi {
    async fn book(&self, body: &BookingRequest) -> Result<Booked, CarrierError> {
        let unavailable = |why: String| CarrierError::Unavailable(format!("Bring: {why}"));
        let response = self
            .mybring
            .post(&self.endpoint)
            .json(body)
            .send()
            .await
            .map_err(|e| {
                unavailable(format!("cannot reach the Booking API: {}", e.without_url()))
            })?;
        let status = response.status();
        let bytes = read_limited(response, MAX_ANSWER_BYTES)
            .await
            .map_err(unavailable)?;
        let answer: BookingResponse = serde_json::from_slice(&bytes).unwrap_or_default();
        let consignment = answer.consignments.into_iter().next().unwrap_or_default();
        let codes: Vec<String> = consignment
            .errors
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.code)
            .collect();
        let refused = |status: StatusCode, codes: &[String]| CarrierError::Refused {
            status: status.as_u16(),
            message: if codes.is_empty() {
                format!("Bring's Booking API answered HTTP {}", status.as_u16())
            } else {
                format!("Bring's Booking API refused it: {}", codes.join(", "))
            },
        };
        let confirmation = match consignment.confirmation {
            Some(c) if status.is_success() && codes.is_empty() => c,
            _ => return Err(refused(status, &codes)),
        };
        let number = confirmation.consignment_number;
        let label_url = confirmation
            .links
            .labels
            .ok_or_else(|| unavailable("the booking's answer has no label link".into()))?;
        let label = self.label(&label_url).await.map_err(unavailable)?;
        Ok(Booked {
            tracking_url: confirmation
                .links
                .tracking
                .unwrap_or_else(|| format!("https://tracking.bring.com/tracking/{number}")),
            shipment_number: number,
            label,
        })
    }

    /// The label: asked of Bring with our credentials, fetched from where it redirects without.
    async fn label(&self, url: &str) -> Result<Vec<u8>, String> {
        let mut response = self
            .mybring
            .get(url)
            .header(header::ACCEPT, "application/pdf")
            .send()
            .await
            .map_err(|e| format!("cannot fetch the label: {}", e.without_url()))?;
        if response.status().is_redirection() {
            let to = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or("the label's redirect has no location")?;
            let to = response
                .url()
                .join(to)
                .map_err(|e| format!("the label's redirect: {e}"))?;
            response = self
                .plain
                .get(to)
                .send()
                .await
                .map_err(|e| format!("cannot fetch the label: {}", e.without_url()))?;
        }
        if !response.status().is_success() {
            return Err(format!(
                "the label answered HTTP {}",
                response.status().as_u16()
            ));
        }
        let pdf = read_limited(response, MAX_LABEL_BYTES).await?;
        if !pdf.starts_with(b"%PDF-") {
            return Err("the label is not a PDF".into());
        }
        Ok(pdf)
    }
}
