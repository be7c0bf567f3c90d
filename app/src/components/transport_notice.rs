//! The fallback notice: plain words on what is blocked, what it costs and what to ask IT for.
//! A bar held to the bottom of the window, the page's last element: it comes whenever the
//! socket breaks, often with cards on screen, and pushes none of them (CLS 0). It says what
//! to ask IT for in one line and folds the explanation, so it stays small on a phone and its
//! text is never the page's largest paint (it comes late: LCP would be its time).

use crate::i18n::{W, use_texts};
use crate::transport::Notice;
use leptos::prelude::*;

#[component]
pub fn TransportNotice(notice: RwSignal<Option<Notice>>) -> impl IntoView {
    let t = use_texts();
    move || {
        notice.get().map(|Notice { host }| {
            view! {
                <div class="transport-notice" data-testid="transport-notice" role="status">
                    <div class="notice-text">
                        <h2>{t.get(W::NoticeTitle)}</h2>
                        <p>{t.get(W::NoticeFix)}" "<code>{format!("wss://{host}")}</code>"."</p>
                        <div class="notice-more">
                            <a href=format!("/diagnostics{}", t.link_query()) rel="external">{t.get(W::NoticeTest)}</a>
                            <details>
                                <summary>{t.get(W::NoticeWhy)}</summary>
                                <p>{t.get(W::NoticeText)}</p>
                            </details>
                        </div>
                    </div>
                    <button type="button" class="notice-dismiss" aria-label=t.get(W::DismissLabel) on:click=move |_| notice.set(None)>
                        {t.get(W::Dismiss)}
                    </button>
                </div>
            }
        })
    }
}
