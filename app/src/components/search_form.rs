//! The search form: a plain GET form whose field names are the URL's query parameters, so it
//! works without WASM; once hydrated, submitting it searches without a page load.

use crate::error::FieldError;
use crate::i18n::{Texts, W, country_name, field_error, use_texts};
use crate::model::field;
use crate::order::use_sort;
use crate::validate::{COUNTRIES, OWN_SIZE, SearchQuery, Size};
use leptos::prelude::*;

/// What the page's form shows: the query it renders and the errors of its fields.
#[derive(Clone, Copy)]
struct Form {
    query: Memo<SearchQuery>,
    errors: Memo<Vec<FieldError>>,
    t: Texts,
}

/// The error line of one field, in the page's words.
fn error_for(form: Form, name: &'static str) -> impl Fn() -> Option<String> + Copy {
    move || {
        form.errors.with(|e| {
            let error = e.iter().find(|e| e.field == name)?;
            Some(form.query.with(|q| field_error(form.t, error, q)))
        })
    }
}

/// A label, an input and the field's error line, wired for screen readers.
#[component]
fn TextField(
    name: &'static str,
    label: &'static str,
    value: Signal<String>,
    form: Form,
    #[prop(optional)] hint: &'static str,
    #[prop(default = "text")] inputmode: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] suffix: &'static str,
) -> impl IntoView {
    let error = error_for(form, name);
    let error_id = format!("error-{name}");
    view! {
        <div class="field" class:has-error=move || error().is_some()>
            <label for=name>{label}</label>
            <div class="input-wrap">
                <input
                    id=name
                    name=name
                    type="text"
                    inputmode=inputmode
                    autocomplete=autocomplete
                    placeholder=hint
                    value=move || value.get()
                    aria-invalid=move || error().is_some().to_string()
                    aria-describedby=error_id.clone()
                />
                {(!suffix.is_empty()).then(|| view! { <span class="suffix">{suffix}</span> })}
            </div>
            <p class="field-error" id=error_id data-testid=format!("error-{name}") hidden=move || error().is_none()>
                {error}
            </p>
        </div>
    }
}

#[component]
fn CountryField(
    name: &'static str,
    label: &'static str,
    value: Signal<String>,
    form: Form,
) -> impl IntoView {
    let error = error_for(form, name);
    let error_id = format!("error-{name}");
    // An empty or unknown choice falls back to Norway, the common case.
    let selected = move || {
        let v = value.get();
        if v.is_empty() { "NO".to_owned() } else { v }
    };
    view! {
        <div class="field" class:has-error=move || error().is_some()>
            <label for=name>{label}</label>
            <select id=name name=name aria-describedby=error_id.clone() autocomplete="country">
                {COUNTRIES
                    .iter()
                    .map(|c| {
                        view! { <option value=c.code selected=move || selected() == c.code>{country_name(form.t, c.code)}</option> }
                    })
                    .collect_view()}
            </select>
            <p class="field-error" id=error_id data-testid=format!("error-{name}") hidden=move || error().is_none()>
                {error}
            </p>
        </div>
    }
}

/// The parcel's size: a carrier's presets with their measurements, or the customer's own.
#[component]
fn SizeField(form: Form, chosen: Memo<String>) -> impl IntoView {
    let t = form.t;
    let error = error_for(form, field::SIZE);
    let option = move |code: &'static str, name: W, note: Option<(String, String)>| {
        view! {
            <label class="size" data-size=code>
                <input type="radio" name=field::SIZE value=code checked=move || chosen.get() == code/>
                <span class="size-name">{t.get(name)}</span>
                {note.map(|(measures, weight)| view! { <span class="size-note">{measures}<br/>{weight}</span> })}
            </label>
        }
    };
    let presets = Size::ALL
        .into_iter()
        .map(|size| {
            let [l, w, h] = size.cm();
            let kg = (size.max_grams() / 1000).to_string();
            let mut weight = t.fill(W::SizeUpTo, &[("kg", &kg)]);
            if size == Size::Small {
                weight = format!("{weight} · {}", t.get(W::SizeMailbox));
            }
            let note = (format!("{l} × {w} × {h} cm"), weight);
            let name = match size {
                Size::Small => W::SizeSmall,
                Size::Medium => W::SizeMedium,
                Size::Large => W::SizeLarge,
            };
            option(size.code(), name, Some(note))
        })
        .collect_view();
    view! {
        <fieldset class="sizes" aria-describedby="error-size" data-testid="sizes">
            <legend>{t.get(W::Size)}</legend>
            {presets}
            {option(OWN_SIZE, W::SizeOwn, None)}
            <p class="field-error" id="error-size" data-testid="error-size" hidden=move || error().is_none()>
                {error}
            </p>
        </fieldset>
    }
}

