//! The transport's decisions as a plain state machine (docs/architecture.md §4), so every failure trigger
//! is unit-tested without a browser. The driver ([`super::Transport`], `driver.rs`) feeds it inputs
//! with the current time and carries out the commands it returns; nothing here does I/O.
//!
//! One socket serves the page. A search goes over the socket when it is usable; the HTTP tier
//! (server functions) joins in as a *hedge* when the socket is not verified yet or `accepted`
//! is late, and takes over for good when the socket is *broken*. Per product the first answer
//! wins, so cards already shown are never lost or asked for again.

use crate::api::ApiError;
use crate::cards::SearchEvent;
use crate::error::FieldError;
use crate::model::{Outcome, Places, Plan, ProductId, SearchRequest};
use crate::protocol::{ClientMessage, SearchId, ServerMessage, close};
use crate::sentry::Fields;
use std::collections::HashSet;

/// Milliseconds on the page's clock.
pub type Ms = f64;

pub const OPEN_TIMEOUT: Ms = 3_000.0;
/// How long a `pong` or an `accepted` may take.
pub const REPLY_TIMEOUT: Ms = 3_000.0;
/// Longest silence while a search still has products outstanding.
pub const SILENCE_LIMIT: Ms = 15_000.0;
pub const IDLE_PING_EVERY: Ms = 30_000.0;
/// After a fallback, the socket is tried again this much later.
pub const RETRY_SOCKET_AFTER: Ms = 600_000.0;
/// After the server said it has too many sockets from this network, the socket is tried
/// again this much later.
pub const RETRY_BUSY_AFTER: Ms = 60_000.0;
/// After the server closed for a restart, the socket is tried again this much later.
pub const RETRY_RESTART_AFTER: Ms = 5_000.0;
pub const MIN_HEDGE_DELAY: Ms = 300.0;
/// A tick this late means the page was asleep (a closed laptop, a background tab whose timers
/// the browser throttled): silence then proves nothing, so the socket is asked again first.
pub const LATE_TICK: Ms = 1_000.0;
/// After an `error` event, how long the report waits for the `close` that browsers fire next
/// (with the close code, reason and `wasClean` the report should carry).
pub const CLOSE_WAIT: Ms = 250.0;
/// Server-function calls in flight at once for one search.
pub const HTTP_PARALLEL: usize = 6;
/// How long the HTTP stream's `accepted` may take before the page asks product by product:
/// at least this, else two of the page's round trips.
pub const MIN_STREAM_WAIT: Ms = 100.0;

/// The hedge delay: max(300 ms, 4 × the page's own request round trip).
pub fn hedge_delay(page_rtt: Option<Ms>) -> Ms {
    page_rtt.map_or(MIN_HEDGE_DELAY, |rtt| (4.0 * rtt).max(MIN_HEDGE_DELAY))
}

/// How long the HTTP stream may take to say `accepted`: max(100 ms, 2 × the round trip).
/// The server writes it at once, so only a proxy that holds responses back until they are
/// complete makes it later.
pub fn stream_wait(page_rtt: Option<Ms>) -> Ms {
    page_rtt.map_or(MIN_STREAM_WAIT, |rtt| (2.0 * rtt).max(MIN_STREAM_WAIT))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Socket,
    Http,
}

/// What showed the socket to be broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    ConstructFailed,
    Error,
    Closed,
    OpenTimeout,
    PongTimeout,
    AcceptedTimeout,
    Silence,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::ConstructFailed => "construct_failed",
            Trigger::Error => "error_event",
            Trigger::Closed => "closed_before_done",
            Trigger::OpenTimeout => "open_timeout",
            Trigger::PongTimeout => "pong_timeout",
            Trigger::AcceptedTimeout => "accepted_timeout",
            Trigger::Silence => "silence",
        }
    }
}

/// Everything the error report of a fallback carries (docs/architecture.md §4).
#[derive(Clone, Debug, PartialEq)]
pub struct Breakage {
    pub trigger: Trigger,
    pub close_code: Option<u16>,
    pub close_reason: String,
    pub was_clean: Option<bool>,
    pub ms_since_open: Option<Ms>,
    pub messages_received: u32,
    pub products_outstanding: usize,
}

