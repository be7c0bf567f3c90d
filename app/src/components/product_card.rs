//! One product's card: a placeholder until its answer comes, then an offer or a brief reason.

use crate::cards::CardState;
use crate::catalogue;
use crate::i18n::{self, Texts, W, product_name, use_texts};
use crate::location::{set_param, use_url};
use crate::model::{MAX_ALTERNATIVES, Money, Offer, Outcome, ProductId, UnavailableReason};
use leptos::prelude::*;

#[component]
pub fn ProductCard(
    product_id: ProductId,
    #[prop(into)] state: Signal<CardState>,
    /// Whether it is the cheapest and the fastest offer.
    marks: Signal<(bool, bool)>,
    /// The volumetric weight in grams, when it decides the price.
    by_volume: Option<u32>,
) -> impl IntoView {
    let t = use_texts();
    let name = product_name(t, &product_id);
    let id = product_id.to_string();
    let data_state = move || match state.get() {
        CardState::Loading => "loading",
        CardState::Ready(Outcome::Offer { .. }) => "offer",
        CardState::Ready(Outcome::Unavailable { .. }) => "unavailable",
    };
    view! {
        <li
            class="card"
            data-product-id=id
            data-state=data_state
            data-cheapest=move || marks.get().0.then_some("")
            data-fastest=move || marks.get().1.then_some("")
            aria-busy=move || (data_state() == "loading").to_string()
        >
            <p class="marks" hidden=move || marks.get() == (false, false)>
                <span class="mark" hidden=move || !marks.get().0>{t.get(W::Cheapest)}</span>
                <span class="mark mark-fastest" hidden=move || !marks.get().1>{t.get(W::Fastest)}</span>
            </p>
            {move || match state.get() {
                CardState::Loading => {
                    view! { <LoadingBody t product_id=product_id.clone() name=name.clone()/> }.into_any()
                }
                CardState::Ready(Outcome::Offer { offer }) => view! { <OfferBody t offer by_volume/> }.into_any(),
                CardState::Ready(Outcome::Unavailable { reason, message, .. }) => {
                    view! { <UnavailableBody t name=name.clone() reason message/> }.into_any()
                }
            }}
        </li>
    }
}

/// Shaped like an offer, line for line (description, price, lead time, dispatch, the other
/// delivery days where the service offers them, Choose), so the card keeps its height when the
/// answer comes: a card growing as the customer looks moves every card below it (CLS). The
/// bones are sample text in the page's words, hidden, so each line is as tall as the text it
/// stands for.
#[component]
fn LoadingBody(t: Texts, product_id: ProductId, name: String) -> impl IntoView {
    let about = i18n::product(&product_id).map_or(W::Checking, |(_, about)| about);
    let sample_price = Money {
        currency: "NOK".into(),
        with_vat_minor: 99_999,
        without_vat_minor: 0,
    };
    let days = format!("0 {}", t.get(W::WorkingDays));
    let delivered = format!("{} {}", t.get(W::DeliveredBy), i18n::date(t, "2026-12-31"));
    let time = format!("00{}00", t.get(W::TimeSeparator));
    let dispatch = t.fill(
        W::DispatchLater,
        &[("date", &i18n::date(t, "2026-12-30")), ("time", &time)],
    );
    let choice_of_dates = catalogue::product(&product_id).is_some_and(|p| p.choice_of_dates);
    view! {
        <h2 class="card-name">{name}</h2>
        <p class="card-desc">{t.get(about)}</p>
        <div class="card-facts skeleton" aria-hidden="true">
            <p class="price">
                <span class="price-amount bone">{i18n::money(t, &sample_price)}</span>
                <span class="price-note bone">{t.get(W::InclVat)}</span>
            </p>
            <p class="lead">
                <span class="lead-days bone">{days}</span>
                <span class="lead-date bone">{delivered}</span>
            </p>
        </div>
        <p class="dispatch" aria-hidden="true"><span class="bone">{dispatch}</span></p>
        {choice_of_dates.then(|| view! {
            <p class="alternatives" aria-hidden="true">
                <span class="alternatives-label"><span class="bone">{t.get(W::OtherDates)}</span></span>
                {(0..MAX_ALTERNATIVES).map(|_| view! {
                    <span class="alternative bone">{i18n::date(t, "2026-12-30")}</span>
                }).collect_view()}
            </p>
        })}
        <span class="choose bone" aria-hidden="true">{t.get(W::Choose)}</span>
    }
}