#[component]
pub fn SearchForm(
    query: Memo<SearchQuery>,
    errors: Memo<Vec<FieldError>>,
    /// Called on submit with the form's query string (hydrated page only).
    on_search: Callback<String>,
) -> impl IntoView {
    let t = use_texts();
    let form = Form { query, errors, t };
    let sort = use_sort();
    let v = |f: fn(&SearchQuery) -> &String| Signal::derive(move || query.with(|q| f(q).clone()));
    // The size chosen; measurements typed without one are the customer's own.
    let chosen = Memo::new(move |_| {
        query.with(|q| {
            let typed = !(q.length.is_empty() && q.width.is_empty() && q.height.is_empty());
            match q.size.trim() {
                "" if typed => OWN_SIZE.to_owned(),
                size => size.to_owned(),
            }
        })
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(qs) = form_query_string(&ev) {
            ev.prevent_default();
            on_search.run(qs);
        }
    };
    view! {
        <form class="search-form" method="get" action="/" data-testid="search-form" on:submit=submit novalidate>
            // A language the URL chose stays with the searches made from it.
            {t.explicit.then(|| view! { <input type="hidden" name="lang" value=t.lang.code()/> })}
            // And so does the order chosen for the results.
            <input type="hidden" name="sort" value=move || sort.get().code()/>
            <fieldset class="group">
                <legend>{t.get(W::From)}</legend>
                <CountryField name=field::FROM_COUNTRY label=t.get(W::Country) value=v(|q| &q.from_country) form/>
                <TextField name=field::FROM_POSTAL label=t.get(W::PostalCode) value=v(|q| &q.from_postal) form hint=t.get(W::HintFromPostal) autocomplete="postal-code"/>
            </fieldset>
            <fieldset class="group">
                <legend>{t.get(W::To)}</legend>
                <CountryField name=field::TO_COUNTRY label=t.get(W::Country) value=v(|q| &q.to_country) form/>
                <TextField name=field::TO_POSTAL label=t.get(W::PostalCode) value=v(|q| &q.to_postal) form hint=t.get(W::HintToPostal)/>
            </fieldset>
            <fieldset class="group parcel">
                <legend>{t.get(W::Parcel)}</legend>
                <TextField name=field::WEIGHT label=t.get(W::Weight) value=v(|q| &q.weight) form hint=t.get(W::HintWeight) inputmode="decimal" suffix="kg"/>
                <SizeField form chosen/>
                // Shown (by CSS) for own measurements only, so it works without JavaScript.
                <div class="dims-row">
                    <TextField name=field::LENGTH label=t.get(W::Length) value=v(|q| &q.length) form inputmode="numeric" suffix="cm"/>
                    <TextField name=field::WIDTH label=t.get(W::Width) value=v(|q| &q.width) form inputmode="numeric" suffix="cm"/>
                    <TextField name=field::HEIGHT label=t.get(W::Height) value=v(|q| &q.height) form inputmode="numeric" suffix="cm"/>
                </div>
            </fieldset>
            <button type="submit" class="submit">{t.get(W::ShowPrices)}</button>
        </form>
    }
}

/// The query string a GET submit of this form would produce, without empty optional fields.
#[cfg(feature = "client")]
fn form_query_string(ev: &leptos::ev::SubmitEvent) -> Option<String> {
    use wasm_bindgen::JsCast;
    let form: web_sys::HtmlFormElement = ev.target()?.dyn_into().ok()?;
    let data = web_sys::FormData::new_with_form(&form).ok()?;
    let params = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
    // A preset's measurements are its own: the hidden fields are left out, as are empty ones.
    let preset = params
        .get(field::SIZE)
        .is_some_and(|size| Size::of_code(&size).is_some());
    for optional in [field::LENGTH, field::WIDTH, field::HEIGHT] {
        if preset || params.get(optional).is_some_and(|v| v.trim().is_empty()) {
            params.delete(optional);
        }
    }
    Some(String::from(params.to_string()))
}

/// On the server the form is never submitted through this handler.
#[cfg(not(feature = "client"))]
fn form_query_string(_: &leptos::ev::SubmitEvent) -> Option<String> {
    None
}
