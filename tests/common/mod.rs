//! A real server on an ephemeral port, a real WebSocket client, and a shipping guide that
//! counts its calls.
#![allow(dead_code)] // each test binary uses part of this

pub mod ingest;

use app::model::{ProductId, SearchRequest};
use app::protocol::ServerMessage;
use futures::{SinkExt, StreamExt};
use promotions::config::Config;
use promotions::guide::simulator::Simulator;
use promotions::guide::{QuoteFuture, ShippingGuide};
use promotions::state::AppState;
use promotions::stats::Stats;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use time::Date;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The simulator, counting quotes started, finished and in flight. Clones share the counts.
#[derive(Clone)]
pub struct CountingGuide {
    inner: Simulator,
    pub started: Arc<AtomicUsize>,
    pub finished: Arc<AtomicUsize>,
    pub active: Arc<AtomicUsize>,
}

impl CountingGuide {
    pub fn new(latency_scale: f64) -> Self {
        Self {
            inner: Simulator::new(latency_scale, 0.0),
            started: Arc::default(),
            finished: Arc::default(),
            active: Arc::default(),
        }
    }
}

struct Active(Arc<AtomicUsize>);
impl Drop for Active {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl ShippingGuide for CountingGuide {
    fn quote(&self, request: &SearchRequest, product: &ProductId, ships: Date) -> QuoteFuture {
        self.started.fetch_add(1, Ordering::SeqCst);
        self.active.fetch_add(1, Ordering::SeqCst);
        let active = Active(self.active.clone());
        let answer = self.inner.quote(request, product, ships);
        let finished = self.finished.clone();
        Box::pin(async move {
            let _active = active;
            let result = answer.await;
            finished.fetch_add(1, Ordering::SeqCst);
            result
        })
    }
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub stats: Arc<Stats>,
    pub state: AppState,
}

/// Servers run on one runtime that lives as long as the test process, as in production;
/// each `#[tokio::test]` has its own runtime that ends with the test.
pub fn server_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let mut rt = tokio::runtime::Builder::new_multi_thread();
        rt.worker_threads(2).enable_all().build().unwrap()
    })
}

/// A loopback port free a moment ago, for a process that binds it itself.
pub fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

/// Serves `app` on an ephemeral loopback port on the servers' runtime.
pub fn serve(app: axum::Router) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    server_runtime().spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        axum::serve(listener, app).await.unwrap()
    });
    addr
}

pub async fn start(guide: impl ShippingGuide, quote_timeout: Duration) -> TestServer {
    spawn_server(guide, quote_timeout)
}

/// A fresh directory for a server's embedded database, under Cargo's temporary directory for
/// integration tests (in `target/`, never the system's /tmp).
pub fn data_dir(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "promotions-{name}-{}",
        promotions::guards::session::unguessable_id()
    ))
}

/// One server for all tests of a binary that render pages: two Leptos routers rendering
/// in-order streams at once in one process were seen to stall each other (production runs one
/// router per process; 60 concurrent renders on one server did not stall).
pub fn shared_server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| spawn_server(CountingGuide::new(0.0), Duration::from_secs(10)))
}

fn spawn_server(guide: impl ShippingGuide, quote_timeout: Duration) -> TestServer {
    let mut config = Config::from_env().expect("config");
    config.quote_timeout = quote_timeout;
    spawn_with(config, guide, |routes| routes)
}

/// A server with its own configuration and extra routes (inside the usual layers).
pub fn spawn_with(
    config: Config,
    guide: impl ShippingGuide,
    extra: impl FnOnce(axum::Router<AppState>) -> axum::Router<AppState>,
) -> TestServer {
    spawn_state(AppState::new(&config, Arc::new(guide), None), extra)
}

/// A server with these per-client limits and the usual guide.
pub fn with_limits(limits: promotions::limits::Settings) -> TestServer {
    let mut config = Config::from_env().expect("config");
    config.limits = limits;
    spawn_with(config, CountingGuide::new(0.0), |routes| routes)
}

/// A new browser session: the cookie the server hands a first visit (here the cheapest
/// request there is: a GET of the POST-only search endpoint, 405).
pub async fn new_session(server: &TestServer) -> String {
    let reply = server.exchange("GET", "/api/search", &[], "").await;
    reply
        .session_cookie()
        .expect("a first visit gets a session cookie")
}

/// A server on this state, with extra routes (inside the usual layers).
pub fn spawn_state(
    state: AppState,
    extra: impl FnOnce(axum::Router<AppState>) -> axum::Router<AppState>,
) -> TestServer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let app = promotions::with_layers(extra(promotions::routes(&state)), state.clone())
        .into_make_service_with_connect_info::<SocketAddr>();
    server_runtime().spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        axum::serve(promotions::without_nagle(listener), app)
            .await
            .unwrap()
    });
    TestServer {
        addr,
        stats: state.stats.clone(),
        state,
    }
}

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

