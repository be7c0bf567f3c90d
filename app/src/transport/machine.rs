//! The transport's decisions as a plain state machine (DESIGN §4), so every failure trigger
//! is unit-tested without a browser. The browser shell ([`super::Transport`]) feeds it inputs
//! with the current time and carries out the commands it returns; nothing here does I/O.
//!
//! One socket serves the page. A search goes over the socket when it is usable; the HTTP tier
//! (server functions) joins in as a *hedge* when the socket is not verified yet or `accepted`
//! is late, and takes over for good when the socket is *broken*. Per product the first answer
//! wins, so cards already shown are never lost or asked for again.

use crate::model::{Outcome, ProductId, SearchRequest};
use crate::protocol::{ClientMessage, SearchId, ServerMessage};
use crate::results::SearchEvent;
use std::collections::{HashSet, VecDeque};

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
pub const MIN_HEDGE_DELAY: Ms = 300.0;
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

/// Everything the error report of a fallback carries (DESIGN §4).
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
    SocketClosed { code: u16, reason: String, was_clean: bool },
    /// A deadline from [`Machine::next_deadline`] has passed.
    Tick,
    HttpPlan { search_id: SearchId, result: Result<Vec<ProductId>, String> },
    HttpOutcome { search_id: SearchId, product_id: ProductId, result: Result<Outcome, String> },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    OpenSocket,
    CloseSocket,
    Send(ClientMessage),
    HttpPlan { search_id: SearchId, request: SearchRequest },
    HttpQuote { search_id: SearchId, request: SearchRequest, product_id: ProductId },
    /// An event of the search on screen.
    Emit(SearchEvent),
    /// The tier now in use (`<body data-transport>`).
    Tier(Tier),
    /// Fall back for good: show the notice, remember it, report it.
    Broken(Breakage),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Socket {
    /// None open; one is opened on demand.
    Closed,
    Connecting { since: Ms },
    Open { since: Ms, verified: bool },
    /// Given up on until `retry_at`.
    Broken { retry_at: Ms },
}

#[derive(Debug)]
struct Http {
    plan_requested: bool,
    queue: VecDeque<ProductId>,
    in_flight: usize,
    /// A hedge pauses once the socket answers; a fallback never does.
    paused: bool,
}

#[derive(Debug)]
struct Search {
    id: SearchId,
    request: SearchRequest,
    started: Ms,
    plan: Option<Vec<ProductId>>,
    resolved: HashSet<ProductId>,
    on_socket: bool,
    sent_at: Ms,
    accepted: bool,
    last_heard: Ms,
    http: Option<Http>,
    finished: bool,
}

impl Search {
    fn outstanding(&self) -> usize {
        self.plan.as_ref().map_or(0, |p| p.len() - self.resolved.len())
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
        match self.socket {
            Socket::Connecting { since } => at.push(since + OPEN_TIMEOUT),
            Socket::Open { verified: true, .. } if self.ping.is_none() => at.push(self.last_ping + IDLE_PING_EVERY),
            _ => {}
        }
        if let (Some((_, sent)), false) = (self.ping, matches!(self.socket, Socket::Broken { .. })) {
            at.push(sent + REPLY_TIMEOUT);
        }
        if let Some(s) = self.search.as_ref().filter(|s| !s.finished) {
            if s.on_socket && !s.accepted {
                at.push(s.sent_at + REPLY_TIMEOUT);
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
                    self.socket = Socket::Open { since: now, verified: false };
                }
            }
            Input::SocketMessage(msg) => self.message(now, msg, &mut out),
            Input::SocketError => {
                if self.socket_live() {
                    self.broken(now, Trigger::Error, None, &mut out);
                }
            }
            Input::SocketClosed { code, reason, was_clean } => self.closed(now, code, reason, was_clean, &mut out),
            Input::Tick => self.tick(now, &mut out),
            Input::HttpPlan { search_id, result } => self.http_plan(search_id, result, &mut out),
            Input::HttpOutcome { search_id, product_id, result } => {
                self.http_outcome(search_id, product_id, result, &mut out)
            }
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
        if let Socket::Broken { retry_at } = self.socket
            && now >= retry_at
        {
            // Time to try the socket again; this search still goes over HTTP.
            self.open(now, out);
            self.socket = Socket::Broken { retry_at: f64::INFINITY };
            self.socket = Socket::Connecting { since: now };
        }
        let on_socket = matches!(self.socket, Socket::Closed | Socket::Connecting { .. } | Socket::Open { .. })
            && !self.retrying();
        if matches!(self.socket, Socket::Closed) {
            self.open(now, out);
        }
        self.search = Some(Search {
            id,
            request: request.clone(),
            started: now,
            plan: None,
            resolved: HashSet::new(),
            on_socket,
            sent_at: now,
            accepted: false,
            last_heard: now,
            http: None,
            finished: false,
        });
        if on_socket {
            out.push(Command::Send(ClientMessage::Search { search_id: id, request }));
            if !self.verified() {
                // Not known to work: race the HTTP tier from the start.
                self.start_http(false, out);
            }
        } else {
            self.start_http(false, out);
        }
    }

