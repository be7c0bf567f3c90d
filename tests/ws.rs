//! `/ws/promotions` against the real server with a real WebSocket client.

mod common;

use app::error::ErrorCode;
use app::model::ProductId;
use app::protocol::ServerMessage;
use common::*;
use futures::{SinkExt, StreamExt};
use serde_json::json;
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::{self, Message};

const TIMEOUT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_search_gets_accepted_then_one_outcome_per_product_then_done() {
    let server = start(CountingGuide::new(0.0), TIMEOUT).await;
    let mut ws = server.connect().await;
    send_json(&mut ws, search_json(7, "0150", "9900", 1200)).await;

    let ServerMessage::Accepted {
        search_id: 7,
        products,
        places,
    } = expect_message(&mut ws).await
    else {
        panic!("accepted must come first");
    };
    let ids: Vec<&str> = products.iter().map(ProductId::as_str).collect();
    assert_eq!(ids, ["5800", "5600", "3584", "5000", "4850"]);
    assert_eq!(places.from.as_deref(), Some("OSLO"));
    assert_eq!(places.to.as_deref(), Some("KIRKENES"));

    let mut seen = HashSet::new();
    for _ in 0..products.len() {
        match expect_message(&mut ws).await {
            ServerMessage::Offer {
                search_id: 7,
                offer,
            } => {
                assert!(offer.price.with_vat_minor > 0);
                assert!(seen.insert(offer.product_id));
            }
            ServerMessage::Unavailable {
                search_id: 7,
                product_id,
                ..
            } => assert!(seen.insert(product_id)),
            other => panic!("expected an outcome, got {other:?}"),
        }
    }
    assert_eq!(seen, products.into_iter().collect());
    assert_eq!(
        expect_message(&mut ws).await,
        ServerMessage::Done { search_id: 7 }
    );
    assert_eq!(
        next_message(&mut ws, Duration::from_millis(200)).await,
        None,
        "nothing after done"
    );
}

