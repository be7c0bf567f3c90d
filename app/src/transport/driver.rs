//! The driver around [`Machine`]: owns the WebSocket (`browser_socket.rs`), the timer, the server-function
//! calls and the page's notice. It feeds the machine inputs with the time and carries out its
//! commands; all decisions are the machine's.

use super::browser_socket::{BrowserSocket, SocketEvent};
use super::event::{Notice, SearchEvent};
use super::machine::{Breakage, Command, Input, Machine, Tier};
use super::warm_up::{WARM_UP_LINE, WARM_UP_OUTCOME, WARM_UP_PRODUCT};
use crate::api::call::{plan_search, quote_product, search};
use crate::error::ApiError;
use crate::protocol::SearchId;
use crate::protocol::{ClientMessage, decode_server_message};
use futures::future::{AbortHandle, Abortable};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::rc::{Rc, Weak};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::WebSocket;

/// sessionStorage key: until when (epoch ms) this browser session uses the HTTP tier.
const HTTP_UNTIL_KEY: &str = "promotions.http_until";

type Sink = Rc<dyn Fn(SearchEvent)>;
/// Called by `setTimeout` with the generation of the timer that fired.
type TimerCallback = Closure<dyn FnMut(JsValue)>;

/// The page's transport: one per page, cheap to clone.
#[derive(Clone)]
pub struct Transport(Rc<Driver>);

struct Driver {
    machine: RefCell<Machine>,
    socket: RefCell<Option<BrowserSocket>>,
    /// Frames sent before the socket opened.
    outbox: RefCell<Vec<String>>,
    inputs: RefCell<VecDeque<Input>>,
    busy: Cell<bool>,
    /// The pending `setTimeout` handle and the generation it carries to its callback.
    timer: Cell<Option<i32>>,
    timer_generation: Cell<u32>,
    /// The one timer callback. A tick from an earlier generation is ignored: clearing a
    /// timeout can fail (handles past `i32`, as Playwright's fake clock hands out), and a
    /// callback dropped while its timer was still pending would throw when called.
    on_timer: TimerCallback,
    sink: RefCell<Option<Sink>>,
    /// While a search click is handled, what it shows waits for the next task (see `show`).
    in_click: Cell<bool>,
    /// Events waiting for that task, in order; later events queue behind them.
    later: RefCell<VecDeque<SearchEvent>>,
    /// The one callback that shows them (`setTimeout(0)`).
    on_later: Closure<dyn FnMut()>,
    notice: RwSignal<Option<Notice>>,
    /// Server-function calls in flight, by search; aborting one drops its future, and
    /// server_fn then aborts the fetch (its `AbortController`).
    calls: RefCell<Vec<Call>>,
    next_call: Cell<u64>,
    warmed: Cell<bool>,
}

struct Call {
    id: u64,
    search_id: SearchId,
    abort: AbortHandle,
    /// Cancels the fetch itself: dropping the future alone would leave it running.
    fetch: web_sys::AbortController,
}

/// A failed server-function call is worth an event, unless the server refused the
/// customer's input (a field error is the form's business, not a fault).
fn report_failed_call(endpoint: &str, error: ApiError) -> ApiError {
    if !matches!(error, ApiError::Invalid(_)) {
        crate::error_report::capture(
            "ServerFunctionError",
            &format!("{endpoint}: {error}"),
            vec![("endpoint", endpoint.to_owned())],
            Vec::new(),
        );
    }
    error
}

fn crumb(message: &str, data: &[(&str, String)]) {
    crate::error_report::breadcrumb(
        "websocket",
        message,
        data.iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    );
}

