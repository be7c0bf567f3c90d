//! One simulated customer: a socket that searches, waits for every outcome, thinks, and now and
//! then vanishes mid-search (then comes back on a new socket).

use crate::link::{Entry, Link};
use app::model::{ProductId, SearchRequest};
use app::protocol::{ClientMessage, ServerMessage};
use promotions::guide::simulator::Simulator;
use std::collections::HashSet;
use std::ops::Range;
use std::time::Duration;
use tokio::time::Instant;

/// Routes customers ask for: domestic near and far, Svalbard, Nordic and overseas export.
pub const ROUTES: &[(&str, &str, &str, &str)] = &[
    ("NO", "0150", "NO", "0150"),
    ("NO", "0150", "NO", "9900"),
    ("NO", "5003", "NO", "7010"),
    ("NO", "9900", "NO", "0150"),
    ("NO", "0150", "NO", "9170"),
    ("NO", "0150", "SE", "114 55"),
    ("NO", "0150", "DE", "10115"),
    ("SE", "114 55", "NO", "0150"),
];

pub struct Settings {
    pub entry: Entry,
    pub until: Instant,
    pub think_ms: Range<u64>,
    pub kill_rate: f64,
    pub simulator: Simulator,
    pub quote_timeout: Duration,
}

/// What one customer saw.
#[derive(Default)]
pub struct Tally {
    pub completed: u64,
    pub killed: u64,
    /// Planned products that never got an outcome, in searches that reached `done`.
    pub lost: u64,
    pub errors: Vec<String>,
    /// Per completed search: milliseconds from `search` to `done` beyond the simulator's own.
    pub added_ms: Vec<f64>,
    pub total_ms: Vec<f64>,
}

impl Tally {
    pub fn merge(&mut self, other: Tally) {
        self.completed += other.completed;
        self.killed += other.killed;
        self.lost += other.lost;
        self.errors.extend(other.errors);
        self.added_ms.extend(other.added_ms);
        self.total_ms.extend(other.total_ms);
    }
}

/// xorshift64*: enough randomness for think times and choices, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// Opens the socket as the page does on load, and probes it with a ping.
async fn probe(entry: &Entry) -> Result<Link, String> {
    let mut link = Link::open(entry).await?;
    link.send(&ClientMessage::Ping { nonce: 1 }).await?;
    match link.next(Duration::from_secs(10)).await? {
        ServerMessage::Pong { nonce: 1 } => Ok(link),
        other => Err(format!("expected pong, got {other:?}")),
    }
}

fn request(rng: &mut Rng) -> SearchRequest {
    let route = ROUTES[rng.below(ROUTES.len() as u64) as usize];
    route_request(route, 100 + rng.below(20_000) as u32)
}

/// A search on `route` for a parcel of `weight_grams`.
pub fn route_request(
    (fc, fp, tc, tp): (&str, &str, &str, &str),
    weight_grams: u32,
) -> SearchRequest {
    SearchRequest::between((fc, fp), (tc, tp), weight_grams)
}

/// The customer's whole session; `seed` makes each customer different.
pub async fn customer(settings: &Settings, seed: u64) -> Tally {
    let mut tally = Tally::default();
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut ws: Option<Link> = None;
    let mut search_id = 0u64;
    // Customers arrive spread over the first think interval.
    let first = rng.below(settings.think_ms.end);
    tokio::time::sleep(Duration::from_millis(first)).await;
    while Instant::now() < settings.until {
        if ws.is_none() {
            // As the page does on load: open the socket and probe it with a ping.
            match probe(&settings.entry).await {
                Ok(socket) => ws = Some(socket),
                Err(e) => {
                    tally.errors.push(e);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            }
        }
        let think =
            settings.think_ms.start + rng.below(settings.think_ms.end - settings.think_ms.start);
        tokio::time::sleep(Duration::from_millis(think)).await;
        let (Some(socket), true) = (ws.as_mut(), Instant::now() < settings.until) else {
            break;
        };
        search_id += 1;
        let request = request(&mut rng);
        let kill = rng.chance(settings.kill_rate);
        match search(
            socket, settings, search_id, &request, kill, &mut tally, &mut rng,
        )
        .await
        {
            Ok(()) => {}
            Err(e) => {
                tally.errors.push(e);
                ws = None;
            }
        }
        if kill {
            // Vanish without a close frame, as a closed laptop does.
            ws = None;
        }
    }
    tally
}

async fn search(
    ws: &mut Link,
    settings: &Settings,
    search_id: u64,
    request: &SearchRequest,
    kill: bool,
    tally: &mut Tally,
    rng: &mut Rng,
) -> Result<(), String> {
    let sent = Instant::now();
    ws.send(&ClientMessage::Search {
        search_id,
        request: request.clone(),
    })
    .await?;
    let wait = settings.quote_timeout + Duration::from_secs(10);
    let products = match ws.next(wait).await? {
        ServerMessage::Accepted {
            search_id: id,
            products,
            ..
        } if id == search_id => products,
        other => return Err(format!("expected accepted, got {other:?}")),
    };
    if kill {
        // Gone at a random moment of the search.
        tokio::time::sleep(Duration::from_millis(rng.below(300))).await;
        tally.killed += 1;
        return Ok(());
    }
    let mut outstanding: HashSet<ProductId> = products.iter().cloned().collect();
    loop {
        match ws.next(wait).await? {
            ServerMessage::Offer {
                search_id: id,
                offer,
            } if id == search_id => {
                if !outstanding.remove(&offer.product_id) {
                    tally
                        .errors
                        .push(format!("second outcome for {}", offer.product_id));
                }
            }
            ServerMessage::Unavailable {
                search_id: id,
                product_id,
                ..
            } if id == search_id => {
                if !outstanding.remove(&product_id) {
                    tally
                        .errors
                        .push(format!("second outcome for {product_id}"));
                }
            }
            ServerMessage::Done { search_id: id } if id == search_id => break,
            other => return Err(format!("unexpected {other:?}")),
        }
    }
    let total = sent.elapsed();
    tally.lost += outstanding.len() as u64;
    tally.completed += 1;
    // The simulator is deterministic: the slowest product of the plan sets the search's floor.
    let own = products
        .iter()
        .map(|p| {
            let t = settings.simulator.timing(request, p);
            if t.hangs {
                settings.quote_timeout
            } else {
                t.latency
            }
        })
        .max()
        .unwrap_or_default();
    tally.total_ms.push(total.as_secs_f64() * 1e3);
    tally
        .added_ms
        .push((total.as_secs_f64() - own.as_secs_f64()) * 1e3);
    Ok(())
}
