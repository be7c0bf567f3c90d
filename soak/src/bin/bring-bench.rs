//! Bring benchmark: the release server on the Bring client against `bring-simulator` (the
//! simulator in Bring's wire format, throttling above a request limit like Bring does).
//! Prints upstream requests per search, cold and with a warm quote cache, then a burst of
//! searches at once against the limit, with the upstream budget (`BRING_MAX_RPS`) and without
//! it, side by side: searches completed, offers, upstream errors, the busiest second Bring saw
//! and its 429s. Last the fair share: one address floods the instance with searches while a
//! customer on another address searches now and then; the customer's searches beside the same
//! customer's without the flood. Run it with `./scripts/bench-bring`.

use app::model::{SearchRequest, UnavailableReason};
use app::protocol::{ClientMessage, ServerMessage};
use promotions::guide::bring::simulated_api::ApiStats;
use soak::link::{Entry, Link};
use soak::report::quantile;
use soak::server::{Server, get};
use std::net::IpAddr;
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};
use tokio::time::Instant;

/// The server's deadline per quote in every phase (its default).
const GUIDE_TIMEOUT_SECS: u64 = 10;
/// Each phase gets its own ports: a killed process may hold its port for a moment.
const API_PORT: u16 = 4390;
const SERVER_PORT: u16 = 3930;
/// Destinations for the burst: every search a different route or weight, so none is cached.
const DESTINATIONS: &[&str] = &[
    "9900", "5003", "7010", "4010", "8006", "9008", "2000", "3040",
];

#[derive(Default, Debug)]
struct Burst {
    completed: usize,
    offers: usize,
    upstream_errors: usize,
    timeouts: usize,
    not_eligible: usize,
    failed: Vec<String>,
    last_done: Duration,
}

fn request(to: &str, grams: u32) -> SearchRequest {
    SearchRequest::between(("NO", "0150"), ("NO", to), grams)
}

/// The flooding address, and the customer's (both this machine).
const FLOODER: [u8; 4] = [127, 0, 0, 2];
const CUSTOMER: [u8; 4] = [127, 0, 0, 1];

/// One search on its own socket, to `done`: its outcomes' reasons (`None` = an offer).
async fn search(
    addr: SocketAddr,
    request: SearchRequest,
) -> Result<Vec<Option<UnavailableReason>>, String> {
    search_from(addr, IpAddr::from(CUSTOMER), request).await
}

/// [`search`] from another loopback address.
async fn search_from(
    addr: SocketAddr,
    source: IpAddr,
    request: SearchRequest,
) -> Result<Vec<Option<UnavailableReason>>, String> {
    let mut link = Link::open_from(&Entry::Plain(addr), source, None).await?;
    link.send(&ClientMessage::Search {
        search_id: 1,
        request,
    })
    .await?;
    let mut outcomes = Vec::new();
    loop {
        match link.next(Duration::from_secs(30)).await? {
            ServerMessage::Accepted { .. }
            | ServerMessage::Pong { .. }
            | ServerMessage::ProbeFrame { .. } => {}
            ServerMessage::Offer { .. } => outcomes.push(None),
            ServerMessage::Unavailable { reason, .. } => outcomes.push(Some(reason)),
            ServerMessage::Done { .. } => return Ok(outcomes),
            ServerMessage::Error { message, .. } => return Err(message),
        }
    }
}

fn api_addr(phase: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], API_PORT + phase))
}

async fn api_stats(phase: u16) -> ApiStats {
    let body = get(api_addr(phase), "/stats")
        .await
        .expect("bring-simulator /stats");
    serde_json::from_str(&body).expect("bring-simulator stats")
}