impl Breakage {
    /// The event's message, tags and extra fields: plain data for the error reporter.
    pub fn report(&self) -> (String, Fields<'static>, Fields<'static>) {
        let trigger = self.trigger.as_str();
        let mut tags = vec![
            ("trigger", trigger.to_owned()),
            ("transport", "http".into()),
        ];
        if let Some(code) = self.close_code {
            tags.push(("close_code", code.to_string()));
        }
        if let Some(clean) = self.was_clean {
            tags.push(("was_clean", clean.to_string()));
        }
        let ms_since_open = self
            .ms_since_open
            .map_or_else(String::new, |ms| (ms.round() as u64).to_string());
        let extra = vec![
            ("close_reason", self.close_reason.clone()),
            ("ms_since_open", ms_since_open),
            ("messages_received", self.messages_received.to_string()),
            (
                "products_outstanding",
                self.products_outstanding.to_string(),
            ),
        ];
        (
            format!("live updates blocked, using HTTP ({trigger})"),
            tags,
            extra,
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Search(SearchRequest),
    Cancel,
    ConstructFailed,
    SocketOpened,
    SocketMessage(ServerMessage),
    SocketError,
    SocketClosed {
        code: u16,
        reason: String,
        was_clean: bool,
    },
    /// A deadline from [`Machine::next_deadline`] has passed.
    Tick,
    /// The page is visible again (a background tab brought back, a laptop opened): timers
    /// were throttled or stopped while it was hidden, so silence then proves nothing.
    Shown,
    HttpPlan {
        search_id: SearchId,
        result: Result<Plan, ApiError>,
    },
    /// A line of the HTTP stream (`/api/search`): a message as the socket would send it.
    HttpLine {
        search_id: SearchId,
        msg: ServerMessage,
    },
    /// The HTTP stream ended: complete (`Ok`, whether or not `done` came), refused, or cut.
    HttpStreamEnded {
        search_id: SearchId,
        result: Result<(), ApiError>,
    },
    HttpOutcome {
        search_id: SearchId,
        product_id: ProductId,
        result: Result<Outcome, ApiError>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    OpenSocket,
    CloseSocket,
    Send(ClientMessage),
    HttpPlan {
        search_id: SearchId,
        request: SearchRequest,
    },
    /// The whole search over one HTTP response, its lines fed back as [`Input::HttpLine`].
    HttpSearch {
        search_id: SearchId,
        request: SearchRequest,
    },
    HttpQuote {
        search_id: SearchId,
        request: SearchRequest,
        product_id: ProductId,
    },
    /// An event of the search on screen.
    Emit(SearchEvent),
    /// The tier now in use (`<body data-transport>`).
    Tier(Tier),
    /// Fall back for good: show the notice, remember it, report it.
    Broken(Breakage),
    /// Abort the server-function calls of `search_id`: it was replaced. The browser's six
    /// connections are then free for the new search, and the server stops quoting.
    AbortHttp {
        search_id: SearchId,
    },
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum SocketState {
    /// None open; one is opened on demand.
    Closed,
    Connecting {
        since: Ms,
    },
    /// Open, but no `pong` or `accepted` has shown that frames get through.
    Open {
        since: Ms,
    },
    /// Open, and a reply came back through it.
    Verified {
        since: Ms,
    },
    /// Given up on until `retry_at`.
    Broken {
        retry_at: Ms,
    },
}

/// How the HTTP tier joins a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Join {
    /// Beside a socket that has not answered yet but may any moment (the probe has just been
    /// sent): the server's plan call goes first, so a socket that answers meanwhile costs no
    /// duplicate quotes.
    Hedge,
    /// Beside a socket that is overdue (its `pong` or `accepted` is late): quotes start at
    /// once with the page's own plan; per product the first answer still wins.
    LateHedge,
    /// The socket is gone: HTTP carries the search to its end.
    ForGood,
}

/// The machine's deadlines, by what happens when one passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Deadline {
    /// A fallback after an `error` event is reported without the `close` it waited for.
    CloseWait,
    /// The socket did not open: broken.
    Open,
    /// The ping got no `pong`: broken.
    Pong,
    /// The search got no `accepted`: broken.
    Accepted,
    /// The socket went silent with products outstanding: broken.
    Silence,
    /// `accepted` is late: HTTP joins the search.
    Hedge,
    /// The HTTP stream's `accepted` is late (a proxy holds it back): ask product by product.
    StreamWait,
    /// A verified, idle socket is pinged, so a dead one shows before the next search.
    IdlePing,
}

/// Where a search stands on the socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sent {
    /// Not on the socket: HTTP carries it.
    No,
    /// Sent, waiting for `accepted`.
    Waiting,
    Accepted,
}

/// The HTTP stream of a search, if it has one.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stream {
    /// None: the quotes go product by product from the start (a hedge).
    Off,
    /// Asked for, `accepted` not read yet: the quotes wait until `since` + the stream wait.
    Waiting { since: Ms },
    /// Its lines come as they happen: it carries the search.
    Flowing,
    /// Held back, cut or ended early: what is missing goes product by product (its lines
    /// still count if they come).
    GaveUp,
}