    /// While a remembered fallback is being re-probed, searches stay on HTTP.
    fn retrying(&self) -> bool {
        false
    }

    fn cancel(&mut self, out: &mut Vec<Command>) {
        if let Some(s) = self.search.take()
            && !s.finished
            && s.on_socket
            && self.socket_live()
        {
            out.push(Command::Send(ClientMessage::Cancel { search_id: s.id }));
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
            ServerMessage::Accepted { search_id, products } => {
                self.verify(now, out);
                if let Some(s) = self.current(search_id) {
                    s.accepted = true;
                    s.last_heard = now;
                    if let Some(http) = &mut s.http {
                        http.paused = true;
                    }
                }
                self.planned(search_id, products, out);
            }
            ServerMessage::Offer { search_id, offer } => {
                self.heard(now, search_id);
                self.outcome(search_id, Outcome::Offer { offer }, out);
            }
            ServerMessage::Unavailable { search_id, product_id, reason, message } => {
                self.heard(now, search_id);
                self.outcome(search_id, Outcome::Unavailable { product_id, reason, message }, out);
            }
            ServerMessage::Done { search_id } => self.heard(now, search_id),
            ServerMessage::Error { search_id: Some(search_id), message, .. } => {
                if let Some(s) = self.current(search_id) {
                    s.finished = true;
                    out.push(Command::Emit(SearchEvent::Failed(message)));
                }
            }
            ServerMessage::Error { search_id: None, .. } => {}
        }
    }

    fn verify(&mut self, now: Ms, out: &mut Vec<Command>) {
        let since = match self.socket {
            Socket::Open { since, .. } => since,
            _ => now,
        };
        if !self.verified() {
            self.socket = Socket::Open { since, verified: true };
            out.push(Command::Tier(Tier::Ws));
        }
    }

    fn current(&mut self, search_id: SearchId) -> Option<&mut Search> {
        self.search.as_mut().filter(|s| s.id == search_id && !s.finished)
    }

    fn heard(&mut self, now: Ms, search_id: SearchId) {
        if let Some(s) = self.current(search_id) {
            s.last_heard = now;
        }
    }

    fn planned(&mut self, search_id: SearchId, products: Vec<ProductId>, out: &mut Vec<Command>) {
        let Some(s) = self.current(search_id) else { return };
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
        let Some(s) = self.current(search_id) else { return };
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

    fn closed(&mut self, now: Ms, code: u16, reason: String, was_clean: bool, out: &mut Vec<Command>) {
        if !self.socket_live() {
            return;
        }
        let search_running = self.search.as_ref().is_some_and(|s| s.on_socket && !s.finished);
        let unverified = !self.verified();
        if search_running || self.ping.is_some() || unverified {
            self.broken_with_close(now, Trigger::Closed, Some((code, reason, was_clean)), out);
        } else {
            // A close after `done` is normal; the next search opens a new socket.
            self.socket = Socket::Closed;
            self.ping = None;
        }
    }

    fn tick(&mut self, now: Ms, out: &mut Vec<Command>) {
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
            if socket_live && !s.accepted && now - s.sent_at >= REPLY_TIMEOUT {
                return self.broken(now, Trigger::AcceptedTimeout, None, out);
            }
            if socket_live && s.accepted && s.outstanding() > 0 && now - s.last_heard >= SILENCE_LIMIT {
                return self.broken(now, Trigger::Silence, None, out);
            }
            hedge = !s.accepted && s.http.is_none() && now - s.started >= hedge_delay;
        }
        if hedge {
            self.start_http(false, out);
        }
        if matches!(self.socket, Socket::Open { verified: true, .. })
            && self.ping.is_none()
            && now - self.last_ping >= IDLE_PING_EVERY
        {
            self.send_ping(now, out);
        }
    }

