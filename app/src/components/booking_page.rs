//! `/book` and `/booking/{id}`: the booking form and the confirmation. The server works out
//! what they show (`booking::BookingPage`, `booking::BookedPage`) and renders them whole, so
//! they work without JavaScript; the hydrated form checks each field as the customer leaves
//! it and before it is sent, with the same checks the server makes.

use crate::booking::{
    BookedPage, BookingDraft, BookingPage, Confirmation, Party, PickupPoint, Quoted, field,
};
use crate::components::site::{SiteFooter, SiteHeader};
use crate::error::{ErrorCode, FieldError};
use crate::i18n::{self, Texts, W, country_name, product_name, use_texts};
use crate::location::{Page, use_url};
use crate::model::{Dispatch, Money, Places, ProductId};
use leptos::prelude::*;

/// The pages' view, built when called; see [`crate::components::diagnostics_page::View`].
pub type View = fn() -> AnyView;

/// A WASM chunk of its own (`#[lazy]`): the search page's visitors never download it.
#[cfg_attr(not(feature = "csr"), leptos::lazy(booking))]
pub fn load() -> View {
    || {
        let url = use_url();
        match Page::of_path(&url.path.get_value()) {
            Page::Booking => view! { <ConfirmationPage/> }.into_any(),
            _ => view! { <BookingFormPage/> }.into_any(),
        }
    }
}

lazy_page_now!(load);

/// The sentence under a booking field, in the page's words.
fn error_words(t: Texts, error: &FieldError, draft: &BookingDraft) -> String {
    let is = |name: &str| error.field == name;
    match error.code {
        ErrorCode::MissingField if is(field::RECIPIENT_PHONE) => t.get(W::ErrEnterPhone).to_owned(),
        ErrorCode::MissingField if is(field::RECIPIENT_EMAIL) => t.get(W::ErrEnterEmail).to_owned(),
        ErrorCode::MissingField if is(field::PICKUP_POINT) => t.get(W::ErrChoosePoint).to_owned(),
        ErrorCode::MissingField if crate::booking::FIELDS.contains(&error.field.as_str()) => {
            t.get(W::ErrFillIn).to_owned()
        }
        ErrorCode::TooLong => t.fill(
            W::ErrTooLong,
            &[("max", &crate::booking::MAX_LINE.to_string())],
        ),
        ErrorCode::InvalidName => t.get(W::ErrInvalidName).to_owned(),
        ErrorCode::InvalidStreet => t.get(W::ErrInvalidStreet).to_owned(),
        ErrorCode::InvalidPhone => t.get(W::ErrInvalidPhone).to_owned(),
        ErrorCode::InvalidEmail => t.get(W::ErrInvalidEmail).to_owned(),
        ErrorCode::UnknownPickupPoint => t.get(W::ErrUnknownPoint).to_owned(),
        ErrorCode::FormExpired => t.get(W::ErrFormExpired).to_owned(),
        // The search's own fields (an edited link): in the search form's words.
        _ => i18n::field_error(t, error, &draft.search),
    }
}

/// "0150 OSLO" (and the country abroad).
fn place_line(t: Texts, country: &str, postal_code: &str, place: Option<&str>) -> String {
    let mut line = format!("{postal_code} {}", place.unwrap_or_default())
        .trim_end()
        .to_owned();
    if country != "NO" {
        line.push_str(&format!(", {}", country_name(t, country)));
    }
    line
}

fn distance(t: Texts, metres: u32) -> String {
    if metres < 1000 {
        return t.fill(W::Metres, &[("n", &metres.to_string())]);
    }
    let tenths = (metres + 50) / 100;
    let km = format!(
        "{}{}{}",
        tenths / 10,
        t.get(W::DecimalSeparator),
        tenths % 10
    );
    t.fill(W::Kilometres, &[("n", &km)])
}

