//! Error reporting end to end over real HTTP: the `sentry` crate reports a handler panic to
//! an ingest server, and the tunnel forwards browser envelopes for our DSN only. The ingest is
//! a local HTTP server that records what Sentry's envelope endpoint receives.

mod common;

use app::model::SearchRequest;
use axum::routing::get;
use common::ingest::{envelope, ingest, wait_for};
use common::*;
use promotions::config::Config;
use std::time::Duration;

async fn boom() -> &'static str {
    panic!("deliberate handler panic for the test")
}

/// A shipping guide whose every quote fails.
struct FailingGuide;

impl promotions::guide::ShippingGuide for FailingGuide {
    fn quote(
        &self,
        _: &app::model::SearchRequest,
        _: &app::model::ProductId,
        _: time::Date,
    ) -> promotions::guide::QuoteFuture {
        Box::pin(async {
            Err(promotions::guide::GuideError::Upstream(
                "upstream said 502".into(),
            ))
        })
    }
}

// One test: the Sentry client is global to the process.
#[tokio::test]
async fn panics_and_upstream_failures_reach_the_ingest_and_the_tunnel_forwards_only_ours() {
    let (dsn, received) = ingest(0);
    let mut config = Config::from_env().unwrap();
    config.sentry_dsn = Some(dsn.clone());
    let _sentry = promotions::telemetry::init_sentry(&config);
    // As in production: `tracing` errors become Sentry events.
    let subscriber = tracing_subscriber::layer::SubscriberExt::with(
        tracing_subscriber::registry(),
        promotions::telemetry::sentry_layer(),
    );
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let failing = spawn_with(config.clone(), FailingGuide, |routes| routes);
    let server = spawn_with(config, CountingGuide::new(0.0), |routes| {
        routes.route("/boom", get(boom))
    });

    // A handler panic: the client gets a 500, the ingest gets an event.
    let (status, _) = server.http("GET", "/boom", &[], "").await;
    assert_eq!(status, 500);
    let event = wait_for(&received, "deliberate handler panic for the test").await;
    assert!(event.is_some(), "no panic event reached the ingest");

    // A browser envelope for our DSN is forwarded byte for byte.
    let ours = envelope(&dsn, "browser error for the tunnel test");
    let (status, _) = server.http("POST", "/api/sentry-tunnel", &[], &ours).await;
    assert_eq!(status, 200);
    let forwarded = wait_for(&received, "browser error for the tunnel test")
        .await
        .expect("forwarded");
    assert_eq!(forwarded, ours.as_bytes());

    // Anything else is refused.
    let foreign = envelope("https://public@evil.test/1", "foreign");
    assert_eq!(
        server
            .http("POST", "/api/sentry-tunnel", &[], &foreign)
            .await
            .0,
        403
    );
    let other_project = envelope(&dsn.replace("/1", "/2"), "other project");
    assert_eq!(
        server
            .http("POST", "/api/sentry-tunnel", &[], &other_project)
            .await
            .0,
        403
    );
    assert_eq!(
        server
            .http("POST", "/api/sentry-tunnel", &[], "not an envelope")
            .await
            .0,
        400
    );
    let huge = envelope(&dsn, &"x".repeat(300 * 1024));
    assert_eq!(
        server
            .http("POST", "/api/sentry-tunnel", &[], &huge)
            .await
            .0,
        413
    );
    let cross_site = [("origin", "http://evil.test")];
    assert_eq!(
        server
            .http("POST", "/api/sentry-tunnel", &cross_site, &ours)
            .await
            .0,
        403
    );

    // A burst over the per-address rate is refused, whatever cookies it makes up. Five requests
    // above reached the tunnel (the cross-site one was stopped before it).
    let mut statuses = Vec::new();
    for n in 0..30 {
        let cookie = format!("promo_session={n:032x}.{}", "0".repeat(32));
        statuses.push(
            server
                .http("POST", "/api/sentry-tunnel", &[("cookie", &cookie)], &ours)
                .await
                .0,
        );
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        promotions::sentry_tunnel::PER_MINUTE as usize - 5,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 5);
    // Every accepted envelope reached the ingest.
    assert!(
        eventually(|| server.stats.snapshot().reports_in_flight == 0).await,
        "forwards still under way"
    );
    // An upstream failure is reported with its product and route class, never postal codes.
    let quote = serde_json::json!({"request": SearchRequest::between(("NO", "0150"), ("NO", "9900"), 1000), "product_id": "5800"});
    let json = [("content-type", "application/json")];
    let (status, body) = failing
        .http("POST", "/api/quote_product", &json, &quote.to_string())
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("upstream_error"), "{body}");
    let event = wait_for(&received, "shipping guide failed")
        .await
        .expect("an upstream failure event");
    let text = String::from_utf8_lossy(&event);
    assert!(
        text.contains("5800") && text.contains("NO-Oslo>NO-EastFinnmark"),
        "{text}"
    );
    assert!(
        !text.contains("0150") && !text.contains("9900"),
        "postal codes leaked: {text}"
    );

    // Bring's credentials reach no event, even when Bring's error quotes them back.
    let (key, uid) = ("key-s3cret-0815", "shop@example.com");
    let echoing = serve(axum::Router::new().route(
        "/v2/products",
        axum::routing::post(|headers: axum::http::HeaderMap| async move {
            let echo = format!("{:?}", headers);
            let body = serde_json::json!({"fieldErrors": [{"code": "SG-5000", "message": echo}]});
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(body),
            )
        }),
    ));
    let mut bring_config = Config::from_env().unwrap();
    bring_config.bring = Some(promotions::guide::bring::BringSettings {
        api_url: format!("http://{echoing}"),
        uid: promotions::secret::Secret::new(uid),
        key: promotions::secret::Secret::new(key),
        client_url: "https://promotions.example".into(),
        customer_number: None,
        max_rps: 50,
        pickup_point_url: promotions::guide::bring::DEFAULT_PICKUP_POINT_URL.into(),
        pickup_points_per_minute: 60,
        booking_url: promotions::guide::bring::DEFAULT_BOOKING_URL.into(),
        booking_live: false,
    });
    let on_bring = spawn_with(
        bring_config.clone(),
        promotions::guide::bring::Bring::new(
            bring_config.bring.as_ref().unwrap(),
            Duration::from_secs(5),
        )
        .unwrap(),
        |routes| routes,
    );
    let (status, body) = on_bring
        .http("POST", "/api/quote_product", &json, &quote.to_string())
        .await;
    assert!(status == 200 && body.contains("upstream_error"), "{body}");
    assert!(!body.contains(key) && !body.contains(uid), "{body}");
    let event = wait_for(&received, "Bring failed (HTTP 500: SG-5000)").await;
    assert!(event.is_some(), "the Bring failure is reported");
    let all = received.lock().unwrap().clone();
    for envelope in all {
        let text = String::from_utf8_lossy(&envelope);
        assert!(
            !text.contains(key) && !text.contains(uid),
            "credentials leaked: {text}"
        );
    }

    // A booking the carrier refuses is reported with the product, the route class and the
    // carrier's status; nothing the customer typed reaches any event.
    let mut booking_config = Config::from_env().unwrap();
    booking_config.booking_failure_rate = 1.0;
    booking_config.latency_scale = 0.0;
    booking_config.data_dir = data_dir("sentry");
    let booking = spawn_with(booking_config, CountingGuide::new(0.0), |routes| routes);
    let search = "from_country=NO&from_postal=0150&to_country=NO&to_postal=9900&weight=1";
    let (status, form) = booking
        .http("GET", &format!("/book?{search}&product=5600"), &[], "")
        .await;
    assert_eq!(status, 200);
    let form_id = input_value(&form, "form_id").unwrap();
    let personal = [
        "Kari Sekret",
        "Hemmelig gate 7",
        "Ola Privat",
        "Skjult vei 3",
        "4791234567",
        "ola.privat@example.no",
        "Ordre 4711",
    ];
    let submit = format!(
        "{search}&product=5600&form_id={}&sender_name=Kari+Sekret&sender_street=Hemmelig+gate+7\
         &recipient_name=Ola+Privat&recipient_street=Skjult+vei+3&recipient_phone=91234567\
         &recipient_email=ola.privat%40example.no&reference=Ordre+4711",
        form_id
    );
    let origin = booking.origin();
    let reply = booking
        .exchange("POST", "/book", &[("origin", &origin)], &submit)
        .await;
    assert_eq!(reply.status, 502, "{}", reply.body);
    let event = wait_for(&received, "booking failed for 5600")
        .await
        .expect("a booking failure event");
    let text = String::from_utf8_lossy(&event);
    assert!(
        text.contains("NO-Oslo>NO-EastFinnmark")
            && text.contains("upstream_status")
            && text.contains("503"),
        "{text}"
    );
    for envelope in received.lock().unwrap().iter() {
        let text = String::from_utf8_lossy(envelope);
        for typed in personal {
            assert!(!text.contains(typed), "{typed} leaked: {text}");
        }
    }

    let dsn_of_ours = dsn.clone();
    let leaked = received
        .lock()
        .unwrap()
        .iter()
        .filter_map(|b| app::sentry::envelope_header(b)?.dsn)
        .filter(|dsn| dsn != &dsn_of_ours)
        .count();
    assert_eq!(leaked, 0, "a foreign envelope was forwarded");
}