#[component]
fn OfferBody(t: Texts, offer: Offer, by_volume: Option<u32>) -> impl IntoView {
    let days = offer.lead_time.working_days;
    let unit = t.get(if days == 1 {
        W::WorkingDay
    } else {
        W::WorkingDays
    });
    let vat = t.get(if offer.price.includes_vat() {
        W::InclVat
    } else {
        W::NoVat
    });
    // The catalogue's products in the page's words; another's as the guide names it.
    let (name, description) = match i18n::product(&offer.product_id) {
        Some((name, about)) => (t.get(name).to_owned(), t.get(about).to_owned()),
        None => (offer.name, offer.description),
    };
    // The booking form for this search (the URL's, language and all) and this service: a
    // plain link, so it works without JavaScript.
    let url = use_url();
    let product = offer.product_id.to_string();
    let choose = move || {
        format!(
            "/book?{}",
            url.query.with(|q| set_param(q, "product", &product))
        )
    };
    let choose_label = t.fill(W::ChooseService, &[("service", &name)]);
    let fossil_free = offer.last_mile.filter(|m| m.fossil_free).map(|m| {
        let shares: Vec<String> = [(W::ShareElectric, m.electric_pct), (W::ShareBio, m.bio_pct)]
            .into_iter()
            .filter(|(_, pct)| *pct > 0)
            .map(|(word, pct)| t.fill(word, &[("pct", &pct.to_string())]))
            .collect();
        t.fill(W::LastMile, &[("shares", &shares.join(", "))])
    });
    let dispatch = offer.dispatch.map(|d| (d.today, i18n::dispatch(t, &d)));
    let alternatives = offer.lead_time.alternatives;
    view! {
        <h2 class="card-name">{name}</h2>
        <p class="card-desc">{description}</p>
        {fossil_free.map(|shares| view! {
            <p class="card-green" data-testid="fossil-free">
                <span class="green-mark">{t.get(W::FossilFree)}</span>
                " "<span class="green-shares">{shares}</span>
            </p>
        })}
        <div class="card-facts">
            <p class="price">
                <span class="price-amount" data-price=offer.price.with_vat_minor>
                    {i18n::money(t, &offer.price)}
                </span>
                <span class="price-note">{vat}</span>
                {by_volume.map(|grams| view! {
                    <span class="price-volume" data-testid="priced-by-volume">
                        {t.fill(W::PricedByVolume, &[("kg", &i18n::weight(t, grams))])}
                    </span>
                })}
            </p>
            <p class="lead">
                <span class="lead-days"><span data-lead-days=days>{days}</span>" "{unit}</span>
                <span class="lead-date">{t.get(W::DeliveredBy)}" "{i18n::date(t, &offer.lead_time.expected_delivery)}</span>
            </p>
        </div>
        {dispatch.map(|(today, text)| view! {
            <p class="dispatch" data-testid="dispatch" data-today=today.then_some("")>{text}</p>
        })}
        {(!alternatives.is_empty()).then(|| view! {
            <p class="alternatives" data-testid="alternatives">
                <span class="alternatives-label">{t.get(W::OtherDates)}</span>
                {alternatives.iter().map(|d| view! {
                    <span class="alternative" data-date=d.clone()>{i18n::date(t, d)}</span>
                }).collect_view()}
            </p>
        })}
        <a class="choose" href=choose aria-label=choose_label data-testid="choose">{t.get(W::Choose)}</a>
    }
}

#[component]
fn UnavailableBody(
    t: Texts,
    name: String,
    reason: UnavailableReason,
    message: String,
) -> impl IntoView {
    let headline = t.get(match reason {
        UnavailableReason::NotEligible => W::NotEligible,
        UnavailableReason::Timeout => W::TimedOut,
        UnavailableReason::UpstreamError => W::Unavailable,
    });
    view! {
        <h2 class="card-name">{name}</h2>
        <p class="card-unavailable">{headline}</p>
        <p class="card-reason">{message}</p>
    }
}