#[component]
fn BookingFormPage() -> impl IntoView {
    let t = use_texts();
    let page = crate::wire::shared(use_context::<BookingPage>);
    view! {
        <SiteHeader/>
        <main class="page booking">
            <section class="hero">
                <h1>{t.get(W::BookTitle)}</h1>
                <p>{t.get(W::BookLede)}</p>
            </section>
            {match page {
                Some(page) => view! { <BookingBody page/> }.into_any(),
                None => view! { <p class="not-found">{t.get(W::NotFound)}</p> }.into_any(),
            }}
        </main>
        <SiteFooter/>
    }
}

#[component]
fn BookingBody(page: BookingPage) -> impl IntoView {
    let t = use_texts();
    let back = format!(
        "/?{}{}",
        page.draft.search.to_query(),
        t.link_query().replacen('?', "&", 1)
    );
    let product = ProductId::new(page.draft.product.trim());
    match page.quoted.clone() {
        Quoted::BadSearch => view! {
            <div class="failure" role="alert" data-testid="book-unavailable">
                <p>{t.get(W::BookBadSearch)}</p>
                <p><a href=format!("/{}", t.link_query())>{t.get(W::BookBack)}</a></p>
            </div>
        }
        .into_any(),
        Quoted::Unavailable { message } => view! {
            <Chosen page=page.clone() product price=None back=back.clone()/>
            <div class="failure" role="alert" data-testid="book-unavailable">
                <p>{t.get(W::BookNotOffered)}</p>
                <p>{message}</p>
                <p><a href=back>{t.get(W::BookBack)}</a></p>
            </div>
        }
        .into_any(),
        Quoted::Offer {
            price,
            expected_delivery,
            dispatch,
        } => view! {
            <Chosen page=page.clone() product price=Some((price, expected_delivery, dispatch)) back/>
            <BookingForm page/>
        }
        .into_any(),
    }
}

/// The chosen service, as quoted again by the server, with the route and a way back.
#[component]
fn Chosen(
    page: BookingPage,
    product: ProductId,
    price: Option<(Money, String, Option<Dispatch>)>,
    back: String,
) -> impl IntoView {
    let t = use_texts();
    let d = &page.draft;
    let Places { from, to } = page.places.clone();
    let route = format!(
        "{} → {}",
        place_line(
            t,
            &d.search.from_country,
            &d.search.from_postal,
            from.as_deref()
        ),
        place_line(t, &d.search.to_country, &d.search.to_postal, to.as_deref())
    );
    let kg = d
        .search
        .to_request()
        .map(|r| i18n::weight(t, r.parcel.weight_grams))
        .unwrap_or_default();
    view! {
        <section class="chosen" aria-label=t.get(W::BookChosen) data-testid="chosen">
            <p class="chosen-label">{t.get(W::BookChosen)}</p>
            <h2 class="card-name">{product_name(t, &product)}</h2>
            <p class="chosen-route">{route}" · "{t.fill(W::BookWeight, &[("kg", &kg)])}</p>
            {price.map(|(price, date, dispatch)| view! {
                <p class="chosen-facts">
                    <span class="price-amount" data-testid="chosen-price">{i18n::money(t, &price)}</span>
                    <span class="lead-date">{t.get(W::DeliveredBy)}" "{i18n::date(t, &date)}</span>
                </p>
                {dispatch.map(|d| view! {
                    <p class="dispatch" data-testid="dispatch" data-today=d.today.then_some("")>{i18n::dispatch(t, &d)}</p>
                })}
            })}
            <a class="chosen-change" href=back>{t.get(W::BookChange)}</a>
        </section>
    }
}

/// The form's state in the browser: the errors shown, and whether it is being sent.
#[derive(Clone, Copy)]
struct FormState {
    errors: RwSignal<Vec<FieldError>>,
    sending: RwSignal<bool>,
    draft: StoredValue<BookingDraft>,
    t: Texts,
}

impl FormState {
    fn error(self, name: &'static str) -> impl Fn() -> Option<String> + Copy {
        move || {
            self.errors.with(|e| {
                let error = e.iter().find(|e| e.field == name)?;
                Some(self.draft.with_value(|d| error_words(self.t, error, d)))
            })
        }
    }
}

