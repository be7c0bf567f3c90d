//! Cut-off times over the socket: what the page is told about when each service ships, read
//! from the configured clock (CLOCK_START), and delivery dates counted from that day.

mod common;

use app::model::Offer;
use app::protocol::ServerMessage;
use common::*;
use promotions::clock::Clock;
use promotions::config::Config;
use std::collections::HashMap;

/// The offers of an Oslo → Oslo search with the clock at `at`.
async fn offers_at(at: &str) -> HashMap<String, Offer> {
    let mut config = Config::from_env().unwrap();
    config.clock = Clock::parse(at).unwrap();
    let server = spawn_with(config, CountingGuide::new(0.0), |r| r);
    let mut ws = server.connect().await;
    send_json(&mut ws, search_json(1, "0150", "0560", 1200)).await;
    let mut offers = HashMap::new();
    loop {
        match expect_message(&mut ws).await {
            ServerMessage::Accepted { .. } => {}
            ServerMessage::Offer { offer, .. } => {
                offers.insert(offer.product_id.to_string(), offer);
            }
            ServerMessage::Done { .. } => break,
            other => panic!("{other:?}"),
        }
    }
    offers
}

fn ships(offer: &Offer) -> (&str, &str, bool) {
    let d = offer
        .dispatch
        .as_ref()
        .expect("every offer says when it ships");
    (d.order_by.as_str(), d.ships.as_str(), d.today)
}

#[tokio::test]
async fn each_service_ships_today_until_its_own_cutoff_and_dates_count_from_that_day() {
    // Friday 4 December 2026, 14:30 in Oslo.
    let offers = offers_at("2026-12-04T14:30:00+01:00").await;
    assert_eq!(offers.len(), 5);
    // Pickup point parcel (15:00): today; one working day later is Monday.
    assert_eq!(ships(&offers["5800"]), ("15:00", "2026-12-04", true));
    assert_eq!(offers["5800"].lead_time.expected_delivery, "2026-12-07");
    // Home delivery (14:00): missed, so Monday; delivered Tuesday, or one of the three
    // working days after.
    assert_eq!(ships(&offers["5600"]), ("14:00", "2026-12-07", false));
    assert_eq!(offers["5600"].lead_time.expected_delivery, "2026-12-08");
    assert_eq!(
        offers["5600"].lead_time.alternatives,
        ["2026-12-09", "2026-12-10", "2026-12-11"]
    );
    assert!(offers["5800"].lead_time.alternatives.is_empty());
    // Express (17:00) and mailbox (16:00): today.
    assert_eq!(ships(&offers["4850"]), ("17:00", "2026-12-04", true));
    assert_eq!(ships(&offers["3584"]), ("16:00", "2026-12-04", true));
}

#[tokio::test]
async fn on_christmas_eve_afternoon_everything_ships_after_the_holidays() {
    // Thursday 24 December 2026, 16:30: past every cut-off but express; the 25th and 26th are
    // holidays, the 27th a Sunday.
    let offers = offers_at("2026-12-24T16:30:00+01:00").await;
    assert_eq!(ships(&offers["4850"]), ("17:00", "2026-12-24", true));
    for id in ["5800", "5600", "3584", "5000"] {
        let (_, day, today) = ships(&offers[id]);
        assert_eq!((day, today), ("2026-12-28", false), "{id}");
    }
    assert_eq!(offers["5800"].lead_time.expected_delivery, "2026-12-29");
}
