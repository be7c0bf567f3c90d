//! What the server writes itself (a service's reason, a refused search) reads in the page's
//! language: `?lang=` on the socket's URL, `Accept-Language` on the socket and the calls.

mod common;

use app::model::SearchRequest;
use app::model::{Outcome, ProductId};
use app::protocol::ServerMessage;
use common::*;
use promotions::limits::Settings;

/// 10 kg: too heavy for the mailbox parcel (3584), which carries up to 5 kg.
const HEAVY: u32 = 10_000;

/// The mailbox parcel's reason on a socket at this URL.
async fn mailbox_reason_on(url: &str, origin: &str, headers: &[(&'static str, &str)]) -> String {
    let mut ws = connect_url(url, Some(origin), headers)
        .await
        .expect("socket");
    send_json(&mut ws, search_json(1, "0150", "9900", HEAVY)).await;
    loop {
        match expect_message(&mut ws).await {
            ServerMessage::Unavailable {
                product_id,
                message,
                ..
            } if product_id == ProductId::new("3584") => return message,
            ServerMessage::Done { .. } => panic!("the mailbox parcel was not refused"),
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_socket_writes_reasons_in_the_language_its_page_names() {
    let server = start(CountingGuide::new(0.0), std::time::Duration::from_secs(5)).await;
    let (origin, base) = (
        server.origin(),
        format!("ws://{}/ws/promotions", server.addr),
    );
    let nb = "Tar opptil 5 kg";
    let en = "Carries up to 5 kg";
    type Headers<'a> = &'a [(&'static str, &'a str)];
    let cases: [(String, Headers, &str); 4] = [
        (format!("{base}?lang=nb"), &[], nb),
        (base.clone(), &[("accept-language", "nb-NO,nb;q=0.9")], nb),
        // The page's choice wins over the browser's.
        (format!("{base}?lang=en"), &[("accept-language", "nb")], en),
        (base.clone(), &[], en),
    ];
    for (url, headers, want) in cases {
        assert_eq!(
            mailbox_reason_on(&url, &origin, headers).await,
            want,
            "{url} {headers:?}"
        );
    }
}

#[tokio::test]
async fn a_quote_call_writes_its_reason_in_the_accepted_language() {
    let server = start(CountingGuide::new(0.0), std::time::Duration::from_secs(5)).await;
    let body = serde_json::json!({"request": SearchRequest::between(("NO", "0150"), ("NO", "9900"), HEAVY), "product_id": "3584"})
    .to_string();
    for (language, want) in [("nb", "Tar opptil 5 kg"), ("en-GB", "Carries up to 5 kg")] {
        let headers = [
            ("content-type", "application/json"),
            ("accept-language", language),
        ];
        let (status, answer) = server
            .http("POST", "/api/quote_product", &headers, &body)
            .await;
        assert_eq!(status, 200, "{answer}");
        let Outcome::Unavailable { message, .. } = serde_json::from_str(&answer).unwrap() else {
            panic!("{answer}")
        };
        assert_eq!(message, want);
    }
}

#[tokio::test]
async fn a_refused_search_says_when_to_come_back_in_the_pages_language() {
    let server = with_limits(Settings {
        searches_per_minute: 1,
        ..Settings::default()
    });
    let cookie = new_session(&server).await;
    let body = |to: &str| {
        serde_json::json!({"request": SearchRequest::between(("NO", "0150"), ("NO", to), 1000)})
            .to_string()
    };
    let headers = [
        ("content-type", "application/json"),
        ("accept-language", "nb"),
        ("cookie", cookie.as_str()),
    ];
    let (status, _) = server
        .http("POST", "/api/plan_search", &headers, &body("9900"))
        .await;
    assert_eq!(status, 200);
    let (status, refused) = server
        .http("POST", "/api/plan_search", &headers, &body("5003"))
        .await;
    assert_eq!(status, 429, "{refused}");
    assert!(
        refused.contains("For mange søk det siste minuttet. Prøv igjen om"),
        "{refused}"
    );
    // The same session's socket, on a page in bokmål (another search: the first one's own
    // would be free on the other tier).
    let url = format!("ws://{}/ws/promotions?lang=nb", server.addr);
    let mut ws = connect_url(&url, Some(&server.origin()), &[("cookie", &cookie)])
        .await
        .expect("socket");
    send_json(&mut ws, search_json(1, "0150", "7010", 1000)).await;
    let ServerMessage::Error { message, .. } = expect_message(&mut ws).await else {
        panic!("the search should be refused")
    };
    assert!(message.starts_with("For mange søk"), "{message}");
}
