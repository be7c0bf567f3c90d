//! No task or memory leak: 10,000 searches, some cancelled, some abandoned by clients that
//! vanish mid-search, some HTTP quotes dropped mid-request; afterwards the server's live tasks
//! and counters (read from `/healthz`) are back at the idle level and its memory has not grown
//! with the number of searches. Alone in its binary so nothing else runs on the server.

mod common;

use app::protocol::ServerMessage;
use common::*;
use promotions::config::Config;
use promotions::guide::simulator::Simulator;
use promotions::guide::{QuoteFuture, ShippingGuide};
use promotions::stats::Health;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

const SEARCHES: usize = 10_000;
const CLIENTS: usize = 100;

async fn health(server: &TestServer) -> Health {
    let (status, body) = server.http("GET", "/healthz", &[], "").await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// Waits up to 10 s for the server to be idle with at most `tasks` live tasks.
async fn settled(server: &TestServer, tasks: usize) -> Health {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let h = health(server).await;
        if (h.counters.is_idle() && h.tasks <= tasks) || Instant::now() > deadline {
            return h;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The simulator, except that parcels whose weight in grams ends in 7 are never quoted: the
/// searches a client gives up on use them, so only cancellation can end their tasks.
struct Hangs(Simulator);

impl ShippingGuide for Hangs {
    fn quote(
        &self,
        request: &app::model::SearchRequest,
        product: &app::model::ProductId,
        ships: time::Date,
    ) -> QuoteFuture {
        if request.parcel.weight_grams % 10 == 7 {
            Box::pin(std::future::pending())
        } else {
            self.0.quote(request, product, ships)
        }
    }
}

/// What one client did.
#[derive(Default)]
struct Tally {
    completed: usize,
    cancelled: usize,
    abandoned: usize,
    lost: usize,
}

/// Runs `count` searches on one socket: every 10th is cancelled once accepted, every 25th is
/// abandoned by dropping the socket mid-search (the client reconnects), every 50th also
/// starts an HTTP quote and drops the connection before the answer.
async fn client(server: &TestServer, first: usize, count: usize) -> Tally {
    let mut tally = Tally::default();
    let mut ws = server.connect().await;
    let postal = ["0150", "9900", "5003", "9170", "7010", "2000"];
    for n in first..first + count {
        let (from, to) = (postal[n % 6], postal[(n / 6) % 6]);
        let give_up = n % 10 == 0 || n % 25 == 0;
        let grams = 100 + (n % 50) as u32 * 500 + if give_up { 7 } else { 0 };
        send_json(&mut ws, search_json(n as u64, from, to, grams)).await;
        let planned = loop {
            match expect_message(&mut ws).await {
                ServerMessage::Accepted {
                    search_id,
                    products,
                    ..
                } if search_id == n as u64 => break products.len(),
                // Late outcomes of a cancelled search.
                ServerMessage::Offer { .. }
                | ServerMessage::Unavailable { .. }
                | ServerMessage::Done { .. } => {}
                other => panic!("expected accepted, got {other:?}"),
            }
        };
        if n % 50 == 0 {
            let mut http = tokio::net::TcpStream::connect(server.addr).await.unwrap();
            let body = serde_json::json!({"request": search_json(0, from, to, grams)["request"], "product_id": "4850"}).to_string();
            let req = format!(
                "POST /api/quote_product HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            http.write_all(req.as_bytes()).await.unwrap();
            drop(http);
        }
        if n % 25 == 0 {
            tally.abandoned += 1;
            drop(ws);
            ws = server.connect().await;
            continue;
        }
        if n % 10 == 0 {
            tally.cancelled += 1;
            send_json(
                &mut ws,
                serde_json::json!({"type": "cancel", "search_id": n}),
            )
            .await;
            // Outcomes already on their way may still come; the next search's `accepted` is
            // told apart by its id.
            continue;
        }
        let mut outcomes = 0;
        loop {
            match expect_message(&mut ws).await {
                ServerMessage::Offer { search_id, .. }
                | ServerMessage::Unavailable { search_id, .. }
                    if search_id == n as u64 =>
                {
                    outcomes += 1
                }
                ServerMessage::Done { search_id } if search_id == n as u64 => break,
                // Late outcomes of a cancelled search.
                ServerMessage::Offer { .. }
                | ServerMessage::Unavailable { .. }
                | ServerMessage::Done { .. } => {}
                other => panic!("{other:?}"),
            }
        }
        if outcomes == planned {
            tally.completed += 1;
        } else {
            tally.lost += 1;
        }
    }
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_searches_leave_no_tasks_or_memory_behind() {
    let mut config = Config::from_env().expect("config");
    // Searches given up on hang far longer than the test runs, so only cancellation ends them.
    config.quote_timeout = Duration::from_secs(600);
    config.limits = promotions::limits::Settings::unlimited();
    let server = spawn_with(config, Hangs(Simulator::new(0.01, 0.0)), |routes| routes);

    // Warm up, so allocator pools and lazy statics are in the baseline.
    futures::future::join_all((0..CLIENTS).map(|c| client(&server, 1_000_000 + c * 5, 5))).await;
    let before = settled(&server, usize::MAX).await;

    let started = Instant::now();
    let per_client = SEARCHES / CLIENTS;
    let tallies = futures::future::join_all(
        (0..CLIENTS).map(|c| client(&server, c * per_client, per_client)),
    )
    .await;
    let elapsed = started.elapsed();
    let sum = |f: fn(&Tally) -> usize| tallies.iter().map(f).sum::<usize>();
    let (completed, cancelled, abandoned, lost) = (
        sum(|t| t.completed),
        sum(|t| t.cancelled),
        sum(|t| t.abandoned),
        sum(|t| t.lost),
    );
    let after = settled(&server, before.tasks).await;
    let rss_mb = |h: &Health| h.rss_bytes.expect("resident memory (Linux)") as f64 / 1e6;
    let grown_mb = rss_mb(&after) - rss_mb(&before);
    println!(
        "{SEARCHES} searches in {:.1} s: {completed} completed, {cancelled} cancelled, \
         {abandoned} abandoned; tasks {} -> {}; server process RSS {:.1} MB -> {:.1} MB ({grown_mb:+.1} MB)",
        elapsed.as_secs_f64(),
        before.tasks,
        after.tasks,
        rss_mb(&before),
        rss_mb(&after),
    );
    assert_eq!(completed + cancelled + abandoned + lost, SEARCHES);
    assert_eq!(lost, 0, "completed searches lost outcomes");
    assert_eq!(
        (
            after.counters.sockets,
            after.counters.searches_in_flight,
            after.counters.upstream_calls_in_flight
        ),
        (0, 0, 0),
        "{after:?}"
    );
    assert!(
        after.tasks <= before.tasks,
        "tasks leaked: {before:?} -> {after:?}"
    );
    // The test's own clients share the process; a leak of even 2 KiB per search would show.
    assert!(grown_mb < 20.0, "memory grew by {grown_mb:.1} MB");
}
