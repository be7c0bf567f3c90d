//! The results area: server-rendered for the URL's search (works without WASM), then driven
//! live by the transport for every search the hydrated page makes.

#[cfg(not(feature = "client"))]
use crate::api::{plan_search, quote_product};
use crate::cards::{Card, CardState, ResultsView};
use crate::components::product_card::ProductCard;
use crate::error::ApiError;
use crate::i18n::{self, W, country_name, use_texts};
use crate::location::{set_param, use_url};
use crate::model::{Outcome, Places, Plan, SearchRequest, UnavailableReason};
use crate::order::{Sort, marks, order, use_sort};
use crate::wire::WireCodec;
use leptos::prelude::*;

/// "5 services from Norway 0150 OSLO to Norway 9900 KIRKENES · 1.2 kg": places as the server
/// names them, which may come a moment after the cards (over HTTP, with the stream's
/// `accepted`). Each end of the route has a box of its own width, whatever it holds, so a
/// name coming in moves no other text (CLS 0).
#[component]
fn Summary(request: SearchRequest, count: usize, places: RwSignal<Places>) -> impl IntoView {
    let t = use_texts();
    let kg = i18n::weight(t, request.parcel.weight_grams);
    let services = t.get(if count == 1 { W::Service } else { W::Services });
    let end = move |to: bool| {
        let (word, address) = if to {
            (W::SummaryTo, &request.to)
        } else {
            (W::SummaryFrom, &request.from)
        };
        let known = format!(
            "{} {} {}",
            t.get(word),
            country_name(t, &address.country),
            address.postal_code
        );
        let text = move || {
            places.with(|p| match if to { &p.to } else { &p.from } {
                Some(name) => format!("{known} {name}"),
                None => known.clone(),
            })
        };
        view! { <span class="summary-end">{text}</span> }
    };
    view! {
        <p class="summary summary-route" data-testid="summary">
            <strong>{count}" "{services}</strong>" "{end(false)}" "{end(true)}
            <span class="summary-kg">" · "{kg}" kg"</span>
        </p>
    }
}

#[component]
fn NoService(request: SearchRequest) -> impl IntoView {
    let t = use_texts();
    let from = country_name(t, &request.from.country);
    let to = country_name(t, &request.to.country);
    view! {
        <div class="no-service" data-testid="no-service" role="status">
            <h2>{t.get(W::NoServiceTitle)}</h2>
            <p>{t.fill(W::NoServiceText, &[("from", &from), ("to", &to)])}</p>
            <p>{t.get(W::NoServiceAdvice)}</p>
        </div>
    }
}

#[component]
fn Failure(message: String) -> impl IntoView {
    let t = use_texts();
    view! {
        <div class="failure" role="alert" data-testid="search-failed">
            <h2>{t.get(W::FailureTitle)}</h2>
            <p>{message}</p>
        </div>
    }
}

/// Two links, so the order can be chosen without JavaScript too; the hydrated page changes
/// the URL and re-orders the cards in place, without searching again.
#[component]
fn SortControl(sort: Memo<Sort>) -> impl IntoView {
    let t = use_texts();
    let url = use_url();
    let option = move |this: Sort, word: W| {
        let query = move || url.query.with(|q| set_param(q, "sort", this.code()));
        let href = move || format!("{}?{}", url.path.get_value(), query());
        let choose = move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            crate::location::follow(url, untrack(query));
        };
        view! {
            <a href=href on:click=choose data-sort=this.code() aria-current=move || (sort.get() == this).then_some("true")>
                {t.get(word)}
            </a>
        }
    };
    view! {
        <nav class="sort" aria-label=t.get(W::SortLabel) data-testid="sort">
            <span class="sort-label">{t.get(W::SortLabel)}</span>
            {option(Sort::Price, W::SortPrice)}
            {option(Sort::Delivery, W::SortDelivery)}
        </nav>
    }
}

/// The cards of a plan in the chosen order, with the cheapest and the fastest marked, or the
/// plain "no service" answer for an empty plan. A card that answers takes its place in the
/// order, but not while the pointer is over the cards: nothing moves under it. Only a pointer
/// that moved over them holds the order: cards that appear under a still pointer (a new
/// search's grid where the old one was) get the boundary events but no move.
fn card_grid(request: SearchRequest, cards: Vec<Card>, places: RwSignal<Places>) -> AnyView {
    if cards.is_empty() {
        return view! { <NoService request/> }.into_any();
    }
    let count = cards.len();
    // Every service counts the volumetric weight when it is more (as Bring does).
    let by_volume = request.parcel.priced_by_volume();
    let sort = use_sort();
    let cards = StoredValue::new(cards);
    let answers = Memo::new(move |_| {
        cards.with_value(|cards| {
            cards
                .iter()
                .map(|c| {
                    c.state.with(|s| match s {
                        CardState::Ready(outcome) => Some(outcome.clone()),
                        CardState::Loading => None,
                    })
                })
                .collect::<Vec<_>>()
        })
    });
    let wanted = move || answers.with(|a| order(a, sort.get()));
    let shown = RwSignal::new(untrack(wanted));
    let pointer_over = RwSignal::new(false);
    Effect::new(move |_| {
        let order = wanted();
        if !pointer_over.get_untracked() {
            shown.set(order);
        }
    });
    let marks = Memo::new(move |_| answers.with(|a| marks(a)));
    view! {
        <Summary request count places/>
        <SortControl sort/>
        <ul
            class="cards"
            on:pointermove=move |_| {
                if !pointer_over.get_untracked() {
                    pointer_over.set(true);
                }
            }
            on:pointerleave=move |_| {
                pointer_over.set(false);
                shown.set(untrack(wanted));
            }
        >
            <For each=move || shown.get() key=|i| *i let:i>
                {
                    let card = cards.with_value(|cards| cards[i].clone());
                    let mark = Signal::derive(move || {
                        let (cheapest, fastest) = marks.get();
                        (cheapest == Some(i), fastest == Some(i))
                    });
                    view! { <ProductCard product_id=card.product_id state=card.state marks=mark by_volume/> }
                }
            </For>
        </ul>
    }
    .into_any()
}