#[derive(Debug)]
struct Http {
    stream: Stream,
    plan_requested: bool,
    /// Products asked for over HTTP: never asked twice.
    requested: HashSet<ProductId>,
    in_flight: usize,
    /// A hedge pauses once the socket answers; a fallback never does.
    paused: bool,
}

/// The search on screen (the last one started), as the page knows it.
#[derive(Debug)]
struct OnScreen {
    id: SearchId,
    request: SearchRequest,
    /// When the search started, which is also when it was sent on the socket.
    started: Ms,
    plan: Option<Vec<ProductId>>,
    resolved: HashSet<ProductId>,
    on_socket: Sent,
    /// Whether the page has been told the places (the socket's and the HTTP plan may both).
    places_known: bool,
    last_heard: Ms,
    http: Option<Http>,
    finished: bool,
}

impl OnScreen {
    fn outstanding(&self) -> usize {
        self.plan
            .as_ref()
            .map_or(0, |p| p.len() - self.resolved.len())
    }
}

#[derive(Debug)]
pub struct Machine {
    socket: SocketState,
    hedge_delay: Ms,
    stream_wait: Ms,
    ping: Option<(u64, Ms)>,
    last_ping: Ms,
    next_nonce: u64,
    next_search_id: SearchId,
    messages_received: u32,
    search: Option<OnScreen>,
    /// The socket was reopened at once after the server closed for a restart: until it is
    /// verified, a failure is the restart (quiet, retried soon), not the network.
    reopening: bool,
    /// A fallback after an `error` event, reported when its `close` comes (or at the time).
    unreported: Option<(Breakage, Ms)>,
}

impl Machine {
    /// `page_rtt`: the page's own request round trip, if known; `http_until`: a fallback
    /// remembered from earlier in this browser session.
    pub fn new(page_rtt: Option<Ms>, http_until: Option<Ms>) -> Self {
        Self {
            socket: http_until.map_or(SocketState::Closed, |retry_at| SocketState::Broken {
                retry_at,
            }),
            hedge_delay: hedge_delay(page_rtt),
            stream_wait: stream_wait(page_rtt),
            ping: None,
            last_ping: 0.0,
            next_nonce: 1,
            next_search_id: 1,
            messages_received: 0,
            search: None,
            reopening: false,
            unreported: None,
        }
    }

    pub fn tier(&self) -> Tier {
        match self.socket {
            SocketState::Broken { .. } => Tier::Http,
            _ => Tier::Socket,
        }
    }

    fn verified(&self) -> bool {
        matches!(self.socket, SocketState::Verified { .. })
    }

    /// The probe: opens the socket and pings it, so a broken path shows before the first search.
    pub fn start(&mut self, now: Ms) -> Vec<Command> {
        let mut out = Vec::new();
        if let SocketState::Broken { retry_at } = self.socket {
            out.push(Command::Tier(Tier::Http));
            if now < retry_at {
                return out;
            }
        }
        self.open(now, &mut out);
        out
    }

    fn open(&mut self, now: Ms, out: &mut Vec<Command>) {
        self.report(None, out);
        self.socket = SocketState::Connecting { since: now };
        self.messages_received = 0;
        out.push(Command::OpenSocket);
        self.send_ping(now, out);
    }

    fn send_ping(&mut self, now: Ms, out: &mut Vec<Command>) {
        let nonce = self.next_nonce;
        self.next_nonce += 1;
        self.ping = Some((nonce, now));
        self.last_ping = now;
        out.push(Command::Send(ClientMessage::Ping { nonce }));
    }

    /// Every deadline pending now, with when it falls due: the one place they are computed.
    fn deadlines(&self) -> Vec<(Deadline, Ms)> {
        let mut at = Vec::new();
        if let Some((_, until)) = &self.unreported {
            at.push((Deadline::CloseWait, *until));
        }
        match self.socket {
            SocketState::Connecting { since } => at.push((Deadline::Open, since + OPEN_TIMEOUT)),
            SocketState::Verified { .. } if self.ping.is_none() => {
                at.push((Deadline::IdlePing, self.last_ping + IDLE_PING_EVERY));
            }
            _ => {}
        }
        if let (Some((_, sent)), true) = (self.ping, self.socket_live()) {
            at.push((Deadline::Pong, sent + REPLY_TIMEOUT));
        }
        if let Some(s) = self.search.as_ref().filter(|s| !s.finished) {
            match s.on_socket {
                Sent::Waiting if self.socket_live() => {
                    at.push((Deadline::Accepted, s.started + REPLY_TIMEOUT));
                }
                Sent::Accepted if self.socket_live() && s.outstanding() > 0 => {
                    at.push((Deadline::Silence, s.last_heard + SILENCE_LIMIT));
                }
                _ => {}
            }
            if s.on_socket == Sent::Waiting && s.http.is_none() {
                at.push((Deadline::Hedge, s.started + self.hedge_delay));
            }
            if let Some(Http {
                stream: Stream::Waiting { since },
                ..
            }) = s.http
            {
                at.push((Deadline::StreamWait, since + self.stream_wait));
            }
        }
        at
    }

