//! The page's styles. In production they are inlined, under the render's nonce: a first visit
//! paints one round trip sooner (the browser waits for the stylesheet before the first paint,
//! and on a slow mobile link that round trip is half a second), and a few kB of brotli are less
//! than that round trip carries. Each page inlines only its own rules: the connection test's
//! and the booking pages' sit in `@supports (--page: …)` blocks (`style/main.css`), which the
//! other pages leave out. Under `cargo leptos watch` a link, which live reload replaces.

use crate::location::Page;
use leptos::prelude::*;

#[component]
pub fn Stylesheet(options: LeptosOptions, page: Page) -> impl IntoView {
    match inline_css(&options, page) {
        Some(css) => {
            view! { <style nonce=leptos::nonce::use_nonce() inner_html=css></style> }.into_any()
        }
        None => {
            view! { <link id="leptos" rel="stylesheet" href=stylesheet_href(&options)/> }.into_any()
        }
    }
}

/// The stylesheet's sections: the search page's (no block of its own), then each page's block.
const SECTIONS: [Option<&str>; 3] = [None, Some("diagnostics"), Some("booking")];

/// The name of a page's own block in the stylesheet, if it has one.
fn section(page: Page) -> Option<&'static str> {
    match page {
        Page::Diagnostics => Some("diagnostics"),
        Page::Book | Page::Booking => Some("booking"),
        Page::Search | Page::NotFound => None,
    }
}

/// The stylesheet's text for a page. The file is read once and cut for every section at once:
/// a production build's file never changes under its server.
fn inline_css(options: &LeptosOptions, page: Page) -> Option<&'static str> {
    static SHEETS: std::sync::OnceLock<Option<[String; SECTIONS.len()]>> =
        std::sync::OnceLock::new();
    if options.env != leptos::config::Env::PROD {
        return None;
    }
    let sheets = SHEETS
        .get_or_init(|| {
            let href = stylesheet_href(options);
            let path =
                std::path::Path::new(options.site_root.as_ref()).join(href.trim_start_matches('/'));
            let css = std::fs::read_to_string(path).ok()?;
            Some(SECTIONS.map(|keep| for_page(&css, keep)))
        })
        .as_ref()?;
    let at = SECTIONS.iter().position(|s| *s == section(page))?;
    Some(&sheets[at])
}

/// `css` without the pages' blocks other than `keep`'s. A page's block is an `@supports`
/// rule whose condition is `(--page: <name>)`, however it is spaced; comments are kept as
/// they are (the built stylesheet has none, its source does).
fn for_page(css: &str, keep: Option<&str>) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    loop {
        let comment = rest.find("/*");
        let Some(at) = rest.find("@supports") else {
            break;
        };
        if let Some(c) = comment.filter(|&c| c < at) {
            let end = rest[c..].find("*/").map_or(rest.len(), |e| c + e + 2);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let (before, rule) = rest.split_at(at);
        out.push_str(before);
        let Some(open) = rule.find('{') else {
            out.push_str(rule);
            return out;
        };
        let condition: String = rule["@supports".len()..open]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let page = condition
            .strip_prefix("(--page:")
            .and_then(|c| c.strip_suffix(')'));
        let end = open + block_len(&rule[open..]);
        match page {
            Some(name) if Some(name) != keep => {}
            _ => out.push_str(&rule[..end]),
        }
        rest = &rule[end..];
    }
    out.push_str(rest);
    out
}

/// The length of the `{…}` block `css` starts with, up to and with its closing brace (the
/// whole text if it never closes); braces in strings do not count.
fn block_len(css: &str) -> usize {
    let mut depth = 0;
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in css.char_indices() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            },
        }
    }
    css.len()
}

/// The stylesheet's URL. With `hash-files` cargo-leptos names it `<name>.<hash>.css` and writes
/// the hash into a file next to the server binary (as Leptos does for the script and WASM).
fn stylesheet_href(options: &LeptosOptions) -> String {
    static HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HREF.get_or_init(|| {
        let pkg = &options.site_pkg_dir;
        let name = &options.output_name;
        let hash = options
            .hash_files
            .then(|| crate::asset_hashes::of(options, "css"))
            .flatten();
        match hash {
            Some(hash) => format!("/{pkg}/{name}.{hash}.css"),
            None => format!("/{pkg}/{name}.css"),
        }
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSS: &str = ".a{color:red}@supports (--page:diagnostics){.check{content:\"}\"}@media (width>=760px){.check{margin:0}}}.b{x:y}@supports (display:grid){.g{display:grid}}@supports ( --page : booking ){.booked{padding:0}}.c{z:w}";

    #[test]
    fn a_page_keeps_its_own_block_and_every_other_rule() {
        assert_eq!(
            for_page(CSS, None),
            ".a{color:red}.b{x:y}@supports (display:grid){.g{display:grid}}.c{z:w}"
        );
        assert_eq!(
            for_page(CSS, Some("diagnostics")),
            ".a{color:red}@supports (--page:diagnostics){.check{content:\"}\"}@media (width>=760px){.check{margin:0}}}.b{x:y}@supports (display:grid){.g{display:grid}}.c{z:w}"
        );
        assert_eq!(
            for_page(CSS, Some("booking")),
            ".a{color:red}.b{x:y}@supports (display:grid){.g{display:grid}}@supports ( --page : booking ){.booked{padding:0}}.c{z:w}"
        );
    }

    #[test]
    fn every_page_of_the_stylesheet_has_a_section_the_stylesheet_has() {
        let source =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../style/main.css"))
                .unwrap();
        let all = for_page(&source, Some("all"));
        for page in [
            Page::Search,
            Page::Diagnostics,
            Page::Book,
            Page::Booking,
            Page::NotFound,
        ] {
            let css = for_page(&source, section(page));
            match section(page) {
                // Its own block stays, the other page's goes.
                Some(name) => {
                    assert!(
                        css.contains(&format!("@supports (--page: {name})")),
                        "{name}"
                    );
                    assert!(css.len() < source.len() && css.len() > all.len(), "{name}");
                }
                None => assert_eq!(css, all),
            }
        }
        assert!(!all.contains(".booking-form") && !all.contains(".check-mark"));
        assert!(all.contains(".card") && all.contains(".button"));
    }

    #[test]
    fn an_unclosed_block_ends_the_text() {
        assert_eq!(for_page(".a{}@supports (--page:booking){.b{", None), ".a{}");
        assert_eq!(for_page(".a{}@supports", None), ".a{}@supports");
        let commented = "/* @supports (--page: x) { */.a{}@supports (--page:x){.b{}}";
        assert_eq!(
            for_page(commented, None),
            "/* @supports (--page: x) { */.a{}"
        );
    }
}
