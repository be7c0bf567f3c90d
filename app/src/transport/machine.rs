//! The transport's decisions as a plain state machine (docs/architecture.md §4), so every failure trigger
//! is unit-tested without a browser. The browser shell ([`super::Transport`]) feeds it inputs
//! with the current time and carries out the commands it returns; nothing here does I/O.
//!
//! One socket serves the page. A search goes over the socket when it is usable; the HTTP tier
//! (server functions) joins in as a *hedge* when the socket is not verified yet or `accepted`
//! is late, and takes over for good when the socket is *broken*. Per product the first answer
//! wins, so cards already shown are never lost or asked for again.

use crate::api::ApiError;
use crate::error::FieldError;
use crate::model::{Outcome, Places, Plan, ProductId, SearchRequest};
use crate::protocol::{
    CLOSE_GOING_AWAY, CLOSE_REASON_SHUTDOWN, CLOSE_TRY_AGAIN_LATER, ClientMessage, SearchId,
    ServerMessage,
};
use crate::results::SearchEvent;
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

/// The hedge delay: max(300 ms, 4 × the page's own request round trip).
pub fn hedge_delay(page_rtt: Option<Ms>) -> Ms {
    page_rtt.map_or(MIN_HEDGE_DELAY, |rtt| (4.0 * rtt).max(MIN_HEDGE_DELAY))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Ws,
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
enum Socket {
    /// None open; one is opened on demand.
    Closed,
    Connecting {
        since: Ms,
    },
    Open {
        since: Ms,
        verified: bool,
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

#[derive(Debug)]
struct Http {
    plan_requested: bool,
    /// Products asked for over HTTP: never asked twice.
    requested: HashSet<ProductId>,
    in_flight: usize,
    /// A hedge pauses once the socket answers; a fallback never does.
    paused: bool,
}

#[derive(Debug)]
struct Search {
    id: SearchId,
    request: SearchRequest,
    /// When the search started, which is also when it was sent on the socket.
    started: Ms,
    plan: Option<Vec<ProductId>>,
    resolved: HashSet<ProductId>,
    on_socket: bool,
    accepted: bool,
    /// Whether the page has been told the places (the socket's and the HTTP plan may both).
    places_known: bool,
    last_heard: Ms,
    http: Option<Http>,
    finished: bool,
}

impl Search {
    fn outstanding(&self) -> usize {
        self.plan
            .as_ref()
            .map_or(0, |p| p.len() - self.resolved.len())
    }
}

#[derive(Debug)]
pub struct Machine {
    socket: Socket,
    hedge_delay: Ms,
    ping: Option<(u64, Ms)>,
    last_ping: Ms,
    next_nonce: u64,
    next_search_id: SearchId,
    messages_received: u32,
    search: Option<Search>,
    /// The socket was reopened at once after the server closed for a restart: until it is
    /// verified, a failure is the restart (quiet, retried soon), not the network.
    reopening: bool,
    /// A fallback after an `error` event, reported when its `close` comes (or at the time).
    unreported: Option<(Breakage, Ms)>,
}

impl Machine {
    /// `http_until`: a fallback remembered from earlier in this browser session.
    pub fn new(hedge_delay: Ms, http_until: Option<Ms>) -> Self {
        Self {
            socket: http_until.map_or(Socket::Closed, |retry_at| Socket::Broken { retry_at }),
            hedge_delay,
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
            Socket::Broken { .. } => Tier::Http,
            _ => Tier::Ws,
        }
    }

    fn verified(&self) -> bool {
        matches!(self.socket, Socket::Open { verified: true, .. })
    }

    /// The probe: opens the socket and pings it, so a broken path shows before the first search.
    pub fn start(&mut self, now: Ms) -> Vec<Command> {
        let mut out = Vec::new();
        if let Socket::Broken { retry_at } = self.socket {
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
        self.socket = Socket::Connecting { since: now };
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

    /// When the shell must call back with [`Input::Tick`], if anything is pending.
    pub fn next_deadline(&self) -> Option<Ms> {
        let mut at: Vec<Ms> = Vec::new();
        if let Some((_, until)) = &self.unreported {
            at.push(*until);
        }
        match self.socket {
            Socket::Connecting { since } => at.push(since + OPEN_TIMEOUT),
            Socket::Open { verified: true, .. } if self.ping.is_none() => {
                at.push(self.last_ping + IDLE_PING_EVERY)
            }
            _ => {}
        }
        if let (Some((_, sent)), false) = (self.ping, matches!(self.socket, Socket::Broken { .. }))
        {
            at.push(sent + REPLY_TIMEOUT);
        }
        if let Some(s) = self.search.as_ref().filter(|s| !s.finished) {
            if s.on_socket && !s.accepted {
                at.push(s.started + REPLY_TIMEOUT);
                if s.http.is_none() {
                    at.push(s.started + self.hedge_delay);
                }
            }
            if s.on_socket && s.accepted && s.outstanding() > 0 {
                at.push(s.last_heard + SILENCE_LIMIT);
            }
        }
        at.into_iter().reduce(f64::min)
    }

    pub fn handle(&mut self, now: Ms, input: Input) -> Vec<Command> {
        let mut out = Vec::new();
        match input {
            Input::Search(request) => self.search(now, request, &mut out),
            Input::Cancel => self.cancel(&mut out),
            Input::ConstructFailed => self.broken(now, Trigger::ConstructFailed, None, &mut out),
            Input::SocketOpened => {
                if let Socket::Connecting { .. } = self.socket {
                    self.socket = Socket::Open {
                        since: now,
                        verified: false,
                    };
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
            Input::HttpOutcome {
                search_id,
                product_id,
                result,
            } => self.http_outcome(search_id, product_id, result, &mut out),
        }
        out
    }

    fn socket_live(&self) -> bool {
        matches!(self.socket, Socket::Connecting { .. } | Socket::Open { .. })
    }

    fn search(&mut self, now: Ms, request: SearchRequest, out: &mut Vec<Command>) {
        self.cancel(out);
        let id = self.next_search_id;
        self.next_search_id += 1;
        let on_socket = match self.socket {
            Socket::Broken { retry_at } => {
                if now >= retry_at {
                    // Ten minutes on: probe the socket again while this search uses HTTP.
                    self.open(now, out);
                }
                false
            }
            Socket::Closed => {
                self.open(now, out);
                true
            }
            Socket::Connecting { .. } | Socket::Open { .. } => true,
        };
        self.search = Some(Search {
            id,
            request: request.clone(),
            started: now,
            plan: None,
            resolved: HashSet::new(),
            on_socket,
            accepted: false,
            places_known: false,
            last_heard: now,
            http: None,
            finished: false,
        });
        if on_socket {
            out.push(Command::Send(ClientMessage::Search {
                search_id: id,
                request,
            }));
        }
        if !on_socket {
            self.start_http(Join::ForGood, out);
        } else if !self.verified() {
            // A socket not known to work: the HTTP tier runs from the start, at once if the
            // socket is overdue already.
            let join = if self.overdue(now) {
                Join::LateHedge
            } else {
                Join::Hedge
            };
            self.start_http(join, out);
        }
    }

    fn cancel(&mut self, out: &mut Vec<Command>) {
        let Some(s) = self.search.take().filter(|s| !s.finished) else {
            return;
        };
        if s.on_socket && self.socket_live() {
            out.push(Command::Send(ClientMessage::Cancel { search_id: s.id }));
        }
        if s.http
            .as_ref()
            .is_some_and(|h| h.in_flight > 0 || h.plan_requested)
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
                    s.accepted = true;
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
            Socket::Open { since, .. } => since,
            _ => now,
        };
        if !self.verified() {
            self.socket = Socket::Open {
                since,
                verified: true,
            };
            self.reopening = false;
            out.push(Command::Tier(Tier::Ws));
        }
    }

    fn current(&mut self, search_id: SearchId) -> Option<&mut Search> {
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
        if self.unreported.is_some() {
            return self.report(Some((code, reason, was_clean)), out);
        }
        if !self.socket_live() {
            return;
        }
        let search_running = self
            .search
            .as_ref()
            .is_some_and(|s| s.on_socket && !s.finished);
        let unverified = !self.verified();
        let server_says = match code {
            CLOSE_TRY_AGAIN_LATER => Some(RETRY_BUSY_AFTER),
            CLOSE_GOING_AWAY if reason == CLOSE_REASON_SHUTDOWN => Some(RETRY_RESTART_AFTER),
            _ => None,
        };
        if let Some(retry_after) = server_says {
            // The network is fine, the server is busy or restarting: HTTP carries on quietly,
            // no notice and no report (the server logs these), and the socket is tried again.
            self.ping = None;
            out.push(Command::CloseSocket);
            out.push(Command::Tier(Tier::Http));
            if let Some(s) = self.search.as_mut() {
                s.on_socket = false;
            }
            if code == CLOSE_GOING_AWAY && !self.reopening {
                // Behind a load balancer another instance serves already: reopen at once.
                self.reopening = true;
                self.open(now, out);
            } else {
                self.reopening = false;
                self.socket = Socket::Broken {
                    retry_at: now + retry_after,
                };
            }
            if search_running {
                self.start_http(Join::ForGood, out);
            }
        } else if search_running || self.ping.is_some() || unverified {
            self.broken(now, Trigger::Closed, Some((code, reason, was_clean)), out);
        } else {
            // A close after `done` is normal; the next search opens a new socket.
            self.socket = Socket::Closed;
            self.ping = None;
        }
    }

    fn tick(&mut self, now: Ms, out: &mut Vec<Command>) {
        if self
            .unreported
            .as_ref()
            .is_some_and(|(_, until)| now >= *until)
        {
            self.report(None, out);
        }
        if self
            .next_deadline()
            .is_some_and(|due| now - due > LATE_TICK)
        {
            return self.resume(now, out);
        }
        if let Socket::Connecting { since } = self.socket
            && now - since >= OPEN_TIMEOUT
        {
            return self.broken(now, Trigger::OpenTimeout, None, out);
        }
        if self.socket_live()
            && let Some((_, sent)) = self.ping
            && now - sent >= REPLY_TIMEOUT
        {
            return self.broken(now, Trigger::PongTimeout, None, out);
        }
        let hedge_delay = self.hedge_delay;
        let socket_live = self.socket_live();
        let mut hedge = false;
        if let Some(s) = self.search.as_mut().filter(|s| !s.finished && s.on_socket) {
            if socket_live && !s.accepted && now - s.started >= REPLY_TIMEOUT {
                return self.broken(now, Trigger::AcceptedTimeout, None, out);
            }
            if socket_live
                && s.accepted
                && s.outstanding() > 0
                && now - s.last_heard >= SILENCE_LIMIT
            {
                return self.broken(now, Trigger::Silence, None, out);
            }
            hedge = !s.accepted && s.http.is_none() && now - s.started >= hedge_delay;
        }
        if hedge {
            // `accepted` is overdue: the socket has had its chance to answer first.
            self.start_http(Join::LateHedge, out);
        }
        if matches!(self.socket, Socket::Open { verified: true, .. })
            && self.ping.is_none()
            && now - self.last_ping >= IDLE_PING_EVERY
        {
            self.send_ping(now, out);
        }
    }

    /// After a sleep or a hidden spell: every deadline starts again from now, with a fresh
    /// ping, so that only a socket that stays silent *while the page is awake* counts as broken. A search still
    /// waiting for `accepted` is hedged at once: its customer has waited already.
    fn resume(&mut self, now: Ms, out: &mut Vec<Command>) {
        match self.socket {
            Socket::Connecting { .. } => self.socket = Socket::Connecting { since: now },
            Socket::Open { .. } => self.send_ping(now, out),
            Socket::Broken { .. } | Socket::Closed => {}
        }
        let mut hedge = false;
        if let Some(s) = self.search.as_mut().filter(|s| !s.finished && s.on_socket) {
            s.last_heard = now;
            if !s.accepted {
                s.started = now;
                hedge = s.http.is_none();
            }
        }
        if hedge {
            self.start_http(Join::LateHedge, out);
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
            Socket::Open { since, .. } => Some(now - since),
            _ => None,
        };
        let products_outstanding = self
            .search
            .as_ref()
            .filter(|s| !s.finished)
            .map_or(0, Search::outstanding);
        let (close_code, close_reason, was_clean) = match close {
            Some((code, reason, clean)) => (Some(code), reason, Some(clean)),
            None => (None, String::new(), None),
        };
        if std::mem::take(&mut self.reopening) {
            // No server to reopen onto yet (a single instance restarting): HTTP, quietly.
            self.socket = Socket::Broken {
                retry_at: now + RETRY_RESTART_AFTER,
            };
            self.ping = None;
            out.push(Command::CloseSocket);
            out.push(Command::Tier(Tier::Http));
            if self.search.as_ref().is_some_and(|s| !s.finished) {
                self.start_http(Join::ForGood, out);
            }
            return;
        }
        self.socket = Socket::Broken {
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
            self.start_http(Join::ForGood, out);
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
            (Socket::Connecting { since }, _) => since,
            (
                Socket::Open {
                    verified: false, ..
                },
                Some((_, sent)),
            ) => sent,
            _ => return false,
        };
        now - waiting_since >= self.hedge_delay
    }

    /// Brings in the HTTP tier for the search on screen: plan first if unknown, then only the
    /// products still outstanding.
    fn start_http(&mut self, join: Join, out: &mut Vec<Command>) {
        let Some(s) = self.search.as_mut().filter(|s| !s.finished) else {
            return;
        };
        let http = s.http.get_or_insert_with(|| Http {
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
            // The server's plan call admits the search (its budget, its refusals) and, for a
            // hedge, tells the plan.
            let plan_call = Command::HttpPlan {
                search_id: s.id,
                request: s.request.clone(),
            };
            if join != Join::Hedge {
                // The quotes need not wait a round trip for the server's copy of the plan: it
                // is the same code (`app::plan`), so they start now, and the plan call after
                // them (each fetch the browser starts delays the next by a little).
                let (id, products) = (s.id, crate::plan::plan(&s.request));
                self.planned(id, products, out);
            }
            out.push(plan_call);
            return;
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
        if http.paused {
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
            Err(error) => {
                let socket_ok = self.tier() == Tier::Ws;
                let Some(s) = self.current(search_id) else {
                    return;
                };
                if !socket_ok {
                    // Refused or unreachable: the search ends here, with whatever it started.
                    s.finished = true;
                    out.push(Command::AbortHttp { search_id });
                    let event = match error {
                        ApiError::Invalid(field) => SearchEvent::Invalid(field),
                        other => SearchEvent::Failed(other.to_string()),
                    };
                    out.push(Command::Emit(event));
                } else if s.plan.is_none()
                    && let Some(http) = &mut s.http
                {
                    // Only a hedge failed; ask again if the socket breaks.
                    http.plan_requested = false;
                }
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
mod tests {
    use super::*;
    use crate::model::*;

    const HEDGE: Ms = 300.0;

    /// The server's plan answer, without places.
    fn server_plan(products: Vec<ProductId>) -> Plan {
        Plan {
            products,
            places: Places::default(),
        }
    }

    fn ids(list: &[&str]) -> Vec<ProductId> {
        list.iter().map(|id| ProductId::new(id)).collect()
    }

    fn offer(id: &str) -> Offer {
        Offer {
            product_id: ProductId::new(id),
            name: id.into(),
            description: String::new(),
            price: Money {
                currency: "NOK".into(),
                with_vat_minor: 100,
                without_vat_minor: 80,
            },
            lead_time: LeadTime {
                working_days: 1,
                expected_delivery: "2026-11-30".into(),
            },
        }
    }

    fn emitted(cmds: &[Command]) -> Vec<SearchEvent> {
        cmds.iter()
            .filter_map(|c| match c {
                Command::Emit(e) => Some(e.clone()),
                _ => None,
            })
            .collect()
    }

    fn quotes(cmds: &[Command]) -> Vec<String> {
        cmds.iter()
            .filter_map(|c| match c {
                Command::HttpQuote { product_id, .. } => Some(product_id.0.clone()),
                _ => None,
            })
            .collect()
    }

    fn breakage(cmds: &[Command]) -> Option<Breakage> {
        cmds.iter().find_map(|c| match c {
            Command::Broken(b) => Some(b.clone()),
            _ => None,
        })
    }

    fn has_plan_call(cmds: &[Command]) -> bool {
        cmds.iter().any(|c| matches!(c, Command::HttpPlan { .. }))
    }

    /// A page whose socket opened at t=5 with the probe's ping (sent at t=0) unanswered.
    fn probing() -> Machine {
        let mut m = Machine::new(HEDGE, None);
        m.start(0.0);
        m.handle(5.0, Input::SocketOpened);
        m
    }

    /// A page whose probe has been answered: the socket is verified.
    fn verified() -> Machine {
        let mut m = Machine::new(HEDGE, None);
        let cmds = m.start(0.0);
        assert_eq!(cmds[0], Command::OpenSocket);
        assert_eq!(cmds[1], Command::Send(ClientMessage::Ping { nonce: 1 }));
        m.handle(10.0, Input::SocketOpened);
        let cmds = m.handle(12.0, Input::SocketMessage(ServerMessage::Pong { nonce: 1 }));
        assert_eq!(cmds, vec![Command::Tier(Tier::Ws)]);
        m
    }

    /// Verified socket, search 1 sent at t=1000.
    fn searching() -> Machine {
        let mut m = verified();
        m.handle(1_000.0, Input::Search(sample_request()));
        m
    }

    /// Verified socket, search 1 sent at t=1000 and accepted with three products, one answered.
    fn mid_search() -> Machine {
        let mut m = verified();
        let cmds = m.handle(1_000.0, Input::Search(sample_request()));
        assert_eq!(
            cmds,
            vec![Command::Send(ClientMessage::Search {
                search_id: 1,
                request: sample_request()
            })]
        );
        let cmds = m.handle(
            1_010.0,
            Input::SocketMessage(ServerMessage::Accepted {
                search_id: 1,
                products: ids(&["5800", "5600", "4850"]),
                places: Places::default(),
            }),
        );
        assert_eq!(
            emitted(&cmds),
            vec![SearchEvent::Planned(ids(&["5800", "5600", "4850"]))]
        );
        let cmds = m.handle(
            1_030.0,
            Input::SocketMessage(ServerMessage::Offer {
                search_id: 1,
                offer: offer("5800"),
            }),
        );
        assert_eq!(emitted(&cmds).len(), 1);
        m
    }

    #[test]
    fn a_healthy_socket_carries_the_whole_search_without_http() {
        let mut m = mid_search();
        let mut all = m.handle(
            1_040.0,
            Input::SocketMessage(ServerMessage::Offer {
                search_id: 1,
                offer: offer("5600"),
            }),
        );
        all.extend(m.handle(
            2_000.0,
            Input::SocketMessage(ServerMessage::Offer {
                search_id: 1,
                offer: offer("4850"),
            }),
        ));
        all.extend(m.handle(
            2_001.0,
            Input::SocketMessage(ServerMessage::Done { search_id: 1 }),
        ));
        assert_eq!(emitted(&all).last(), Some(&SearchEvent::Done));
        assert!(quotes(&all).is_empty() && !has_plan_call(&all));
        // A close after done is normal.
        let cmds = m.handle(
            3_000.0,
            Input::SocketClosed {
                code: 1006,
                reason: String::new(),
                was_clean: false,
            },
        );
        assert!(breakage(&cmds).is_none());
        assert_eq!(m.tier(), Tier::Ws);
    }

    #[test]
    fn a_busy_server_moves_the_search_to_http_without_a_notice_and_retries_soon() {
        let mut m = mid_search();
        let cmds = m.handle(
            1_100.0,
            Input::SocketClosed {
                code: CLOSE_TRY_AGAIN_LATER,
                reason: "too many connections from your network".into(),
                was_clean: true,
            },
        );
        assert!(breakage(&cmds).is_none(), "no notice, no report");
        assert!(cmds.contains(&Command::Tier(Tier::Http)));
        // The plan is known: only the two products still outstanding are asked for.
        assert_eq!(quotes(&cmds), ["5600", "4850"]);
        assert_eq!(m.tier(), Tier::Http);
        // A minute later the next search tries the socket again.
        let cmds = m.handle(1_100.0 + RETRY_BUSY_AFTER, Input::Search(sample_request()));
        assert!(cmds.contains(&Command::OpenSocket));
    }

    #[test]
    fn a_server_restart_mid_search_moves_it_to_http_quietly_and_the_socket_comes_back() {
        let mut m = mid_search();
        let cmds = m.handle(
            1_100.0,
            Input::SocketClosed {
                code: CLOSE_GOING_AWAY,
                reason: CLOSE_REASON_SHUTDOWN.into(),
                was_clean: true,
            },
        );
        assert!(breakage(&cmds).is_none(), "no notice, no report");
        assert_eq!(quotes(&cmds), ["5600", "4850"]);
        // Another instance may serve already: the socket is reopened at once and probed.
        assert!(cmds.contains(&Command::OpenSocket));
        m.handle(1_110.0, Input::SocketOpened);
        let cmds = m.handle(
            1_120.0,
            Input::SocketMessage(ServerMessage::Pong { nonce: 2 }),
        );
        assert_eq!(cmds, vec![Command::Tier(Tier::Ws)]);
        assert_eq!(m.tier(), Tier::Ws);
        // No other instance (a single server restarting): the reopened socket fails quietly
        // and the socket is tried again a little later.
        let mut m = mid_search();
        m.handle(
            1_100.0,
            Input::SocketClosed {
                code: CLOSE_GOING_AWAY,
                reason: CLOSE_REASON_SHUTDOWN.into(),
                was_clean: true,
            },
        );
        let cmds = m.handle(1_105.0, Input::SocketError);
        assert!(breakage(&cmds).is_none(), "no notice, no report");
        assert_eq!(m.tier(), Tier::Http);
        let cmds = m.handle(1_200.0, Input::Search(sample_request()));
        assert!(!cmds.contains(&Command::OpenSocket));
        let cmds = m.handle(
            1_105.0 + RETRY_RESTART_AFTER,
            Input::Search(sample_request()),
        );
        assert!(cmds.contains(&Command::OpenSocket));
        // A 1001 with any other reason mid-search is a breakage like any other close.
        let mut m = mid_search();
        let cmds = m.handle(
            1_100.0,
            Input::SocketClosed {
                code: CLOSE_GOING_AWAY,
                reason: String::new(),
                was_clean: false,
            },
        );
        assert_eq!(breakage(&cmds).unwrap().close_code, Some(CLOSE_GOING_AWAY));
    }

    #[test]
    fn a_replaced_search_has_its_server_function_calls_aborted() {
        let mut m = Machine::new(HEDGE, Some(RETRY_SOCKET_AFTER));
        m.start(0.0);
        let cmds = m.handle(1_000.0, Input::Search(sample_request()));
        assert!(has_plan_call(&cmds));
        m.handle(
            1_010.0,
            Input::HttpPlan {
                search_id: 1,
                result: Ok(server_plan(ids(&["5800", "4850"]))),
            },
        );
        let cmds = m.handle(1_500.0, Input::Search(sample_request()));
        assert_eq!(cmds[0], Command::AbortHttp { search_id: 1 });
        assert!(has_plan_call(&cmds), "the new search starts at once");
        // A finished search has nothing to abort: no service goes to Russia, so search 3
        // is done as soon as it is planned.
        let mut to_russia = sample_request();
        to_russia.to.country = "RU".into();
        let cmds = m.handle(1_520.0, Input::Search(to_russia));
        assert!(emitted(&cmds).contains(&SearchEvent::Done));
        let cmds = m.handle(2_000.0, Input::Search(sample_request()));
        assert!(!cmds.iter().any(|c| matches!(c, Command::AbortHttp { .. })));
    }

    #[test]
    fn on_http_for_good_the_quotes_start_at_once_with_the_pages_own_plan() {
        let mut m = Machine::new(HEDGE, Some(f64::INFINITY));
        m.start(0.0);
        let cmds = m.handle(1_000.0, Input::Search(sample_request()));
        let plan = crate::plan::plan(&sample_request());
        assert!(has_plan_call(&cmds), "the server still admits the search");
        assert_eq!(emitted(&cmds), vec![SearchEvent::Planned(plan.clone())]);
        let asked: Vec<String> = plan.iter().map(|p| p.0.clone()).collect();
        assert_eq!(
            quotes(&cmds),
            asked,
            "every product at once, no round trip first"
        );
        // The server's plan then changes nothing: nothing is asked twice.
        let cmds = m.handle(
            1_010.0,
            Input::HttpPlan {
                search_id: 1,
                result: Ok(server_plan(plan)),
            },
        );
        assert!(cmds.is_empty(), "{cmds:?}");
        // A refusal of the plan call ends the search and aborts its quotes.
        let cmds = m.handle(2_000.0, Input::Search(sample_request()));
        assert!(cmds.contains(&Command::AbortHttp { search_id: 1 }));
        let cmds = m.handle(
            2_010.0,
            Input::HttpPlan {
                search_id: 2,
                result: Err(ApiError::Server {
                    message: "Too many searches in the last minute. Try again in 3 s.".into(),
                }),
            },
        );
        assert!(cmds.contains(&Command::AbortHttp { search_id: 2 }));
        assert!(matches!(emitted(&cmds)[..], [SearchEvent::Failed(_)]));
    }

    #[test]
    fn places_are_told_once_whichever_tier_names_them() {
        let oslo_kirkenes = Places {
            from: Some("OSLO".into()),
            to: Some("KIRKENES".into()),
        };
        let mut m = searching();
        let cmds = m.handle(
            1_010.0,
            Input::SocketMessage(ServerMessage::Accepted {
                search_id: 1,
                products: ids(&["5800"]),
                places: oslo_kirkenes.clone(),
            }),
        );
        assert_eq!(
            emitted(&cmds),
            vec![
                SearchEvent::Planned(ids(&["5800"])),
                SearchEvent::Places(oslo_kirkenes.clone())
            ]
        );
        // On HTTP the page plans itself; the places come with the server's plan answer.
        let mut m = Machine::new(HEDGE, Some(f64::INFINITY));
        m.start(0.0);
        m.handle(1_000.0, Input::Search(sample_request()));
        let answer = |m: &mut Machine| {
            m.handle(
                1_010.0,
                Input::HttpPlan {
                    search_id: 1,
                    result: Ok(Plan {
                        products: crate::plan::plan(&sample_request()),
                        places: oslo_kirkenes.clone(),
                    }),
                },
            )
        };
        assert_eq!(
            emitted(&answer(&mut m)),
            vec![SearchEvent::Places(oslo_kirkenes.clone())]
        );
        assert!(emitted(&answer(&mut m)).is_empty(), "told once");
    }

    #[test]
    fn a_refused_field_is_a_field_error_on_either_tier() {
        let unknown = FieldError::new(
            "to_postal",
            crate::error::ErrorCode::UnknownPostalCode,
            "4444 is not a postal code in Norway",
        );
        let mut m = searching();
        let cmds = m.handle(
            1_010.0,
            Input::SocketMessage(ServerMessage::Error {
                search_id: Some(1),
                code: unknown.code,
                message: unknown.message.clone(),
                field: Some(unknown.field.clone()),
            }),
        );
        assert_eq!(emitted(&cmds), vec![SearchEvent::Invalid(unknown.clone())]);

        let mut m = Machine::new(HEDGE, Some(f64::INFINITY));
        m.start(0.0);
        m.handle(1_000.0, Input::Search(sample_request()));
        let cmds = m.handle(
            1_010.0,
            Input::HttpPlan {
                search_id: 1,
                result: Err(ApiError::Invalid(unknown.clone())),
            },
        );
        assert!(
            cmds.contains(&Command::AbortHttp { search_id: 1 }),
            "its quotes stop"
        );
        assert_eq!(emitted(&cmds), vec![SearchEvent::Invalid(unknown)]);
    }

    #[test]
    fn a_page_waking_from_sleep_asks_the_socket_again_before_judging_it() {
        let mut m = verified();
        // The idle ping went out, then the laptop slept for an hour: its timer fires late.
        let cmds = m.handle(30_000.0, Input::Tick);
        assert_eq!(cmds, vec![Command::Send(ClientMessage::Ping { nonce: 2 })]);
        let cmds = m.handle(3_630_000.0, Input::Tick);
        assert!(
            breakage(&cmds).is_none(),
            "no fallback for a timer that fired late"
        );
        assert_eq!(cmds, vec![Command::Send(ClientMessage::Ping { nonce: 3 })]);
        // The socket answers the new ping: all is well, still on the socket.
        let cmds = m.handle(
            3_630_020.0,
            Input::SocketMessage(ServerMessage::Pong { nonce: 3 }),
        );
        assert!(breakage(&cmds).is_none());
        assert_eq!(m.tier(), Tier::Ws);
        // Awake, silence still counts: no pong 3 s after the next ping is a breakage.
        let mut m = verified();
        m.handle(30_000.0, Input::Tick);
        m.handle(3_630_000.0, Input::Tick);
        let cmds = m.handle(3_633_000.0, Input::Tick);
        assert_eq!(breakage(&cmds).unwrap().trigger, Trigger::PongTimeout);
    }

    #[test]
    fn a_tab_shown_again_asks_the_socket_before_its_throttled_deadlines_judge_it() {
        let mut m = verified();
        m.handle(30_000.0, Input::Tick);
        // Hidden while that ping was out; shown again 2.5 s later, before its reply deadline.
        let cmds = m.handle(32_500.0, Input::Shown);
        assert_eq!(cmds, vec![Command::Send(ClientMessage::Ping { nonce: 3 })]);
        assert_eq!(m.next_deadline(), Some(32_500.0 + REPLY_TIMEOUT));
        let cmds = m.handle(33_100.0, Input::Tick);
        assert!(breakage(&cmds).is_none(), "the old ping's deadline is gone");
        let cmds = m.handle(
            33_120.0,
            Input::SocketMessage(ServerMessage::Pong { nonce: 3 }),
        );
        assert!(breakage(&cmds).is_none());
        assert_eq!(m.tier(), Tier::Ws);
        // A page on HTTP for good has nothing to ask.
        let mut m = Machine::new(HEDGE, Some(600_000.0));
        m.start(0.0);
        assert!(m.handle(1_000.0, Input::Shown).is_empty());
    }

    #[test]
    fn a_search_waiting_for_accepted_through_a_sleep_is_hedged_not_failed() {
        let mut m = searching();
        // Asleep before `accepted` (and before the hedge timer) could fire.
        let cmds = m.handle(60_000.0, Input::Tick);
        assert!(breakage(&cmds).is_none());
        assert!(has_plan_call(&cmds), "hedged over HTTP at once");
        assert!(cmds.contains(&Command::Send(ClientMessage::Ping { nonce: 2 })));
        // `accepted` then arrives: the socket carries on.
        let cmds = m.handle(
            60_010.0,
            Input::SocketMessage(ServerMessage::Accepted {
                search_id: 1,
                products: ids(&["5800"]),
                places: Places::default(),
            }),
        );
        assert!(breakage(&cmds).is_none());
    }

    #[test]
    fn a_socket_that_cannot_be_constructed_falls_back_at_once() {
        let mut m = Machine::new(HEDGE, None);
        m.start(0.0);
        let cmds = m.handle(1.0, Input::ConstructFailed);
        assert_eq!(breakage(&cmds).unwrap().trigger, Trigger::ConstructFailed);
        assert!(cmds.contains(&Command::Tier(Tier::Http)));
        // The next search goes straight to HTTP.
        let cmds = m.handle(500.0, Input::Search(sample_request()));
        assert!(has_plan_call(&cmds));
        assert!(!cmds.iter().any(|c| matches!(c, Command::Send(_))));
    }

    #[test]
    fn an_error_event_mid_search_fetches_only_what_is_missing() {
        let mut m = mid_search();
        let cmds = m.handle(1_100.0, Input::SocketError);
        assert!(!has_plan_call(&cmds), "the plan is known");
        assert_eq!(quotes(&cmds), ["5600", "4850"]);
        // The report waits for the `close` that follows, and carries what it says.
        assert!(breakage(&cmds).is_none());
        let cmds = m.handle(
            1_102.0,
            Input::SocketClosed {
                code: 1006,
                reason: String::new(),
                was_clean: false,
            },
        );
        let b = breakage(&cmds).unwrap();
        assert_eq!(b.trigger, Trigger::Error);
        assert_eq!((b.close_code, b.was_clean), (Some(1006), Some(false)));
        assert_eq!(b.products_outstanding, 2);
        assert_eq!(b.messages_received, 3);
        assert!(cmds.contains(&Command::CloseSocket));
    }

    #[test]
    fn an_error_without_a_close_is_reported_after_a_short_wait() {
        let mut m = mid_search();
        m.handle(1_100.0, Input::SocketError);
        assert_eq!(m.next_deadline(), Some(1_100.0 + CLOSE_WAIT));
        assert!(breakage(&m.handle(1_200.0, Input::Tick)).is_none());
        let cmds = m.handle(1_100.0 + CLOSE_WAIT, Input::Tick);
        let b = breakage(&cmds).unwrap();
        assert_eq!((b.trigger, b.close_code), (Trigger::Error, None));
        assert!(cmds.contains(&Command::CloseSocket));
        // Reported once.
        assert!(breakage(&m.handle(1_400.0, Input::Tick)).is_none());
    }

    #[test]
    fn a_close_with_any_code_before_done_is_a_breakage() {
        for (code, clean) in [(1005, true), (1006, false), (1000, true), (1011, true)] {
            let mut m = mid_search();
            let cmds = m.handle(
                1_200.0,
                Input::SocketClosed {
                    code,
                    reason: "bye".into(),
                    was_clean: clean,
                },
            );
            let b = breakage(&cmds).expect("broken");
            assert_eq!(
                (b.trigger, b.close_code, b.was_clean),
                (Trigger::Closed, Some(code), Some(clean))
            );
            assert_eq!(b.close_reason, "bye");
            assert_eq!(b.ms_since_open, Some(1_190.0));
            assert_eq!(quotes(&cmds), ["5600", "4850"]);
        }
    }

    #[test]
    fn a_close_while_the_probe_waits_for_its_pong_is_a_breakage() {
        let mut m = probing();
        let cmds = m.handle(
            6.0,
            Input::SocketClosed {
                code: 1006,
                reason: String::new(),
                was_clean: false,
            },
        );
        assert_eq!(breakage(&cmds).unwrap().trigger, Trigger::Closed);
        assert_eq!(m.tier(), Tier::Http);
    }

    #[test]
    fn a_socket_not_open_within_three_seconds_is_broken() {
        let mut m = Machine::new(HEDGE, None);
        m.start(0.0);
        assert_eq!(m.next_deadline(), Some(OPEN_TIMEOUT));
        assert!(breakage(&m.handle(2_999.0, Input::Tick)).is_none());
        assert_eq!(
            breakage(&m.handle(3_000.0, Input::Tick)).unwrap().trigger,
            Trigger::OpenTimeout
        );
    }

    #[test]
    fn a_missing_pong_is_silence() {
        let mut m = Machine::new(HEDGE, None);
        m.start(0.0);
        m.handle(10.0, Input::SocketOpened);
        assert_eq!(m.next_deadline(), Some(REPLY_TIMEOUT));
        let b = breakage(&m.handle(3_000.0, Input::Tick)).unwrap();
        assert_eq!(b.trigger, Trigger::PongTimeout);
        assert_eq!(b.ms_since_open, Some(2_990.0));
    }

    #[test]
    fn an_idle_ping_every_thirty_seconds_keeps_checking() {
        let mut m = verified();
        assert_eq!(m.next_deadline(), Some(IDLE_PING_EVERY));
        let cmds = m.handle(IDLE_PING_EVERY, Input::Tick);
        assert_eq!(cmds, vec![Command::Send(ClientMessage::Ping { nonce: 2 })]);
        let b = breakage(&m.handle(IDLE_PING_EVERY + REPLY_TIMEOUT, Input::Tick)).unwrap();
        assert_eq!(b.trigger, Trigger::PongTimeout);
    }

    #[test]
    fn a_late_accepted_hedges_at_once_with_the_pages_own_plan_then_breaks() {
        let mut m = searching();
        assert_eq!(m.next_deadline(), Some(1_000.0 + HEDGE));
        let cmds = m.handle(1_000.0 + HEDGE, Input::Tick);
        assert!(
            has_plan_call(&cmds),
            "the server's plan call admits the search"
        );
        assert!(breakage(&cmds).is_none(), "a hedge alone is no breakage");
        // `accepted` is overdue: the quotes do not wait a round trip for the server's plan.
        let plan = crate::plan::plan(&sample_request());
        assert_eq!(emitted(&cmds), vec![SearchEvent::Planned(plan.clone())]);
        let planned: Vec<String> = plan.iter().map(|p| p.0.clone()).collect();
        assert_eq!(quotes(&cmds), planned);
        let cmds = m.handle(
            1_310.0,
            Input::HttpPlan {
                search_id: 1,
                result: Ok(server_plan(plan)),
            },
        );
        assert!(emitted(&cmds).is_empty() && quotes(&cmds).is_empty());
        let cmds = m.handle(4_000.0, Input::Tick);
        let b = breakage(&cmds).unwrap();
        assert_eq!(b.trigger, Trigger::AcceptedTimeout);
        assert!(quotes(&cmds).is_empty(), "nothing is asked twice");
    }

    #[test]
    fn a_search_beside_a_probe_overdue_already_quotes_at_once() {
        // A box that swallows frames: the probe's pong has not come for two seconds, the
        // verdict (3 s) is not due yet, and the customer searches.
        let mut m = probing();
        let cmds = m.handle(2_000.0, Input::Search(sample_request()));
        assert!(breakage(&cmds).is_none(), "no verdict before its deadline");
        assert!(has_plan_call(&cmds));
        assert_eq!(
            quotes(&cmds).len(),
            crate::plan::plan(&sample_request()).len()
        );
        // A socket still opening after the hedge delay is overdue too.
        let mut m = Machine::new(HEDGE, None);
        m.start(0.0);
        let cmds = m.handle(HEDGE, Input::Search(sample_request()));
        assert!(!quotes(&cmds).is_empty());
        // Just after the probe left it is not: the plan call goes first.
        let mut m = probing();
        let cmds = m.handle(HEDGE - 1.0, Input::Search(sample_request()));
        assert!(has_plan_call(&cmds) && quotes(&cmds).is_empty());
    }

    #[test]
    fn an_unverified_socket_races_http_from_the_start_and_the_first_answer_wins() {
        let mut m = probing();
        let cmds = m.handle(20.0, Input::Search(sample_request()));
        assert!(
            cmds.iter()
                .any(|c| matches!(c, Command::Send(ClientMessage::Search { .. })))
        );
        assert!(has_plan_call(&cmds));
        m.handle(
            60.0,
            Input::HttpPlan {
                search_id: 1,
                result: Ok(server_plan(ids(&["5800", "5600"]))),
            },
        );
        let cmds = m.handle(
            90.0,
            Input::HttpOutcome {
                search_id: 1,
                product_id: ProductId::new("5800"),
                result: Ok(Outcome::Offer {
                    offer: offer("5800"),
                }),
            },
        );
        assert_eq!(emitted(&cmds).len(), 1);
        // The socket wakes up late: its plan and its answer for 5800 are duplicates.
        let mut late = m.handle(
            100.0,
            Input::SocketMessage(ServerMessage::Accepted {
                search_id: 1,
                products: ids(&["5800", "5600"]),
                places: Places::default(),
            }),
        );
        late.extend(m.handle(
            101.0,
            Input::SocketMessage(ServerMessage::Offer {
                search_id: 1,
                offer: offer("5800"),
            }),
        ));
        assert!(
            emitted(&late).is_empty(),
            "late duplicates are dropped: {late:?}"
        );
        let cmds = m.handle(
            102.0,
            Input::SocketMessage(ServerMessage::Offer {
                search_id: 1,
                offer: offer("5600"),
            }),
        );
        assert_eq!(
            emitted(&cmds),
            vec![
                SearchEvent::Outcome(Outcome::Offer {
                    offer: offer("5600")
                }),
                SearchEvent::Done
            ]
        );
        assert_eq!(m.tier(), Tier::Ws, "a socket that answers stays in use");
    }

    #[test]
    fn silence_with_products_outstanding_is_a_breakage() {
        let mut m = mid_search();
        assert_eq!(m.next_deadline(), Some(1_030.0 + SILENCE_LIMIT));
        let b = breakage(&m.handle(1_030.0 + SILENCE_LIMIT, Input::Tick)).unwrap();
        assert_eq!(b.trigger, Trigger::Silence);
        assert_eq!(b.products_outstanding, 2);
    }

    #[test]
    fn at_most_six_server_function_calls_are_in_flight() {
        // A hedge (the socket not verified yet) takes the server's plan, here a long one.
        let mut m = Machine::new(HEDGE, None);
        m.start(0.0);
        m.handle(1.0, Input::SocketOpened);
        let cmds = m.handle(0.0, Input::Search(sample_request()));
        assert!(has_plan_call(&cmds));
        let plan = ids(&["1", "2", "3", "4", "5", "6", "7", "8"]);
        let cmds = m.handle(
            1.0,
            Input::HttpPlan {
                search_id: 1,
                result: Ok(server_plan(plan)),
            },
        );
        assert_eq!(quotes(&cmds), ["1", "2", "3", "4", "5", "6"]);
        let cmds = m.handle(
            2.0,
            Input::HttpOutcome {
                search_id: 1,
                product_id: ProductId::new("3"),
                result: Err(ApiError::Server {
                    message: "offline".into(),
                }),
            },
        );
        assert_eq!(quotes(&cmds), ["7"]);
        assert!(matches!(
            &emitted(&cmds)[0],
            SearchEvent::Outcome(Outcome::Unavailable {
                reason: UnavailableReason::UpstreamError,
                ..
            })
        ));
    }

    #[test]
    fn a_remembered_fallback_stays_until_the_retry_time() {
        let mut m = Machine::new(HEDGE, Some(600_000.0));
        assert_eq!(m.start(0.0), vec![Command::Tier(Tier::Http)]);
        assert_eq!(m.tier(), Tier::Http);
        let cmds = m.handle(1_000.0, Input::Search(sample_request()));
        assert!(!cmds.contains(&Command::OpenSocket));
        // Ten minutes on, the socket is probed again while the search still uses HTTP.
        let cmds = m.handle(600_000.0, Input::Search(sample_request()));
        assert!(cmds.contains(&Command::OpenSocket));
        assert!(has_plan_call(&cmds));
        assert!(
            !cmds
                .iter()
                .any(|c| matches!(c, Command::Send(ClientMessage::Search { .. })))
        );
        m.handle(600_010.0, Input::SocketOpened);
        m.handle(
            600_020.0,
            Input::SocketMessage(ServerMessage::Pong { nonce: 1 }),
        );
        assert_eq!(m.tier(), Tier::Ws);
    }

    #[test]
    fn a_new_search_cancels_the_old_and_ignores_its_answers() {
        let mut m = mid_search();
        let cmds = m.handle(1_100.0, Input::Search(sample_request()));
        assert_eq!(
            cmds[0],
            Command::Send(ClientMessage::Cancel { search_id: 1 })
        );
        let cmds = m.handle(
            1_110.0,
            Input::SocketMessage(ServerMessage::Offer {
                search_id: 1,
                offer: offer("5600"),
            }),
        );
        assert!(emitted(&cmds).is_empty());
    }

    #[test]
    fn an_empty_plan_is_done_at_once() {
        let mut m = searching();
        let cmds = m.handle(
            1_010.0,
            Input::SocketMessage(ServerMessage::Accepted {
                search_id: 1,
                products: vec![],
                places: Places::default(),
            }),
        );
        assert_eq!(
            emitted(&cmds),
            vec![SearchEvent::Planned(vec![]), SearchEvent::Done]
        );
        assert_eq!(m.next_deadline(), Some(IDLE_PING_EVERY));
    }

    #[test]
    fn hedge_delay_is_four_round_trips_but_at_least_300_ms() {
        assert_eq!(hedge_delay(None), 300.0);
        assert_eq!(hedge_delay(Some(20.0)), 300.0);
        assert_eq!(hedge_delay(Some(150.0)), 600.0);
    }
}