    fn due(&self, deadline: Deadline, now: Ms) -> bool {
        self.deadlines()
            .iter()
            .any(|&(d, at)| d == deadline && at <= now)
    }

    /// When the driver must call back with [`Input::Tick`], if anything is pending.
    pub fn next_deadline(&self) -> Option<Ms> {
        self.deadlines()
            .into_iter()
            .map(|(_, at)| at)
            .reduce(f64::min)
    }

    pub fn handle(&mut self, now: Ms, input: Input) -> Vec<Command> {
        let mut out = Vec::new();
        match input {
            Input::Search(request) => self.search(now, request, &mut out),
            Input::Cancel => self.cancel(&mut out),
            Input::ConstructFailed => self.broken(now, Trigger::ConstructFailed, None, &mut out),
            Input::SocketOpened => {
                if let SocketState::Connecting { .. } = self.socket {
                    self.socket = SocketState::Open { since: now };
                }
            }
            Input::SocketMessage(msg) => self.message(now, msg, &mut out),
            Input::SocketError => {
                if self.socket_live() {
                    self.broken(now, Trigger::Error, None, &mut out);
                }
            }
            Input::SocketClosed {
                code,
                reason,
                was_clean,
            } => self.closed(now, code, reason, was_clean, &mut out),
            Input::Tick => self.tick(now, &mut out),
            Input::Shown => self.resume(now, &mut out),
            Input::HttpPlan { search_id, result } => self.http_plan(search_id, result, &mut out),
            Input::HttpLine { search_id, msg } => self.http_line(search_id, msg, &mut out),
            Input::HttpStreamEnded { search_id, result } => {
                self.http_stream_ended(search_id, result, &mut out)
            }
            Input::HttpOutcome {
                search_id,
                product_id,
                result,
            } => self.http_outcome(search_id, product_id, result, &mut out),
        }
        out
    }

    fn socket_live(&self) -> bool {
        matches!(
            self.socket,
            SocketState::Connecting { .. }
                | SocketState::Open { .. }
                | SocketState::Verified { .. }
        )
    }

    fn search(&mut self, now: Ms, request: SearchRequest, out: &mut Vec<Command>) {
        self.cancel(out);
        let id = self.next_search_id;
        self.next_search_id += 1;
        let on_socket = match self.socket {
            SocketState::Broken { retry_at } => {
                if now >= retry_at {
                    // Ten minutes on: probe the socket again while this search uses HTTP.
                    self.open(now, out);
                }
                Sent::No
            }
            SocketState::Closed => {
                self.open(now, out);
                Sent::Waiting
            }
            SocketState::Connecting { .. }
            | SocketState::Open { .. }
            | SocketState::Verified { .. } => Sent::Waiting,
        };
        self.search = Some(OnScreen {
            id,
            request: request.clone(),
            started: now,
            plan: None,
            resolved: HashSet::new(),
            on_socket,
            places_known: false,
            last_heard: now,
            http: None,
            finished: false,
        });
        // A socket not known to work: the HTTP tier runs from the start, at once if the
        // socket is overdue already.
        let join = match on_socket {
            Sent::No => Some(Join::ForGood),
            _ if self.verified() => None,
            _ if self.overdue(now) => Some(Join::LateHedge),
            _ => Some(Join::Hedge),
        };
        // An overdue socket is the less likely to answer: the HTTP request leaves first.
        if join == Some(Join::LateHedge) {
            self.start_http(now, Join::LateHedge, out);
        }
        if on_socket == Sent::Waiting {
            out.push(Command::Send(ClientMessage::Search {
                search_id: id,
                request,
            }));
        }
        if let Some(join) = join.filter(|&j| j != Join::LateHedge) {
            self.start_http(now, join, out);
        }
    }

    fn cancel(&mut self, out: &mut Vec<Command>) {
        let Some(s) = self.search.take().filter(|s| !s.finished) else {
            return;
        };
        if s.on_socket != Sent::No && self.socket_live() {
            out.push(Command::Send(ClientMessage::Cancel { search_id: s.id }));
        }
        if s.http
            .as_ref()
            .is_some_and(|h| h.in_flight > 0 || h.plan_requested || h.stream != Stream::Off)
        {
            out.push(Command::AbortHttp { search_id: s.id });
        }
    }

