//! Booking through Bring's APIs over real HTTP: the server's Pickup Point and Booking clients
//! against the simulators served in Bring's wire formats (what the `bring-simulator` binary
//! serves), and against a Booking API that refuses.

mod common;

use axum::http::StatusCode;
use axum::routing::post;
use common::*;
use promotions::booking::bring::simulated_api::BookingStats;
use promotions::config::Config;
use promotions::guide::bring::BringSettings;
use promotions::pickup::simulated_api::PointStats;
use promotions::secret::Secret;
use std::net::SocketAddr;
use std::sync::OnceLock;

const SEARCH: &str = "from_country=NO&from_postal=0150&to_country=NO&to_postal=9900&weight=1.2";
/// The stand-in's pickup point lookups a minute, and ours: the same, so we never meet its 429.
const POINTS_PER_MINUTE: u32 = 12;

struct Fixture {
    server: TestServer,
    bring: SocketAddr,
    /// A Booking API that refuses every booking, quoting the customer back in its message.
    refusing: TestServer,
}

fn settings(api: &str, booking: &str) -> BringSettings {
    BringSettings {
        api_url: api.into(),
        uid: Secret::new("shop@example.com"),
        key: Secret::new("key-4711"),
        client_url: "https://promotions.example".into(),
        customer_number: Some("PARCELS_NORWAY-00012345678".into()),
        max_rps: 50,
        pickup_point_url: format!("{api}/pickuppoint"),
        pickup_points_per_minute: POINTS_PER_MINUTE,
        booking_url: booking.into(),
        booking_live: false,
    }
}

fn server_on(bring: BringSettings) -> TestServer {
    let mut config = Config::from_env().expect("config");
    config.bring = Some(bring);
    config.latency_scale = 0.0;
    config.data_dir = data_dir("bring-booking");
    // The guide stays the simulator: this is about pickup points and bookings.
    spawn_with(config, CountingGuide::new(0.0), |routes| routes)
}

/// One server per binary, as pages render through one Leptos router per process.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let bring = serve(
            promotions::pickup::simulated_api::router(POINTS_PER_MINUTE as usize)
                .merge(promotions::booking::bring::simulated_api::router()),
        );
        let base = format!("http://{bring}");
        let refusing_api = serve(axum::Router::new().route(
            "/booking/api/booking",
            post(|| async {
                let body = serde_json::json!({"consignments": [{"correlationId": "x", "confirmation": null,
                    "errors": [{"uniqueId": "u-1", "code": "INVALID_POSTAL_CODE-RECIPIENT",
                        "messages": [{"lang": "en", "message": "Ola Nordmann at Kongens gate 2: postal code invalid"}]}]}]});
                (StatusCode::BAD_REQUEST, axum::Json(body))
            }),
        ));
        Fixture {
            server: server_on(settings(&base, &format!("{base}/booking"))),
            bring,
            refusing: server_on(settings(&base, &format!("http://{refusing_api}/booking"))),
        }
    })
}

async fn stand_in<T: serde::de::DeserializeOwned>(bring: SocketAddr, path: &str) -> T {
    let reply = exchange_at(bring, "GET", path, &[], "").await;
    serde_json::from_str(&reply.body).unwrap()
}

async fn book(server: &TestServer, product: &str, search: &str) -> (Reply, String, String) {
    let (status, form) = server
        .http("GET", &format!("/book?{search}&product={product}"), &[], "")
        .await;
    assert_eq!(status, 200, "{form}");
    let form_id = input_value(&form, "form_id").unwrap();
    let point = input_value(&form, "pickup_point").unwrap_or_default();
    let body = format!(
        "{search}&product={product}&form_id={form_id}&pickup_point={point}&sender_name=Kari+Nordmann\
         &sender_street=Storgata+1&recipient_name=Ola+Nordmann&recipient_street=Kongens+gate+2\
         &recipient_phone=912+34+567&recipient_email=ola%40example.no&reference=Ordre+42"
    );
    let origin = server.origin();
    let reply = server
        .exchange("POST", "/book", &[("origin", &origin)], &body)
        .await;
    (reply, form_id, point)
}

