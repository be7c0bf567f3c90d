//! The checks as the browser runs them, one after another, each within its own deadline, so
//! that every hostile network gets a verdict within seconds.

use super::seen::SeenRequest;
use super::{Check, Finding, Grade, Verdict, stream_finding, verdict};
use crate::i18n::{Texts, W};
use crate::protocol::{
    ClientMessage, PROBE_EVERY_MS, PROBE_FRAMES, ServerMessage, decode_server_message,
};
use crate::transport::browser_socket::{BrowserSocket, Close, SocketEvent};
use crate::transport::driver::{now, socket_url};
use crate::transport::machine::{CLOSE_WAIT, OPEN_TIMEOUT, REPLY_TIMEOUT};
use leptos::prelude::window;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

// The socket is judged by the search page's own deadlines, so the test finds what the page
// would: the socket's opening, its first answer, the `close` after an `error`.
/// The stream's own length plus room for a slow network.
const STREAM_LIMIT_S: u64 = (PROBE_FRAMES as u64 * PROBE_EVERY_MS) / 1000 + 3;
const STREAM_LIMIT_MS: f64 = (STREAM_LIMIT_S * 1000) as f64;
const HTTP_LIMIT_MS: f64 = 5_000.0;

/// Where the checks report to as they go.
pub trait Observer {
    fn started(&self, check: Check);
    fn finished(&self, check: Check, finding: Finding);
}

/// What a run found; the error-reporting check is the caller's (it sends all of this).
pub struct RunResult {
    pub findings: Vec<(Check, Finding)>,
    pub seen: SeenRequest,
    pub verdict: Verdict,
}

/// Runs every check but error reporting. `page_seen` is what the server saw of the page load.
pub async fn run(t: Texts, page_seen: SeenRequest, observer: &impl Observer) -> RunResult {
    let mut findings = Vec::new();
    let mut record = |check, finding: Finding| {
        observer.finished(check, finding.clone());
        findings.push((check, finding));
    };

    observer.started(Check::WebsocketOpen);
    let (socket, finding) = open(t, &socket_url()).await;
    record(Check::WebsocketOpen, finding);

    observer.started(Check::WebsocketEcho);
    let answered = match &socket {
        Some(socket) => {
            let finding = echo(t, socket).await;
            let ok = finding.grade == Grade::Pass;
            record(Check::WebsocketEcho, finding);
            ok
        }
        None => {
            record(Check::WebsocketEcho, not_run(t, W::WhyNotOpen));
            false
        }
    };

    observer.started(Check::WebsocketStream);
    match &socket {
        Some(socket) if answered => record(Check::WebsocketStream, stream(t, socket).await),
        _ => record(Check::WebsocketStream, not_run(t, W::WhyNoAnswer)),
    }
    drop(socket);

    observer.started(Check::ServerFunction);
    let (seen, finding) = server_function(t).await;
    record(Check::ServerFunction, finding);

    observer.started(Check::ProxyHints);
    let seen = seen.unwrap_or(page_seen);
    record(Check::ProxyHints, proxy_hints(t, &seen));

    let online = window().navigator().on_line();
    let verdict = verdict(&findings, online);
    RunResult {
        findings,
        seen,
        verdict,
    }
}

/// A deadline in whole seconds, for a sentence.
fn seconds(ms: f64) -> String {
    ((ms / 1000.0).round() as u64).to_string()
}

fn not_run(t: Texts, why: W) -> Finding {
    Finding::new(Grade::Fail, t.fill(W::FoundNotRun, &[("why", t.get(why))]))
}

async fn open(t: Texts, url: &str) -> (Option<CheckSocket>, Finding) {
    let start = now();
    let Ok(socket) = CheckSocket::open(url) else {
        return (
            None,
            Finding::new(Grade::Fail, t.get(W::FoundBrowserRefused)),
        );
    };
    let finding = match socket.next(start + OPEN_TIMEOUT).await {
        Some(SocketEvent::Open) => {
            let f = Finding::new(Grade::Pass, t.get(W::FoundOpened));
            return (Some(socket), f.timed(now() - start));
        }
        Some(SocketEvent::Error) => match socket.next(now() + CLOSE_WAIT).await {
            Some(SocketEvent::Closed(close)) => closed_early(t, &close),
            _ => Finding::new(Grade::Fail, t.get(W::FoundRefused)),
        },
        Some(SocketEvent::Closed(close)) => closed_early(t, &close),
        Some(SocketEvent::Text(_)) | None => {
            let sentence = t.fill(W::FoundOpenSlow, &[("seconds", &seconds(OPEN_TIMEOUT))]);
            Finding::new(Grade::Fail, sentence)
        }
    };
    (None, finding.timed(now() - start))
}

fn closed_early(t: Texts, close: &Close) -> Finding {
    let sentence = t.fill(W::FoundRefusedEarly, &[("close", &close.describe())]);
    Finding::new(Grade::Fail, sentence)
}

