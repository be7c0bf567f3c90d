//! What every page has around its content: the carrier's header and the footer.

use leptos::prelude::*;

#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <header class="site-header">
            <div class="bar">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true"></span>
                    "Fjordpost"
                </a>
                <nav class="bar-links" aria-label="Main">
                    <a href="/">"Send"</a>
                    <a href="/">"Track"</a>
                    <a href="/">"Business"</a>
                </nav>
            </div>
        </header>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>"Prices are list prices for one parcel, paid online. Delivery dates are estimates in working days."</p>
            // A full page load: the test must see the network as a fresh visit does.
            <p><a href="/diagnostics" rel="external">"Trouble seeing prices? Test your connection"</a></p>
        </footer>
    }
}
