//! A [`ShippingGuide`] on Bring's Shipping Guide API v2: one `POST {base}/v2/products` per
//! product, so cards still fill in one by one. Every request first takes its turn in the
//! upstream [`UpstreamBudget`]; a 429 is retried once after `Retry-After` when the quote's deadline
//! allows. The credentials live in request headers marked sensitive and in no message.

mod answer;
pub mod money;
pub mod simulated_api;
pub mod wire;

use super::budget::UpstreamBudget;
use super::{GuideError, QuoteFuture, ShippingGuide};
use crate::secret::Secret;
use crate::stats::GuideStatus;
use app::model::{MAX_ALTERNATIVES, Offer, ProductId, SearchRequest};
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Response, StatusCode};
use std::sync::Arc;
use std::time::Duration;
use time::Date;
use tokio::time::Instant;
use wire::{
    Consignment, DateParts, Package, ProductsRequest, ProductsResponse, RequestedProduct,
    WireFieldErrors,
};

pub const DEFAULT_API_URL: &str = "https://api.bring.com/shippingguide";
pub const DEFAULT_PICKUP_POINT_URL: &str = "https://api.bring.com/pickuppoint";
pub const DEFAULT_BOOKING_URL: &str = "https://api.bring.com/booking";
/// An answer for one product is a few KiB; anything far larger is not Bring's.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;
/// When a 429 carries no usable `Retry-After`.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// How to reach Bring; from `BRING_*` (see `config.rs`).
#[derive(Clone, Debug)]
pub struct BringSettings {
    /// The API base; requests go to `{api_url}/v2/products`.
    pub api_url: String,
    /// The Mybring login (`X-Mybring-API-Uid`).
    pub uid: Secret,
    pub key: Secret,
    /// `X-Bring-Client-URL`: the site using the API.
    pub client_url: String,
    /// With it Bring adds the customer's net price, which the page then shows.
    pub customer_number: Option<String>,
    /// Upstream requests per second at most; 0 = no budget.
    pub max_rps: usize,
    /// The Pickup Point API's base, and how many lookups a minute it allows us.
    pub pickup_point_url: String,
    pub pickup_points_per_minute: u32,
    /// The Booking API's base; bookings are tests (`testIndicator`) unless `booking_live`.
    pub booking_url: String,
    pub booking_live: bool,
}

#[derive(Clone)]
pub struct Bring(Arc<GuideApi>);

struct GuideApi {
    http: reqwest::Client,
    endpoint: String,
    customer_number: Option<String>,
    budget: UpstreamBudget,
    /// The search service's quote timeout: a 429 is retried only if the retry fits in it.
    deadline: Duration,
}

