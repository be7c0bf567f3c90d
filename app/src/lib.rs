//! The promotions page: shared types, validation, components and server functions.
//! Server-only code sits behind the `ssr` feature, browser-only code behind `hydrate`.

pub mod api;
#[cfg(feature = "ssr")]
pub mod asset_hashes;
pub mod booking;
pub mod cards;
pub mod catalogue;
pub mod components;
pub mod diagnosis;
pub mod error;
#[cfg(feature = "client")]
pub mod error_report;
pub mod i18n;
pub mod location;
pub mod model;
pub mod order;
pub mod places;
pub mod plan;
#[cfg(feature = "ssr")]
mod preload;
pub mod protocol;
pub mod region;
pub mod sentry;
#[cfg(feature = "ssr")]
mod stylesheet;
pub mod transport;
pub mod validate;
pub mod wire;

use components::page::SearchPage;
use components::{Chunk, booking_page, diagnostics_page};
use leptos::prelude::*;
use location::Page;

/// The HTML document around the app, rendered on the server only.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use i18n::{Texts, W};
    csp::set_header(&options);
    let request = use_context::<http::request::Parts>();
    let t = request
        .as_ref()
        .map_or_else(|| Texts::new(i18n::Lang::En, false), Texts::for_request);
    let page = request
        .as_ref()
        .map_or(Page::Search, |p| Page::of_path(p.uri.path()));
    let chunk = request.as_ref().and_then(|p| {
        components::ChunkName::of_page(p.uri.path(), p.uri.query().unwrap_or_default())
    });
    provide_context(t);
    view! {
        <!DOCTYPE html>
        <html lang=t.lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="description" content=t.get(W::MetaDescription)/>
                <link rel="icon" href="data:,"/>
                // In the shell, not through leptos_meta: one page needs no head management,
                // and leaving leptos_meta out keeps the WASM bundle smaller.
                // Raw: a text node here would carry a hydration marker into the tab's title.
                <title inner_html=t.get(W::Title).replace('&', "&amp;").replace('<', "&lt;")></title>
                // The page's words for the hydrated page, which carries none (i18n).
                <script type="application/json" id="words" data-explicit=t.explicit.then_some("") inner_html=t.json()></script>
                <stylesheet::Stylesheet options=options.clone() page/>
                <preload::SplitLoaderPreload options=options.clone()/>
                <preload::ChunkPreload options=options.clone() name=chunk/>
                <TelemetryMeta/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
            </head>
            <body data-transport="none">
                <App chunk=None/>
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy, sent as a header (`frame-ancestors` is ignored in a
/// `<meta>`): scripts and styles only from our origin or carrying this render's nonce (Leptos
/// puts it on its hydration and streaming scripts, the shell on the inlined stylesheet), WASM
/// allowed, nothing framed, nothing third-party.
#[cfg(feature = "ssr")]
mod csp {
    use leptos::prelude::*;

    pub fn set_header(options: &LeptosOptions) {
        let (Some(nonce), Some(response)) = (
            leptos::nonce::use_nonce(),
            use_context::<leptos_axum::ResponseOptions>(),
        ) else {
            return;
        };
        // Development pages also talk to cargo-leptos' live-reload socket.
        let reload = if options.env == leptos::config::Env::DEV {
            let port = options.reload_port;
            format!(" ws://127.0.0.1:{port} ws://localhost:{port}")
        } else {
            String::new()
        };
        let policy = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; connect-src 'self'{reload}; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        );
        if let Ok(value) = http::HeaderValue::from_str(&policy) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// Reporting settings for the page's own error reports (see `error_report`).
#[component]
fn TelemetryMeta() -> impl IntoView {
    let t = use_context::<sentry::ClientTelemetry>().unwrap_or_default();
    view! {
        {t.dsn.map(|dsn| view! { <meta name="sentry-dsn" content=dsn/> })}
        <meta name="sentry-release" content=t.release/>
        <meta name="sentry-environment" content=t.environment/>
        {t.debug_panic.then(|| view! { <meta name="promotions-debug-panic" content="1"/> })}
    }
}

/// The page the URL names. `chunk`: code of the page that is a WASM chunk of its own (the
/// connection test, the booking pages, a search link's results), which the browser loads
/// before it hydrates that page; the server has it at hand.
#[component]
pub fn App(chunk: Option<Chunk>) -> impl IntoView {
    let t = i18n::use_texts();
    let url = location::current();
    provide_context(url);
    match Page::of_path(&url.path.get_value()) {
        // Streamed in order (leptos_axum): header and form go out at once, then each card in
        // order, so a browser without WASM still sees results as they are found.
        Page::Search => {
            let results = match chunk {
                Some(Chunk::Results(view)) => Some(view),
                _ => None,
            };
            view! { <SearchPage results/> }.into_any()
        }
        Page::Diagnostics => page_chunk(chunk)
            .or_else(diagnostics_page::load_now)
            .map(|view| view())
            .into_any(),
        Page::Book | Page::Booking => page_chunk(chunk)
            .or_else(booking_page::load_now)
            .map(|view| view())
            .into_any(),
        Page::NotFound => view! { <p class="not-found">{t.get(i18n::W::NotFound)}</p> }.into_any(),
    }
}

fn page_chunk(chunk: Option<Chunk>) -> Option<fn() -> AnyView> {
    match chunk {
        Some(Chunk::Page(view)) => Some(view),
        _ => None,
    }
}
