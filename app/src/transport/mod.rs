//! The search transport. [`machine`] decides (pure, unit-tested); the browser shell in
//! `shell.rs` opens the socket, calls the server functions and keeps the timer.

pub mod machine;

#[cfg(feature = "client")]
mod ws;
#[cfg(feature = "client")]
pub use ws::Transport;

/// `<body data-transport>` names the tier in use, for tests and support staff.
#[cfg(feature = "client")]
fn mark_body(tier: &str) {
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-transport", tier);
    }
}
