//! `/ws/promotions` (docs/architecture.md §3): origin check before the upgrade, then one loop per socket that
//! reads client frames, writes search events, pings a client silent for 20 s and enforces the
//! limits.

use crate::guards::origin::OriginPolicy;
use crate::limits::ClientLimits;
use crate::limits::{Caller, SocketSlot, Tier};
use crate::search::SearchService;
use crate::search::clocks::{self, DRAIN_LIMIT, Timeouts};
use crate::search::start::{Started, begin};
use crate::stats::{Gauge, Stats};
use app::error::ErrorCode;
use app::i18n::{Texts, W};
use app::protocol::{
    ClientMessage, MAX_FRAME_BYTES, MAX_SEARCHES_PER_SOCKET, PROBE_EVERY_MS, PROBE_FRAMES,
    SearchId, ServerMessage, close, decode_client_message,
};
use axum::Extension;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_stream::StreamMap;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, info, info_span, warn};

static SOCKET_IDS: AtomicU64 = AtomicU64::new(1);

/// What a socket needs of the app's state (`FromRef` in `state.rs`).
#[derive(Clone)]
pub struct SocketNeeds {
    pub origins: Arc<OriginPolicy>,
    pub stats: Arc<Stats>,
    pub limits: Arc<ClientLimits>,
    pub search: Arc<SearchService>,
    pub timeouts: Timeouts,
    /// Cancelled on SIGTERM/SIGINT: sockets then close with 1001.
    pub shutdown: CancellationToken,
}

pub async fn handler(
    State(state): State<SocketNeeds>,
    Extension(caller): Extension<Caller>,
    uri: Uri,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !state.origins.allows(&headers) {
        state.stats.rejected_origins.fetch_add(1, Ordering::Relaxed);
        let origin = headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("(none)");
        crate::log_throttle::warn_throttled!(origin, "websocket refused: origin not allowed");
        return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
    }
    // The page names its language in the URL (`?lang=`): what the server writes for it
    // (refusals, reasons) reads in the page's words.
    let t = Texts::for_query(uri.query(), &headers);
    let slot = state.limits.open_socket(caller);
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
                Owner {
                    caller,
                    t,
                    _slot: slot,
                },
            )
            .instrument(info_span!("socket", id))
            .await
        })
        .into_response()
}

