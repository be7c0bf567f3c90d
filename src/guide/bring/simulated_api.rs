//! The built-in simulator served over HTTP in Bring's wire format, so the Bring client runs
//! against a real HTTP server with the same rule table (the `bring-simulator` binary; tests).
//! Like Bring it wants both credential headers (401 otherwise), answers 429 (text/plain,
//! `Retry-After`) above its request limit, leaves out products a route does not have, puts
//! weight and size refusals in a product's `errors`, and answers simulated failures with 500.
//! `GET /stats` tells what it saw: requests, 429s and the busiest second.

use super::money::format_minor;
use super::wire::{
    Amounts, ConsignmentAnswer, DateParts, EnvironmentalData, ExpectedDelivery, GuiInformation,
    LegDetails, Price, PriceLine, Problem, ProductAnswer, ProductsRequest, ProductsResponse,
    TransportLeg, WireFieldError, WireFieldErrors,
};
use crate::guide::calendar::add_working_days;
use crate::guide::simulator::{Simulator, Timing};
use crate::guide::{GuideError, Ineligibility};
use app::i18n::{Lang, Texts};
use app::model::{Address, Offer, Parcel, ProductId, SearchRequest};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::Date;
use tokio::time::Instant;

/// What the simulated API saw.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ApiStats {
    /// Every `POST /v2/products`, throttled or not.
    pub requests: u64,
    /// Answered 429.
    pub throttled: u64,
    /// Answered 401: a credential header was missing.
    pub unauthenticated: u64,
    /// The most requests that arrived within any one second.
    pub peak_per_second: usize,
    /// `X-Bring-Client-URL` of the last request.
    pub client_url: Option<String>,
}

struct Api {
    simulator: Simulator,
    /// Requests per second above which it answers 429; 0 = no limit.
    max_rps: usize,
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    stats: ApiStats,
    /// Arrival times within the last second.
    recent: VecDeque<Instant>,
}

/// The API's routes: `POST /v2/products` and `GET /stats`.
pub fn router(simulator: Simulator, max_rps: usize) -> Router {
    let api = Arc::new(Api {
        simulator,
        max_rps,
        seen: Mutex::default(),
    });
    Router::new()
        .route("/v2/products", post(products))
        .route("/stats", get(stats))
        .with_state(api)
}

async fn stats(State(api): State<Arc<Api>>) -> Json<ApiStats> {
    Json(api.seen.lock().map(|s| s.stats.clone()).unwrap_or_default())
}

async fn products(State(api): State<Arc<Api>>, headers: HeaderMap, body: String) -> Response {
    let credentials = ["x-mybring-api-uid", "x-mybring-api-key"]
        .iter()
        .all(|h| headers.get(*h).is_some_and(|v| !v.is_empty()));
    let throttled = {
        let Ok(mut seen) = api.seen.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        let now = Instant::now();
        while seen
            .recent
            .front()
            .is_some_and(|&t| now - t >= Duration::from_secs(1))
        {
            seen.recent.pop_front();
        }
        seen.recent.push_back(now);
        let in_last_second = seen.recent.len();
        let stats = &mut seen.stats;
        stats.requests += 1;
        stats.peak_per_second = stats.peak_per_second.max(in_last_second);
        stats.client_url = headers
            .get("x-bring-client-url")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if !credentials {
            stats.unauthenticated += 1;
        }
        let throttled = credentials && api.max_rps > 0 && in_last_second > api.max_rps;
        if throttled {
            stats.throttled += 1;
        }
        throttled
    };
    if !credentials {
        return (StatusCode::UNAUTHORIZED, "Authentication failed").into_response();
    }
    if throttled {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [
                (header::RETRY_AFTER, "1"),
                (header::CONTENT_TYPE, "text/plain"),
            ],
            "Too many requests",
        )
            .into_response();
    }
    let request: ProductsRequest = match serde_json::from_str(&body) {
        Ok(r) => r,
        Err(_) => return field_error(StatusCode::BAD_REQUEST, "SG-1000", "request body"),
    };
    let mut consignments = Vec::new();
    let mut slowest = Duration::ZERO;
    for consignment in &request.consignments {
        let Some(date) = consignment.shipping_date.to_date() else {
            return field_error(StatusCode::BAD_REQUEST, "SG-1003", "shippingDate");
        };
        let Some(package) = consignment.packages.first() else {
            return field_error(StatusCode::BAD_REQUEST, "SG-1004", "packages");
        };
        let search = SearchRequest {
            from: Address {
                country: consignment.from_country_code.clone(),
                postal_code: consignment.from_postal_code.clone(),
            },
            to: Address {
                country: consignment.to_country_code.clone(),
                postal_code: consignment.to_postal_code.clone(),
            },
            parcel: Parcel {
                weight_grams: package.gross_weight,
                length_cm: package.length,
                width_cm: package.width,
                height_cm: package.height,
            },
        };
        let mut products = Vec::new();
        for wanted in &consignment.products {
            let id = ProductId::new(&wanted.id);
            let Timing {
                latency,
                fails,
                hangs,
            } = api.simulator.timing(&search, &id);
            if hangs {
                std::future::pending::<()>().await;
            }
            if fails {
                tokio::time::sleep(latency).await;
                return field_error(StatusCode::INTERNAL_SERVER_ERROR, "SG-5000", "");
            }
            slowest = slowest.max(latency);
            let net = wanted.customer_number.is_some();
            match api.simulator.offer(&search, &id, date) {
                Ok(offer) => products.push(answer(&offer, date, net, &request)),
                Err(GuideError::NotEligible(why)) => {
                    if let Some(code) = ineligibility_code(why) {
                        products.push(ProductAnswer {
                            id: wanted.id.clone(),
                            errors: vec![Problem {
                                code: Some("1".into()),
                                error_code: Some(code.into()),
                                description: Some(why.words(Texts::new(Lang::En, false))),
                            }],
                            ..ProductAnswer::default()
                        });
                    } // Not offered on the route: Bring leaves the product out.
                }
                Err(GuideError::Upstream(_)) => {
                    return field_error(StatusCode::INTERNAL_SERVER_ERROR, "SG-5000", "");
                }
            }
        }
        consignments.push(ConsignmentAnswer { products });
    }
    tokio::time::sleep(slowest).await;
    Json(ProductsResponse { consignments }).into_response()
}

