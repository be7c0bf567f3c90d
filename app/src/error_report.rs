//! Browser error reporting: uncaught errors, unhandled rejections, Rust panics, failed server
//! calls and transport fallbacks become Sentry events, posted to the app's own
//! `/api/sentry-tunnel` with `fetch(keepalive)`. Reporting never breaks the page: every failure
//! to report is ignored. One event per distinct error per page view.

use crate::sentry::{
    Breadcrumb, Event, Exception, Fields, Pairs, Request, TUNNEL_PATH, Values, envelope,
};
use leptos::prelude::{document, window};
use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

const MAX_BREADCRUMBS: usize = 30;

#[derive(Default)]
struct Reporter {
    dsn: Option<String>,
    release: String,
    environment: String,
    sent: HashSet<String>,
    breadcrumbs: VecDeque<Breadcrumb>,
    /// After a panic the module is dead: its trap must not be reported again.
    panicked: bool,
}

thread_local! {
    static REPORTER: RefCell<Reporter> = RefCell::new(Reporter::default());
}

fn meta(name: &str) -> Option<String> {
    document()
        .query_selector(&format!("meta[name={name}]"))
        .ok()
        .flatten()?
        .get_attribute("content")
}

/// Reads the page's reporting settings and installs the hooks. Call once, before hydrating.
pub fn init() {
    REPORTER.with_borrow_mut(|r| {
        r.dsn = meta("sentry-dsn");
        r.release = meta("sentry-release").unwrap_or_default();
        r.environment = meta("sentry-environment").unwrap_or_default();
    });
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| {
                info.payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
            })
            .unwrap_or_else(|| "panic".into());
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        capture("panic", &message, vec![("location", location)], Vec::new());
        REPORTER.with_borrow_mut(|r| r.panicked = true);
        leptos::logging::error!("{info}");
    }));
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(|e: web_sys::ErrorEvent| {
        let location = format!("{}:{}", e.filename(), e.lineno());
        capture(
            "Error",
            &e.message(),
            vec![("location", location)],
            Vec::new(),
        );
    });
    let on_rejection = Closure::<dyn FnMut(web_sys::PromiseRejectionEvent)>::new(
        |e: web_sys::PromiseRejectionEvent| {
            let reason = e.reason();
            let text = reason.as_string().or_else(|| {
                js_sys::Reflect::get(&reason, &"message".into())
                    .ok()?
                    .as_string()
            });
            capture(
                "UnhandledRejection",
                &text.unwrap_or_else(|| "unhandled promise rejection".into()),
                Vec::new(),
                Vec::new(),
            );
        },
    );
    let win = window();
    let _ = win.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    let _ = win.add_event_listener_with_callback(
        "unhandledrejection",
        on_rejection.as_ref().unchecked_ref(),
    );
    // The page lives as long as its listeners.
    on_error.forget();
    on_rejection.forget();
}

/// Notes something in the trail that comes with the next event.
pub fn breadcrumb(category: &str, message: &str, data: Pairs) {
    REPORTER.with_borrow_mut(|r| {
        if r.breadcrumbs.len() == MAX_BREADCRUMBS {
            r.breadcrumbs.pop_front();
        }
        r.breadcrumbs.push_back(Breadcrumb {
            timestamp: js_sys::Date::now() / 1000.0,
            category: category.into(),
            message: message.into(),
            data,
        });
    });
}

/// Sends one event even if the same error was sent before: for what is news each time it
/// happens (every fallback episode, however often its trigger repeats).
pub fn capture_each(kind: &str, value: &str, tags: Fields<'_>, extra: Fields<'_>) {
    send(kind, value, tags, extra, false);
}

fn event_id() -> String {
    (0..32)
        .map(|_| char::from_digit((js_sys::Math::random() * 16.0) as u32 % 16, 16).unwrap_or('0'))
        .collect()
}

/// Sends one event, unless the same error was already sent from this page view.
pub fn capture(kind: &str, value: &str, tags: Fields<'_>, extra: Fields<'_>) {
    send(kind, value, tags, extra, true);
}

fn send(kind: &str, value: &str, tags: Fields<'_>, extra: Fields<'_>, once_per_page: bool) {
    let Some(text) = REPORTER.with_borrow_mut(|r| {
        let first = r.sent.insert(format!("{kind}:{value}"));
        if (r.panicked && value.contains("unreachable")) || (once_per_page && !first) {
            return None;
        }
        envelope_text(r, kind, value, "error", tags, extra)
    }) else {
        return;
    };
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&text.into());
    // `keepalive` lets a report outlive the page (a panic, a navigation). gloo-net 0.6 cannot
    // set it, so this one post is web-sys fetch; web-sys has no setter either: Reflect.
    let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
    let promise = window().fetch_with_str_and_init(TUNNEL_PATH, &init);
    // A failed report is dropped quietly: it must never become an error of its own.
    leptos::task::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    });
}

/// How an event sent with [`deliver`] fared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Reporting is off on this server (no DSN in the page).
    Off,
    /// The tunnel's HTTP status.
    Answered(u16),
    Unreachable,
}

/// Sends one event now and says whether the tunnel took it: for reports the customer asked
/// for (the connection test), so never deduplicated.
pub async fn deliver(kind: &str, value: &str, tags: Fields<'_>, extra: Fields<'_>) -> Delivery {
    let Some(text) = REPORTER.with_borrow(|r| envelope_text(r, kind, value, "info", tags, extra))
    else {
        return Delivery::Off;
    };
    let Ok(request) = gloo_net::http::Request::post(TUNNEL_PATH).body(text) else {
        return Delivery::Unreachable;
    };
    match request.send().await {
        Ok(response) => Delivery::Answered(response.status()),
        Err(_) => Delivery::Unreachable,
    }
}

/// One event as an envelope for the page's DSN; `None` when reporting is off.
fn envelope_text(
    r: &Reporter,
    kind: &str,
    value: &str,
    level: &str,
    tags: Fields<'_>,
    extra: Fields<'_>,
) -> Option<String> {
    let dsn = r.dsn.as_deref()?;
    let win = window();
    let location = win.location();
    let user_agent = win.navigator().user_agent().unwrap_or_default();
    let mut event = Event {
        event_id: event_id(),
        timestamp: js_sys::Date::now() / 1000.0,
        platform: "javascript".into(),
        level: level.into(),
        logger: "promotions.browser".into(),
        release: r.release.clone(),
        environment: r.environment.clone(),
        exception: Values {
            values: vec![Exception {
                kind: kind.into(),
                value: value.into(),
            }],
        },
        tags: tags.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        extra: extra.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        // Without the query string: it holds the customer's postal codes.
        request: Request {
            url: format!(
                "{}{}",
                location.origin().unwrap_or_default(),
                location.pathname().unwrap_or_default()
            ),
            headers: vec![("User-Agent".to_owned(), user_agent.clone())],
        },
        breadcrumbs: Values {
            values: r.breadcrumbs.iter().cloned().collect(),
        },
    };
    event.extra.push(("user_agent".into(), user_agent));
    Some(envelope(dsn, &event))
}