    fn message(&mut self, now: Ms, msg: ServerMessage, out: &mut Vec<Command>) {
        if !self.socket_live() {
            return;
        }
        self.messages_received += 1;
        match msg {
            ServerMessage::Pong { nonce } => {
                if self.ping.is_some_and(|(n, _)| n == nonce) {
                    self.ping = None;
                    self.verify(now, out);
                }
            }
            ServerMessage::Accepted {
                search_id,
                products,
                places,
            } => {
                self.verify(now, out);
                if let Some(s) = self.current(search_id) {
                    s.on_socket = Sent::Accepted;
                    s.last_heard = now;
                    if let Some(http) = &mut s.http {
                        http.paused = true;
                    }
                }
                self.planned(search_id, products, out);
                self.places(search_id, places, out);
            }
            ServerMessage::Offer { search_id, offer } => {
                self.heard(now, search_id);
                self.outcome(search_id, Outcome::Offer { offer }, out);
            }
            ServerMessage::Unavailable {
                search_id,
                product_id,
                reason,
                message,
            } => {
                self.heard(now, search_id);
                self.outcome(
                    search_id,
                    Outcome::Unavailable {
                        product_id,
                        reason,
                        message,
                    },
                    out,
                );
            }
            ServerMessage::Done { search_id } => self.heard(now, search_id),
            ServerMessage::Error {
                search_id: Some(search_id),
                code,
                message,
                field,
            } => {
                if let Some(s) = self.current(search_id) {
                    s.finished = true;
                    let event = match field {
                        Some(field) => SearchEvent::Invalid(FieldError {
                            field,
                            code,
                            message,
                        }),
                        None => SearchEvent::Failed(message),
                    };
                    out.push(Command::Emit(event));
                }
            }
            // The search page never asks for a probe stream.
            ServerMessage::Error {
                search_id: None, ..
            }
            | ServerMessage::ProbeFrame { .. } => {}
        }
    }

    fn verify(&mut self, now: Ms, out: &mut Vec<Command>) {
        let since = match self.socket {
            SocketState::Open { since } | SocketState::Verified { since } => since,
            _ => now,
        };
        if !self.verified() {
            self.socket = SocketState::Verified { since };
            self.reopening = false;
            out.push(Command::Tier(Tier::Socket));
        }
    }

    fn current(&mut self, search_id: SearchId) -> Option<&mut OnScreen> {
        self.search
            .as_mut()
            .filter(|s| s.id == search_id && !s.finished)
    }

    fn heard(&mut self, now: Ms, search_id: SearchId) {
        if let Some(s) = self.current(search_id) {
            s.last_heard = now;
        }
    }

    fn planned(&mut self, search_id: SearchId, products: Vec<ProductId>, out: &mut Vec<Command>) {
        let Some(s) = self.current(search_id) else {
            return;
        };
        if s.plan.is_some() {
            return;
        }
        s.plan = Some(products.clone());
        out.push(Command::Emit(SearchEvent::Planned(products)));
        if s.outstanding() == 0 {
            s.finished = true;
            out.push(Command::Emit(SearchEvent::Done));
        }
        self.pump_http(out);
    }

    /// The first answer per product wins; late duplicates are dropped.
    fn outcome(&mut self, search_id: SearchId, outcome: Outcome, out: &mut Vec<Command>) {
        let Some(s) = self.current(search_id) else {
            return;
        };
        let id = outcome.product_id().clone();
        if !s.plan.as_ref().is_some_and(|p| p.contains(&id)) || !s.resolved.insert(id) {
            return;
        }
        out.push(Command::Emit(SearchEvent::Outcome(outcome)));
        if s.outstanding() == 0 {
            s.finished = true;
            out.push(Command::Emit(SearchEvent::Done));
        }
    }