/// The machine's clock: monotonic, so a wall clock set back or forward (or synced after a
/// laptop wakes) cannot fire or stall a deadline. The connection test times its checks by it.
pub(crate) fn now() -> f64 {
    window()
        .performance()
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// For what outlives the page (the sessionStorage pin): the wall clock.
fn wall_clock() -> f64 {
    js_sys::Date::now()
}

fn session_storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

/// Round trip of the page's own request (Navigation Timing), to size the hedge delay.
fn page_rtt() -> Option<f64> {
    let entries = window().performance()?.get_entries_by_type("navigation");
    let entry = entries.get(0);
    let field = |name: &str| js_sys::Reflect::get(&entry, &name.into()).ok()?.as_f64();
    let rtt = field("responseStart")? - field("requestStart")?;
    (rtt > 0.0).then_some(rtt)
}

fn host() -> String {
    window().location().host().unwrap_or_default()
}

/// Deferred: during hydration the page must match the server's HTML, which has no notice.
fn show_notice(notice: RwSignal<Option<Notice>>) {
    leptos::task::spawn_local(async move { notice.set(Some(Notice { host: host() })) });
}

/// `/ws/promotions` on the page's own host, `wss` when the page came over https.
pub(crate) fn socket_url() -> String {
    let location = window().location();
    let scheme = if location.protocol().as_deref() == Ok("https:") {
        "wss"
    } else {
        "ws"
    };
    format!("{scheme}://{}{}", host(), crate::protocol::SOCKET_PATH)
}

impl Transport {
    /// Starts the probe at once, unless this session already fell back.
    pub fn connect(notice: RwSignal<Option<Notice>>) -> Self {
        let http_until = session_storage()
            .and_then(|s| s.get_item(HTTP_UNTIL_KEY).ok().flatten())
            // Whole milliseconds: parsing and printing floats would cost the WASM kilobytes.
            .and_then(|v| v.parse::<u64>().ok())
            .map(|until| until as f64 - wall_clock())
            .filter(|left| *left > 0.0)
            .map(|left| now() + left);
        if http_until.is_some() {
            show_notice(notice);
        }
        let driver = Rc::new_cyclic(|driver: &Weak<Driver>| Driver {
            machine: RefCell::new(Machine::new(page_rtt(), http_until)),
            socket: RefCell::new(None),
            outbox: RefCell::new(Vec::new()),
            inputs: RefCell::new(VecDeque::new()),
            busy: Cell::new(false),
            timer: Cell::new(None),
            timer_generation: Cell::new(0),
            on_timer: {
                let driver = driver.clone();
                Closure::new(move |generation: JsValue| {
                    let Some(driver) = driver.upgrade() else {
                        return;
                    };
                    if generation.as_f64() == Some(f64::from(driver.timer_generation.get())) {
                        Transport(driver).feed(Input::Tick);
                    }
                })
            },
            sink: RefCell::new(None),
            in_click: Cell::new(false),
            later: RefCell::new(VecDeque::new()),
            on_later: {
                let driver = driver.clone();
                Closure::new(move || {
                    if let Some(driver) = driver.upgrade() {
                        Transport(driver).show_later();
                    }
                })
            },
            notice,
            calls: RefCell::default(),
            next_call: Cell::new(0),
            warmed: Cell::new(false),
        });
        let transport = Transport(driver);
        transport.watch_visibility();
        let commands = transport.0.machine.borrow_mut().start(now());
        transport.0.busy.set(true);
        transport.execute(commands);
        transport.drain();
        transport
    }

    /// A tab brought back to the front tells the machine, which asks the socket again
    /// before deadlines that ran (or not) while it was hidden can judge it.
    fn watch_visibility(&self) {
        let this = self.clone();
        let on_change = Closure::<dyn FnMut()>::new(move || {
            if document().visibility_state() == web_sys::VisibilityState::Visible {
                this.feed(Input::Shown);
            }
        });
        let _ = document().add_event_listener_with_callback(
            "visibilitychange",
            on_change.as_ref().unchecked_ref(),
        );
        // Lives as long as the page.
        on_change.forget();
    }

    /// Starts a search (cancelling the one on screen); `sink` gets its events.
    pub fn search(
        &self,
        request: crate::model::SearchRequest,
        sink: impl Fn(SearchEvent) + 'static,
    ) {
        *self.0.sink.borrow_mut() = Some(Rc::new(sink));
        // The previous search's events still waiting are not this one's.
        self.0.later.borrow_mut().clear();
        self.0.in_click.set(true);
        self.feed(Input::Search(request));
        self.0.in_click.set(false);
    }

    pub fn cancel(&self) {
        *self.0.sink.borrow_mut() = None;
        self.0.later.borrow_mut().clear();
        self.feed(Input::Cancel);
    }

    /// Hands an event to the search's sink. What a click causes (on HTTP the planned cards,
    /// drawn at once) waits for the next task: the click's own frame paints first (INP), and
    /// its requests are on the wire already.
    fn show(&self, event: SearchEvent) {
        let mut later = self.0.later.borrow_mut();
        if self.0.in_click.get() || !later.is_empty() {
            if later.is_empty() {
                let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(
                    self.0.on_later.as_ref().unchecked_ref(),
                    0,
                );
            }
            later.push_back(event);
            return;
        }
        drop(later);
        self.deliver(event);
    }

    fn show_later(&self) {
        loop {
            let Some(event) = self.0.later.borrow_mut().pop_front() else {
                return;
            };
            self.deliver(event);
        }
    }

    fn deliver(&self, event: SearchEvent) {
        // Cloned out first: the sink may start or cancel a search, which replaces it.
        let sink = self.0.sink.borrow().clone();
        if let Some(sink) = sink {
            sink(event);
        }
    }

    fn feed(&self, input: Input) {
        self.0.inputs.borrow_mut().push_back(input);
        if self.0.busy.replace(true) {
            return; // the running loop picks it up
        }
        self.drain();
    }

    /// Feeds queued inputs to the machine until none are left, then re-arms the timer.
    /// The caller has set `busy`.
    fn drain(&self) {
        loop {
            let Some(input) = self.0.inputs.borrow_mut().pop_front() else {
                break;
            };
            let commands = self.0.machine.borrow_mut().handle(now(), input);
            self.execute(commands);
        }
        self.0.busy.set(false);
        self.arm_timer();
    }

    fn execute(&self, mut commands: Vec<Command>) {
        // Requests first, what the page shows last (in its own order): a fetch started after
        // a render would wait for it, and every millisecond before a request is on the wire
        // shows in the first card.
        commands.sort_by_key(|c| matches!(c, Command::Emit(_)));
        for command in commands {
            match command {
                Command::OpenSocket => self.open_socket(),
                Command::CloseSocket => {
                    self.0.socket.borrow_mut().take();
                    self.0.outbox.borrow_mut().clear();
                }
                Command::Send(msg) => self.send(&msg),
                Command::HttpPlan { search_id, request } => self.call(
                    search_id,
                    "plan_search",
                    |signal| plan_search(request, Some(&signal)),
                    move |result| Input::HttpPlan { search_id, result },
                ),
                Command::HttpSearch { search_id, request } => {
                    let lines = self.clone();
                    let line = move |msg| lines.feed(Input::HttpLine { search_id, msg });
                    self.call(
                        search_id,
                        "search",
                        |signal| search(search_id, request, Some(&signal), line),
                        move |result| Input::HttpStreamEnded { search_id, result },
                    );
                }
                Command::AbortHttp { search_id } => {
                    self.0.calls.borrow_mut().retain(|call| {
                        let replaced = call.search_id == search_id;
                        if replaced {
                            call.abort.abort();
                            call.fetch.abort();
                        }
                        !replaced
                    });
                }
                Command::HttpQuote {
                    search_id,
                    request,
                    product_id,
                } => {
                    let asked = product_id.clone();
                    self.call(
                        search_id,
                        "quote_product",
                        |signal| quote_product(request, asked, Some(&signal)),
                        move |result| Input::HttpOutcome {
                            search_id,
                            product_id,
                            result,
                        },
                    );
                }
                Command::Emit(event) => self.show(event),
                Command::Tier(Tier::Http) => {
                    mark_body("http");
                    self.warm_http();
                }
                Command::Tier(Tier::Socket) => {
                    mark_body("socket");
                    // The socket works again (after its retry): the notice and the pin go.
                    if self.0.notice.get_untracked().is_some() {
                        self.0.notice.set(None);
                        if let Some(storage) = session_storage() {
                            let _ = storage.remove_item(HTTP_UNTIL_KEY);
                        }
                    }
                }
                Command::Broken(breakage) => self.fall_back(&breakage),
            }
        }
    }

    /// Runs the HTTP tier's code once, off the critical path, when the page turns to HTTP.
    /// The browser compiles WebAssembly lazily, a function on its first call: cold, the
    /// first quote's round of server_fn, fetch and decoding glue cost the first card about
    /// 10 ms (measured with Chromium's `--no-wasm-lazy-compilation`). Both calls are refused
    /// at once (a product no route has; a search without a request), asking no guide.
    fn warm_http(&self) {
        if self.0.warmed.replace(true) {
            return;
        }
        let driver = self.clone();
        leptos::task::spawn_local(async move {
            let oslo = ("NO", "0150");
            let request = crate::model::SearchRequest::between(oslo, oslo, 1000);
            let warm_up = crate::model::ProductId::new(WARM_UP_PRODUCT);
            // Refused at once by the server: its time is the path's round trip.
            let sent = now();
            let _ = quote_product(request, warm_up, None).await;
            driver.feed(Input::RoundTrip(now() - sent));
            // The answers were errors: decode offers too, as real answers will be.
            let _ = crate::wire::decode::<crate::model::Outcome>(WARM_UP_OUTCOME);
            crate::api::call::search_warm_up().await;
            let _ = decode_server_message(WARM_UP_LINE);
        });
    }

    /// Runs an HTTP call of `search_id`, abortable with [`Command::AbortHttp`] (the fetch
    /// through the signal `start` is given, what follows it by dropping the future). `start`
    /// sends its request when called, so requests leave in the order of the commands; the
    /// answer (a failure reported first) goes to the machine as `answered` makes it. An
    /// aborted call feeds nothing.
    fn call<T: 'static, F: Future<Output = Result<T, ApiError>> + 'static>(
        &self,
        search_id: SearchId,
        endpoint: &'static str,
        start: impl FnOnce(web_sys::AbortSignal) -> F,
        answered: impl FnOnce(Result<T, ApiError>) -> Input + 'static,
    ) {
        let Ok(fetch) = web_sys::AbortController::new() else {
            return;
        };
        let call = start(fetch.signal());
        let (abort, registration) = AbortHandle::new_pair();
        let id = self.0.next_call.get();
        self.0.next_call.set(id + 1);
        self.0.calls.borrow_mut().push(Call {
            id,
            search_id,
            abort,
            fetch,
        });
        let this = self.clone();
        leptos::task::spawn_local(async move {
            if let Ok(result) = Abortable::new(call, registration).await {
                this.feed(answered(
                    result.map_err(|e| report_failed_call(endpoint, e)),
                ));
            }
            this.0.calls.borrow_mut().retain(|call| call.id != id);
        });
    }

    fn fall_back(&self, breakage: &Breakage) {
        let retry_at = wall_clock() + super::machine::RETRY_SOCKET_AFTER;
        if let Some(storage) = session_storage() {
            let _ = storage.set_item(HTTP_UNTIL_KEY, &(retry_at as u64).to_string());
        }
        show_notice(self.0.notice);
        let (message, tags, extra) = breakage.report();
        crate::error_report::capture_each("TransportFallback", &message, tags, extra);
    }

    fn open_socket(&self) {
        self.0.socket.borrow_mut().take();
        self.0.outbox.borrow_mut().clear();
        // The page's language, for what the server writes on the socket.
        let url = format!(
            "{}?lang={}",
            socket_url(),
            crate::i18n::Lang::of_document().code()
        );
        let this = self.clone();
        let socket = BrowserSocket::open(&url, move |event| match event {
            SocketEvent::Open => {
                crumb("open", &[]);
                this.on_open()
            }
            SocketEvent::Text(text) => {
                // Frames that are not ours count as silence, not as answers.
                if let Some(msg) = decode_server_message(&text) {
                    crumb("message", &[("type", <&str>::from(&msg).into())]);
                    this.feed(Input::SocketMessage(msg));
                }
            }
            SocketEvent::Error => {
                crumb("error", &[]);
                this.feed(Input::SocketError)
            }
            SocketEvent::Closed(close) => {
                crumb(
                    "close",
                    &[
                        ("code", close.code.to_string()),
                        ("was_clean", close.was_clean.to_string()),
                    ],
                );
                this.feed(Input::SocketClosed {
                    code: close.code,
                    reason: close.reason,
                    was_clean: close.was_clean,
                });
            }
        });
        match socket {
            Ok(socket) => *self.0.socket.borrow_mut() = Some(socket),
            Err(_) => self.0.inputs.borrow_mut().push_back(Input::ConstructFailed),
        }
    }

    fn on_open(&self) {
        let frames = std::mem::take(&mut *self.0.outbox.borrow_mut());
        for frame in frames {
            self.send_frame(frame);
        }
        self.feed(Input::SocketOpened);
    }

    fn send(&self, msg: &ClientMessage) {
        if let Ok(frame) = serde_json::to_string(msg) {
            self.send_frame(frame);
        }
    }

    fn send_frame(&self, frame: String) {
        let failed = match &*self.0.socket.borrow() {
            Some(s) if s.ready_state() == WebSocket::OPEN => s.send(&frame).is_err(),
            Some(s) if s.ready_state() == WebSocket::CONNECTING => {
                self.0.outbox.borrow_mut().push(frame);
                false
            }
            _ => false,
        };
        if failed {
            self.0.inputs.borrow_mut().push_back(Input::SocketError);
        }
    }

    /// One timer, set for the machine's next deadline.
    fn arm_timer(&self) {
        let Some(at) = self.0.machine.borrow().next_deadline() else {
            return;
        };
        let win = window();
        if let Some(id) = self.0.timer.take() {
            win.clear_timeout_with_handle(id);
        }
        let generation = self.0.timer_generation.get().wrapping_add(1);
        self.0.timer_generation.set(generation);
        let delay = (at - now()).max(0.0).ceil() as i32;
        if let Ok(id) = win.set_timeout_with_callback_and_timeout_and_arguments_1(
            self.0.on_timer.as_ref().unchecked_ref(),
            delay,
            &JsValue::from(generation),
        ) {
            self.0.timer.set(Some(id));
        }
    }
}

/// `<body data-transport>` names the tier in use, for tests and support staff.
fn mark_body(tier: &str) {
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-transport", tier);
    }
}
