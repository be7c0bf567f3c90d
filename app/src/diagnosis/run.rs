//! The checks as the browser runs them, one after another, each within its own deadline, so
//! that every hostile network gets a verdict within seconds.

use super::seen::SeenRequest;
use super::{Check, Finding, Grade, Verdict, stream_finding, verdict};
use crate::i18n::{Texts, W};
use crate::protocol::{
    ClientMessage, PROBE_EVERY_MS, PROBE_FRAMES, ServerMessage, decode_server_message,
};
use crate::transport::driver::{now, socket_url};
use leptos::prelude::window;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

const OPEN_LIMIT_MS: f64 = 5_000.0;
const ECHO_LIMIT_MS: f64 = 3_000.0;
/// The stream's own length plus room for a slow network.
const STREAM_LIMIT_S: u64 = (PROBE_FRAMES as u64 * PROBE_EVERY_MS) / 1000 + 3;
const STREAM_LIMIT_MS: f64 = (STREAM_LIMIT_S * 1000) as f64;
const HTTP_LIMIT_MS: f64 = 5_000.0;
/// After an `error`, how long to wait for the `close` that carries the code.
const CLOSE_AFTER_ERROR_MS: f64 = 500.0;

/// Where the checks report to as they go.
pub trait Progress {
    fn started(&self, check: Check);
    fn finished(&self, check: Check, finding: Finding);
}

/// What a run found; the error-reporting check is the caller's (it sends all of this).
pub struct Outcome {
    pub findings: Vec<(Check, Finding)>,
    pub seen: SeenRequest,
    pub verdict: Verdict,
}

/// Runs every check but error reporting. `page_seen` is what the server saw of the page load.
pub async fn run(t: Texts, page_seen: SeenRequest, progress: &impl Progress) -> Outcome {
    let mut findings = Vec::new();
    let mut record = |check, finding: Finding| {
        progress.finished(check, finding.clone());
        findings.push((check, finding));
    };

    progress.started(Check::WebsocketOpen);
    let (socket, finding) = open(t, &socket_url()).await;
    record(Check::WebsocketOpen, finding);

    progress.started(Check::WebsocketEcho);
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

    progress.started(Check::WebsocketStream);
    match &socket {
        Some(socket) if answered => record(Check::WebsocketStream, stream(t, socket).await),
        _ => record(Check::WebsocketStream, not_run(t, W::WhyNoAnswer)),
    }
    drop(socket);

    progress.started(Check::ServerFunction);
    let (seen, finding) = server_function(t).await;
    record(Check::ServerFunction, finding);

    progress.started(Check::ProxyHints);
    let seen = seen.unwrap_or(page_seen);
    record(Check::ProxyHints, proxy_hints(t, &seen));

    let online = window().navigator().on_line();
    let verdict = verdict(&findings, online);
    Outcome {
        findings,
        seen,
        verdict,
    }
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
    let finding = match socket.next(start + OPEN_LIMIT_MS).await {
        Some(Event::Open) => {
            let f = Finding::new(Grade::Pass, t.get(W::FoundOpened));
            return (Some(socket), f.timed(now() - start));
        }
        Some(Event::Error) => match socket.next(now() + CLOSE_AFTER_ERROR_MS).await {
            Some(Event::Closed(close)) => refused(t, &close),
            _ => Finding::new(Grade::Fail, t.get(W::FoundRefused)),
        },
        Some(Event::Closed(close)) => refused(t, &close),
        Some(Event::Text(_)) | None => Finding::new(Grade::Fail, t.get(W::FoundOpenSlow)),
    };
    (None, finding.timed(now() - start))
}

fn refused(t: Texts, close: &Close) -> Finding {
    let sentence = t.fill(W::FoundRefusedEarly, &[("close", &close.describe())]);
    Finding::new(Grade::Fail, sentence)
}

