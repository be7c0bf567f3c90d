//! The Bring client over real HTTP: a local server answering in Bring's documented JSON (string
//! amounts, per-product errors, unknown fields, empty answers, 400/500/429, slow and hanging
//! products), and the simulator served in Bring's format behind a whole server.

mod common;

use app::i18n::{Lang, Texts};
use app::model::{Offer, Outcome, ProductId, SearchRequest, UnavailableReason};
use app::protocol::ServerMessage;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use common::*;
use futures::future::join_all;
use promotions::config::Config;
use promotions::guide::bring::{Bring, BringSettings, simulated_api};
use promotions::guide::cache::QuoteCache;
use promotions::guide::simulator::Simulator;
use promotions::guide::{GuideError, ShippingGuide};
use promotions::limits::ClientKey;
use promotions::search::SearchService;
use promotions::secret::Secret;
use promotions::stats::Stats;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KEY: &str = "key-s3cret-4711";
const UID: &str = "shop@example.com";

fn settings(base: &str) -> BringSettings {
    BringSettings {
        api_url: base.into(),
        uid: Secret::new(UID),
        key: Secret::new(KEY),
        client_url: "https://promotions.example".into(),
        customer_number: None,
        max_rps: 50,
        pickup_point_url: format!("{base}/pickuppoint"),
        pickup_points_per_minute: 600,
        booking_url: format!("{base}/booking"),
        booking_live: false,
    }
}

fn request(weight_grams: u32) -> SearchRequest {
    SearchRequest::between(("NO", "0150"), ("NO", "9900"), weight_grams)
}

/// One request as the fake Bring received it.
#[derive(Clone, Debug)]
struct Received {
    headers: HeaderMap,
    body: Value,
}

impl Received {
    fn product(&self) -> &str {
        self.body["consignments"][0]["products"][0]["id"]
            .as_str()
            .unwrap_or("")
    }
}

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<Received>>>);

impl Log {
    fn count(&self, product: &str) -> usize {
        let all = self.0.lock().unwrap();
        all.iter().filter(|r| r.product() == product).count()
    }
    fn last(&self) -> Received {
        self.0.lock().unwrap().last().cloned().unwrap()
    }
}

fn offer_json(id: &str) -> Value {
    json!({"consignments": [{"id": "1", "products": [{
        "id": id,
        "productionCode": "1202",
        "someNewField": {"nested": [1, 2, 3]},
        "guiInformation": {"displayName": "Pakke til hentested", "descriptionText": "Hentes på posten", "logo": "x"},
        "price": {"listPrice": {"currencyCode": "NOK", "priceWithoutAdditionalServices":
            {"amountWithoutVAT": "145.75", "vat": "36.44", "amountWithVAT": "182.19"}},
                  "netPrice": {"currencyCode": "NOK", "priceWithoutAdditionalServices":
            {"amountWithoutVAT": "131.18", "vat": "32.80", "amountWithVAT": "163.98"}}},
        "expectedDelivery": {"workingDays": "2", "formattedExpectedDeliveryDate": "02.12.2026",
            "expectedDeliveryDate": {"year": "2026", "month": "12", "day": "2"}},
        "warnings": [{"code": "W-1", "description": "Informational"}]
    }]}], "traceMessages": ["unknown top-level field"]})
}

fn json_reply(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn throttled() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [
            (header::CONTENT_TYPE, "text/plain"),
            (header::RETRY_AFTER, "1"),
        ],
        "Rate limit exceeded",
    )
        .into_response()
}

