//! The WASM entry points: `hydrate` for the server-rendered page (cargo-leptos), `start` for
//! the client-side-rendered build (Trunk, frontend-only work).

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use app::location::Page;
    app::error_report::init();
    let path = leptos::prelude::window()
        .location()
        .pathname()
        .unwrap_or_default();
    wasm_bindgen_futures::spawn_local(async move {
        // The connection test's and the booking pages' code are WASM chunks of their own:
        // loaded before their page hydrates, so hydration itself is synchronous.
        let chunk = match Page::of_path(&path) {
            Page::Diagnostics => Some(app::components::diagnostics_page::load().await),
            Page::Book | Page::Booking => Some(app::components::booking_page::load().await),
            Page::Search | Page::NotFound => None,
        };
        leptos::mount::hydrate_body(move || app::App(app::AppProps { chunk }));
        mark_hydrated();
        deliberate_panic_for_tests();
    });
}

#[cfg(all(feature = "csr", not(feature = "hydrate")))]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    app::error_report::init();
    leptos::mount::mount_to_body(|| app::App(app::AppProps { chunk: None }));
    mark_hydrated();
}

/// Tests and support staff can tell a live page from a plain HTML one.
#[cfg(any(feature = "hydrate", feature = "csr"))]
fn mark_hydrated() {
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

/// `?debug_panic=1` panics the page when the server allows it (`PROMOTIONS_DEBUG_PANIC=1`),
/// so tests can see a Rust panic reach the error tracker.
#[cfg(feature = "hydrate")]
fn deliberate_panic_for_tests() {
    let doc = leptos::prelude::document();
    let allowed = doc
        .query_selector("meta[name=promotions-debug-panic]")
        .ok()
        .flatten()
        .is_some();
    let asked = leptos::prelude::window()
        .location()
        .search()
        .is_ok_and(|q| q.contains("debug_panic=1"));
    if allowed && asked {
        panic!("deliberate client panic for error-reporting tests");
    }
}
