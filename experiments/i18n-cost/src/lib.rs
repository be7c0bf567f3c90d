//! One page that can show every word of the app in either language, two ways (one feature
//! each): `table`, the app's own (`app/src/i18n`: the page carries its language's words as
//! JSON and the WASM looks them up by index), and `crate`, leptos_i18n (each word a compiled
//! accessor, every language's strings in the WASM). Both parse the page's JSON, as the app
//! does anyway, so only the words' way differs between the two builds.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[cfg(feature = "crate")]
include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

/// Written by scripts/i18n-cost from app/src/i18n/words.rs: `COUNT` and `word!`.
#[macro_use]
mod words;

fn page_json() -> Vec<String> {
    document()
        .get_element_by_id("words")
        .and_then(|e| e.text_content())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

#[wasm_bindgen(start)]
pub fn start() {
    mount_to_body(App);
}

#[cfg(feature = "table")]
#[component]
fn App() -> impl IntoView {
    let table = page_json();
    let (n, set_n) = signal(0usize);
    view! {
        <button on:click=move |_| set_n.update(|n| *n = (*n + 1) % words::COUNT)>"next"</button>
        <p>{move || table.get(n.get()).cloned().unwrap_or_default()}</p>
    }
}

#[cfg(feature = "crate")]
#[component]
fn App() -> impl IntoView {
    use i18n::*;
    let i18n = provide_i18n_context();
    let other = page_json().len();
    let (n, set_n) = signal(0usize);
    let switch = move |_| {
        let next = match i18n.get_locale() {
            Locale::en => Locale::nb,
            Locale::nb => Locale::en,
        };
        i18n.set_locale(next);
    };
    view! {
        <button on:click=move |_| set_n.update(|n| *n = (*n + other + 1) % words::COUNT)>"next"</button>
        <button on:click=switch>"language"</button>
        <p>{move || word!(i18n, n.get())}</p>
    }
}