async fn start_api(phase: u16, api_limit: usize) -> Child {
    let addr = api_addr(phase).to_string();
    let child = Command::new("target/release/bring-simulator")
        .args(["--addr", &addr, "--max-rps", &api_limit.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("target/release/bring-simulator (build it with ./scripts/bench-bring)");
    for _ in 0..100 {
        if get(api_addr(phase), "/stats").await.is_ok() {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("bring-simulator did not start");
}

async fn start_server(phase: u16, budget: usize) -> Server {
    let env = [
        ("BRING_API_UID", "bench@example.com".to_owned()),
        ("BRING_API_KEY", "bench".to_owned()),
        ("BRING_API_URL", format!("http://{}", api_addr(phase))),
        ("BRING_MAX_RPS", budget.to_string()),
        ("GUIDE_TIMEOUT_SECS", GUIDE_TIMEOUT_SECS.to_string()),
        // One address plays every customer here: no per-client caps.
        ("MAX_SOCKETS_PER_IP", "0".into()),
        ("SEARCHES_PER_MINUTE", "0".into()),
        ("SEARCHES_PER_MINUTE_PER_ADDRESS", "0".into()),
        ("MAX_SOCKETS_PER_SESSION", "0".into()),
        ("NEW_SESSIONS_PER_MINUTE_PER_ADDRESS", "0".into()),
    ];
    let addr = SocketAddr::from(([127, 0, 0, 1], SERVER_PORT + phase));
    Server::spawn(
        "target/release/promotions",
        addr,
        &env,
        "target/bring-bench-server.log",
    )
    .await
    .expect("release server")
}

/// `searches` searches at once from `source`, each a different route or weight.
async fn burst(addr: SocketAddr, source: IpAddr, searches: usize, offset: u32) -> Burst {
    let started = Instant::now();
    let all = futures::future::join_all((0..searches).map(|n| {
        let to = DESTINATIONS[n % DESTINATIONS.len()];
        let grams = 500 + offset + 100 * n as u32;
        async move {
            let outcome = search_from(addr, source, request(to, grams)).await;
            (outcome, started.elapsed())
        }
    }))
    .await;
    let mut b = Burst::default();
    for (outcome, at) in all {
        b.count(outcome, at);
    }
    b
}

impl Burst {
    fn count(&mut self, outcome: Result<Vec<Option<UnavailableReason>>, String>, at: Duration) {
        match outcome {
            Ok(outcomes) => {
                self.completed += 1;
                self.last_done = self.last_done.max(at);
                for o in outcomes {
                    match o {
                        None => self.offers += 1,
                        Some(UnavailableReason::UpstreamError) => self.upstream_errors += 1,
                        Some(UnavailableReason::Timeout) => self.timeouts += 1,
                        Some(UnavailableReason::NotEligible) => self.not_eligible += 1,
                    }
                }
            }
            Err(e) => self.failed.push(e),
        }
    }
}

/// A customer's searches, one after another with a pause, each timed to `done`, while
/// `flood` searches at once from another address run (0: no flood, the baseline).
async fn fair_share(
    addr: SocketAddr,
    flood: usize,
    customer_searches: usize,
) -> (Burst, Vec<f64>, Burst) {
    let flooding = tokio::spawn(burst(addr, IpAddr::from(FLOODER), flood, 3));
    // Let the flood reach the budget's queue first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (mut customer, mut times) = (Burst::default(), Vec::new());
    for n in 0..customer_searches {
        let to = DESTINATIONS[n % DESTINATIONS.len()];
        let started = Instant::now();
        let outcome = search(addr, request(to, 20_000 + 10 * n as u32)).await;
        let took = started.elapsed();
        times.push(took.as_secs_f64() * 1000.0);
        customer.count(outcome, took);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    times.sort_by(f64::total_cmp);
    (customer, times, flooding.await.expect("flood task"))
}

/// Bring benchmark: the release server's Bring client against the Bring stand-in
/// (`bring-simulator`): upstream requests per search, a burst against the stand-in's limit
/// with and without the upstream budget, and the fair share of a flooding address.
#[derive(clap::Parser)]
#[command(name = "bring-bench")]
struct Options {
    /// Searches in the burst.
    #[arg(long, default_value_t = 30)]
    searches: usize,
    /// The stand-in answers 429 above this many requests a second.
    #[arg(long, default_value_t = 60)]
    api_limit: usize,
    /// The server's BRING_MAX_RPS in the budgeted run.
    #[arg(long, default_value_t = 50)]
    budget: usize,
}

#[tokio::main]
async fn main() {
    let Options {
        searches,
        api_limit,
        budget,
    } = clap::Parser::parse();

    // Upstream requests per search, cold and warm.
    let api = start_api(0, api_limit).await;
    let server = start_server(0, budget).await;
    let once = request("9900", 1200);
    let before = api_stats(0).await.requests;
    search(server.addr, once.clone())
        .await
        .expect("cold search");
    let cold = api_stats(0).await.requests - before;
    search(server.addr, once).await.expect("warm search");
    let warm = api_stats(0).await.requests - before - cold;
    println!(
        "upstream requests per search (Oslo → Kirkenes, 5 products): cold {cold}, warm cache {warm}"
    );

    // The burst, with the budget and without it, each against a fresh API.
    println!(
        "\n{searches} searches at once (about {} quotes), Bring stand-in throttling above {api_limit} requests/s:",
        searches * 5
    );
    println!(
        "{:<16} {:>9} {:>7} {:>9} {:>9} {:>13} {:>6} {:>10}",
        "BRING_MAX_RPS",
        "completed",
        "offers",
        "upstream",
        "timeouts",
        "peak req/s",
        "429s",
        "last done"
    );
    drop(server);
    drop(api);
    for (phase, label, rps) in [
        (1, budget.to_string(), budget),
        (2, "0 (no budget)".to_owned(), 0),
    ] {
        let _api = start_api(phase, api_limit).await;
        let server = start_server(phase, rps).await;
        let b = burst(server.addr, IpAddr::from(CUSTOMER), searches, rps as u32).await;
        let seen = api_stats(phase).await;
        println!(
            "{:<16} {:>9} {:>7} {:>9} {:>9} {:>13} {:>6} {:>9.2}s",
            label,
            format!("{}/{searches}", b.completed),
            b.offers,
            b.upstream_errors,
            b.timeouts,
            seen.peak_per_second,
            seen.throttled,
            b.last_done.as_secs_f64()
        );
        if !b.failed.is_empty() {
            println!("  failed searches: {:?}", b.failed);
        }
        drop(server);
    }

    // Fair share: one address floods, a customer on another searches now and then.
    let flood = 150;
    let customer_searches = 10;
    println!(
        "\nFair share (BRING_MAX_RPS {budget}, {GUIDE_TIMEOUT_SECS} s per quote): {flood} searches at once from {} \
         (about {} quotes); a customer on {} searches {customer_searches} times, one after another:",
        IpAddr::from(FLOODER),
        flood * 5,
        IpAddr::from(CUSTOMER)
    );
    println!(
        "{:<18} {:>12} {:>10} {:>10} {:>7} {:>9}   {:>15} {:>7} {:>9}",
        "", "customer", "p50", "max", "offers", "timeouts", "flood completed", "offers", "timeouts"
    );
    for (phase, label, flood) in [(3, "without the flood", 0), (4, "with the flood", flood)] {
        let _api = start_api(phase, api_limit).await;
        let server = start_server(phase, budget).await;
        let (customer, times, flooded) = fair_share(server.addr, flood, customer_searches).await;
        println!(
            "{:<18} {:>12} {:>8.0}ms {:>8.0}ms {:>7} {:>9}   {:>15} {:>7} {:>9}",
            label,
            format!("{}/{customer_searches}", customer.completed),
            quantile(&times, 0.5),
            times.last().copied().unwrap_or(f64::NAN),
            customer.offers,
            customer.timeouts,
            format!("{}/{flood}", flooded.completed),
            flooded.offers,
            flooded.timeouts,
        );
        for failed in customer.failed.iter().chain(&flooded.failed) {
            println!("  failed search: {failed}");
        }
        drop(server);
    }
}
