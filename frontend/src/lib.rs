//! The WASM entry points: `hydrate` for the server-rendered page (cargo-leptos), `start` for
//! the client-side-rendered build (Trunk, frontend-only work).

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use app::components::{Chunk, ChunkName, booking_page, diagnostics_page, results_area};
    app::error_report::init();
    let location = leptos::prelude::window().location();
    let path = location.pathname().unwrap_or_default();
    let query = location.search().unwrap_or_default();
    wasm_bindgen_futures::spawn_local(async move {
        // The connection test's, the booking pages' and a search link's results' code are WASM
        // chunks of their own: loaded before what needs them hydrates, so hydration itself is
        // synchronous (the server preloads them with the page).
        let chunk = match ChunkName::of_page(&path, query.trim_start_matches('?')) {
            Some(ChunkName::Diagnostics) => Some(Chunk::Page(diagnostics_page::load().await)),
            Some(ChunkName::Booking) => Some(Chunk::Page(booking_page::load().await)),
            Some(ChunkName::Results) => Some(Chunk::Results(results_area::load().await)),
            None => None,
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