/// An HTTP client that speaks to Mybring's APIs as us: the credentials in headers marked
/// sensitive (never logged), the client URL Bring asks for, JSON both ways. The shipping
/// guide, the pickup points and the bookings each make theirs here.
pub fn mybring_http(settings: &BringSettings) -> Result<reqwest::Client, String> {
    let sensitive = |name: &str, value: &str| {
        let mut value = HeaderValue::from_str(value)
            .map_err(|_| format!("{name}: not a valid header value"))?;
        value.set_sensitive(true);
        Ok::<_, String>(value)
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        HeaderName::from_static("x-mybring-api-uid"),
        sensitive("BRING_API_UID", settings.uid.expose())?,
    );
    headers.insert(
        HeaderName::from_static("x-mybring-api-key"),
        sensitive("BRING_API_KEY", settings.key.expose())?,
    );
    headers.insert(
        HeaderName::from_static("x-bring-client-url"),
        HeaderValue::from_str(&settings.client_url)
            .map_err(|_| "BRING_CLIENT_URL: not a valid header value".to_owned())?,
    );
    headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        // Our credentials go to Bring only: a redirect is followed (or not) by the caller.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(3))
        .user_agent(concat!("fjordpost-promotions/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("HTTP client: {e}"))
}

/// A response's body, refused past `max` bytes (an answer far larger is not Bring's).
pub async fn read_limited(mut response: Response, max: usize) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("the answer broke off: {}", e.without_url()))?
    {
        if bytes.len() + chunk.len() > max {
            return Err("the answer is too large".into());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

impl Bring {
    pub fn new(settings: &BringSettings, deadline: Duration) -> Result<Self, String> {
        Ok(Self(Arc::new(GuideApi {
            http: mybring_http(settings)?,
            endpoint: format!("{}/v2/products", settings.api_url.trim_end_matches('/')),
            customer_number: settings.customer_number.clone(),
            budget: UpstreamBudget::new(settings.max_rps),
            deadline,
        })))
    }
}

impl ShippingGuide for Bring {
    fn quote(&self, request: &SearchRequest, product: &ProductId, ships: Date) -> QuoteFuture {
        let client = self.0.clone();
        let (request, product) = (request.clone(), product.clone());
        Box::pin(async move { client.quote(&request, &product, ships).await })
    }

    fn status(&self) -> GuideStatus {
        GuideStatus {
            waiting_for_budget: self.0.budget.waiting(),
            ..GuideStatus::named("bring")
        }
    }
}

impl GuideApi {
    async fn quote(
        &self,
        request: &SearchRequest,
        product: &ProductId,
        shipping_date: Date,
    ) -> Result<Offer, GuideError> {
        let started = Instant::now();
        let body = serde_json::to_vec(&self.body(request, product, shipping_date))
            .map_err(|e| GuideError::Upstream(format!("cannot encode the request: {e}")))?;
        let mut retried = false;
        loop {
            self.budget.take().await;
            let response = self
                .http
                .post(&self.endpoint)
                .body(body.clone())
                .send()
                .await
                .map_err(|e| {
                    GuideError::Upstream(format!("cannot reach Bring: {}", e.without_url()))
                })?;
            let status = response.status();
            if status == StatusCode::TOO_MANY_REQUESTS {
                let wait = retry_after(response.headers());
                if !retried && started.elapsed() + wait < self.deadline {
                    retried = true;
                    tokio::time::sleep(wait).await;
                    continue;
                }
                return Err(GuideError::Upstream(
                    "Bring is throttling our requests (HTTP 429)".into(),
                ));
            }
            let bytes = read_limited(response, MAX_ANSWER_BYTES)
                .await
                .map_err(|e| GuideError::Upstream(format!("Bring: {e}")))?;
            if !status.is_success() {
                return Err(error_answer(status, &bytes));
            }
            let answer: ProductsResponse = serde_json::from_slice(&bytes).map_err(|e| {
                GuideError::Upstream(format!("Bring's answer is not the documented JSON: {e}"))
            })?;
            return answer::read_offer(
                &answer,
                product,
                shipping_date,
                self.customer_number.is_some(),
            );
        }
    }

    fn body(&self, request: &SearchRequest, product: &ProductId, date: Date) -> ProductsRequest {
        let parcel = &request.parcel;
        ProductsRequest {
            consignments: vec![Consignment {
                id: "1".into(),
                from_country_code: request.from.country.clone(),
                from_postal_code: request.from.postal_code.clone(),
                to_country_code: request.to.country.clone(),
                to_postal_code: request.to.postal_code.clone(),
                shipping_date: DateParts::from_date(date),
                packages: vec![Package {
                    id: "1".into(),
                    gross_weight: parcel.weight_grams,
                    length: parcel.length_cm,
                    width: parcel.width_cm,
                    height: parcel.height_cm,
                }],
                products: vec![RequestedProduct {
                    id: product.to_string(),
                    customer_number: self.customer_number.clone(),
                }],
            }],
            with_price: true,
            with_expected_delivery: true,
            with_gui_information: true,
            with_environmental_data: true,
            // Bring may count the expected date among them: one more, so three later ones remain.
            number_of_alternative_delivery_dates: MAX_ALTERNATIVES as u8 + 1,
            // The page is in English; Bring's product names follow this.
            language: "EN".into(),
        }
    }
}

/// `Retry-After` in seconds (Bring's form); the HTTP-date form or none: one second.
fn retry_after(headers: &HeaderMap) -> Duration {
    headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(DEFAULT_RETRY_AFTER, Duration::from_secs)
}

/// A non-2xx answer as an upstream error. Field errors are named by code and field only: their
/// messages may quote the customer's postal code.
fn error_answer(status: StatusCode, body: &[u8]) -> GuideError {
    let fields = serde_json::from_slice::<WireFieldErrors>(body)
        .map(|f| {
            f.field_errors
                .iter()
                .map(|e| {
                    let code = e.code.as_deref().unwrap_or("?");
                    match &e.field {
                        Some(field) => format!("{code} on {field}"),
                        None => code.to_owned(),
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let what = match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "Bring refused our credentials",
        s if s.is_client_error() => "Bring refused the request",
        _ => "Bring failed",
    };
    let status = status.as_u16();
    GuideError::Upstream(if fields.is_empty() {
        format!("{what} (HTTP {status})")
    } else {
        format!("{what} (HTTP {status}: {fields})")
    })
}