#[tokio::test]
async fn a_slow_product_does_not_delay_the_fast_ones() {
    // Fast products 4–12 ms, express 200–500 ms.
    let server = start(CountingGuide::new(0.2), TIMEOUT).await;
    let mut ws = server.connect().await;
    let sent = Instant::now();
    send_json(&mut ws, search_json(1, "0150", "9900", 1200)).await;
    assert!(matches!(
        expect_message(&mut ws).await,
        ServerMessage::Accepted { .. }
    ));
    let mut order = Vec::new();
    let mut first_at = None;
    loop {
        match expect_message(&mut ws).await {
            ServerMessage::Offer { offer, .. } => {
                first_at.get_or_insert(sent.elapsed());
                order.push(offer.product_id.0);
            }
            ServerMessage::Done { .. } => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        order.last().map(String::as_str),
        Some("4850"),
        "express answers last: {order:?}"
    );
    let first = first_at.unwrap();
    let all = sent.elapsed();
    println!("first offer after {first:?}, all after {all:?}");
    assert!(
        first < all / 2,
        "the first offer came at {first:?} of {all:?}"
    );
}

#[tokio::test]
async fn cancel_stops_the_upstream_calls() {
    let guide = CountingGuide::new(1.0);
    let server = start(guide.clone(), TIMEOUT).await;
    let mut ws = server.connect().await;
    send_json(&mut ws, search_json(3, "0150", "9900", 1200)).await;
    assert!(matches!(
        expect_message(&mut ws).await,
        ServerMessage::Accepted { .. }
    ));
    // The four fast products answer within 60 ms; express takes over a second.
    for _ in 0..4 {
        assert!(matches!(
            expect_message(&mut ws).await,
            ServerMessage::Offer { .. }
        ));
    }
    assert_eq!(
        guide.active.load(Ordering::SeqCst),
        1,
        "express still asking"
    );
    send_json(&mut ws, json!({"type": "cancel", "search_id": 3})).await;
    assert!(
        eventually(|| guide.active.load(Ordering::SeqCst) == 0).await,
        "upstream call not stopped"
    );
    assert!(eventually(|| server.stats.searches_in_flight.load(Ordering::SeqCst) == 0).await);
    assert_eq!(
        next_message(&mut ws, Duration::from_millis(300)).await,
        None,
        "a cancelled search sends nothing more"
    );
    assert_eq!(guide.started.load(Ordering::SeqCst), 5);
    assert_eq!(guide.finished.load(Ordering::SeqCst), 4);
    // The socket still works.
    assert_pong(&mut ws, 9).await;
}

#[tokio::test]
async fn a_client_that_vanishes_mid_search_cancels_it() {
    let guide = CountingGuide::new(1.0);
    let server = start(guide.clone(), TIMEOUT).await;
    let mut ws = server.connect().await;
    send_json(&mut ws, search_json(1, "0150", "9170", 1200)).await; // Svalbard: groupage is slow
    send_json(&mut ws, search_json(2, "0150", "9900", 1200)).await;
    assert!(matches!(
        expect_message(&mut ws).await,
        ServerMessage::Accepted { .. }
    ));
    assert!(eventually(|| guide.active.load(Ordering::SeqCst) >= 2).await);
    drop(ws);
    assert!(
        eventually(|| guide.active.load(Ordering::SeqCst) == 0).await,
        "upstream calls leaked"
    );
    assert!(
        eventually(|| server.stats.sockets.load(Ordering::SeqCst) == 0).await,
        "socket task leaked"
    );
    assert_eq!(server.stats.searches_in_flight.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_foreign_or_missing_origin_gets_403_and_no_upgrade() {
    let server = start(CountingGuide::new(0.0), TIMEOUT).await;
    for origin in [
        Some("http://evil.test"),
        Some("null"),
        None,
        Some(&*format!("{}.evil.test", server.origin())),
    ] {
        match server.connect_with_origin(origin).await {
            Err(tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 403, "{origin:?}"),
            other => panic!("{origin:?} was not refused: {:?}", other.map(|_| ())),
        }
    }
    assert_eq!(server.stats.rejected_origins.load(Ordering::SeqCst), 4);
    assert_eq!(server.stats.sockets.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_server_speaks_only_after_the_client_and_answers_pings() {
    let server = start(CountingGuide::new(0.0), TIMEOUT).await;
    let mut ws = server.connect().await;
    assert_eq!(
        next_message(&mut ws, Duration::from_millis(300)).await,
        None
    );
    assert_pong(&mut ws, 3).await;
}

fn error_code(msg: ServerMessage) -> (Option<u64>, ErrorCode, Option<String>) {
    match msg {
        ServerMessage::Error {
            search_id,
            code,
            field,
            ..
        } => (search_id, code, field),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_messages_get_typed_errors_and_the_socket_keeps_serving() {
    let server = start(CountingGuide::new(0.0), TIMEOUT).await;
    let mut ws = server.connect().await;
    ws.send(Message::Text("{not json".into())).await.unwrap();
    assert_eq!(
        error_code(expect_message(&mut ws).await).1,
        ErrorCode::BadMessage
    );
    send_json(&mut ws, json!({"type": "subscribe", "topic": "all"})).await;
    assert_eq!(
        error_code(expect_message(&mut ws).await).1,
        ErrorCode::UnknownMessageType
    );
    send_json(&mut ws, search_json(4, "0150", "99", 1200)).await;
    assert_eq!(
        error_code(expect_message(&mut ws).await),
        (
            Some(4),
            ErrorCode::InvalidPostalCode,
            Some("to_postal".into())
        )
    );
    let mut unknown_country = search_json(5, "0150", "9900", 1200);
    unknown_country["request"]["to"]["country"] = json!("XX");
    send_json(&mut ws, unknown_country).await;
    assert_eq!(
        error_code(expect_message(&mut ws).await).1,
        ErrorCode::UnknownCountry
    );
    send_json(&mut ws, search_json(6, "0150", "9900", 0)).await;
    assert_eq!(
        error_code(expect_message(&mut ws).await).1,
        ErrorCode::WeightOutOfRange
    );
    // Still serving.
    send_json(&mut ws, search_json(8, "0150", "9900", 1200)).await;
    assert!(matches!(
        expect_message(&mut ws).await,
        ServerMessage::Accepted { search_id: 8, .. }
    ));
}

#[tokio::test]
async fn binary_frames_are_closed_with_1003() {
    let server = start(CountingGuide::new(0.0), TIMEOUT).await;
    let mut ws = server.connect().await;
    ws.send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    assert_eq!(close_code(&mut ws).await, Some(1003));
    // Other sockets are unaffected.
    let mut other = server.connect().await;
    assert_pong(&mut other, 1).await;
}

#[tokio::test]
async fn oversized_frames_are_closed_with_1009() {
    let server = start(CountingGuide::new(0.0), TIMEOUT).await;
    let mut ws = server.connect().await;
    let huge = format!(
        r#"{{"type":"ping","nonce":1,"pad":"{}"}}"#,
        "x".repeat(20 * 1024)
    );
    ws.send(Message::Text(huge.into())).await.unwrap();
    assert_eq!(close_code(&mut ws).await, Some(1009));
    let mut other = server.connect().await;
    assert_pong(&mut other, 2).await;
}

#[tokio::test]
async fn at_most_four_searches_run_per_socket() {
    let server = start(CountingGuide::new(1.0), TIMEOUT).await;
    let mut ws = server.connect().await;
    for id in 1..=4 {
        send_json(&mut ws, search_json(id, "0150", "9170", 1200)).await;
        assert!(matches!(
            expect_message(&mut ws).await,
            ServerMessage::Accepted { .. }
        ));
    }
    send_json(&mut ws, search_json(5, "0150", "9170", 1200)).await;
    loop {
        match expect_message(&mut ws).await {
            ServerMessage::Error {
                search_id, code, ..
            } => {
                assert_eq!((search_id, code), (Some(5), ErrorCode::TooManySearches));
                break;
            }
            ServerMessage::Offer { .. } | ServerMessage::Unavailable { .. } => continue,
            other => panic!("{other:?}"),
        }
    }
    // Cancelling one makes room.
    send_json(&mut ws, json!({"type": "cancel", "search_id": 1})).await;
    send_json(&mut ws, search_json(6, "0150", "9170", 1200)).await;
    loop {
        match expect_message(&mut ws).await {
            ServerMessage::Accepted { search_id, .. } => {
                assert_eq!(search_id, 6);
                break;
            }
            ServerMessage::Offer { .. } | ServerMessage::Unavailable { .. } => continue,
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_slow_guide_times_out_per_product() {
    // Express takes 1–2.5 s; the service gives each product 300 ms.
    let server = start(CountingGuide::new(1.0), Duration::from_millis(300)).await;
    let mut ws = server.connect().await;
    send_json(&mut ws, search_json(1, "0150", "9900", 1200)).await;
    let mut timeouts = Vec::new();
    loop {
        match expect_message(&mut ws).await {
            ServerMessage::Unavailable {
                product_id, reason, ..
            } => {
                assert_eq!(reason, app::model::UnavailableReason::Timeout);
                timeouts.push(product_id.0);
            }
            ServerMessage::Done { .. } => break,
            _ => {}
        }
    }
    assert_eq!(timeouts, ["4850"]);
}

/// The simulator with one fault per product of a domestic plan: 5800 answers, 5600 fails,
/// 3584 trickles forever (slow-loris: it keeps waking up but never finishes), 5000 panics and
/// 4850 answers only after the quote timeout.
struct FaultyGuide(promotions::guide::simulator::Simulator);

impl promotions::guide::ShippingGuide for FaultyGuide {
    fn quote(
        &self,
        request: &app::model::SearchRequest,
        product: &ProductId,
        ships: time::Date,
    ) -> promotions::guide::QuoteFuture {
        let answer = self.0.quote(request, product, ships);
        let product = product.as_str().to_owned();
        Box::pin(async move {
            match product.as_str() {
                "5600" => Err(promotions::guide::GuideError::Upstream("HTTP 502".into())),
                "3584" => loop {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                },
                "5000" => panic!("deliberate panic in one product's task"),
                "4850" => {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    answer.await
                }
                _ => answer.await,
            }
        })
    }
}

#[tokio::test]
async fn every_kind_of_guide_fault_costs_its_product_only_and_the_search_still_ends() {
    use app::model::UnavailableReason::{Timeout, UpstreamError};
    let guide = FaultyGuide(promotions::guide::simulator::Simulator::new(0.0, 0.0));
    use app::i18n::{Lang, Texts, W};
    let server = start(guide, Duration::from_millis(500)).await;
    // A bokmål page: every reason in its words, the panicked product's too.
    let url = format!("ws://{}/ws/promotions?lang=nb", server.addr);
    let mut ws = connect_url(&url, Some(&server.origin()), &[])
        .await
        .expect("websocket connects");
    send_json(&mut ws, search_json(1, "0150", "9900", 1200)).await;
    assert!(matches!(
        expect_message(&mut ws).await,
        ServerMessage::Accepted { .. }
    ));
    let (mut offers, mut unavailable) = (Vec::new(), Vec::new());
    loop {
        match expect_message(&mut ws).await {
            ServerMessage::Offer { offer, .. } => offers.push(offer.product_id.0),
            ServerMessage::Unavailable {
                product_id,
                reason,
                message,
                ..
            } => unavailable.push((product_id.0, reason, message)),
            ServerMessage::Done { .. } => break,
            other => panic!("{other:?}"),
        }
    }
    unavailable.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(offers, ["5800"]);
    let nb = Texts::new(Lang::Nb, false);
    let (timeout, upstream) = (nb.get(W::ReasonTimeout), nb.get(W::ReasonUpstream));
    assert_eq!(
        unavailable,
        [
            ("3584".to_owned(), Timeout, timeout.to_owned()),
            ("4850".to_owned(), Timeout, timeout.to_owned()),
            ("5000".to_owned(), UpstreamError, upstream.to_owned()),
            ("5600".to_owned(), UpstreamError, upstream.to_owned()),
        ]
    );
    // Nothing of it lingers: no upstream call, no search.
    assert!(
        eventually(|| {
            let s = server.stats.snapshot();
            s.upstream_calls_in_flight == 0 && s.searches_in_flight == 0
        })
        .await
    );
    // The socket serves the next search.
    assert_pong(&mut ws, 5).await;
}

#[tokio::test]
async fn on_shutdown_running_searches_finish_then_sockets_close_with_1001() {
    let server = start(CountingGuide::new(1.0), TIMEOUT).await;
    let mut ws = server.connect().await;
    send_json(&mut ws, search_json(1, "0150", "9170", 1200)).await; // groupage takes 1.5-3 s
    assert!(matches!(
        expect_message(&mut ws).await,
        ServerMessage::Accepted { .. }
    ));
    let mut idle = server.connect().await;
    assert_pong(&mut idle, 1).await;

    server.state.shutdown.cancel();
    // An idle socket closes at once.
    // The page tells a restart from a hostile proxy by this reason.
    let restart = Some((1001, app::protocol::close::REASON_SHUTDOWN.to_owned()));
    assert_eq!(close_frame(&mut idle).await, restart);
    // A new search is refused while the running one finishes.
    send_json(&mut ws, search_json(2, "0150", "9900", 1200)).await;
    let mut refused = false;
    let mut outcomes = 0;
    loop {
        match expect_message(&mut ws).await {
            ServerMessage::Error {
                search_id: Some(2),
                code,
                ..
            } => {
                assert_eq!(code, ErrorCode::ShuttingDown);
                refused = true;
            }
            ServerMessage::Offer { .. } | ServerMessage::Unavailable { .. } => outcomes += 1,
            ServerMessage::Done { search_id: 1 } => break,
            other => panic!("{other:?}"),
        }
    }
    assert!(refused);
    assert_eq!(outcomes, 4, "every outcome of the running search arrives");
    assert_eq!(close_frame(&mut ws).await, restart);
}

fn with_timeouts(timeouts: promotions::search::clocks::Timeouts) -> TestServer {
    let config = promotions::config::Config::from_env().expect("config");
    let mut state = promotions::state::AppState::new(
        &config,
        std::sync::Arc::new(CountingGuide::new(0.0)),
        None,
    );
    state.socket_timeouts = timeouts;
    spawn_state(state, |routes| routes)
}

#[tokio::test]
async fn a_socket_that_never_speaks_is_closed_after_the_idle_limit() {
    let server = with_timeouts(promotions::search::clocks::Timeouts {
        ping_every: Duration::from_millis(100),
        idle_limit: Duration::from_millis(500),
        send_limit: Duration::from_secs(1),
    });
    let mut silent = server.connect().await;
    // Nothing arrives before the close: the server never speaks first.
    assert_eq!(
        close_frame(&mut silent).await,
        Some((1001, "idle".to_owned()))
    );
    assert!(eventually(|| server.stats.snapshot().sockets == 0).await);
}

/// The server's pings a socket receives within `span`, the socket answering each (tungstenite
/// answers a ping as it reads) and, when `talk` is set, sending the page's `ping` every 25 ms.
async fn server_pings(ws: &mut Ws, span: Duration, talk: bool) -> usize {
    let end = tokio::time::Instant::now() + span;
    let mut nonce = 10;
    let mut talking = tokio::time::interval(Duration::from_millis(25));
    let mut pings = 0;
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(end) => return pings,
            _ = talking.tick(), if talk => {
                nonce += 1;
                send_json(ws, json!({"type": "ping", "nonce": nonce})).await;
            }
            frame = ws.next() => match frame {
                Some(Ok(Message::Ping(_))) => pings += 1,
                Some(Ok(Message::Text(_) | Message::Pong(_))) => {}
                other => panic!("the socket ended: {other:?}"),
            },
        }
    }
}

#[tokio::test]
async fn the_server_pings_a_client_only_when_it_has_been_silent_for_an_interval() {
    let server = with_timeouts(promotions::search::clocks::Timeouts {
        ping_every: Duration::from_millis(200),
        idle_limit: Duration::from_millis(1400),
        send_limit: Duration::from_secs(1),
    });
    let (mut talking, mut silent) = (server.connect().await, server.connect().await);
    // Both have spoken once: before that the server sends nothing at all.
    assert_pong(&mut talking, 1).await;
    assert_pong(&mut silent, 2).await;
    let span = Duration::from_millis(2000);
    let (talked, waited) = tokio::join!(
        server_pings(&mut talking, span, true),
        server_pings(&mut silent, span, false),
    );
    // A page that speaks more often than the heartbeat ticks shows it is there: no ping.
    assert_eq!(talked, 0, "pings to a client that kept talking");
    // One that only answers pings gets one per tick (10 in 2 s; timers on a busy machine
    // may lose a few), and its pongs keep it open past the idle limit.
    assert!(waited >= 5, "{waited} pings to a silent client in 2 s");
    assert_pong(&mut silent, 3).await;
    // The talking one still serves, once the pongs of its last pings are read.
    send_json(&mut talking, json!({"type": "ping", "nonce": 4})).await;
    loop {
        match expect_message(&mut talking).await {
            ServerMessage::Pong { nonce: 4 } => break,
            ServerMessage::Pong { nonce } if nonce > 10 => {}
            other => panic!("expected the pongs, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_peer_that_stops_reading_cannot_hold_its_socket() {
    let server = with_timeouts(promotions::search::clocks::Timeouts {
        send_limit: Duration::from_millis(300),
        ..promotions::search::clocks::Timeouts::default()
    });
    let ws = server.connect().await;
    // The peer keeps asking (pings answered by pongs) but never reads: the answers pile up
    // in the kernel's buffers until the server's next send cannot leave.
    let (mut writer, _never_read) = ws.split();
    let asking = tokio::spawn(async move {
        for nonce in 0u64.. {
            let ping = serde_json::json!({"type": "ping", "nonce": nonce}).to_string();
            let sent = tokio::time::timeout(
                Duration::from_secs(5),
                writer.send(Message::Text(ping.into())),
            )
            .await;
            if !matches!(sent, Ok(Ok(()))) {
                return nonce;
            }
        }
        unreachable!()
    });
    let mut freed = false;
    for _ in 0..300 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if server.stats.snapshot().sockets == 0 {
            freed = true;
            break;
        }
    }
    assert!(
        freed,
        "the server still holds the socket of a peer that does not read"
    );
    let asked = asking.await.unwrap();
    assert!(
        asked > 1000,
        "only {asked} pings were sent before the server gave up"
    );
}

#[tokio::test]
async fn a_probe_streams_its_frames_spread_out_and_one_runs_at_a_time() {
    use app::protocol::{PROBE_EVERY_MS, PROBE_FRAMES};
    let server = start(CountingGuide::new(0.0), TIMEOUT).await;
    let mut ws = server.connect().await;
    let started = Instant::now();
    send_json(&mut ws, json!({"type": "probe"})).await;
    send_json(&mut ws, json!({"type": "probe"})).await;
    let mut arrivals = Vec::new();
    let mut refused = 0;
    while arrivals.len() < PROBE_FRAMES as usize {
        match expect_message(&mut ws).await {
            ServerMessage::ProbeFrame { seq, of } => {
                assert_eq!((seq, of), (arrivals.len() as u32, PROBE_FRAMES));
                arrivals.push(started.elapsed());
            }
            ServerMessage::Error { code, .. } => {
                assert_eq!(code, ErrorCode::ProbeRunning);
                refused += 1;
            }
            other => panic!("expected a probe frame, got {other:?}"),
        }
    }
    assert_eq!(
        refused, 1,
        "the second probe is refused while the first runs"
    );
    let spread = arrivals[arrivals.len() - 1] - arrivals[0];
    let expected = Duration::from_millis(PROBE_EVERY_MS * (PROBE_FRAMES as u64 - 1));
    assert!(
        spread >= expected,
        "frames spread over {spread:?}, expected {expected:?}"
    );
    assert!(
        arrivals[0] < Duration::from_millis(PROBE_EVERY_MS),
        "the first frame comes at once"
    );
    // Finished, a new probe may start.
    send_json(&mut ws, json!({"type": "probe"})).await;
    assert_eq!(
        expect_message(&mut ws).await,
        ServerMessage::ProbeFrame {
            seq: 0,
            of: PROBE_FRAMES
        }
    );
}

#[tokio::test]
async fn a_client_gone_mid_probe_leaves_nothing_running() {
    let server = start(CountingGuide::new(0.0), TIMEOUT).await;
    let mut ws = server.connect().await;
    send_json(&mut ws, json!({"type": "probe"})).await;
    assert!(matches!(
        expect_message(&mut ws).await,
        ServerMessage::ProbeFrame { seq: 0, .. }
    ));
    drop(ws);
    let stats = server.state.stats.clone();
    assert!(
        eventually(|| stats.sockets.load(Ordering::Relaxed) == 0).await,
        "the socket's loop did not end"
    );
}
