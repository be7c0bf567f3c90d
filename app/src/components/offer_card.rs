//! One product's card: a placeholder until its answer comes, then an offer or a brief reason.

use crate::cards::CardState;
use crate::catalogue::product_name;
use crate::model::{Offer, Outcome, ProductId, UnavailableReason};
use leptos::prelude::*;

#[component]
pub fn OfferCard(product_id: ProductId, #[prop(into)] state: Signal<CardState>) -> impl IntoView {
    let name = product_name(&product_id);
    let id = product_id.to_string();
    let data_state = move || match state.get() {
        CardState::Loading => "loading",
        CardState::Ready(Outcome::Offer { .. }) => "offer",
        CardState::Ready(Outcome::Unavailable { .. }) => "unavailable",
    };
    view! {
        <li class="card" data-product-id=id data-state=data_state aria-busy=move || (data_state() == "loading").to_string()>
            {move || match state.get() {
                CardState::Loading => view! { <LoadingBody name=name.clone()/> }.into_any(),
                CardState::Ready(Outcome::Offer { offer }) => view! { <OfferBody offer/> }.into_any(),
                CardState::Ready(Outcome::Unavailable { reason, message, .. }) => {
                    view! { <UnavailableBody name=name.clone() reason message/> }.into_any()
                }
            }}
        </li>
    }
}

#[component]
fn LoadingBody(name: String) -> impl IntoView {
    view! {
        <h2 class="card-name">{name}</h2>
        <p class="card-status">"Checking price and delivery date…"</p>
        <div class="card-facts skeleton" aria-hidden="true">
            <span class="bone bone-price"></span>
            <span class="bone bone-lead"></span>
        </div>
    }
}

#[component]
fn OfferBody(offer: Offer) -> impl IntoView {
    let days = offer.lead_time.working_days;
    let unit = if days == 1 {
        "working day"
    } else {
        "working days"
    };
    let vat = if offer.price.includes_vat() {
        "incl. VAT"
    } else {
        "no VAT (export)"
    };
    view! {
        <h2 class="card-name">{offer.name}</h2>
        <p class="card-desc">{offer.description}</p>
        <div class="card-facts">
            <p class="price">
                <span class="price-amount" data-price=offer.price.with_vat_minor>
                    {offer.price.display_with_vat()}
                </span>
                <span class="price-note">{vat}</span>
            </p>
            <p class="lead">
                <span class="lead-days"><span data-lead-days=days>{days}</span>" "{unit}</span>
                <span class="lead-date">"Delivered by "{offer.lead_time.delivery_label()}</span>
            </p>
        </div>
    }
}

#[component]
fn UnavailableBody(name: String, reason: UnavailableReason, message: String) -> impl IntoView {
    let headline = match reason {
        UnavailableReason::NotEligible => "Not available for this parcel",
        UnavailableReason::Timeout => "No answer in time – please try again",
        UnavailableReason::UpstreamError => "Temporarily unavailable",
    };
    view! {
        <h2 class="card-name">{name}</h2>
        <p class="card-unavailable">{headline}</p>
        <p class="card-reason">{message}</p>
    }
}