impl TestServer {
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn connect_with_origin(
        &self,
        origin: Option<&str>,
    ) -> Result<Ws, tungstenite::Error> {
        self.connect_with_headers(origin, &[]).await
    }

    pub async fn connect_with_headers(
        &self,
        origin: Option<&str>,
        headers: &[(&'static str, &str)],
    ) -> Result<Ws, tungstenite::Error> {
        connect_at(self.addr, origin, headers).await
    }

    pub async fn connect(&self) -> Ws {
        self.connect_with_origin(Some(&self.origin()))
            .await
            .expect("websocket connects")
    }

    /// A plain HTTP/1.1 request; returns status and body.
    pub async fn http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, String) {
        let reply = self.exchange(method, path, headers, body).await;
        (reply.status, reply.body)
    }

    /// A plain HTTP/1.1 request; returns status, headers (lower-case names) and body.
    pub async fn exchange(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Reply {
        exchange_at(self.addr, method, path, headers, body).await
    }
}

/// A WebSocket to `/ws/promotions` at `addr`, with this Origin and extra headers.
pub async fn connect_at(
    addr: SocketAddr,
    origin: Option<&str>,
    headers: &[(&'static str, &str)],
) -> Result<Ws, tungstenite::Error> {
    connect_url(&format!("ws://{addr}/ws/promotions"), origin, headers).await
}

/// A WebSocket to this URL, with this Origin and extra headers.
pub async fn connect_url(
    url: &str,
    origin: Option<&str>,
    headers: &[(&'static str, &str)],
) -> Result<Ws, tungstenite::Error> {
    let mut req = url.into_client_request().unwrap();
    if let Some(o) = origin {
        req.headers_mut().insert("origin", o.parse().unwrap());
    }
    for (name, value) in headers {
        req.headers_mut().insert(*name, value.parse().unwrap());
    }
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(ws, _)| ws)
}

/// A plain HTTP/1.1 request to `addr`; returns status, headers (lower-case names) and body.
pub async fn exchange_at(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v == "chunked");
    Reply {
        status: head[9..12].parse().unwrap(),
        body: if chunked {
            dechunk(body)
        } else {
            body.to_owned()
        },
        headers,
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// The first value of a header (lower-case name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `name=value` pair of the session cookie the server set, if it set one.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .filter_map(|(_, v)| v.split(';').next())
            .find(|pair| {
                pair.starts_with("promo_session=") || pair.starts_with("__Host-promo_session=")
            })
            .map(str::to_owned)
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

pub async fn send_json(ws: &mut Ws, value: serde_json::Value) {
    ws.send(Message::Text(value.to_string().into()))
        .await
        .unwrap();
}

/// The next server message, or `None` if nothing comes within `wait`.
pub async fn next_message(ws: &mut Ws, wait: Duration) -> Option<ServerMessage> {
    loop {
        match tokio::time::timeout(wait, ws.next()).await.ok()?? {
            Ok(Message::Text(t)) => {
                return Some(serde_json::from_str(&t).expect("server message parses"));
            }
            Ok(Message::Ping(_) | Message::Pong(_)) => continue,
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// Pings the socket and checks that it answers: it still serves.
pub async fn assert_pong(ws: &mut Ws, nonce: u64) {
    send_json(ws, serde_json::json!({"type": "ping", "nonce": nonce})).await;
    assert_eq!(expect_message(ws).await, ServerMessage::Pong { nonce });
}

pub async fn expect_message(ws: &mut Ws) -> ServerMessage {
    next_message(ws, Duration::from_secs(10))
        .await
        .expect("a message within 10 s")
}

/// The close code the server ends the socket with.
pub async fn close_code(ws: &mut Ws) -> Option<u16> {
    close_frame(ws).await.map(|(code, _)| code)
}

/// The close code and reason the server ends the socket with.
pub async fn close_frame(ws: &mut Ws) -> Option<(u16, String)> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("socket ends")
        {
            Some(Ok(Message::Close(frame))) => {
                return frame.map(|f| (u16::from(f.code), f.reason.to_string()));
            }
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return None,
        }
    }
}

pub fn search_json(search_id: u64, from: &str, to: &str, grams: u32) -> serde_json::Value {
    serde_json::json!({
        "type": "search",
        "search_id": search_id,
        "request": SearchRequest::between(("NO", from), ("NO", to), grams),
    })
}

/// Polls `cond` for up to two seconds.
pub async fn eventually(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..200 {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    cond()
}

/// The `n`-th real Norwegian postal code: a distinct route per `n` that the register accepts.
pub fn distinct_code(n: usize) -> String {
    app::places::norwegian_codes()
        .nth(n)
        .expect("the register has enough codes")
        .to_owned()
}

/// The value of the first input named `name` in a rendered page.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>')?];
    let value = tag.split("value=\"").nth(1)?;
    Some(value[..value.find('"')?].to_owned())
}
