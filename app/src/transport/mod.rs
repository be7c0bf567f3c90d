//! The search transport. [`machine`] decides (pure, unit-tested); the browser shell in
//! `shell.rs` opens the socket, calls the server functions and keeps the timer.

pub mod machine;

/// Shown when the socket is broken: what is wrong and what to ask IT for. `host` is the
/// page's host, for the `wss://` address IT should allow.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub host: String,
}

#[cfg(feature = "client")]
mod shell;
#[cfg(feature = "client")]
pub use shell::Transport;

/// `<body data-transport>` names the tier in use, for tests and support staff.
#[cfg(feature = "client")]
fn mark_body(tier: &str) {
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-transport", tier);
    }
}
