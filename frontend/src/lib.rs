//! The WASM entry points: `hydrate` for the server-rendered page (cargo-leptos), `start` for
//! the client-side-rendered build (Trunk, frontend-only work).

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    mark_hydrated();
}

#[cfg(all(feature = "csr", not(feature = "hydrate")))]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
    mark_hydrated();
}

/// Tests and support staff can tell a live page from a plain HTML one.
#[cfg(any(feature = "hydrate", feature = "csr"))]
fn mark_hydrated() {
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