/// The simulator's weight and size refusals as Bring's error codes; `None` for a product the
/// route does not have.
fn ineligibility_code(why: Ineligibility) -> Option<&'static str> {
    match why {
        Ineligibility::WeightLimit { .. } => Some("PACKAGE_NOT_WITHIN_WEIGHT_LIMIT"),
        Ineligibility::Size { .. } | Ineligibility::LongestSide { .. } => Some("PACKAGE_TOO_BIG"),
        _ => None,
    }
}

/// One product's answer, with what `asked` asks for: environmental data
/// (`withEnvironmentalData`) and alternative delivery dates, the expected one first.
fn answer(offer: &Offer, shipping_date: Date, net: bool, asked: &ProductsRequest) -> ProductAnswer {
    let line = |with_vat: i64, without_vat: i64| PriceLine {
        currency_code: Some(offer.price.currency.clone()),
        price_without_additional_services: Some(Amounts {
            amount_without_vat: Some(format_minor(without_vat)),
            vat: Some(format_minor(with_vat - without_vat)),
            amount_with_vat: Some(format_minor(with_vat)),
        }),
    };
    let (with_vat, without_vat) = (offer.price.with_vat_minor, offer.price.without_vat_minor);
    let days = offer.lead_time.working_days;
    let delivery = add_working_days(shipping_date, days);
    let expected = |date: Date, days: u32| ExpectedDelivery {
        working_days: Some(days.to_string()),
        expected_delivery_date: Some(DateParts::from_date(date)),
        formatted_expected_delivery_date: Some(format!(
            "{:02}.{:02}.{}",
            date.day(),
            u8::from(date.month()),
            date.year()
        )),
        alternative_delivery_dates: Vec::new(),
    };
    // The simulator's alternatives are the working days after the expected one.
    let offered = offer.lead_time.alternatives.len() as u32;
    let alternatives = if offered == 0 {
        Vec::new()
    } else {
        (0..=offered)
            .map(|later| expected(add_working_days(delivery, later), days + later))
            .take(usize::from(
                asked.number_of_alternative_delivery_dates.min(9),
            ))
            .collect()
    };
    ProductAnswer {
        id: offer.product_id.to_string(),
        gui_information: Some(GuiInformation {
            display_name: Some(offer.name.clone()),
            description_text: Some(offer.description.clone()),
        }),
        price: Some(Price {
            list_price: Some(line(with_vat, without_vat)),
            // A customer agreement: 10 % off the list price.
            net_price: net.then(|| line(with_vat * 9 / 10, without_vat * 9 / 10)),
        }),
        expected_delivery: Some(ExpectedDelivery {
            alternative_delivery_dates: alternatives,
            ..expected(delivery, days)
        }),
        environmental_data: offer
            .last_mile
            .filter(|_| asked.with_environmental_data)
            .map(|mile| {
                EnvironmentalData::Legs(vec![TransportLeg {
                    transport_leg_type: "LAST_MILE".into(),
                    fossil_free: mile.fossil_free,
                    description: None,
                    details: Some(LegDetails {
                        electric: f64::from(mile.electric_pct) / 100.0,
                        bio: f64::from(mile.bio_pct) / 100.0,
                    }),
                }])
            }),
        errors: Vec::new(),
        warnings: Vec::new(),
    }
}

fn field_error(status: StatusCode, code: &str, field: &str) -> Response {
    let body = WireFieldErrors {
        field_errors: vec![WireFieldError {
            code: Some(code.into()),
            message: Some("Simulated error".into()),
            field: (!field.is_empty()).then(|| field.into()),
        }],
    };
    (status, Json(body)).into_response()
}
