//! The transport's decisions as a plain state machine (docs/architecture.md §4), so every failure trigger
//! is unit-tested without a browser. The driver ([`super::Transport`], `driver.rs`) feeds it inputs
//! with the current time and carries out the commands it returns; nothing here does I/O.
//!
//! One socket serves the page. A search goes over the socket when it is usable; the HTTP tier
//! (one streamed `/api/search`, or server functions product by product) joins in as a *hedge*
//! when the socket is not verified yet or `accepted` is late, and takes over for good when the
//! socket is *broken*. Per product the first answer wins, so cards already shown are never
//! lost or asked for again.
//!
//! Here: inputs, commands, state, a search's life; `deadlines.rs` how long each thing may
//! take, `socket.rs` the socket's life (and giving up on it), `http.rs` the HTTP tier's,
//! `breakage.rs` what a fallback reports.

use crate::error::{ApiError, FieldError};
use crate::model::{Outcome, Places, Plan, ProductId, SearchRequest};
use crate::protocol::{ClientMessage, SearchId, ServerMessage, close};
use crate::transport::event::SearchEvent;
use std::collections::HashSet;

mod breakage;
mod deadlines;
mod http;
mod socket;

pub use breakage::{Breakage, Trigger};
pub use deadlines::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Socket,
    Http,
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
    /// A round trip to `/api` the page timed (its warm-up when it turns to HTTP). The page's
    /// load can time its round trip too short (a nearby cache, or DevTools' throttling, which
    /// the navigation's timings do not show): the longer of the two sets the waits.
    RoundTrip(Ms),
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
            Input::RoundTrip(rtt) => {
                self.hedge_delay = self.hedge_delay.max(hedge_delay(Some(rtt)));
                self.stream_wait = self.stream_wait.max(stream_wait(Some(rtt)));
            }
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
}

#[cfg(test)]
mod tests;