#[component]
fn Planning() -> impl IntoView {
    view! { <p class="summary">{use_texts().get(W::Finding)}</p> }
}

/// Most products one plan can have. Every slot gets its quote resource up front: Suspense
/// renders its children more than once on the server, and cards that made their own
/// resources asked the shipping guide three times per product.
const MAX_PLANNED: usize = crate::catalogue::MAX_PLAN;

type Quote = Resource<Option<Result<Outcome, ApiError>>, WireCodec>;

/// The resources' fetchers in the browser, which runs them only for a page it renders itself
/// (hydration takes the server's answers): `api::call`, not server_fn's client.
#[cfg(feature = "client")]
fn plan_search(request: SearchRequest) -> impl Future<Output = Result<Plan, ApiError>> + Send {
    send_wrapper::SendWrapper::new(async { crate::api::call::plan_search(request, None).await })
}

#[cfg(feature = "client")]
fn quote_product(
    request: SearchRequest,
    product_id: crate::model::ProductId,
) -> impl Future<Output = Result<Outcome, ApiError>> + Send {
    let call = async { crate::api::call::quote_product(request, product_id, None).await };
    send_wrapper::SendWrapper::new(call)
}

/// The view of the URL's search results, built when called.
pub type View = fn(SearchRequest) -> AnyView;

/// A WASM chunk of its own (`#[lazy]`): [`InitialResults`] and the resources and suspense
/// it hydrates are a tenth of the page's code, and only a page opened on a search link needs
/// them (the hydrated page renders its own searches with [`LiveResults`]).
#[cfg_attr(not(feature = "csr"), leptos::lazy(results))]
pub fn load() -> View {
    |request| view! { <InitialResults request/> }.into_any()
}

lazy_page_now!(load);

/// Results of the search in the page's URL, rendered on the server card by card.
#[component]
fn InitialResults(request: SearchRequest) -> impl IntoView {
    let plan: Resource<_, WireCodec> = Resource::new_with_options(
        || (),
        {
            let request = request.clone();
            move |_| plan_search(request.clone())
        },
        false,
    );
    let quotes: Vec<Quote> = (0..MAX_PLANNED)
        .map(|slot| {
            let request = request.clone();
            Resource::new_with_options(
                || (),
                move |_| {
                    let request = request.clone();
                    async move {
                        let product_id = plan.await.ok()?.products.get(slot)?.clone();
                        Some(quote_product(request, product_id).await)
                    }
                },
                false,
            )
        })
        .collect();
    let t = use_texts();
    // Every answer first: the order and the marks need them all (without JavaScript nothing
    // can re-order what was sent). The hydrated page's own searches show each as it comes.
    view! {
        <Suspense fallback=Planning>
            {move || {
                let request = request.clone();
                let quotes = quotes.clone();
                Suspend::new(async move {
                    match plan.await {
                        Err(e) => view! { <Failure message=e.to_string()/> }.into_any(),
                        Ok(Plan { products, places }) => {
                            let mut cards = Vec::with_capacity(products.len());
                            for (slot, product_id) in products.into_iter().enumerate() {
                                let answer = match quotes.get(slot).copied() {
                                    Some(quote) => quote.await,
                                    None => None,
                                };
                                let outcome = match answer {
                                    Some(Ok(outcome)) => outcome,
                                    failed => Outcome::Unavailable {
                                        product_id: product_id.clone(),
                                        reason: UnavailableReason::UpstreamError,
                                        message: failed.and_then(Result::err).map_or_else(
                                            || t.get(W::SearchAgain).to_owned(),
                                            |e| e.to_string(),
                                        ),
                                    },
                                };
                                cards.push(Card {
                                    product_id,
                                    state: RwSignal::new(CardState::Ready(outcome)),
                                });
                            }
                            card_grid(request, cards, RwSignal::new(places))
                        }
                    }
                })
            }}
        </Suspense>
    }
}

/// Results of a search the hydrated page made itself.
#[component]
pub fn LiveResults(
    request: SearchRequest,
    view: ResultsView,
    places: RwSignal<Places>,
) -> impl IntoView {
    match view {
        ResultsView::Idle | ResultsView::Refused(_) => ().into_any(),
        ResultsView::Planning => view! { <Planning/> }.into_any(),
        ResultsView::Failed(message) => view! { <Failure message/> }.into_any(),
        ResultsView::Planned(cards) => {
            // Announced as it changes, politely, instead of every card as it fills in.
            let t = use_texts();
            let states: Vec<RwSignal<CardState>> = cards.iter().map(|c| c.state).collect();
            let total = states.len().to_string();
            let progress = move || {
                let found = states
                    .iter()
                    .filter(|s| s.with(|s| matches!(s, CardState::Ready(_))))
                    .count();
                t.fill(
                    W::Progress,
                    &[("found", &found.to_string()), ("total", &total)],
                )
            };
            let empty = cards.is_empty();
            view! {
                {card_grid(request, cards, places)}
                <p class="visually-hidden" role="status" data-testid="progress" hidden=empty>{progress}</p>
            }
            .into_any()
        }
    }
}