    fn closed(
        &mut self,
        now: Ms,
        code: u16,
        reason: String,
        was_clean: bool,
        out: &mut Vec<Command>,
    ) {
        let server_says = match code {
            close::TRY_AGAIN_LATER => Some(RETRY_BUSY_AFTER),
            close::GOING_AWAY if reason == close::REASON_SHUTDOWN => Some(RETRY_RESTART_AFTER),
            _ => None,
        };
        if self.unreported.is_some() {
            if let Some(retry_after) = server_says {
                // The `error` before it was the server refusing (busy, restarting), not the
                // network: HTTP carries on as it already does, quietly, and the socket is
                // tried again when the server said.
                self.unreported = None;
                self.socket = SocketState::Broken {
                    retry_at: now + retry_after,
                };
                out.push(Command::CloseSocket);
                return;
            }
            return self.report(Some((code, reason, was_clean)), out);
        }
        if !self.socket_live() {
            return;
        }
        let search_running = self
            .search
            .as_ref()
            .is_some_and(|s| s.on_socket != Sent::No && !s.finished);
        let unverified = !self.verified();
        if let Some(retry_after) = server_says {
            // The network is fine, the server is busy or restarting: HTTP carries on quietly,
            // no notice and no report (the server logs these), and the socket is tried again.
            self.ping = None;
            out.push(Command::CloseSocket);
            out.push(Command::Tier(Tier::Http));
            if let Some(s) = self.search.as_mut() {
                s.on_socket = Sent::No;
            }
            if code == close::GOING_AWAY && !self.reopening {
                // Behind a load balancer another instance serves already: reopen at once.
                self.reopening = true;
                self.open(now, out);
            } else {
                self.reopening = false;
                self.socket = SocketState::Broken {
                    retry_at: now + retry_after,
                };
            }
            if search_running {
                self.start_http(now, Join::ForGood, out);
            }
        } else if search_running || self.ping.is_some() || unverified {
            self.broken(now, Trigger::Closed, Some((code, reason, was_clean)), out);
        } else {
            // A close after `done` is normal; the next search opens a new socket.
            self.socket = SocketState::Closed;
            self.ping = None;
        }
    }

    fn tick(&mut self, now: Ms, out: &mut Vec<Command>) {
        if self.due(Deadline::CloseWait, now) {
            self.report(None, out);
        }
        if self
            .next_deadline()
            .is_some_and(|due| now - due > LATE_TICK)
        {
            return self.resume(now, out);
        }
        for (deadline, trigger) in [
            (Deadline::Open, Trigger::OpenTimeout),
            (Deadline::Pong, Trigger::PongTimeout),
            (Deadline::Accepted, Trigger::AcceptedTimeout),
            (Deadline::Silence, Trigger::Silence),
        ] {
            if self.due(deadline, now) {
                return self.broken(now, trigger, None, out);
            }
        }
        if self.due(Deadline::Hedge, now) {
            // `accepted` is overdue: the socket has had its chance to answer first.
            self.start_http(now, Join::LateHedge, out);
        }
        if self.due(Deadline::StreamWait, now) {
            self.give_up_stream(out);
        }
        if self.due(Deadline::IdlePing, now) {
            self.send_ping(now, out);
        }
    }

    /// After a sleep or a hidden spell: every deadline starts again from now, with a fresh
    /// ping, so that only a socket that stays silent *while the page is awake* counts as broken. A search still
    /// waiting for `accepted` is hedged at once: its customer has waited already.
    fn resume(&mut self, now: Ms, out: &mut Vec<Command>) {
        match self.socket {
            SocketState::Connecting { .. } => self.socket = SocketState::Connecting { since: now },
            SocketState::Open { .. } | SocketState::Verified { .. } => self.send_ping(now, out),
            SocketState::Broken { .. } | SocketState::Closed => {}
        }
        let mut hedge = false;
        if let Some(s) = self
            .search
            .as_mut()
            .filter(|s| !s.finished && s.on_socket != Sent::No)
        {
            s.last_heard = now;
            if s.on_socket == Sent::Waiting {
                s.started = now;
                hedge = s.http.is_none();
            }
        }
        if hedge {
            self.start_http(now, Join::LateHedge, out);
        }
    }

    fn broken(
        &mut self,
        now: Ms,
        trigger: Trigger,
        close: Option<(u16, String, bool)>,
        out: &mut Vec<Command>,
    ) {
        let ms_since_open = match self.socket {
            SocketState::Open { since } | SocketState::Verified { since } => Some(now - since),
            _ => None,
        };
        let products_outstanding = self
            .search
            .as_ref()
            .filter(|s| !s.finished)
            .map_or(0, OnScreen::outstanding);
        let (close_code, close_reason, was_clean) = match close {
            Some((code, reason, clean)) => (Some(code), reason, Some(clean)),
            None => (None, String::new(), None),
        };
        if std::mem::take(&mut self.reopening) {
            // No server to reopen onto yet (a single instance restarting): HTTP, quietly.
            self.socket = SocketState::Broken {
                retry_at: now + RETRY_RESTART_AFTER,
            };
            self.ping = None;
            out.push(Command::CloseSocket);
            out.push(Command::Tier(Tier::Http));
            if self.search.as_ref().is_some_and(|s| !s.finished) {
                self.start_http(now, Join::ForGood, out);
            }
            return;
        }
        self.socket = SocketState::Broken {
            retry_at: now + RETRY_SOCKET_AFTER,
        };
        self.ping = None;
        out.push(Command::Tier(Tier::Http));
        let breakage = Breakage {
            trigger,
            close_code,
            close_reason,
            was_clean,
            ms_since_open,
            messages_received: self.messages_received,
            products_outstanding,
        };
        if trigger == Trigger::Error {
            // The socket stays open to hear its `close`; HTTP starts now all the same.
            self.unreported = Some((breakage, now + CLOSE_WAIT));
        } else {
            out.push(Command::CloseSocket);
            out.push(Command::Broken(breakage));
        }
        if self.search.as_ref().is_some_and(|s| !s.finished) {
            self.start_http(now, Join::ForGood, out);
        }
    }