async fn echo(t: Texts, socket: &CheckSocket) -> Finding {
    let start = now();
    let nonce = (js_sys::Math::random() * 1e9) as u64;
    socket.send(&ClientMessage::Ping { nonce });
    loop {
        match socket.next(start + REPLY_TIMEOUT).await {
            Some(SocketEvent::Text(text)) => {
                if let Some(ServerMessage::Pong { nonce: n }) = decode_server_message(&text)
                    && n == nonce
                {
                    let f = Finding::new(Grade::Pass, t.get(W::FoundAnswered));
                    return f.timed(now() - start);
                }
            }
            Some(SocketEvent::Closed(close)) => {
                let sentence = t.fill(W::FoundCutOnSend, &[("close", &close.describe())]);
                return Finding::new(Grade::Fail, sentence).timed(now() - start);
            }
            Some(SocketEvent::Open | SocketEvent::Error) => {}
            None => {
                let sentence = t.fill(W::FoundSilent, &[("seconds", &seconds(REPLY_TIMEOUT))]);
                return Finding::new(Grade::Fail, sentence).timed(now() - start);
            }
        }
    }
}

async fn stream(t: Texts, socket: &CheckSocket) -> Finding {
    let start = now();
    socket.send(&ClientMessage::Probe);
    let mut arrivals = Vec::new();
    let of = PROBE_FRAMES as usize;
    let broken = loop {
        if arrivals.len() == of {
            break None;
        }
        match socket.next(start + STREAM_LIMIT_MS).await {
            Some(SocketEvent::Text(text)) => {
                if let Some(ServerMessage::ProbeFrame { .. }) = decode_server_message(&text) {
                    arrivals.push(now() - start);
                }
            }
            Some(SocketEvent::Closed(close)) => break Some(close.describe()),
            Some(SocketEvent::Open | SocketEvent::Error) => {}
            None => {
                let seconds = STREAM_LIMIT_S.to_string();
                break Some(t.fill(W::WhyNothingMore, &[("seconds", &seconds)]));
            }
        }
    };
    stream_finding(t, &arrivals, broken.as_deref()).timed(now() - start)
}

async fn server_function(t: Texts) -> (Option<SeenRequest>, Finding) {
    use futures::future::{Either, select};
    let start = now();
    let call = Box::pin(crate::api::call::connection_check());
    let outcome = select(call, Box::pin(sleep(HTTP_LIMIT_MS))).await;
    let elapsed = now() - start;
    match outcome {
        Either::Left((Ok(seen), _)) => {
            let f = Finding::new(Grade::Pass, t.get(W::FoundHttpOk));
            (Some(seen), f.timed(elapsed))
        }
        Either::Left((Err(e), _)) => {
            let sentence = t.fill(W::FoundHttpFailed, &[("error", &e.to_string())]);
            (None, Finding::new(Grade::Fail, sentence).timed(elapsed))
        }
        Either::Right(_) => {
            let sentence = t.get(W::FoundHttpSlow);
            (None, Finding::new(Grade::Fail, sentence).timed(elapsed))
        }
    }
}

fn proxy_hints(t: Texts, seen: &SeenRequest) -> Finding {
    if seen.headers.is_empty() {
        Finding::new(Grade::Warn, t.get(W::FoundSeenUnknown))
    } else if seen.hints.is_empty() {
        Finding::new(Grade::Pass, t.get(W::FoundNoProxy))
    } else {
        Finding::new(Grade::Warn, format!("{}.", seen.hints.join("; ")))
    }
}

/// Resolves after `ms`.
pub async fn sleep(ms: f64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms.ceil() as i32);
    });
    let _ = JsFuture::from(promise).await;
}

#[derive(Default)]
struct Inbox {
    events: VecDeque<SocketEvent>,
    /// Resolves the promise `next` waits on.
    wake: Option<js_sys::Function>,
}

/// A socket whose events are read in order with `next`, each wait with a deadline.
struct CheckSocket {
    socket: BrowserSocket,
    inbox: Rc<RefCell<Inbox>>,
}

impl CheckSocket {
    fn open(url: &str) -> Result<Self, JsValue> {
        let inbox = Rc::new(RefCell::new(Inbox::default()));
        let to_inbox = inbox.clone();
        let socket = BrowserSocket::open(url, move |event| {
            let wake = {
                let mut inbox = to_inbox.borrow_mut();
                inbox.events.push_back(event);
                inbox.wake.take()
            };
            if let Some(wake) = wake {
                let _ = wake.call0(&JsValue::NULL);
            }
        })?;
        Ok(Self { socket, inbox })
    }

    fn send(&self, msg: &ClientMessage) {
        if let Ok(text) = serde_json::to_string(msg) {
            let _ = self.socket.send(&text);
        }
    }

    /// The next event, or `None` once `deadline` (in `performance.now()` time) has passed.
    async fn next(&self, deadline: f64) -> Option<SocketEvent> {
        loop {
            if let Some(event) = self.inbox.borrow_mut().events.pop_front() {
                return Some(event);
            }
            let left = deadline - now();
            if left <= 0.0 {
                return None;
            }
            // Woken by the next event or by the deadline, whichever comes first.
            let promise = js_sys::Promise::new(&mut |resolve, _| {
                let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(
                    &resolve,
                    left.ceil() as i32,
                );
                self.inbox.borrow_mut().wake = Some(resolve);
            });
            let _ = JsFuture::from(promise).await;
        }
    }
}