/// A Bring stand-in whose answer depends on the product asked for.
fn scripted_bring() -> (String, Log) {
    let log = Log::default();
    let sink = log.clone();
    let app = axum::Router::new().route(
        "/v2/products",
        post(move |headers: HeaderMap, body: String| {
            let sink = sink.clone();
            async move {
                let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                let received = Received { headers, body };
                let product = received.product().to_owned();
                sink.0.lock().unwrap().push(received);
                let earlier = sink.count(&product) - 1;
                match product.as_str() {
                    "5800" => json_reply(StatusCode::OK, offer_json("5800")),
                    "5600" => json_reply(
                        StatusCode::OK,
                        json!({"consignments": [{"products": [{"id": "5600", "errors": [
                            {"code": "1", "errorCode": "PACKAGE_NOT_WITHIN_WEIGHT_LIMIT", "description": "Weight over 35 kg"}
                        ]}]}]}),
                    ),
                    "3584" => json_reply(StatusCode::OK, json!({"consignments": [{"id": "1", "products": []}]})),
                    "5000" => json_reply(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        json!({"fieldErrors": [{"code": "SG-5000", "message": "Internal error", "field": null}]}),
                    ),
                    "4850" => json_reply(
                        StatusCode::BAD_REQUEST,
                        json!({"fieldErrors": [{"code": "SG-1002", "message": "Invalid postal code 9900", "field": "toPostalCode"}]}),
                    ),
                    "5100" => std::future::pending().await,
                    "0340" if earlier == 0 => throttled(),
                    "0340" => json_reply(StatusCode::OK, offer_json("0340")),
                    "0349" => throttled(),
                    "0330" => {
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        json_reply(StatusCode::OK, offer_json("0330"))
                    }
                    "9401" => (StatusCode::UNAUTHORIZED, "Authentication failed").into_response(),
                    _ => json_reply(StatusCode::OK, json!({})),
                }
            }
        }),
    );
    (format!("http://{}", serve(app)), log)
}

fn service(guide: impl ShippingGuide, timeout: Duration) -> SearchService {
    SearchService::new(
        Arc::new(guide),
        timeout,
        promotions::clock::Clock::system(),
        Arc::new(Stats::default()),
    )
}

async fn outcomes(service: &SearchService, products: &[&str]) -> HashMap<String, Outcome> {
    let req = request(1200);
    let all = join_all(
        products
            .iter()
            .map(|p| service.quote(&req, &ProductId::new(p), english(), address(1))),
    )
    .await;
    all.into_iter()
        .map(|o| (o.product_id().to_string(), o))
        .collect()
}

/// A customer's network address, as the limits and the upstream budget count it.
/// The day a parcel handed in now ships (any day will do for these tests).
fn ships() -> time::Date {
    promotions::guide::calendar::oslo_today()
}

fn address(n: u8) -> Option<ClientKey> {
    Some(ClientKey::of(std::net::IpAddr::from([192, 0, 2, n])))
}

fn english() -> Texts {
    Texts::new(Lang::En, false)
}

fn reason(outcome: &Outcome) -> Option<(UnavailableReason, &str)> {
    match outcome {
        Outcome::Unavailable {
            reason, message, ..
        } => Some((*reason, message.as_str())),
        Outcome::Offer { .. } => None,
    }
}

#[tokio::test]
async fn every_documented_answer_maps_to_an_outcome_for_that_product_only() {
    let (base, log) = scripted_bring();
    let timeout = Duration::from_secs(2);
    let service = service(Bring::new(&settings(&base), timeout).unwrap(), timeout);
    let ids = [
        "5800", "5600", "3584", "5000", "4850", "5100", "0340", "0349", "0330", "9401",
    ];
    let started = Instant::now();
    let got = outcomes(&service, &ids).await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "quotes ran in parallel"
    );

    let Outcome::Offer { offer } = &got["5800"] else {
        panic!("5800: {:?}", got["5800"])
    };
    assert_eq!(offer.name, "Pakke til hentested");
    assert_eq!(offer.description, "Hentes på posten");
    assert_eq!(offer.price.with_vat_minor, 18219);
    assert_eq!(offer.price.without_vat_minor, 14575);
    assert_eq!(offer.lead_time.working_days, 2);
    assert_eq!(offer.lead_time.expected_delivery, "2026-12-02");

    let not_eligible = UnavailableReason::NotEligible;
    assert_eq!(
        reason(&got["5600"]),
        Some((not_eligible, "Too heavy for this service"))
    );
    assert_eq!(reason(&got["3584"]).map(|r| r.0), Some(not_eligible));
    for upstream in ["5000", "4850", "0349", "9401"] {
        assert_eq!(
            reason(&got[upstream]).map(|r| r.0),
            Some(UnavailableReason::UpstreamError),
            "{upstream}"
        );
    }
    assert_eq!(
        reason(&got["5100"]).map(|r| r.0),
        Some(UnavailableReason::Timeout)
    );
    // A 429 is retried once after Retry-After: the second try answers, a second 429 is final.
    assert!(matches!(got["0340"], Outcome::Offer { .. }));
    assert_eq!(log.count("0340"), 2);
    assert_eq!(log.count("0349"), 2);
    assert!(matches!(got["0330"], Outcome::Offer { .. }));
}