    fn broken(&mut self, now: Ms, trigger: Trigger, _: Option<()>, out: &mut Vec<Command>) {
        self.broken_with_close(now, trigger, None, out)
    }

    fn broken_with_close(
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
        let products_outstanding = self.search.as_ref().filter(|s| !s.finished).map_or(0, Search::outstanding);
        let (close_code, close_reason, was_clean) = match close {
            Some((code, reason, clean)) => (Some(code), reason, Some(clean)),
            None => (None, String::new(), None),
        };
        self.socket = Socket::Broken { retry_at: now + RETRY_SOCKET_AFTER };
        self.ping = None;
        out.push(Command::CloseSocket);
        out.push(Command::Tier(Tier::Http));
        out.push(Command::Broken(Breakage {
            trigger,
            close_code,
            close_reason,
            was_clean,
            ms_since_open,
            messages_received: self.messages_received,
            products_outstanding,
        }));
        if self.search.as_ref().is_some_and(|s| !s.finished) {
            self.start_http(true, out);
        }
    }

    /// Brings in the HTTP tier for the search on screen: plan first if unknown, then only the
    /// products still outstanding.
    fn start_http(&mut self, for_good: bool, out: &mut Vec<Command>) {
        let Some(s) = self.search.as_mut().filter(|s| !s.finished) else { return };
        let http = s.http.get_or_insert_with(|| Http { plan_requested: false, queue: VecDeque::new(), in_flight: 0, paused: false });
        if for_good {
            http.paused = false;
        }
        if s.plan.is_none() && !http.plan_requested {
            http.plan_requested = true;
            out.push(Command::HttpPlan { search_id: s.id, request: s.request.clone() });
        }
        self.pump_http(out);
    }

    /// Queues the outstanding products not yet asked for and keeps up to six calls in flight.
    fn pump_http(&mut self, out: &mut Vec<Command>) {
        let Some(s) = self.search.as_mut().filter(|s| !s.finished) else { return };
        let (Some(plan), Some(http)) = (&s.plan, &mut s.http) else { return };
        if http.paused {
            return;
        }
        if http.queue.is_empty() && http.in_flight == 0 && !http.plan_requested_products_queued(plan) {
            // first pump after the plan: queue every product not answered yet
        }
        while http.in_flight < HTTP_PARALLEL {
            let Some(product_id) = http.queue.pop_front() else { break };
            if s.resolved.contains(&product_id) {
                continue;
            }
            http.in_flight += 1;
            out.push(Command::HttpQuote { search_id: s.id, request: s.request.clone(), product_id });
        }
    }

    fn http_plan(&mut self, search_id: SearchId, result: Result<Vec<ProductId>, String>, out: &mut Vec<Command>) {
        match result {
            Ok(products) => self.planned(search_id, products, out),
            Err(message) => {
                let socket_ok = self.tier() == Tier::Ws;
                if let Some(s) = self.current(search_id)
                    && s.plan.is_none()
                    && !socket_ok
                {
                    s.finished = true;
                    out.push(Command::Emit(SearchEvent::Failed(message)));
                }
            }
        }
    }

    fn http_outcome(
        &mut self,
        search_id: SearchId,
        product_id: ProductId,
        result: Result<Outcome, String>,
        out: &mut Vec<Command>,
    ) {
        if let Some(http) = self.current(search_id).and_then(|s| s.http.as_mut()) {
            http.in_flight = http.in_flight.saturating_sub(1);
        }
        let outcome = result.unwrap_or_else(|message| Outcome::Unavailable {
            product_id,
            reason: crate::model::UnavailableReason::UpstreamError,
            message,
        });
        self.outcome(search_id, outcome, out);
        self.pump_http(out);
    }
}
