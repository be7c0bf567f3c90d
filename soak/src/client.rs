//! One simulated customer: a socket that searches, waits for every outcome, thinks, and now and
//! then vanishes mid-search (then comes back on a new socket).

use app::model::{Address, Parcel, ProductId, SearchRequest};
use app::protocol::{ClientMessage, ServerMessage};
use futures::{SinkExt, StreamExt};
use promotions::guide::simulator::Simulator;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::ops::Range;
use std::time::Duration;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Routes customers ask for: domestic near and far, Svalbard, Nordic and overseas export.
const ROUTES: &[(&str, &str, &str, &str)] = &[
    ("NO", "0150", "NO", "0150"),
    ("NO", "0150", "NO", "9900"),
    ("NO", "5003", "NO", "7010"),
    ("NO", "9900", "NO", "0150"),
    ("NO", "0150", "NO", "9170"),
    ("NO", "0150", "SE", "114 55"),
    ("NO", "0150", "DE", "10115"),
    ("SE", "114 55", "NO", "0150"),
];

/// Where customers open their sockets: the server itself, or the TLS proxy in front of several.
#[derive(Clone)]
pub enum Entry {
    Plain(SocketAddr),
    Tls {
        addr: SocketAddr,
        connector: tokio_tungstenite::Connector,
    },
}

impl Entry {
    /// `wss://addr`, trusting exactly the certificate in `cert` (the local deployment's own).
    pub fn tls(addr: SocketAddr, cert: &std::path::Path) -> Result<Self, String> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        for der in
            CertificateDer::pem_file_iter(cert).map_err(|e| format!("{}: {e}", cert.display()))?
        {
            roots
                .add(der.map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
        }
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Entry::Tls {
            addr,
            connector: tokio_tungstenite::Connector::Rustls(std::sync::Arc::new(config)),
        })
    }
}

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

pub async fn connect(entry: &Entry) -> Result<Ws, String> {
    let (url, origin, connector) = match entry {
        Entry::Plain(addr) => (format!("ws://{addr}"), format!("http://{addr}"), None),
        Entry::Tls { addr, connector } => (
            format!("wss://{addr}"),
            format!("https://{addr}"),
            Some(connector.clone()),
        ),
    };
    let mut request = format!("{url}/ws/promotions")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    request
        .headers_mut()
        .insert("origin", origin.parse().map_err(|_| "origin")?);
    tokio_tungstenite::connect_async_tls_with_config(request, None, false, connector)
        .await
        .map(|(ws, _)| ws)
        .map_err(|e| format!("connect: {e}"))
}

/// A plain `ws://addr` socket opened from `source`, another loopback address (any of
/// 127.0.0.0/8 is this machine): to the server, a customer on another network.
pub async fn connect_from(addr: SocketAddr, source: std::net::IpAddr) -> Result<Ws, String> {
    let socket = tokio::net::TcpSocket::new_v4().map_err(|e| e.to_string())?;
    socket
        .bind(SocketAddr::new(source, 0))
        .map_err(|e| format!("bind {source}: {e}"))?;
    let tcp = socket
        .connect(addr)
        .await
        .map_err(|e| format!("connect from {source}: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let mut request = format!("ws://{addr}/ws/promotions")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let origin = format!("http://{addr}");
    request
        .headers_mut()
        .insert("origin", origin.parse().map_err(|_| "origin")?);
    tokio_tungstenite::client_async(request, tokio_tungstenite::MaybeTlsStream::Plain(tcp))
        .await
        .map(|(ws, _)| ws)
        .map_err(|e| format!("handshake: {e}"))
}

async fn probe(entry: &Entry) -> Result<Ws, String> {
    let mut ws = connect(entry).await?;
    let ping =
        serde_json::to_string(&ClientMessage::Ping { nonce: 1 }).map_err(|e| e.to_string())?;
    ws.send(Message::Text(ping.into()))
        .await
        .map_err(|e| format!("send: {e}"))?;
    match next_message(&mut ws, Duration::from_secs(10)).await? {
        ServerMessage::Pong { nonce: 1 } => Ok(ws),
        other => Err(format!("expected pong, got {other:?}")),
    }
}

pub async fn next_message(ws: &mut Ws, wait: Duration) -> Result<ServerMessage, String> {
    loop {
        match tokio::time::timeout(wait, ws.next()).await {
            Err(_) => return Err(format!("nothing from the server for {wait:?}")),
            Ok(None) => return Err("socket ended".into()),
            Ok(Some(Err(e))) => return Err(format!("socket error: {e}")),
            Ok(Some(Ok(Message::Text(text)))) => {
                return serde_json::from_str(&text).map_err(|e| format!("bad frame {text}: {e}"));
            }
            Ok(Some(Ok(Message::Close(frame)))) => return Err(format!("closed: {frame:?}")),
            Ok(Some(Ok(_))) => continue,
        }
    }
}

fn request(rng: &mut Rng) -> SearchRequest {
    let (fc, fp, tc, tp) = ROUTES[rng.below(ROUTES.len() as u64) as usize];
    SearchRequest {
        from: Address {
            country: fc.into(),
            postal_code: fp.into(),
        },
        to: Address {
            country: tc.into(),
            postal_code: tp.into(),
        },
        parcel: Parcel {
            weight_grams: 100 + rng.below(20_000) as u32,
            length_cm: None,
            width_cm: None,
            height_cm: None,
        },
    }
}

/// The customer's whole session; `seed` makes each customer different.
pub async fn customer(settings: &Settings, seed: u64) -> Tally {
    let mut tally = Tally::default();
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut ws: Option<Ws> = None;
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
    ws: &mut Ws,
    settings: &Settings,
    search_id: u64,
    request: &SearchRequest,
    kill: bool,
    tally: &mut Tally,
    rng: &mut Rng,
) -> Result<(), String> {
    let message = ClientMessage::Search {
        search_id,
        request: request.clone(),
    };
    let text = serde_json::to_string(&message).map_err(|e| e.to_string())?;
    let sent = Instant::now();
    ws.send(Message::Text(text.into()))
        .await
        .map_err(|e| format!("send: {e}"))?;
    let wait = settings.quote_timeout + Duration::from_secs(10);
    let products = match next_message(ws, wait).await? {
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
        match next_message(ws, wait).await? {
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
