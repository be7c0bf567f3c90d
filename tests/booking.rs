//! Booking over real HTTP, as a browser without JavaScript does it: the form from `GET /book`,
//! posted back (`application/x-www-form-urlencoded`), the confirmation and the label. The
//! carrier is the built-in simulator, counted; one booking reference makes it fail.

mod common;

use common::*;
use promotions::booking::carrier::{BookFuture, Carrier, Shipment};
use promotions::booking::simulated_carrier::Simulator;
use promotions::booking::{Bookings, store::Store};
use promotions::config::Config;
use promotions::pickup;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The forms the carrier booked, one entry per booking (tests run at once: each counts its own).
#[derive(Clone, Default)]
struct Booked(Arc<Mutex<Vec<String>>>);

impl Booked {
    fn times(&self, form: &Form) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|f| **f == form.form_id)
            .count()
    }
}

/// The simulator, slow enough for two submits to overlap, recording what it books; a shipment
/// whose reference is `FAIL` fails as an unavailable carrier does.
struct CountingCarrier {
    inner: Simulator,
    booked: Booked,
}

impl Carrier for CountingCarrier {
    fn book(&self, shipment: &Shipment) -> BookFuture {
        if shipment.order.reference.as_deref() == Some("FAIL") {
            return Box::pin(async {
                Err(promotions::booking::carrier::CarrierError::Unavailable(
                    "test carrier: down".into(),
                ))
            });
        }
        let (answer, booked) = (self.inner.book(shipment), self.booked.clone());
        let form = shipment.order.form_id.clone();
        Box::pin(async move {
            let result = answer.await;
            booked.0.lock().unwrap().push(form);
            result
        })
    }
}

struct Fixture {
    server: TestServer,
    booked: Booked,
}

/// One server for the binary (pages are rendered by one Leptos router per process).
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = data_dir("booking");
        let config = Config::from_env().expect("config");
        let mut state =
            promotions::state::AppState::new(&config, Arc::new(CountingGuide::new(0.0)), None);
        let booked = Booked::default();
        let carrier = CountingCarrier {
            inner: Simulator {
                latency: Duration::from_millis(300),
                failure_rate: 0.0,
            },
            booked: booked.clone(),
        };
        let points = pickup::Cached::new(Arc::new(pickup::simulator::Simulator), pickup::CACHE_TTL);
        state.bookings = Arc::new(Bookings::new(
            Store::new(None, &dir).unwrap(),
            Arc::new(carrier),
            Arc::new(points),
            state.stats.clone(),
        ));
        Fixture {
            server: spawn_state(state, |routes| routes),
            booked,
        }
    })
}

const SEARCH: &str = "from_country=NO&from_postal=0150&to_country=NO&to_postal=9900&weight=1.2";

/// Whether a field's error line is shown (not `hidden`).
fn shows_error(html: &str, field: &str) -> bool {
    let Some(at) = html.find(&format!("data-testid=\"error-{field}\"")) else {
        return false;
    };
    let tag_start = html[..at].rfind('<').unwrap();
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').unwrap()];
    !tag.contains("hidden")
}

struct Form {
    form_id: String,
    point: String,
}

async fn open_form(server: &TestServer, product: &str) -> Form {
    let (status, html) = server
        .http("GET", &format!("/book?{SEARCH}&product={product}"), &[], "")
        .await;
    assert_eq!(status, 200, "{html}");
    Form {
        form_id: input_value(&html, "form_id").expect("the form has its key"),
        point: input_value(&html, "pickup_point").unwrap_or_default(),
    }
}

fn body(form: &Form, product: &str, reference: &str) -> String {
    format!(
        "{SEARCH}&product={product}&form_id={}&pickup_point={}&sender_name=Kari+Nordmann&sender_street=Storgata+1\
         &recipient_name=Ola+Nordmann&recipient_street=Kongens+gate+2&recipient_phone=912+34+567\
         &recipient_email=ola%40example.no&reference={reference}",
        form.form_id, form.point
    )
}