#[tokio::test]
async fn errors_name_status_and_field_codes_but_never_postal_codes_or_credentials() {
    let (base, _) = scripted_bring();
    let bring = Bring::new(&settings(&base), Duration::from_secs(2)).unwrap();
    let req = request(1200);
    let error = |id: &str| {
        let quote = bring.quote(&req, &ProductId::new(id), ships());
        async move {
            match quote.await {
                Err(GuideError::Upstream(message)) => message,
                other => panic!("{other:?}"),
            }
        }
    };
    let bad_request = error("4850").await;
    assert_eq!(
        bad_request,
        "Bring refused the request (HTTP 400: SG-1002 on toPostalCode)"
    );
    assert_eq!(error("5000").await, "Bring failed (HTTP 500: SG-5000)");
    assert_eq!(
        error("9401").await,
        "Bring refused our credentials (HTTP 401)"
    );
    assert!(
        !bad_request.contains("9900") && !bad_request.contains(KEY) && !bad_request.contains(UID)
    );
}

#[tokio::test]
async fn a_429_is_not_retried_past_the_quote_deadline() {
    let (base, log) = scripted_bring();
    let bring = Bring::new(&settings(&base), Duration::from_millis(500)).unwrap();
    let answer = bring
        .quote(&request(1200), &ProductId::new("0340"), ships())
        .await;
    assert_eq!(
        answer,
        Err(GuideError::Upstream(
            "Bring is throttling our requests (HTTP 429)".into()
        ))
    );
    assert_eq!(
        log.count("0340"),
        1,
        "Retry-After (1 s) does not fit in 500 ms"
    );
}

