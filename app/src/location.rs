//! Where the page is: which page a path shows, and the URL's query as a signal that follows
//! the page's own searches and the browser's back and forward. Two pages need no router
//! (docs/architecture.md §13): leaving `leptos_router` out saved the WASM bundle kilobytes.

use leptos::prelude::*;

/// The site's pages, by path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Search,
    Diagnostics,
    /// `/book`: the booking form.
    Book,
    /// `/booking/{id}`: a booking's confirmation.
    Booking,
    NotFound,
}

impl Page {
    pub fn of_path(path: &str) -> Page {
        match path {
            "" | "/" => Page::Search,
            "/diagnostics" => Page::Diagnostics,
            "/book" => Page::Book,
            _ => match path.strip_prefix("/booking/") {
                Some(id) if !id.is_empty() && !id.contains('/') => Page::Booking,
                _ => Page::NotFound,
            },
        }
    }
}

/// The page's URL: its path, and its query string (without `?`), which changes when the page
/// searches ([`navigate`]) or the browser goes back or forward.
#[derive(Clone, Copy)]
pub struct Url {
    pub path: StoredValue<String>,
    pub query: RwSignal<String>,
}

impl Url {
    /// The value of one query parameter.
    pub fn param(query: &str, key: &str) -> Option<String> {
        query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k) == key).then(|| decode(v))
        })
    }
}

/// This URL with one parameter set (`lang` for the language switch, `sort` for the order),
/// the others kept as they are.
pub fn with_param(path: &str, query: &str, key: &str, value: &str) -> String {
    format!("{path}?{}", set_param(query, key, value))
}

/// The query string (without `?`) with one parameter set, the others kept as they are.
pub fn set_param(query: &str, key: &str, value: &str) -> String {
    let set = format!("{key}={value}");
    let prefix = format!("{key}=");
    let pairs: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with(&prefix))
        .chain([set.as_str()])
        .collect();
    pairs.join("&")
}

/// Percent-encoding for a query value: unreserved characters as they are, the rest as `%XX`.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The page's URL, provided by [`crate::App`].
pub fn use_url() -> Url {
    expect_context()
}

/// The URL of the request being rendered, or of the page in the browser.
pub fn current() -> Url {
    let (path, query) = here();
    let url = Url {
        path: StoredValue::new(path),
        query: RwSignal::new(query),
    };
    #[cfg(feature = "client")]
    follow_history(url);
    url
}

#[cfg(feature = "ssr")]
fn here() -> (String, String) {
    use_context::<http::request::Parts>()
        .map(|parts| {
            let uri = &parts.uri;
            let query = uri.query().unwrap_or_default();
            (uri.path().to_owned(), query.to_owned())
        })
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
fn here() -> (String, String) {
    let location = window().location();
    let search = location.search().unwrap_or_default();
    (
        location.pathname().unwrap_or_default(),
        search.strip_prefix('?').unwrap_or(&search).to_owned(),
    )
}

/// Back and forward change the query as the page's own searches do.
#[cfg(feature = "client")]
fn follow_history(url: Url) {
    let handle = window_event_listener(leptos::ev::popstate, move |_| {
        url.query.set(here().1);
    });
    // For the page's whole life.
    std::mem::forget(handle);
}

/// Shows `?query` in the address bar (a new history entry) and tells the page.
#[cfg(feature = "client")]
pub fn navigate(url: Url, query: String) {
    let path = url.path.get_value();
    if let Ok(history) = window().history() {
        let _ = history.push_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}?{query}")),
        );
    }
    url.query.set(query);
}

/// [`navigate`] where there is a browser; nothing on the server.
pub fn follow(url: Url, query: String) {
    #[cfg(feature = "client")]
    navigate(url, query);
    #[cfg(not(feature = "client"))]
    let _ = (url, query);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_choose_pages() {
        assert_eq!(Page::of_path("/"), Page::Search);
        assert_eq!(Page::of_path("/diagnostics"), Page::Diagnostics);
        assert_eq!(Page::of_path("/diagnostics/"), Page::NotFound);
        assert_eq!(Page::of_path("/favicon.ico"), Page::NotFound);
        assert_eq!(Page::of_path("/book"), Page::Book);
        assert_eq!(Page::of_path("/booking/0123abcd"), Page::Booking);
        assert_eq!(Page::of_path("/booking/"), Page::NotFound);
        assert_eq!(Page::of_path("/booking/x/label.pdf"), Page::NotFound);
    }

    #[test]
    fn parameters_are_decoded() {
        let q = "from_postal=0150&to_country=NO&weight=1%2C2&note=a+b&bad=%zz&lang=nb";
        assert_eq!(Url::param(q, "weight").as_deref(), Some("1,2"));
        assert_eq!(Url::param(q, "note").as_deref(), Some("a b"));
        assert_eq!(Url::param(q, "bad").as_deref(), Some("%zz"));
        assert_eq!(Url::param(q, "lang").as_deref(), Some("nb"));
        assert_eq!(Url::param(q, "missing"), None);
        assert_eq!(Url::param("x=%E2%80%93", "x").as_deref(), Some("–"));
        assert_eq!(Url::param("x=%4", "x").as_deref(), Some("%4"));
    }

    #[test]
    fn the_switch_keeps_the_search_and_replaces_the_language() {
        assert_eq!(with_param("/", "", "lang", "nb"), "/?lang=nb");
        assert_eq!(
            with_param("/", "from_postal=0150&lang=en&weight=1", "lang", "nb"),
            "/?from_postal=0150&weight=1&lang=nb"
        );
        assert_eq!(
            with_param("/diagnostics", "lang=nb", "lang", "en"),
            "/diagnostics?lang=en"
        );
        assert_eq!(
            with_param("/", "sort=price&language=x", "sort", "delivery"),
            "/?language=x&sort=delivery"
        );
    }
}