#[component]
fn BookingForm(page: BookingPage) -> impl IntoView {
    let t = use_texts();
    let BookingPage {
        draft,
        points,
        errors,
        failure,
        places,
        ..
    } = page;
    let state = FormState {
        errors: RwSignal::new(errors),
        sending: RwSignal::new(false),
        draft: StoredValue::new(draft.clone()),
        t,
    };
    let action = format!("/book{}", t.link_query());
    let d = &draft;
    // The search as the link carried it, the service and the form's key.
    let hidden = d
        .search
        .fields()
        .into_iter()
        .chain([
            (field::PRODUCT, d.product.as_str()),
            (field::FORM_ID, d.form_id.as_str()),
        ])
        .map(|(name, value)| view! { <input type="hidden" name=name value=value.to_owned()/> })
        .collect_view();
    let has_errors = move || state.errors.with(|e| !e.is_empty());
    let form_expired = state.error(field::FORM_ID);
    view! {
        {failure.map(|message| view! { <div class="failure" role="alert" data-testid="book-failed"><p>{message}</p></div> })}
        <p class="form-errors" role="alert" data-testid="book-errors" hidden=move || !has_errors()>
            {t.get(W::BookErrors)}" "{form_expired}
        </p>
        <form
            class="booking-form"
            method="post"
            action=action
            novalidate
            data-testid="booking-form"
            on:submit=move |ev| client::submit(state, ev)
            on:focusout=move |ev| client::left_field(state, ev)
        >
            {hidden}
            <fieldset class="group">
                <legend>{t.get(W::Sender)}</legend>
                <Field state name=field::SENDER_NAME label=t.get(W::Name) value=d.sender_name.clone() autocomplete="section-sender name"/>
                <Field state name=field::SENDER_STREET label=t.get(W::Street) value=d.sender_street.clone() autocomplete="section-sender address-line1"/>
                <p class="place-line" data-testid="sender-place">{place_line(t, &d.search.from_country, &d.search.from_postal, places.from.as_deref())}</p>
            </fieldset>
            <fieldset class="group">
                <legend>{t.get(W::Recipient)}</legend>
                <Field state name=field::RECIPIENT_NAME label=t.get(W::Name) value=d.recipient_name.clone() autocomplete="section-recipient name"/>
                <Field state name=field::RECIPIENT_STREET label=t.get(W::Street) value=d.recipient_street.clone() autocomplete="section-recipient address-line1"/>
                <p class="place-line" data-testid="recipient-place">{place_line(t, &d.search.to_country, &d.search.to_postal, places.to.as_deref())}</p>
                <Field state name=field::RECIPIENT_PHONE label=t.get(W::Phone) value=d.recipient_phone.clone() kind="tel" autocomplete="section-recipient tel" hint=t.get(W::HintPhone)/>
                <Field state name=field::RECIPIENT_EMAIL label=t.get(W::Email) value=d.recipient_email.clone() kind="email" autocomplete="section-recipient email"/>
            </fieldset>
            {(!points.is_empty()).then(|| view! { <Points state points chosen=d.pickup_point.clone()/> })}
            <fieldset class="group">
                <Field state name=field::REFERENCE label=t.get(W::Reference) value=d.reference.clone() hint=t.get(W::HintReference)/>
            </fieldset>
            <button type="submit" class="submit" data-testid="book-submit" disabled=move || state.sending.get()>
                {move || t.get(if state.sending.get() { W::BookSubmitting } else { W::BookSubmit })}
            </button>
        </form>
    }
}

/// A label, an input and its error line, wired for screen readers.
#[component]
fn Field(
    state: FormState,
    name: &'static str,
    label: &'static str,
    value: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    let error = state.error(name);
    let (error_id, hint_id) = (format!("error-{name}"), format!("hint-{name}"));
    let described = if hint.is_empty() {
        error_id.clone()
    } else {
        format!("{hint_id} {error_id}")
    };
    view! {
        <div class="field" class:has-error=move || error().is_some()>
            <label for=name>{label}</label>
            {(!hint.is_empty()).then(|| view! { <p class="hint" id=hint_id>{hint}</p> })}
            <input
                id=name
                name=name
                type=kind
                value=value
                autocomplete=autocomplete
                aria-invalid=move || error().is_some().to_string()
                aria-describedby=described
            />
            <p class="field-error" id=error_id data-testid=format!("error-{name}") hidden=move || error().is_none()>
                {error}
            </p>
        </div>
    }
}

