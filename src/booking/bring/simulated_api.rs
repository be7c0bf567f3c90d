//! The booking simulator served in the Booking API's wire format (mounted by the
//! `bring-simulator` binary): `POST /booking/api/booking` wants both credential headers (401),
//! schema version 1, one consignment with a customer number and a product it knows (400 with
//! the consignment's `errors` otherwise), and answers with a consignment number, a package
//! number and links. The label link redirects (302) to where the PDF is stored, as Bring's do.
//! `GET /booking/stats` tells what it saw, the last request among it.

use super::wire::{
    BookingRequest, BookingResponse, ConsignmentResponse, Links, Message, PackageNumber,
    WireConfirmation, WireError, WireParty,
};
use crate::booking::label::{Label, render};
use crate::booking::simulated_carrier::parcel_number;
use app::booking::Party;
use app::model::ProductId;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Labels kept for fetching; older ones are gone, as expired storage links are.
const KEPT_LABELS: usize = 1000;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BookingStats {
    /// Booked with `testIndicator: true`, and without.
    pub test_bookings: u64,
    pub live_bookings: u64,
    /// Answered 400 or 401.
    pub refused: u64,
    pub labels_fetched: u64,
    pub last_request: Option<BookingRequest>,
}

#[derive(Default)]
struct Api {
    stats: Mutex<BookingStats>,
    labels: Mutex<VecDeque<(String, Vec<u8>)>>,
}

pub fn router() -> Router {
    Router::new()
        .route("/booking/api/booking", post(book))
        .route("/booking/api/labels/{file}", get(label_link))
        .route("/booking/storage/{file}", get(stored_label))
        .route("/booking/stats", get(stats))
        .with_state(Arc::new(Api::default()))
}

async fn stats(State(api): State<Arc<Api>>) -> Json<BookingStats> {
    Json(api.stats.lock().map(|s| s.clone()).unwrap_or_default())
}

fn refuse(api: &Api, status: StatusCode, code: &str, message: &str) -> Response {
    if let Ok(mut stats) = api.stats.lock() {
        stats.refused += 1;
    }
    let answer = BookingResponse {
        consignments: vec![ConsignmentResponse {
            correlation_id: None,
            confirmation: None,
            errors: Some(vec![WireError {
                unique_id: Some(crate::guards::session::unguessable_id()),
                code: code.to_owned(),
                messages: vec![Message {
                    lang: "en".into(),
                    message: message.to_owned(),
                }],
            }]),
        }],
    };
    (status, Json(answer)).into_response()
}

fn party(p: &WireParty) -> Party {
    Party {
        name: p.name.clone(),
        street: p.address_line.clone(),
        postal_code: p.postal_code.clone(),
        country: p.country_code.clone(),
        place: (!p.city.is_empty()).then(|| p.city.clone()),
        phone: None,
        email: None,
    }
}

async fn book(State(api): State<Arc<Api>>, headers: HeaderMap, body: String) -> Response {
    let credentials = ["x-mybring-api-uid", "x-mybring-api-key"]
        .iter()
        .all(|h| headers.get(*h).is_some_and(|v| !v.is_empty()));
    if !credentials {
        return refuse(
            &api,
            StatusCode::UNAUTHORIZED,
            "AUTHENTICATION_FAILED",
            "Authentication failed",
        );
    }
    let Ok(request) = serde_json::from_str::<BookingRequest>(&body) else {
        return refuse(
            &api,
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "The request is not valid JSON for schema version 1",
        );
    };
    let consignment = match request.consignments.as_slice() {
        [one] if request.schema_version == 1 => one,
        _ => {
            return refuse(
                &api,
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                "Expected one consignment, schema version 1",
            );
        }
    };
    if consignment.product.customer_number.trim().is_empty() {
        return refuse(
            &api,
            StatusCode::BAD_REQUEST,
            "INVALID_CUSTOMER_NUMBER",
            "Customer number is missing",
        );
    }
    let product = ProductId::new(&consignment.product.id);
    let Some(known) = app::catalogue::product(&product) else {
        return refuse(
            &api,
            StatusCode::BAD_REQUEST,
            "INVALID_PRODUCT",
            "Unknown product",
        );
    };
    let parties = &consignment.parties;
    let (sender, recipient) = (party(&parties.sender), party(&parties.recipient));
    // The pickup point as the pickup point simulator knows it (the request names its id).
    let point = parties.pickup_point.as_ref().and_then(|chosen| {
        crate::pickup::simulator::points(&recipient.country, &recipient.postal_code)
            .into_iter()
            .find(|p| p.id == chosen.id)
    });
    if parties.pickup_point.is_some() && point.is_none() {
        return refuse(
            &api,
            StatusCode::BAD_REQUEST,
            "INVALID_PICKUP_POINT",
            "Unknown pickup point",
        );
    }
    let weight_grams = consignment
        .packages
        .first()
        .map_or(0, |p| (p.weight_in_kg * 1000.0).round() as u32);
    let shipping_date = consignment.shipping_date_time.get(..10).unwrap_or_default();
    let package = parcel_number();
    let pdf = render(
        &Label {
            product_name: known.name,
            sender: &sender,
            recipient: &recipient,
            pickup_point: point.as_ref(),
            weight_grams,
            shipping_date,
            reference: parties.sender.reference.as_deref(),
        },
        &package,
    );
    // A consignment number as Bring's look: 17 digits.
    let number = format!("7{}", &package[1..17]);
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    if let Ok(mut labels) = api.labels.lock() {
        if labels.len() == KEPT_LABELS {
            labels.pop_front();
        }
        labels.push_back((number.clone(), pdf));
    }
    if let Ok(mut stats) = api.stats.lock() {
        if request.test_indicator {
            stats.test_bookings += 1;
        } else {
            stats.live_bookings += 1;
        }
        stats.last_request = Some(request.clone());
    }
    Json(BookingResponse {
        consignments: vec![ConsignmentResponse {
            correlation_id: Some(consignment.correlation_id.clone()),
            confirmation: Some(WireConfirmation {
                links: Links {
                    labels: Some(format!("http://{host}/booking/api/labels/{number}.pdf")),
                    tracking: Some(format!("https://tracking.bring.com/tracking/{number}")),
                },
                consignment_number: number,
                packages: vec![PackageNumber {
                    correlation_id: Some("1".into()),
                    package_number: package,
                }],
            }),
            errors: None,
        }],
    })
    .into_response()
}

/// Bring's label links answer with a redirect to the stored file.
async fn label_link(Path(file): Path<String>) -> Response {
    (
        StatusCode::FOUND,
        [(header::LOCATION, format!("/booking/storage/{file}"))],
    )
        .into_response()
}

async fn stored_label(State(api): State<Arc<Api>>, Path(file): Path<String>) -> Response {
    let number = file.trim_end_matches(".pdf");
    let pdf = api.labels.lock().ok().and_then(|labels| {
        labels
            .iter()
            .find(|(n, _)| n == number)
            .map(|(_, pdf)| pdf.clone())
    });
    match pdf {
        Some(pdf) => {
            if let Ok(mut stats) = api.stats.lock() {
                stats.labels_fetched += 1;
            }
            ([(header::CONTENT_TYPE, "application/pdf")], pdf).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
