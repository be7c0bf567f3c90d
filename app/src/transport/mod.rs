//! Browser side of the search transport: the WebSocket to `/ws/promotions`.

mod ws;

pub use ws::Transport;

/// `<body data-transport>` names the tier in use, for tests and support staff.
fn mark_body(tier: &str) {
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-transport", tier);
    }
}