async fn echo(t: Texts, socket: &CheckSocket) -> Finding {
    let start = now();
    let nonce = (js_sys::Math::random() * 1e9) as u64;
    socket.send(&ClientMessage::Ping { nonce });
    loop {
        match socket.next(start + ECHO_LIMIT_MS).await {
            Some(Event::Text(text)) => {
                if let Some(ServerMessage::Pong { nonce: n }) = decode_server_message(&text)
                    && n == nonce
                {
                    let f = Finding::new(Grade::Pass, t.get(W::FoundAnswered));
                    return f.timed(now() - start);
                }
            }
            Some(Event::Closed(close)) => {
                let sentence = t.fill(W::FoundCutOnSend, &[("close", &close.describe())]);
                return Finding::new(Grade::Fail, sentence).timed(now() - start);
            }
            Some(Event::Open | Event::Error) => {}
            None => {
                return Finding::new(Grade::Fail, t.get(W::FoundSilent)).timed(now() - start);
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
            Some(Event::Text(text)) => {
                if let Some(ServerMessage::ProbeFrame { .. }) = decode_server_message(&text) {
                    arrivals.push(now() - start);
                }
            }
            Some(Event::Closed(close)) => break Some(close.describe()),
            Some(Event::Open | Event::Error) => {}
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

/// How a socket closed, as the browser tells it.
struct Close {
    code: u16,
    reason: String,
    clean: bool,
}

impl Close {
    fn describe(&self) -> String {
        let clean = if self.clean { "clean" } else { "not clean" };
        match self.reason.as_str() {
            "" => format!("code {}, {clean}", self.code),
            reason => format!("code {}, {clean}: {reason}", self.code),
        }
    }
}

enum Event {
    Open,
    Text(String),
    Error,
    Closed(Close),
}

#[derive(Default)]
struct Inbox {
    events: VecDeque<Event>,
    /// Resolves the promise `next` waits on.
    wake: Option<js_sys::Function>,
}

/// A WebSocket whose events are read in order with `next`, each wait with a deadline.
struct CheckSocket {
    ws: WebSocket,
    inbox: Rc<RefCell<Inbox>>,
    _handlers: [Closure<dyn FnMut(JsValue)>; 4],
}

impl CheckSocket {
    fn open(url: &str) -> Result<Self, JsValue> {
        let ws = WebSocket::new(url)?;
        let inbox = Rc::new(RefCell::new(Inbox::default()));
        let handler = |to_event: fn(JsValue) -> Option<Event>| {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                let Some(event) = to_event(e) else { return };
                let wake = {
                    let mut inbox = inbox.borrow_mut();
                    inbox.events.push_back(event);
                    inbox.wake.take()
                };
                if let Some(wake) = wake {
                    let _ = wake.call0(&JsValue::NULL);
                }
            })
        };
        let handlers = [
            handler(|_| Some(Event::Open)),
            handler(|e| {
                let text = e.unchecked_into::<MessageEvent>().data().as_string()?;
                Some(Event::Text(text))
            }),
            handler(|_| Some(Event::Error)),
            handler(|e| {
                let e = e.unchecked_into::<CloseEvent>();
                Some(Event::Closed(Close {
                    code: e.code(),
                    reason: e.reason(),
                    clean: e.was_clean(),
                }))
            }),
        ];
        ws.set_onopen(Some(handlers[0].as_ref().unchecked_ref()));
        ws.set_onmessage(Some(handlers[1].as_ref().unchecked_ref()));
        ws.set_onerror(Some(handlers[2].as_ref().unchecked_ref()));
        ws.set_onclose(Some(handlers[3].as_ref().unchecked_ref()));
        Ok(Self {
            ws,
            inbox,
            _handlers: handlers,
        })
    }

    fn send(&self, msg: &ClientMessage) {
        if let Ok(text) = serde_json::to_string(msg) {
            let _ = self.ws.send_with_str(&text);
        }
    }

    /// The next event, or `None` once `deadline` (in `performance.now()` time) has passed.
    async fn next(&self, deadline: f64) -> Option<Event> {
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

impl Drop for CheckSocket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onerror(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}