#[tokio::test]
async fn requests_carry_the_documented_headers_and_shape() {
    let (base, log) = scripted_bring();
    let mut settings = settings(&base);
    settings.customer_number = Some("20012345678".into());
    let bring = Bring::new(&settings, Duration::from_secs(2)).unwrap();
    let mut req = request(1200);
    req.parcel.length_cm = Some(40);
    req.parcel.width_cm = Some(30);
    req.parcel.height_cm = Some(20);
    // Handed in after the cut-off on a Friday: Bring is asked for Monday.
    let monday = time::macros::date!(2026 - 12 - 07);
    let offer = bring
        .quote(&req, &ProductId::new("5800"), monday)
        .await
        .unwrap();
    // With a customer number the page shows the net price.
    assert_eq!(offer.price.with_vat_minor, 16398);

    let sent = log.last();
    let header = |name: &str| {
        sent.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    assert_eq!(header("x-mybring-api-uid"), UID);
    assert_eq!(header("x-mybring-api-key"), KEY);
    assert_eq!(header("x-bring-client-url"), "https://promotions.example");
    assert_eq!(header("content-type"), "application/json");
    assert_eq!(header("accept"), "application/json");

    let body = &sent.body;
    let c = &body["consignments"][0];
    assert_eq!(c["fromCountryCode"], "NO");
    assert_eq!(c["fromPostalCode"], "0150");
    assert_eq!(c["toCountryCode"], "NO");
    assert_eq!(c["toPostalCode"], "9900");
    for part in ["year", "month", "day"] {
        assert!(c["shippingDate"][part].is_string(), "shippingDate.{part}");
    }
    assert_eq!(
        c["shippingDate"],
        json!({"year": "2026", "month": "12", "day": "7"})
    );
    assert_eq!(
        c["packages"][0],
        json!({"id": "1", "grossWeight": 1200, "length": 40, "width": 30, "height": 20})
    );
    assert_eq!(
        c["products"],
        json!([{"id": "5800", "customerNumber": "20012345678"}])
    );
    assert_eq!(body["withPrice"], true);
    assert_eq!(body["withExpectedDelivery"], true);
    assert_eq!(body["withGuiInformation"], true);
    assert_eq!(body["withEnvironmentalData"], true);
    // Three later days, and one more in case Bring counts the expected one among them.
    assert_eq!(body["numberOfAlternativeDeliveryDates"], 4);
}

#[tokio::test]
async fn identical_quotes_share_one_upstream_call_and_later_ones_come_from_the_cache() {
    let (base, log) = scripted_bring();
    let bring = Bring::new(&settings(&base), Duration::from_secs(2)).unwrap();
    let cache = QuoteCache::new(Arc::new(bring), Duration::from_secs(60), None);
    let req = request(1200);
    // 0330 takes 300 ms: ten identical quotes arrive while the first is still asking.
    let answers =
        join_all((0..10).map(|_| cache.quote(&req, &ProductId::new("0330"), ships()))).await;
    assert!(answers.iter().all(Result::is_ok));
    assert_eq!(
        log.count("0330"),
        1,
        "concurrent identical quotes: one call"
    );
    cache
        .quote(&req, &ProductId::new("0330"), ships())
        .await
        .unwrap();
    assert_eq!(log.count("0330"), 1, "a later identical quote: from memory");
    let status = cache.status();
    assert_eq!((status.cache_hits, status.cache_misses), (10, 1));
    assert_eq!(status.name, "bring");

    // A different parcel is a different quote.
    cache
        .quote(&request(5000), &ProductId::new("0330"), ships())
        .await
        .unwrap();
    assert_eq!(log.count("0330"), 2);
    // "Not eligible" is an answer and is kept; an upstream error is not.
    for _ in 0..2 {
        let _ = cache.quote(&req, &ProductId::new("5600"), ships()).await;
        let _ = cache.quote(&req, &ProductId::new("5000"), ships()).await;
    }
    assert_eq!(log.count("5600"), 1);
    assert_eq!(log.count("5000"), 2);
}

#[tokio::test]
async fn a_cancelled_quote_hands_the_shared_call_to_a_waiting_one() {
    let (base, log) = scripted_bring();
    let bring = Bring::new(&settings(&base), Duration::from_secs(2)).unwrap();
    let cache = Arc::new(QuoteCache::new(
        Arc::new(bring),
        Duration::from_secs(60),
        None,
    ));
    let req = request(1200);
    let first = tokio::spawn({
        let (cache, req) = (cache.clone(), req.clone());
        async move { cache.quote(&req, &ProductId::new("0330"), ships()).await }
    });
    // The first quote's call has reached the stand-in (which holds it 300 ms): the second joins it.
    assert!(eventually(|| log.count("0330") == 1).await);
    let second = cache.quote(&req, &ProductId::new("0330"), ships());
    first.abort();
    assert!(
        second.await.is_ok(),
        "the waiting quote still gets its answer"
    );
    assert!(log.count("0330") <= 2);
}

/// Bring stand-in with a request limit, and a guide in front of it; 35 different quotes at once.
async fn burst(budget: usize, limit: usize) -> (Vec<Outcome>, simulated_api::ApiStats, Duration) {
    let base = format!(
        "http://{}",
        serve(simulated_api::router(Simulator::new(0.0, 0.0), limit))
    );
    let mut settings = settings(&base);
    settings.max_rps = budget;
    let timeout = Duration::from_secs(10);
    let service = service(Bring::new(&settings, timeout).unwrap(), timeout);
    let started = Instant::now();
    let all = join_all((1..=35).map(|kg| {
        service.quote(
            &request(kg * 100),
            &ProductId::new("5800"),
            english(),
            address(1),
        )
    }))
    .await;
    let elapsed = started.elapsed();
    let stats: simulated_api::ApiStats = serde_json::from_str(
        &reqwest::get(format!("{base}/stats"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    (all, stats, elapsed)
}

#[tokio::test]
async fn the_budget_holds_a_burst_under_the_limit_without_turning_quotes_into_errors() {
    // Budget 10/s against an API that throttles above 10/s, counting arrivals.
    let (outcomes, stats, elapsed) = burst(10, 10).await;
    println!("budget 10/s: {stats:?} in {elapsed:?}");
    assert!(outcomes.iter().all(|o| matches!(o, Outcome::Offer { .. })));
    assert_eq!(stats.requests, 35);
    assert_eq!(stats.throttled, 0);
    assert!(stats.peak_per_second <= 10, "{stats:?}");
    // 35 requests at 10 a second: the last leaves 3 s after the first.
    assert!(elapsed >= Duration::from_secs(3), "{elapsed:?}");

    // Control: without the budget the same burst is throttled.
    let (_, unbudgeted, _) = burst(0, 10).await;
    println!("no budget: {unbudgeted:?}");
    assert!(unbudgeted.throttled > 0, "{unbudgeted:?}");
}

#[tokio::test]
async fn one_address_flooding_the_budget_leaves_another_its_turn_within_the_deadline() {
    let base = format!(
        "http://{}",
        serve(simulated_api::router(Simulator::new(0.0, 0.0), 10))
    );
    let mut settings = settings(&base);
    settings.max_rps = 10;
    // Ten seconds' worth of quotes from one address, against a 3 s deadline per quote.
    let timeout = Duration::from_secs(3);
    let service = Arc::new(service(Bring::new(&settings, timeout).unwrap(), timeout));
    let flood: Vec<_> = (1..=100)
        .map(|n| {
            let quote = service.quote(
                &request(n * 100),
                &ProductId::new("5800"),
                english(),
                address(1),
            );
            tokio::spawn(quote)
        })
        .collect();
    // Once the flood is queued, another customer's quote.
    let busy = || service.guide_status().waiting_for_budget >= 90;
    assert!(eventually(busy).await, "the flood waits for the budget");
    let other = service
        .quote(
            &request(1200),
            &ProductId::new("5600"),
            english(),
            address(2),
        )
        .await;
    assert!(matches!(other, Outcome::Offer { .. }), "{other:?}");
    // The flood itself gets its share and no more: most of it runs out of time.
    let flood: Vec<Outcome> = join_all(flood)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let timed_out = flood
        .iter()
        .filter(|o| {
            matches!(
                o,
                Outcome::Unavailable {
                    reason: UnavailableReason::Timeout,
                    ..
                }
            )
        })
        .count();
    assert!(timed_out >= 50, "{timed_out} of the flood timed out");
}

#[tokio::test]
async fn a_search_over_the_socket_shows_the_simulator_s_prices_through_bring_s_wire_format() {
    let base = format!(
        "http://{}",
        serve(simulated_api::router(Simulator::new(0.0, 0.0), 0))
    );
    let timeout = Duration::from_secs(5);
    let mut config = Config::from_env().unwrap();
    config.quote_timeout = timeout;
    // Friday morning: every service ships today.
    config.clock = promotions::clock::Clock::parse("2026-12-04T09:00:00+01:00").unwrap();
    let friday = time::macros::date!(2026 - 12 - 04);
    let server = spawn_with(
        config,
        Bring::new(&settings(&base), timeout).unwrap(),
        |r| r,
    );
    let mut ws = server.connect().await;
    send_json(&mut ws, search_json(1, "0150", "9900", 1200)).await;
    let ServerMessage::Accepted { products, .. } = expect_message(&mut ws).await else {
        panic!("accepted first")
    };
    assert_eq!(products.len(), 5);
    let simulator = Simulator::new(0.0, 0.0);
    let mut offers = 0;
    loop {
        match expect_message(&mut ws).await {
            ServerMessage::Offer { offer, .. } => {
                let dispatch = offer
                    .dispatch
                    .clone()
                    .expect("the search says when it ships");
                assert_eq!(
                    (dispatch.ships.as_str(), dispatch.today),
                    ("2026-12-04", true)
                );
                let direct = simulator
                    .offer(&request(1200), &offer.product_id, friday)
                    .unwrap();
                // Prices, dates, alternative dates and the last mile, through Bring's format.
                assert_eq!(
                    Offer {
                        dispatch: None,
                        ..offer
                    },
                    direct,
                    "one rule table feeds both"
                );
                offers += 1;
            }
            ServerMessage::Done { .. } => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(offers, 5);
    let (status, health) = server.http("GET", "/healthz", &[], "").await;
    assert_eq!(status, 200);
    let health: Value = serde_json::from_str(&health).unwrap();
    assert_eq!(health["guide"]["name"], "bring");
    assert!(!health.to_string().contains(KEY) && !health.to_string().contains(UID));
    let (_, page) = server.http("GET", "/", &[], "").await;
    assert!(!page.contains(KEY) && !page.contains(UID));
}

#[test]
fn the_configuration_never_prints_the_credentials() {
    let mut config = Config::from_env().unwrap();
    config.bring = Some(settings("http://127.0.0.1:9"));
    let printed = format!("{config:?}");
    assert!(printed.contains("Secret(redacted)"));
    assert!(!printed.contains(KEY) && !printed.contains(UID));
}

#[test]
fn one_credential_without_the_other_stops_the_server_naming_the_missing_one() {
    for (set, missing) in [
        ("BRING_API_UID", "BRING_API_KEY"),
        ("BRING_API_KEY", "BRING_API_UID"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_promotions"))
            .env_remove("BRING_API_UID")
            .env_remove("BRING_API_KEY")
            .env(set, "x")
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{set} alone");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{missing} is missing")),
            "{stderr}"
        );
    }
}
