//! The language of a page and its words: [`Lang`], chosen per request, and [`Texts`], the
//! table a page reads its words from.

use super::words::W;
use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Nb,
    En,
}

impl Lang {
    /// `<html lang>`, `?lang=` and `hreflang`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Nb => Lang::En,
            Lang::En => Lang::Nb,
        }
    }

    /// The value of `?lang=`.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "nb" => Some(Lang::Nb),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// From `Accept-Language`: the most preferred language the page has (Norwegian in any
    /// form is bokmål), else English.
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut ranked: Vec<(u16, usize, Lang)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(order, item)| {
                let mut parts = item.split(';');
                let tag = parts.next()?.trim();
                let primary = tag.split('-').next()?.to_ascii_lowercase();
                let lang = match primary.as_str() {
                    "nb" | "no" | "nn" => Lang::Nb,
                    "en" => Lang::En,
                    _ => return None,
                };
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(1000, quality);
                (q > 0).then_some((q, order, lang))
            })
            .collect();
        ranked.sort_by_key(|&(q, order, _)| (std::cmp::Reverse(q), order));
        ranked.first().map_or(Lang::En, |&(_, _, lang)| lang)
    }
}

/// A q-value in thousandths (`0.8` → 800); malformed counts as 0 (not acceptable).
fn quality(q: &str) -> u16 {
    let (whole, frac) = q.trim().split_once('.').unwrap_or((q.trim(), ""));
    let frac: String = frac.chars().chain("000".chars()).take(3).collect();
    match (whole, frac.parse::<u16>()) {
        ("1", Ok(0)) => 1000,
        ("0", Ok(f)) if frac.chars().all(|c| c.is_ascii_digit()) => f,
        _ => 0,
    }
}

/// The page's language and its words. `explicit`: the URL chose it (`?lang=`), so links and
/// the form carry it on.
#[derive(Clone, Copy, Debug)]
pub struct Texts {
    pub lang: Lang,
    pub explicit: bool,
    words: &'static [&'static str],
}

impl Texts {
    pub fn get(self, word: W) -> &'static str {
        self.words.get(word as usize).copied().unwrap_or_default()
    }

    /// A pattern's parts filled in: `fill(W::ErrUnknownPostal, &[("code", "1111")])`.
    pub fn fill(self, word: W, parts: &[(&str, &str)]) -> String {
        parts
            .iter()
            .fold(self.get(word).to_owned(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
    }

    /// `?lang=xx` to append to the page's own links, when the URL chose the language.
    pub fn link_query(self) -> &'static str {
        match (self.explicit, self.lang) {
            (false, _) => "",
            (true, Lang::Nb) => "?lang=nb",
            (true, Lang::En) => "?lang=en",
        }
    }
}

/// The page's words: provided by the shell on the server, read from the page in the browser.
pub fn use_texts() -> Texts {
    use_context::<Texts>().unwrap_or_else(|| {
        let texts = Texts::of_this_page();
        provide_context(texts);
        texts
    })
}

#[cfg(any(feature = "ssr", feature = "csr"))]
impl Texts {
    pub fn new(lang: Lang, explicit: bool) -> Self {
        let words = match lang {
            Lang::Nb => super::words::NB,
            Lang::En => super::words::EN,
        };
        Self {
            lang,
            explicit,
            words,
        }
    }
}

#[cfg(feature = "ssr")]
impl Texts {
    /// `?lang=` wins, then `Accept-Language`.
    pub fn for_request(parts: &http::request::Parts) -> Self {
        Self::for_query(parts.uri.query(), &parts.headers)
    }

    /// [`Self::for_request`] from a request's query and headers.
    pub fn for_query(query: Option<&str>, headers: &http::HeaderMap) -> Self {
        let chosen = query.and_then(|q| {
            q.split('&')
                .find_map(|pair| pair.strip_prefix("lang="))
                .and_then(Lang::from_code)
        });
        match chosen {
            Some(lang) => Self::new(lang, true),
            None => {
                let accept = headers
                    .get(http::header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                Self::new(Lang::negotiate(accept), false)
            }
        }
    }

    /// What the server renders with: the request's language (English outside a request).
    pub fn of_this_page() -> Self {
        use_context::<http::request::Parts>()
            .map_or_else(|| Self::new(Lang::En, false), |p| Self::for_request(&p))
    }

    /// The table for the page to read, safe inside `<script>`: written once per language, not
    /// on every page view.
    pub fn json(self) -> &'static str {
        use std::sync::OnceLock;
        static NB: OnceLock<String> = OnceLock::new();
        static EN: OnceLock<String> = OnceLock::new();
        let json = match self.lang {
            Lang::Nb => &NB,
            Lang::En => &EN,
        };
        json.get_or_init(|| {
            serde_json::to_string(self.words)
                .unwrap_or_default()
                .replace("</", "<\\/")
        })
    }
}

/// Trunk's client-side build has no server to choose: English.
#[cfg(all(feature = "csr", not(feature = "ssr")))]
impl Texts {
    pub(crate) fn of_this_page() -> Self {
        Self::new(Lang::En, false)
    }
}

#[cfg(feature = "client")]
impl Lang {
    /// The page's language as `<html lang>` names it: what the page asks the server to write
    /// in (on the socket's URL and its calls' `Accept-Language`). Read once: another language
    /// is another page.
    pub fn of_document() -> Lang {
        thread_local! {
            static LANG: std::cell::OnceCell<Lang> = const { std::cell::OnceCell::new() };
        }
        LANG.with(|lang| {
            *lang.get_or_init(|| {
                document()
                    .document_element()
                    .and_then(|html| html.get_attribute("lang"))
                    .and_then(|code| Lang::from_code(&code))
                    .unwrap_or(Lang::En)
            })
        })
    }
}

#[cfg(not(any(feature = "ssr", feature = "csr")))]
impl Texts {
    /// The table the server put in the page, and `<html lang>`. Once per page (`use_texts`):
    /// the words are kept for the page's life.
    pub(crate) fn of_this_page() -> Self {
        let doc = document();
        let table = doc.get_element_by_id("words");
        let words: Vec<String> = table
            .as_ref()
            .and_then(|t| t.text_content())
            .and_then(|json| crate::wire::decode(&json))
            .unwrap_or_default();
        let lang = Lang::of_document();
        let explicit = table.is_some_and(|t| t.has_attribute("data-explicit"));
        // Once per page: the words live as long as it does.
        let words: Vec<&'static str> = words
            .into_iter()
            .map(|w| &*Box::leak(w.into_boxed_str()))
            .collect();
        Self {
            lang,
            explicit,
            words: Vec::leak(words),
        }
    }
}