    /// Reports the fallback that waited for its `close`, with what the close said.
    fn report(&mut self, close: Option<(u16, String, bool)>, out: &mut Vec<Command>) {
        let Some((mut breakage, _)) = self.unreported.take() else {
            return;
        };
        if let Some((code, reason, clean)) = close {
            breakage.close_code = Some(code);
            breakage.close_reason = reason;
            breakage.was_clean = Some(clean);
        }
        out.push(Command::CloseSocket);
        out.push(Command::Broken(breakage));
    }

    /// The socket is not verified and should have been by now: its probe's `pong` (or its
    /// opening) has waited longer than the hedge delay.
    fn overdue(&self, now: Ms) -> bool {
        let waiting_since = match (self.socket, self.ping) {
            (SocketState::Connecting { since }, _) => since,
            (SocketState::Open { .. }, Some((_, sent))) => sent,
            _ => return false,
        };
        now - waiting_since >= self.hedge_delay
    }

    /// Brings in the HTTP tier for the search on screen. Unplanned: beside a socket that may
    /// answer any moment, the server's plan first; otherwise one stream for the whole search,
    /// with the page's own plan on screen at once. Planned: only the products still missing.
    fn start_http(&mut self, now: Ms, join: Join, out: &mut Vec<Command>) {
        let Some(s) = self.search.as_mut().filter(|s| !s.finished) else {
            return;
        };
        let http = s.http.get_or_insert_with(|| Http {
            stream: Stream::Off,
            plan_requested: false,
            requested: HashSet::new(),
            in_flight: 0,
            paused: false,
        });
        if join == Join::ForGood {
            http.paused = false;
        }
        if s.plan.is_none() && !http.plan_requested {
            http.plan_requested = true;
            if join == Join::Hedge {
                // The server's plan call admits the search (its budget, its refusals) and
                // tells the plan; a socket that answers meanwhile costs no duplicate quotes.
                out.push(Command::HttpPlan {
                    search_id: s.id,
                    request: s.request.clone(),
                });
                return;
            }
            // One request instead of one per product: the browser queues each request it
            // starts behind the one before, so the fastest product's own request would wait
            // for its place in the queue. The stream admits the search like the plan call.
            http.stream = Stream::Waiting { since: now };
            out.push(Command::HttpSearch {
                search_id: s.id,
                request: s.request.clone(),
            });
            // The plan is the same code as the server's (`app::plan`): the cards show now.
            let (id, products) = (s.id, crate::plan::plan(&s.request));
            self.planned(id, products, out);
            return;
        }
        self.pump_http(out);
    }

    /// A line of the search's HTTP stream: the socket's messages, handled alike.
    fn http_line(&mut self, search_id: SearchId, msg: ServerMessage, out: &mut Vec<Command>) {
        match msg {
            ServerMessage::Accepted {
                products, places, ..
            } => {
                if let Some(http) = self.current(search_id).and_then(|s| s.http.as_mut())
                    && matches!(http.stream, Stream::Waiting { .. })
                {
                    http.stream = Stream::Flowing;
                }
                self.planned(search_id, products, out);
                self.places(search_id, places, out);
            }
            ServerMessage::Offer { offer, .. } => {
                self.outcome(search_id, Outcome::Offer { offer }, out);
            }
            ServerMessage::Unavailable {
                product_id,
                reason,
                message,
                ..
            } => {
                let outcome = Outcome::Unavailable {
                    product_id,
                    reason,
                    message,
                };
                self.outcome(search_id, outcome, out);
            }
            ServerMessage::Error {
                code,
                message,
                field,
                ..
            } => {
                let error = match field {
                    Some(field) => ApiError::Invalid(FieldError {
                        field,
                        code,
                        message,
                    }),
                    None => ApiError::Refused { code, message },
                };
                self.http_refused(search_id, error, out);
            }
            ServerMessage::Done { .. }
            | ServerMessage::Pong { .. }
            | ServerMessage::ProbeFrame { .. } => {}
        }
    }