#[tokio::test]
async fn a_hanging_ingest_holds_at_most_the_cap_of_forwards() {
    use promotions::sentry_tunnel::MAX_IN_FLIGHT;
    let (dsn, received) = ingest(MAX_IN_FLIGHT);
    let mut config = Config::from_env().unwrap();
    config.sentry_dsn = Some(dsn.clone());
    config.report_timeout = Duration::from_secs(2);
    let server = spawn_with(config, CountingGuide::new(0.0), |routes| routes);
    let ours = envelope(&dsn, "report while the ingest hangs");
    for n in 0..MAX_IN_FLIGHT {
        let cookie = format!("promo_session={n:032x}.{}", "0".repeat(32));
        let (status, _) = server
            .http("POST", "/api/sentry-tunnel", &[("cookie", &cookie)], &ours)
            .await;
        assert_eq!(status, 200, "report {n}");
    }
    assert!(eventually(|| server.stats.snapshot().reports_in_flight == MAX_IN_FLIGHT).await);
    let (status, body) = server.http("POST", "/api/sentry-tunnel", &[], &ours).await;
    assert_eq!((status, body.as_str()), (503, "too many reports under way"));
    assert_eq!(server.stats.snapshot().reports_in_flight, MAX_IN_FLIGHT);
    // The forwards give up at their deadline and free their places.
    let mut freed = false;
    for _ in 0..50 {
        if server.stats.snapshot().reports_in_flight == 0 {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(freed, "forwards outlived their deadline");
    let (status, _) = server.http("POST", "/api/sentry-tunnel", &[], &ours).await;
    assert_eq!(status, 200);
    assert!(
        wait_for(&received, "report while the ingest hangs")
            .await
            .is_some()
    );
}

#[tokio::test]
async fn the_tunnel_is_off_without_a_dsn() {
    let server = shared_server();
    assert_eq!(
        server
            .http(
                "POST",
                "/api/sentry-tunnel",
                &[],
                &envelope("http://public@127.0.0.1:9/1", "x")
            )
            .await
            .0,
        404
    );
}