/// Why the loop stopped and how the socket should be closed.
enum Ending {
    ClientLeft,
    Close(u16, &'static str),
}

/// Whose socket it is and its page's words; the slot counts it against the client's cap
/// while it lives.
struct Owner {
    caller: Caller,
    t: Texts,
    _slot: SocketSlot,
}

async fn refuse(mut socket: WebSocket) {
    let frame = CloseFrame {
        code: close::TRY_AGAIN_LATER,
        reason: "too many connections from your network".into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

async fn run(socket: WebSocket, state: SocketNeeds, client: Owner) {
    let _live = Gauge::enter(&state.stats, |s| &s.sockets);
    let opened = Instant::now();
    info!("socket opened");
    let (sink, mut stream) = socket.split();
    let timeouts = state.timeouts;
    let mut sink = Outbound {
        sink,
        limit: timeouts.send_limit,
    };
    let mut searches = Searches::new();
    // The diagnostics page's probe stream, at most one per socket; dropped with the socket.
    let mut probe: Option<Events> = None;
    // From the start, so that a socket that never speaks is closed too; the pings themselves
    // wait until the client has spoken (the server sends nothing before that).
    let mut heartbeat = tokio::time::interval_at(
        tokio::time::Instant::now() + clocks::first_heartbeat(timeouts.ping_every),
        timeouts.ping_every,
    );
    let mut spoken = false;
    let mut last_heard = Instant::now();
    // Whether the client sent a frame of its own (not a pong) since the last tick: a page that
    // speaks (its own ping every 30 s) shows it is there, so the server's ping would only
    // wake both ends for nothing; one silent for a whole interval is pinged.
    let mut asked_since_tick = false;
    // On shutdown, running searches may finish until then; new ones are refused.
    let mut drain_until: Option<tokio::time::Instant> = None;
    // Made once, not per loop turn: every socket waits on the same token, and registering
    // anew on each turn contends on its lock.
    let shutdown = state.shutdown.clone();
    let mut shutdown = std::pin::pin!(shutdown.cancelled());

    let end = loop {
        tokio::select! {
            frame = stream.next() => {
                last_heard = Instant::now();
                match frame {
                    None | Some(Ok(Message::Close(_))) => break Ending::ClientLeft,
                    Some(Err(e)) => break read_error(e),
                    Some(Ok(Message::Binary(_))) => break Ending::Close(close::UNSUPPORTED, "binary frames are not supported"),
                    Some(Ok(Message::Pong(_))) => {}
                    Some(Ok(Message::Ping(_))) => asked_since_tick = true,
                    Some(Ok(Message::Text(text))) => {
                        spoken = true;
                        asked_since_tick = true;
                        // The token, not the branch below: when a frame and the shutdown are
                        // ready together, select! may take the frame first.
                        let draining = state.shutdown.is_cancelled();
                        // Boxed: the admission may wait on Redis, and its state inline would
                        // grow every idle socket's future by kilobytes.
                        let replies = Box::pin(handle_text(&text, &state, &client, &mut searches, &mut probe, draining)).await;
                        let mut sent = true;
                        for reply in replies {
                            if sink.message(&reply).await.is_err() {
                                sent = false;
                                break;
                            }
                        }
                        if !sent {
                            break Ending::ClientLeft;
                        }
                    }
                }
            }
            Some((search_id, event)) = searches.next(), if !searches.is_empty() => {
                let done = matches!(event, ServerMessage::Done { .. });
                if done {
                    searches.remove(&search_id);
                }
                if sink.message(&event).await.is_err() {
                    break Ending::ClientLeft;
                }
                if done && drain_until.is_some() && searches.is_empty() {
                    break Ending::Close(close::GOING_AWAY, close::REASON_SHUTDOWN);
                }
            }
            Some(frame) = next_probe_frame(&mut probe) => {
                if sink.message(&frame).await.is_err() {
                    break Ending::ClientLeft;
                }
            }
            _ = heartbeat.tick() => {
                if last_heard.elapsed() > timeouts.idle_limit {
                    break Ending::Close(close::GOING_AWAY, "idle");
                }
                let ping = spoken && !asked_since_tick;
                asked_since_tick = false;
                if ping && sink.frame(Message::Ping(Default::default())).await.is_err() {
                    break Ending::ClientLeft;
                }
            }
            _ = &mut shutdown, if drain_until.is_none() => {
                if searches.is_empty() {
                    break Ending::Close(close::GOING_AWAY, close::REASON_SHUTDOWN);
                }
                drain_until = Some(tokio::time::Instant::now() + DRAIN_LIMIT);
            }
            _ = sleep_until_some(drain_until) => break Ending::Close(close::GOING_AWAY, close::REASON_SHUTDOWN),
        }
    };
    if let Ending::Close(code, reason) = end {
        let _ = sink
            .frame(Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await;
        info!(code, reason, "socket closed by server");
    }
    let cancelled = searches.len();
    // Dropping `searches` aborts every search of this socket and with it every upstream call.
    drop(searches);
    info!(
        open_ms = opened.elapsed().as_millis() as u64,
        cancelled, "socket ended"
    );
}

/// The next frame of the running probe stream; pending while there is none. The last frame
/// ends the probe at once, not a poll later: a client that asks again the moment it has it
/// must not find it still running.
async fn next_probe_frame(probe: &mut Option<Events>) -> Option<ServerMessage> {
    let frame = match probe {
        Some(stream) => stream.next().await,
        None => std::future::pending().await,
    };
    if !matches!(frame, Some(ServerMessage::ProbeFrame { seq, of }) if seq + 1 < of) {
        *probe = None;
    }
    frame
}

/// `probe_frame`s 0..PROBE_FRAMES, the first at once, then one every `PROBE_EVERY_MS`.
fn probe_stream() -> Events {
    Box::pin(futures::stream::unfold(0, |seq| async move {
        if seq == PROBE_FRAMES {
            return None;
        }
        if seq > 0 {
            tokio::time::sleep(Duration::from_millis(PROBE_EVERY_MS)).await;
        }
        let frame = ServerMessage::ProbeFrame {
            seq,
            of: PROBE_FRAMES,
        };
        Some((frame, seq + 1))
    }))
}

async fn sleep_until_some(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn read_error(e: axum::Error) -> Ending {
    let too_big = e
        .into_inner()
        .downcast_ref::<tungstenite::Error>()
        .is_some_and(|e| matches!(e, tungstenite::Error::Capacity(_)));
    if too_big {
        Ending::Close(close::TOO_BIG, "frame too large")
    } else {
        Ending::ClientLeft
    }
}

/// The socket's sending half, each frame within the send limit.
struct Outbound<S> {
    sink: S,
    limit: Duration,
}

impl<S: futures::Sink<Message> + Unpin> Outbound<S> {
    async fn frame(&mut self, frame: Message) -> Result<(), ()> {
        match tokio::time::timeout(self.limit, self.sink.send(frame)).await {
            Ok(sent) => sent.map_err(|_| ()),
            Err(_) => {
                warn!("socket: peer stopped reading; closing");
                Err(())
            }
        }
    }

    async fn message(&mut self, msg: &ServerMessage) -> Result<(), ()> {
        let text = serde_json::to_string(msg).map_err(|_| ())?;
        self.frame(Message::Text(text.into())).await
    }
}

/// The searches of one socket, each the stream of its events. Removing one (a cancel, or
/// the socket ending) drops its `Fanout`, which aborts its upstream calls. Polled by the
/// socket's own loop: no task and no queue per search or socket.
type Searches = StreamMap<SearchId, Events>;
type Events = crate::search::Messages;

/// Replies to one text frame; search events follow later through `events`.
async fn handle_text(
    text: &str,
    state: &SocketNeeds,
    client: &Owner,
    searches: &mut Searches,
    probe: &mut Option<Events>,
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
        ClientMessage::Probe if probe.is_some() => vec![error(
            None,
            ErrorCode::ProbeRunning,
            "a probe stream is already running on this socket".into(),
            None,
        )],
        ClientMessage::Probe => {
            info!("probe stream started");
            *probe = Some(probe_stream());
            vec![]
        }
        ClientMessage::Cancel { search_id } => {
            // Dropping its messages logs it (`search::messages`).
            searches.remove(&search_id);
            vec![]
        }
        ClientMessage::Search { search_id, request } => {
            if draining {
                return vec![error(
                    Some(search_id),
                    ErrorCode::ShuttingDown,
                    client.t.get(W::Restarting).into(),
                    None,
                )];
            }
            if searches.contains_key(&search_id) {
                return vec![error(
                    Some(search_id),
                    ErrorCode::DuplicateSearch,
                    "this search_id is already running".into(),
                    None,
                )];
            }
            if searches.len() >= MAX_SEARCHES_PER_SOCKET {
                return vec![error(
                    Some(search_id),
                    ErrorCode::TooManySearches,
                    format!(
                        "at most {MAX_SEARCHES_PER_SOCKET} searches may run at once; cancel one first"
                    ),
                    None,
                )];
            }
            match begin(
                (&state.limits, &state.search),
                client.caller,
                Tier::Socket,
                search_id,
                &request,
                client.t,
            )
            .await
            {
                Ok(Started { accepted, messages }) => {
                    searches.insert(search_id, messages);
                    vec![accepted]
                }
                Err(refused) => vec![refused.message(search_id, client.t)],
            }
        }
    }
}