/// The pickup points, nearest first, as radio buttons.
#[component]
fn Points(state: FormState, points: Vec<PickupPoint>, chosen: String) -> impl IntoView {
    let t = state.t;
    let error = state.error(field::PICKUP_POINT);
    let english = t.lang == i18n::Lang::En;
    view! {
        <fieldset class="group points" data-testid="pickup-points" aria-describedby="error-pickup_point">
            <legend>{t.get(W::PointsTitle)}</legend>
            <p class="hint">{t.get(W::PointsLede)}</p>
            <ul class="point-list">
                {points
                    .into_iter()
                    .map(|p| {
                        let id = format!("point-{}", p.id);
                        let checked = p.id == chosen;
                        view! {
                            <li>
                                <input type="radio" id=id.clone() name=field::PICKUP_POINT value=p.id.clone() checked=checked/>
                                <label for=id>
                                    <span class="point-name">{p.name}</span>
                                    <span class="point-distance">{distance(t, p.distance_m)}</span>
                                    <span class="point-address">{format!("{}, {} {}", p.street, p.postal_code, p.city)}</span>
                                    <span class="point-hours">{if english { p.hours_en } else { p.hours_nb }}</span>
                                </label>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class="field-error" id="error-pickup_point" data-testid="error-pickup_point" hidden=move || error().is_none()>
                {error}
            </p>
        </fieldset>
    }
}

#[component]
fn ConfirmationPage() -> impl IntoView {
    let t = use_texts();
    let booked = crate::wire::shared(|| use_context::<BookedPage>().and_then(|b| b.0));
    view! {
        <SiteHeader/>
        <main class="page booking">
            {match booked {
                Some(c) => view! { <Booked c/> }.into_any(),
                None => view! { <p class="not-found" data-testid="booking-not-found">{t.get(W::BookedNotFound)}</p> }.into_any(),
            }}
        </main>
        <SiteFooter/>
    }
}

#[component]
fn Booked(c: Confirmation) -> impl IntoView {
    let t = use_texts();
    let party = |p: &Party| {
        let place = place_line(t, &p.country, &p.postal_code, p.place.as_deref());
        view! { <span class="party">{p.name.clone()}<br/>{p.street.clone()}<br/>{place}</span> }
    };
    let first_name = c.recipient.name.clone();
    let next_point = c.pickup_point.as_ref().map(|p| {
        t.fill(
            W::BookedNextPoint,
            &[
                ("name", &first_name),
                ("point", &format!("{}, {}", p.name, p.street)),
            ],
        )
    });
    view! {
        <section class="booked" data-testid="booked">
            <h1>{t.get(W::BookedTitle)}</h1>
            <p class="shipment-number">
                {t.get(W::BookedNumber)}" "
                <strong data-testid="shipment-number">{c.shipment_number.clone()}</strong>
            </p>
            <p class="booked-actions">
                <a class="button" href=format!("/booking/{}/label.pdf", c.id) download data-testid="label-link">{t.get(W::BookedLabel)}</a>
                <a href=c.tracking_url.clone() data-testid="tracking-link" rel="noopener">{t.get(W::BookedTrack)}</a>
            </p>
            <dl class="booked-facts">
                <dt>{t.get(W::BookChosen)}</dt>
                <dd data-testid="booked-product">{product_name(t, &c.product)}</dd>
                <dt>{t.get(W::BookedPrice)}</dt>
                <dd>{i18n::money(t, &c.price)}</dd>
                <dt>{t.get(W::BookedDelivery)}</dt>
                <dd>{i18n::date(t, &c.expected_delivery)}</dd>
                <dt>{t.get(W::Sender)}</dt>
                <dd>{party(&c.sender)}</dd>
                <dt>{t.get(W::Recipient)}</dt>
                <dd data-testid="booked-recipient">{party(&c.recipient)}</dd>
                {c.pickup_point.clone().map(|p| view! {
                    <dt>{t.get(W::PointsTitle)}</dt>
                    <dd data-testid="booked-point">{p.name}<br/>{format!("{}, {} {}", p.street, p.postal_code, p.city)}</dd>
                })}
                {c.reference.clone().map(|r| view! { <dt>{t.get(W::Reference)}</dt><dd>{r}</dd> })}
            </dl>
            <h2>{t.get(W::BookedNext)}</h2>
            <ol class="next-steps">
                <li>{t.get(W::BookedNextPrint)}</li>
                <li>{t.get(W::BookedNextHandIn)}</li>
                <li>{t.fill(W::BookedNextNotice, &[("name", &c.recipient.name)])}</li>
                {next_point.map(|n| view! { <li>{n}</li> })}
            </ol>
            <p><a href=format!("/{}", t.link_query())>{t.get(W::BookedAnother)}</a></p>
        </section>
    }
}

/// What the hydrated form does: checks a field as the customer leaves it, and the whole form
/// before it is sent (the server checks again).
#[cfg(feature = "client")]
mod client {
    use super::*;
    use wasm_bindgen::JsCast;

    fn form_of(ev: &web_sys::Event) -> Option<web_sys::HtmlFormElement> {
        let target: web_sys::Element = ev.target()?.dyn_into().ok()?;
        target.closest("form").ok()??.dyn_into().ok()
    }

    fn draft_of(form: &web_sys::HtmlFormElement) -> Option<BookingDraft> {
        let data = web_sys::FormData::new_with_form(form).ok()?;
        let params = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
        Some(BookingDraft::from_params(|name| params.get(name)))
    }

    fn problems(draft: &BookingDraft) -> Vec<FieldError> {
        draft.check().err().unwrap_or_default()
    }

    pub fn submit(state: FormState, ev: leptos::ev::SubmitEvent) {
        if state.sending.get_untracked() {
            // A second click while the first is on its way.
            ev.prevent_default();
            return;
        }
        let Some(draft) = form_of(&ev).and_then(|f| draft_of(&f)) else {
            return;
        };
        let errors = problems(&draft);
        state.draft.set_value(draft);
        if let Some(first) = errors.first() {
            ev.prevent_default();
            let id = first.field.clone();
            state.errors.set(errors);
            if let Some(input) = document()
                .get_element_by_id(&id)
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = input.focus();
            }
        } else {
            state.errors.set(Vec::new());
            state.sending.set(true);
        }
    }

    /// The field just left shows its own problem (or none); the others stay as they are.
    pub fn left_field(state: FormState, ev: leptos::ev::FocusEvent) {
        let Some(name) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|input| input.name())
        else {
            return;
        };
        let Some(draft) = form_of(&ev).and_then(|f| draft_of(&f)) else {
            return;
        };
        let mine = problems(&draft).into_iter().find(|e| e.field == name);
        state.draft.set_value(draft);
        state.errors.update(|errors| {
            let shown = errors.iter().any(|e| e.field == name);
            // Tabbing past an empty field is not a mistake yet; sending the form is.
            if !shown
                && mine
                    .as_ref()
                    .is_some_and(|e| e.code == ErrorCode::MissingField)
            {
                return;
            }
            errors.retain(|e| e.field != name);
            errors.extend(mine);
            let order = |e: &FieldError| crate::booking::FIELDS.iter().position(|f| *f == e.field);
            errors.sort_by_key(order);
        });
    }
}

#[cfg(not(feature = "client"))]
mod client {
    use super::*;

    pub fn submit(_: FormState, _: leptos::ev::SubmitEvent) {}
    pub fn left_field(_: FormState, _: leptos::ev::FocusEvent) {}
}
