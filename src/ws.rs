//! `/ws/promotions` (DESIGN §3): origin check before the upgrade, then one loop per socket that
//! reads client frames, writes search events, pings every 20 s and enforces the limits.

use crate::limits::{ClientKey, SocketSlot};
use crate::state::AppState;
use crate::stats::Gauge;
use app::error::ErrorCode;
use app::protocol::{
    ClientMessage, MAX_FRAME_BYTES, MAX_SEARCHES_PER_SOCKET, SearchId, ServerMessage,
    decode_client_message,
};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinSet};
use tracing::{Instrument, info, info_span, warn};

pub const PING_EVERY: Duration = Duration::from_secs(20);
/// A socket that has sent nothing (not even a pong) for this long is gone.
pub const IDLE_LIMIT: Duration = Duration::from_secs(65);
/// On shutdown, how long running searches may take to finish before sockets close with 1001.
pub const DRAIN_LIMIT: Duration = Duration::from_secs(10);

mod close {
    pub use app::protocol::{CLOSE_GOING_AWAY as GOING_AWAY, CLOSE_REASON_SHUTDOWN as SHUTDOWN};
    pub const UNSUPPORTED: u16 = 1003;
    pub const TOO_BIG: u16 = 1009;
    /// Too many sockets from this client. The page then uses HTTP quietly.
    pub use app::protocol::CLOSE_TRY_AGAIN_LATER as TRY_AGAIN_LATER;
}

static SOCKET_IDS: AtomicU64 = AtomicU64::new(1);

pub async fn handler(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !state.origins.allows(&headers) {
        state.stats.rejected_origins.fetch_add(1, Ordering::Relaxed);
        let origin = headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("(none)");
        warn!(origin, "websocket refused: origin not allowed");
        return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
    }
    let client = ClientKey::of(peer.ip());
    let slot = state.limits.open_socket(client);
    if slot.is_none() {
        state.stats.refused_sockets.fetch_add(1, Ordering::Relaxed);
        warn!("websocket refused: too many sockets from this client");
    }
    ws.max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        // axum's 128 KiB default buffers would cost 10,000 sockets gigabytes. A search frame
        // is ~250 bytes; a bigger frame grows the buffer while it is read.
        .read_buffer_size(1024)
        .write_buffer_size(0)
        .on_upgrade(move |socket| async move {
            // Refused after the upgrade, not before: a browser sees only a failed handshake,
            // which looks like a hostile proxy; a close code tells the page what happened.
            let Some(slot) = slot else {
                return refuse(socket).await;
            };
            let id = SOCKET_IDS.fetch_add(1, Ordering::Relaxed);
            run(
                socket,
                state,
                Client {
                    key: client,
                    _slot: slot,
                },
            )
            .instrument(info_span!("socket", id))
            .await
        })
        .into_response()
}