    fn http_stream_ended(
        &mut self,
        search_id: SearchId,
        result: Result<(), ApiError>,
        out: &mut Vec<Command>,
    ) {
        match result {
            Err(error @ (ApiError::Invalid(_) | ApiError::Refused { .. })) => {
                self.http_refused(search_id, error, out);
            }
            // Complete (then nothing is missing), cut, or not answered properly: whatever is
            // missing goes product by product.
            _ => {
                if self.search.as_ref().is_some_and(|s| s.id == search_id) {
                    self.give_up_stream(out);
                }
            }
        }
    }

    /// The search's stream is held back or gone: ask for what is missing product by product.
    fn give_up_stream(&mut self, out: &mut Vec<Command>) {
        if let Some(http) = self
            .search
            .as_mut()
            .filter(|s| !s.finished)
            .and_then(|s| s.http.as_mut())
        {
            http.stream = Stream::GaveUp;
        }
        self.pump_http(out);
    }

    /// Asks for the outstanding products not yet asked for, keeping six calls in flight.
    fn pump_http(&mut self, out: &mut Vec<Command>) {
        let Some(s) = self.search.as_mut().filter(|s| !s.finished) else {
            return;
        };
        let (Some(plan), Some(http)) = (&s.plan, &mut s.http) else {
            return;
        };
        if http.paused || matches!(http.stream, Stream::Waiting { .. } | Stream::Flowing) {
            return;
        }
        for product_id in plan {
            if http.in_flight >= HTTP_PARALLEL {
                break;
            }
            if s.resolved.contains(product_id) || !http.requested.insert(product_id.clone()) {
                continue;
            }
            http.in_flight += 1;
            out.push(Command::HttpQuote {
                search_id: s.id,
                request: s.request.clone(),
                product_id: product_id.clone(),
            });
        }
    }

    fn http_plan(
        &mut self,
        search_id: SearchId,
        result: Result<Plan, ApiError>,
        out: &mut Vec<Command>,
    ) {
        match result {
            Ok(Plan { products, places }) => {
                self.planned(search_id, products, out);
                self.places(search_id, places, out);
            }
            Err(error) => self.http_refused(search_id, error, out),
        }
    }

    /// The server refused the search over HTTP (or could not be reached for its plan).
    fn http_refused(&mut self, search_id: SearchId, error: ApiError, out: &mut Vec<Command>) {
        let socket_ok = self.tier() == Tier::Socket;
        let Some(s) = self.current(search_id) else {
            return;
        };
        if !socket_ok {
            // The search ends here, with whatever it started.
            s.finished = true;
            out.push(Command::AbortHttp { search_id });
            let event = match error {
                ApiError::Invalid(field) => SearchEvent::Invalid(field),
                other => SearchEvent::Failed(other.to_string()),
            };
            out.push(Command::Emit(event));
        } else if let Some(http) = &mut s.http {
            // Only a hedge failed (the socket hears the same search): nothing more over
            // HTTP unless the socket breaks.
            if s.plan.is_none() {
                http.plan_requested = false;
            }
            if http.stream != Stream::Off {
                http.stream = Stream::GaveUp;
                http.paused = true;
            }
        }
    }

    /// Places are news once per search, from whichever tier names them first.
    fn places(&mut self, search_id: SearchId, places: Places, out: &mut Vec<Command>) {
        if let Some(s) = self.current(search_id)
            && !places.is_empty()
            && !s.places_known
        {
            s.places_known = true;
            out.push(Command::Emit(SearchEvent::Places(places)));
        }
    }

    fn http_outcome(
        &mut self,
        search_id: SearchId,
        product_id: ProductId,
        result: Result<Outcome, ApiError>,
        out: &mut Vec<Command>,
    ) {
        if let Some(http) = self.current(search_id).and_then(|s| s.http.as_mut()) {
            http.in_flight = http.in_flight.saturating_sub(1);
        }
        let outcome = match result {
            Ok(outcome) => outcome,
            // The request itself is refused (the quotes may answer before the plan call).
            Err(ApiError::Invalid(field)) => {
                if let Some(s) = self.current(search_id) {
                    s.finished = true;
                    out.push(Command::AbortHttp { search_id });
                    out.push(Command::Emit(SearchEvent::Invalid(field)));
                }
                return;
            }
            Err(error) => Outcome::Unavailable {
                product_id,
                reason: crate::model::UnavailableReason::UpstreamError,
                message: error.to_string(),
            },
        };
        self.outcome(search_id, outcome, out);
        self.pump_http(out);
    }
}

#[cfg(test)]
mod tests;
