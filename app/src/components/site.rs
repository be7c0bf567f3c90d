//! What every page has around its content: the carrier's header with the language switch,
//! and the footer.

use crate::i18n::{W, use_texts};
use crate::location::{use_url, with_param};
use leptos::prelude::*;

#[component]
pub fn SiteHeader() -> impl IntoView {
    let t = use_texts();
    let home = format!("/{}", t.link_query());
    let other = t.lang.other();
    // This page, search and all, in the other language.
    let url = use_url();
    let switch = move || {
        url.query
            .with(|q| with_param(&url.path.get_value(), q, "lang", other.code()))
    };
    view! {
        <header class="site-header">
            <div class="bar">
                <a class="brand" href=home.clone()>
                    <span class="brand-mark" aria-hidden="true"></span>
                    "Fjordpost"
                </a>
                <nav class="bar-links" aria-label=t.get(W::NavLabel)>
                    <a href=home.clone()>{t.get(W::NavSend)}</a>
                    <a href=home.clone()>{t.get(W::NavTrack)}</a>
                    <a href=home>{t.get(W::NavBusiness)}</a>
                    // A full page load: the server renders the page in the language asked for.
                    <a class="lang-switch" href=switch rel="external" lang=other.code() data-testid="language-switch">
                        {t.get(W::OtherLanguage)}
                    </a>
                </nav>
            </div>
        </header>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    let t = use_texts();
    view! {
        <footer class="site-footer">
            <p>{t.get(W::FooterPrices)}</p>
            // A full page load: the test must see the network as a fresh visit does.
            <p><a href=format!("/diagnostics{}", t.link_query()) rel="external">{t.get(W::FooterTest)}</a></p>
        </footer>
    }
}