async fn post(server: &TestServer, body: &str) -> Reply {
    let origin = server.origin();
    server
        .exchange(
            "POST",
            "/book",
            &[
                ("origin", &origin),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            body,
        )
        .await
}

#[tokio::test]
async fn a_form_submitted_twice_at_once_books_once_and_its_pages_stay() {
    let Fixture { server, booked } = fixture();
    let form = open_form(server, "5800").await;
    assert_eq!(form.point.len(), 6, "the nearest pickup point is chosen");
    let submit = body(&form, "5800", "Order+42");
    let (first, second) = tokio::join!(post(server, &submit), post(server, &submit));
    assert_eq!((first.status, second.status), (303, 303), "{}", first.body);
    let location = first.header("location").unwrap().to_owned();
    assert_eq!(second.header("location"), Some(location.as_str()));
    assert_eq!(booked.times(&form), 1, "booked exactly once");
    // Later, too.
    assert_eq!(
        post(server, &submit).await.header("location"),
        Some(location.as_str())
    );

    let (status, page) = server.http("GET", &location, &[], "").await;
    assert_eq!(status, 200);
    let number = page
        .split("data-testid=\"shipment-number\">")
        .nth(1)
        .map(|s| &s[..18])
        .expect("the shipment number is shown");
    assert!(number.bytes().all(|b| b.is_ascii_digit()), "{number}");
    assert!(page.contains("Order 42"));
    let label = server
        .exchange("GET", &format!("{location}/label.pdf"), &[], "")
        .await;
    assert_eq!(label.status, 200);
    assert_eq!(label.header("content-type"), Some("application/pdf"));
    assert!(
        label
            .header("content-disposition")
            .unwrap()
            .contains(number)
    );
    assert!(label.body.starts_with("%PDF-"));
    assert!(label.body.contains("Ola Nordmann") && label.body.contains("Kongens gate 2"));
}

#[tokio::test]
async fn every_bad_field_is_named_and_everything_typed_comes_back() {
    let Fixture { server, booked } = fixture();
    let form = open_form(server, "5800").await;
    let bad = format!(
        "{SEARCH}&product=5800&form_id={}&pickup_point=999999&sender_name=&sender_street=12\
         &recipient_name={}&recipient_street=Kongens+gate+2&recipient_phone=12345\
         &recipient_email=ola%40example&reference={}",
        form.form_id,
        "x".repeat(40),
        "r".repeat(36)
    );
    let reply = post(server, &bad).await;
    assert_eq!(reply.status, 422);
    let html = &reply.body;
    for field in [
        "sender_name",
        "sender_street",
        "recipient_name",
        "recipient_phone",
        "recipient_email",
        "reference",
    ] {
        assert!(shows_error(html, field), "no error shown at {field}");
    }
    assert!(
        !shows_error(html, "recipient_street"),
        "a good field has no error"
    );
    assert!(html.contains("Enter a mobile number, e.g. 912 34 567"));
    // What was typed comes back, the good and the bad.
    assert_eq!(
        input_value(html, "recipient_street").as_deref(),
        Some("Kongens gate 2")
    );
    assert_eq!(
        input_value(html, "recipient_phone").as_deref(),
        Some("12345")
    );
    assert_eq!(input_value(html, "form_id"), Some(form.form_id.clone()));
    // A pickup point nobody offered, once the rest is right.
    let fixed = body(
        &Form {
            form_id: form.form_id.clone(),
            point: "999999".into(),
        },
        "5800",
        "",
    );
    let reply = post(server, &fixed).await;
    assert_eq!(reply.status, 422);
    assert!(shows_error(&reply.body, "pickup_point"));
    assert!(
        reply
            .body
            .contains("That pickup point is no longer offered")
    );
    assert_eq!(booked.times(&form), 0, "nothing was booked");
}

#[tokio::test]
async fn a_failing_carrier_is_said_plainly_and_the_form_can_be_sent_again() {
    let Fixture { server, booked } = fixture();
    let form = open_form(server, "5600").await;
    assert_eq!(form.point, "", "a door service has no pickup points");
    let reply = post(server, &body(&form, "5600", "FAIL")).await;
    assert_eq!(reply.status, 502);
    assert!(reply.body.contains("data-testid=\"book-failed\""));
    assert!(reply.body.contains("Nothing was booked"));
    assert_eq!(
        input_value(&reply.body, "recipient_email").as_deref(),
        Some("ola@example.no")
    );
    assert_eq!(
        input_value(&reply.body, "reference").as_deref(),
        Some("FAIL")
    );
    // The same form again, once the carrier answers: booked.
    assert_eq!(booked.times(&form), 0);
    let reply = post(server, &body(&form, "5600", "Retry")).await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert_eq!(booked.times(&form), 1);
}

#[tokio::test]
async fn what_is_not_a_form_gets_a_clear_answer() {
    let Fixture { server, .. } = fixture();
    // A key that is not one: a fresh key and the form again, nothing booked.
    let reply = post(
        server,
        &body(
            &Form {
                form_id: "abc".into(),
                point: String::new(),
            },
            "5600",
            "",
        ),
    )
    .await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("The form had expired"));
    let fresh = input_value(&reply.body, "form_id").unwrap();
    assert!(fresh.len() == 32 && fresh != "abc");
    // Garbage: every field named.
    let reply = post(server, "\u{1}%%%&&==&x=%ZZ").await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("This booking link is incomplete"));
    // Too big.
    let huge = format!("sender_name={}", "a".repeat(20 * 1024));
    assert_eq!(post(server, &huge).await.status, 413);
    // Another site's form.
    let cross = server
        .exchange(
            "POST",
            "/book",
            &[("origin", "https://evil.example")],
            &body(&open_form(server, "5600").await, "5600", ""),
        )
        .await;
    assert_eq!(cross.status, 403);
    let cross = server
        .exchange("POST", "/book", &[("sec-fetch-site", "cross-site")], "")
        .await;
    assert_eq!(cross.status, 403);
}

#[tokio::test]
async fn links_that_name_nothing_say_so() {
    let Fixture { server, .. } = fixture();
    // A product the route does not have.
    let (status, html) = server
        .http("GET", &format!("/book?{SEARCH}&product=0340"), &[], "")
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("data-testid=\"book-unavailable\""));
    assert!(!html.contains("data-testid=\"booking-form\""));
    // No search at all.
    let (status, html) = server.http("GET", "/book?product=5800", &[], "").await;
    assert_eq!(status, 400);
    assert!(html.contains("This booking link is incomplete"));
    // No such booking, or not an id.
    for path in ["/booking/0123456789abcdef0123456789abcdef", "/booking/nope"] {
        let (status, html) = server.http("GET", path, &[], "").await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("We found no booking at this address"));
        let (status, _) = server
            .http("GET", &format!("{path}/label.pdf"), &[], "")
            .await;
        assert_eq!(status, 404);
    }
}
