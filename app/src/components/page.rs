//! The promotions page: header, search form and results.

use crate::cards::ResultsView;
use crate::components::results_area::{self, LiveResults};
use crate::components::search_form::SearchForm;
use crate::components::site::{SiteFooter, SiteHeader};
use crate::components::transport_notice::TransportNotice;
use crate::error::FieldError;
use crate::i18n::{W, use_texts};
use crate::location::{Url, use_url};
use crate::model::{Places, SearchRequest};
use crate::transport::Notice;
use crate::validate::SearchQuery;
use leptos::prelude::*;

/// The state of searches the hydrated page makes itself.
#[derive(Clone, Copy)]
struct Live {
    /// `None` until the page searches: the server-rendered results stay until then.
    view: RwSignal<Option<ResultsView>>,
    request: RwSignal<Option<SearchRequest>>,
    notice: RwSignal<Option<Notice>>,
    places: RwSignal<Places>,
}

/// `results`: the view of the URL's search results, when the browser loaded it before
/// hydrating (see [`initial_request`]); the server has it at hand.
#[component]
pub fn SearchPage(results: Option<results_area::View>) -> impl IntoView {
    let url = use_url();
    let query = Memo::new(move |_| {
        url.query
            .with(|q| SearchQuery::from_params(|k| Url::param(q, k)))
    });
    // The URL's own search is rendered by the server; `live` takes over once the page searches.
    let initial = query.with_untracked(initial_request);
    // Postal codes of the URL's search that the register does not know, found by the server
    // and sent along, so the hydrated form shows the same errors.
    let unknown = crate::wire::shared({
        let initial = initial.clone();
        move || unknown_codes(initial.as_ref())
    });
    let initial = initial.filter(|_| unknown.is_empty());
    let live = Live {
        view: RwSignal::new((!unknown.is_empty()).then_some(ResultsView::Refused(unknown))),
        request: RwSignal::new(None),
        notice: RwSignal::new(None),
        places: RwSignal::new(Places::default()),
    };
    let errors = Memo::new(move |_| {
        let local = query.with(|q| {
            if q.is_empty() {
                Vec::new()
            } else {
                q.to_request().err().unwrap_or_default()
            }
        });
        if !local.is_empty() {
            return local;
        }
        // Fields only the server can judge (a postal code that does not exist).
        live.view.with(|v| match v {
            Some(ResultsView::Refused(errors)) => errors.clone(),
            _ => Vec::new(),
        })
    });
    let on_search = live_search::start(url, query, live);
    let t = use_texts();
    let Live {
        view: live,
        request: live_request,
        notice,
        places,
        ..
    } = live;

    view! {
        <SiteHeader/>
        <main class="page">
            <section class="hero">
                <h1>{t.get(W::Heading)}</h1>
                <p>{t.get(W::Lede)}</p>
            </section>
            <SearchForm query errors on_search/>
            <section class="results" id="results" tabindex="-1" aria-label=t.get(W::ResultsLabel)>
                {move || match (live.get(), live_request.get()) {
                    (Some(view), Some(request)) => view! { <LiveResults request view places/> }.into_any(),
                    (Some(_), None) => ().into_any(),
                    (None, _) => match initial.clone() {
                        Some(request) => results
                            .or_else(results_area::load_now)
                            .map(|view| view(request))
                            .into_any(),
                        None => ().into_any(),
                    },
                }}
            </section>
        </main>
        <SiteFooter/>
        <TransportNotice notice/>
    }
}

/// The search of the URL's query, which the server renders results for. The browser loads
/// their code (`results_area::load`) before it hydrates a page for which this is `Some`.
pub fn initial_request(query: &SearchQuery) -> Option<SearchRequest> {
    if query.is_empty() {
        None
    } else {
        query.to_request().ok()
    }
}

/// The server's register check of the URL's search; nothing to check in the browser.
fn unknown_codes(request: Option<&SearchRequest>) -> Vec<FieldError> {
    #[cfg(feature = "ssr")]
    if let Some(request) = request {
        return crate::places::check_known(request);
    }
    let _ = request;
    Vec::new()
}

/// Searches made by the hydrated page: over the socket, without a page load.
#[cfg(feature = "client")]
mod live_search {
    use super::*;
    use crate::transport::SearchEvent;
    use crate::transport::Transport;
    use wasm_bindgen::JsCast;

    pub fn start(url: Url, query: Memo<SearchQuery>, state: Live) -> Callback<String> {
        let Live {
            view: live,
            request: live_request,
            notice,
            places,
        } = state;
        // The socket opens at once, while the customer is still typing.
        let transport = StoredValue::new_local(Transport::connect(notice));
        let run = move |q: &SearchQuery| match q.to_request() {
            Ok(request) if !q.is_empty() => {
                // The page renders after the transport has sent the search: set quietly, the
                // signals would queue their render ahead of the transport's requests.
                live_request.update_untracked(|r| *r = Some(request.clone()));
                live.update_untracked(|v| *v = Some(ResultsView::Planning));
                places.update_untracked(|p| *p = Places::default());
                transport.with_value(|t| {
                    t.search(request, move |event| match event {
                        SearchEvent::Places(p) => places.set(p),
                        event => ResultsView::apply(live, event),
                    })
                });
                live_request.notify();
                live.notify();
                places.notify();
            }
            _ => {
                transport.with_value(Transport::cancel);
                live.set(Some(ResultsView::Idle));
            }
        };
        // Back/forward and submits change the URL; the first run is the server-rendered search.
        Effect::new(move |first: Option<()>| {
            let q = query.get();
            if first.is_some() {
                run(&q);
            }
        });
        Callback::new(move |qs: String| {
            if url.query.with_untracked(|q| *q == qs) {
                // Same search again: refresh the prices without touching history.
                run(&query.get_untracked());
            } else {
                crate::location::navigate(url, qs);
            }
            focus_after_search(&query.get_untracked());
        })
    }

    /// The results, where the progress is announced; or the first field to correct.
    fn focus_after_search(query: &SearchQuery) {
        let target = match query.to_request() {
            Ok(_) => "results".to_owned(),
            Err(errors) => errors
                .first()
                .map_or_else(|| "results".to_owned(), |e| e.field.clone()),
        };
        let element = document().get_element_by_id(&target);
        if let Some(element) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = element.focus();
        }
    }
}

#[cfg(not(feature = "client"))]
mod live_search {
    use super::*;

    /// The server renders the URL's search; there is nothing live to start.
    pub fn start(_: Url, _: Memo<SearchQuery>, _: Live) -> Callback<String> {
        Callback::new(|_| {})
    }
}