#[tokio::test]
async fn a_pickup_point_parcel_is_booked_through_bring_with_its_label() {
    let Fixture { server, bring, .. } = fixture();
    let (reply, form_id, point) = book(server, "5800", SEARCH).await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    // What Bring was asked: a test booking of our customer's product, the recipient's notice,
    // the chosen pickup point, the form's key as the correlation id.
    let stats: BookingStats = stand_in(*bring, "/booking/stats").await;
    assert_eq!(stats.live_bookings, 0);
    let asked = stats.last_request.expect("a booking request");
    assert!(asked.test_indicator);
    let consignment = &asked.consignments[0];
    assert_eq!(consignment.correlation_id, form_id);
    assert_eq!(consignment.product.id, "5800");
    assert_eq!(
        consignment.product.customer_number,
        "PARCELS_NORWAY-00012345678"
    );
    let notice = consignment
        .product
        .services
        .as_ref()
        .unwrap()
        .recipient_notification
        .as_ref()
        .unwrap();
    assert_eq!(notice.mobile.as_deref(), Some("+4791234567"));
    assert_eq!(notice.email.as_deref(), Some("ola@example.no"));
    assert_eq!(consignment.parties.pickup_point.as_ref().unwrap().id, point);
    assert_eq!(consignment.parties.recipient.city, "KIRKENES");
    assert_eq!(consignment.packages[0].weight_in_kg, 1.2);

    // The confirmation shows Bring's consignment number; the label is Bring's, fetched once.
    let location = reply.header("location").unwrap().to_owned();
    let (status, page) = server.http("GET", &location, &[], "").await;
    assert_eq!(status, 200);
    let number = page
        .split("data-testid=\"shipment-number\">")
        .nth(1)
        .map(|s| &s[..17])
        .unwrap();
    assert!(
        number.starts_with('7') && number.bytes().all(|b| b.is_ascii_digit()),
        "{number}"
    );
    let label = server
        .exchange("GET", &format!("{location}/label.pdf"), &[], "")
        .await;
    assert_eq!(label.status, 200);
    assert!(label.body.starts_with("%PDF-") && label.body.contains("Ola Nordmann"));
    let stats: BookingStats = stand_in(*bring, "/booking/stats").await;
    assert!(stats.test_bookings >= 1 && stats.labels_fetched >= 1);
}

#[tokio::test]
async fn pickup_points_come_from_bring_cached_and_within_its_rate() {
    let Fixture { server, bring, .. } = fixture();
    // One lookup per postal code, however often it is asked for.
    let search = |code: &str| {
        format!("from_country=NO&from_postal=0150&to_country=NO&to_postal={code}&weight=1")
    };
    let open = |code: String| async move {
        server
            .http(
                "GET",
                &format!("/book?{}&product=5800", search(&code)),
                &[],
                "",
            )
            .await
    };
    let shown = |html: &str| html.contains("data-testid=\"pickup-points\"");
    let before: PointStats = stand_in(*bring, "/pickuppoint/stats").await;
    for _ in 0..3 {
        let (status, html) = open(distinct_code(200)).await;
        assert!(status == 200 && shown(&html), "{html}");
    }
    let after: PointStats = stand_in(*bring, "/pickuppoint/stats").await;
    assert_eq!(after.requests - before.requests, 1, "the answer is cached");
    // Bring allows POINTS_PER_MINUTE lookups a minute: as many new postal codes at once get
    // their points (two tests use some of the minute), the ones past it are told to try again
    // in a moment, and not one lookup meets Bring's 429.
    let pages = futures::future::join_all(
        (300..300 + POINTS_PER_MINUTE as usize).map(|n| open(distinct_code(n))),
    )
    .await;
    let with_points = pages.iter().filter(|(_, html)| shown(html)).count();
    let told_to_wait = pages
        .iter()
        .filter(|(_, html)| {
            html.contains("data-testid=\"book-failed\"")
                && html.contains(">We cannot fetch pickup points just now")
        })
        .count();
    assert_eq!(with_points + told_to_wait, pages.len());
    assert!(
        told_to_wait >= 1,
        "the minute's lookups ran out: {with_points} answered"
    );
    let after: PointStats = stand_in(*bring, "/pickuppoint/stats").await;
    assert_eq!(after.throttled, 0, "Bring's rate was kept");
}

#[tokio::test]
async fn a_booking_bring_refuses_is_said_plainly_and_keeps_the_form() {
    let Fixture { refusing, .. } = fixture();
    let (reply, _, _) = book(refusing, "5600", SEARCH).await;
    assert_eq!(reply.status, 502);
    assert!(reply.body.contains("data-testid=\"book-failed\""));
    assert_eq!(
        input_value(&reply.body, "recipient_street").as_deref(),
        Some("Kongens gate 2")
    );
    assert_eq!(refusing.stats.snapshot().bookings_failed, 1);
}