/// Why the loop stopped and how the socket should be closed.
enum End {
    ClientLeft,
    Close(u16, &'static str),
}

/// Whose socket it is; the slot counts it against the client's cap while it lives.
struct Client {
    key: ClientKey,
    _slot: SocketSlot,
}

async fn refuse(mut socket: WebSocket) {
    let frame = CloseFrame {
        code: close::TRY_AGAIN_LATER,
        reason: "too many connections from your network".into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

async fn run(socket: WebSocket, state: AppState, client: Client) {
    let _live = Gauge::enter(&state.stats, |s| &s.sockets);
    let opened = Instant::now();
    info!("socket opened");
    let (mut sink, mut stream) = socket.split();
    let (events, mut outbox) = mpsc::channel::<Encoded>(64);
    let mut searches = Searches::default();
    let mut heartbeat: Option<tokio::time::Interval> = None;
    let mut last_heard = Instant::now();
    // On shutdown, running searches may finish until then; new ones are refused.
    let mut drain_until: Option<tokio::time::Instant> = None;

    let end = loop {
        tokio::select! {
            frame = stream.next() => {
                last_heard = Instant::now();
                match frame {
                    None | Some(Ok(Message::Close(_))) => break End::ClientLeft,
                    Some(Err(e)) => break read_error(e),
                    Some(Ok(Message::Binary(_))) => break End::Close(close::UNSUPPORTED, "binary frames are not supported"),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(Message::Text(text))) => {
                        // Nothing is sent before the client speaks: the pings start now.
                        heartbeat.get_or_insert_with(|| tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY));
                        let draining = drain_until.is_some();
                        for reply in handle_text(&text, &state, client.key, &mut searches, &events, draining) {
                            if send(&mut sink, &reply).await.is_err() {
                                break;
                            }
                        }
                    }
                }
            }
            Some(Encoded { text, done }) = outbox.recv() => {
                if let Some(search_id) = done {
                    searches.finished(search_id);
                }
                if sink.send(Message::Text(text.into())).await.is_err() {
                    break End::ClientLeft;
                }
                if done.is_some() && drain_until.is_some() && searches.running.is_empty() {
                    break End::Close(close::GOING_AWAY, close::SHUTDOWN);
                }
            }
            Some(finished) = searches.tasks.join_next(), if !searches.tasks.is_empty() => {
                if let Ok(search_id) = finished {
                    searches.finished(search_id);
                }
            }
            _ = tick(&mut heartbeat) => {
                if last_heard.elapsed() > IDLE_LIMIT {
                    break End::Close(close::GOING_AWAY, "idle");
                }
                if sink.send(Message::Ping(Default::default())).await.is_err() {
                    break End::ClientLeft;
                }
            }
            _ = state.shutdown.cancelled(), if drain_until.is_none() => {
                if searches.running.is_empty() {
                    break End::Close(close::GOING_AWAY, close::SHUTDOWN);
                }
                drain_until = Some(tokio::time::Instant::now() + DRAIN_LIMIT);
            }
            _ = sleep_until_some(drain_until) => break End::Close(close::GOING_AWAY, close::SHUTDOWN),
        }
    };
    if let End::Close(code, reason) = end {
        let _ = sink
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await;
        info!(code, reason, "socket closed by server");
    }
    let cancelled = searches.running.len();
    // Dropping `searches` aborts every search of this socket and with it every upstream call.
    drop(searches);
    info!(
        open_ms = opened.elapsed().as_millis() as u64,
        cancelled, "socket ended"
    );
}

async fn sleep_until_some(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

async fn tick(heartbeat: &mut Option<tokio::time::Interval>) {
    match heartbeat {
        Some(interval) => {
            interval.tick().await;
        }
        None => std::future::pending().await,
    }
}

fn read_error(e: axum::Error) -> End {
    let too_big = e
        .into_inner()
        .downcast_ref::<tungstenite::Error>()
        .is_some_and(|e| matches!(e, tungstenite::Error::Capacity(_)));
    if too_big {
        End::Close(close::TOO_BIG, "frame too large")
    } else {
        End::ClientLeft
    }
}

async fn send<S>(sink: &mut S, msg: &ServerMessage) -> Result<(), ()>
where
    S: futures::Sink<Message> + Unpin,
{
    let text = serde_json::to_string(msg).map_err(|_| ())?;
    sink.send(Message::Text(text.into())).await.map_err(|_| ())
}

/// A search event, encoded by the search's own task: the socket's queue then holds small
/// strings (a queue of `ServerMessage`s costs ~5 KB per socket up front, which 10,000 idle
/// sockets feel). `done` marks a search's last event.
struct Encoded {
    text: String,
    done: Option<SearchId>,
}

impl Encoded {
    fn new(msg: &ServerMessage) -> Self {
        Self {
            // Serialising these plain types cannot fail.
            text: serde_json::to_string(msg).unwrap_or_default(),
            done: match msg {
                ServerMessage::Done { search_id } => Some(*search_id),
                _ => None,
            },
        }
    }
}

/// The searches of one socket. Their tasks end with the socket: dropping this aborts them.
#[derive(Default)]
struct Searches {
    tasks: JoinSet<SearchId>,
    running: HashMap<SearchId, AbortHandle>,
}

impl Searches {
    fn finished(&mut self, search_id: SearchId) {
        self.running.remove(&search_id);
    }

    fn cancel(&mut self, search_id: SearchId) {
        if let Some(handle) = self.running.remove(&search_id) {
            handle.abort();
            info!(search_id, "search cancelled");
        }
    }
}

/// Replies to one text frame; search events follow later through `events`.
fn handle_text(
    text: &str,
    state: &AppState,
    client: ClientKey,
    searches: &mut Searches,
    events: &mpsc::Sender<Encoded>,
    draining: bool,
) -> Vec<ServerMessage> {
    let error = |search_id, code, message: String, field| ServerMessage::Error {
        search_id,
        code,
        message,
        field,
    };
    let msg = match decode_client_message(text) {
        Ok(msg) => msg,
        Err((code, message)) => {
            warn!(%code, bytes = text.len(), "undecodable client message");
            return vec![error(None, code, message, None)];
        }
    };
    match msg {
        ClientMessage::Ping { nonce } => vec![ServerMessage::Pong { nonce }],
        ClientMessage::Cancel { search_id } => {
            searches.cancel(search_id);
            vec![]
        }
        ClientMessage::Search { search_id, request } => {
            if draining {
                let message = "the server is restarting; search again in a moment".into();
                return vec![error(
                    Some(search_id),
                    ErrorCode::ShuttingDown,
                    message,
                    None,
                )];
            }
            if searches.running.contains_key(&search_id) {
                return vec![error(
                    Some(search_id),
                    ErrorCode::DuplicateSearch,
                    "this search_id is already running".into(),
                    None,
                )];
            }
            if searches.running.len() >= MAX_SEARCHES_PER_SOCKET {
                return vec![error(
                    Some(search_id),
                    ErrorCode::TooManySearches,
                    format!(
                        "at most {MAX_SEARCHES_PER_SOCKET} searches may run at once; cancel one first"
                    ),
                    None,
                )];
            }
            if let Err(retry) = state.limits.search(client) {
                state.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                warn!(search_id, "rate limit: search refused");
                return vec![error(
                    Some(search_id),
                    ErrorCode::RateLimited,
                    retry.message(),
                    None,
                )];
            }
            let service = &state.search;
            let (request, products) = match service.plan(&request) {
                Ok(plan) => plan,
                Err(e) => return vec![error(Some(search_id), e.code, e.message, Some(e.field))],
            };
            let route = crate::route::route_class(&request);
            let span = info_span!("search", search_id, %route, products = products.len());
            let mut search = service.start(&request, &products);
            let events = events.clone();
            let started = Instant::now();
            let handle = searches.tasks.spawn(
                async move {
                    let (mut offers, mut unavailable) = (0u32, 0u32);
                    while let Some(outcome) = search.next().await {
                        match outcome {
                            app::model::Outcome::Offer { .. } => offers += 1,
                            app::model::Outcome::Unavailable { .. } => unavailable += 1,
                        }
                        let event = Encoded::new(&ServerMessage::outcome(search_id, outcome));
                        if events.send(event).await.is_err() {
                            return search_id;
                        }
                    }
                    let _ = events
                        .send(Encoded::new(&ServerMessage::Done { search_id }))
                        .await;
                    info!(
                        offers,
                        unavailable,
                        ms = started.elapsed().as_millis() as u64,
                        "search done"
                    );
                    search_id
                }
                .instrument(span),
            );
            searches.running.insert(search_id, handle);
            vec![ServerMessage::Accepted {
                search_id,
                products,
            }]
        }
    }
}
