//! The fallback notice: plain words on what is blocked, what it costs and what to ask IT for.

use crate::transport::Notice;
use leptos::prelude::*;

#[component]
pub fn TransportNotice(notice: RwSignal<Option<Notice>>) -> impl IntoView {
    move || {
        notice.get().map(|Notice { host }| {
            view! {
                <div class="transport-notice" data-testid="transport-notice" role="status">
                    <div class="notice-text">
                        <h2>"Live updates are blocked on this network"</h2>
                        <p>
                            "Something on your network – most likely a company security proxy or firewall – "
                            "interrupts the live connection this page uses. We fetch prices the ordinary way "
                            "instead, so you still get every result, but they may come in a little slower."
                        </p>
                        <p>
                            "To fix it, ask your IT department to allow WebSocket traffic to "
                            <code>{format!("wss://{host}")}</code>". "
                            <a href="/diagnostics" rel="external">"Run a connection test"</a>
                            " to give them the details."
                        </p>
                    </div>
                    <button type="button" class="notice-dismiss" aria-label="Dismiss this notice" on:click=move |_| notice.set(None)>
                        "Dismiss"
                    </button>
                </div>
            }
        })
    }
}
