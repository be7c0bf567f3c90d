//! The page in bokmål or English (docs/architecture.md §14). The WASM carries no words: the
//! server renders the page in the customer's language and puts that language's table in it
//! (`<script type="application/json" id="words">`), and the hydrated page reads it from there.
//! A word is an index ([`W`]); a language is a column of `words.rs`.

mod format;
mod names;
mod texts;
pub mod words;

pub use format::{date, dispatch, money, weight};
pub use names::{country_name, field_error, product, product_name};
pub use texts::{Lang, Texts, use_texts};
pub use words::W;

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn norwegian_in_any_form_is_bokmal_and_anything_else_english() {
        for (header, lang) in [
            ("nb-NO,nb;q=0.9,en;q=0.8", Lang::Nb),
            ("no", Lang::Nb),
            ("nn-NO", Lang::Nb),
            ("en-GB,en;q=0.9", Lang::En),
            ("sv-SE,sv;q=0.9", Lang::En),
            ("sv-SE,nb;q=0.8,en;q=0.5", Lang::Nb),
            ("de,en;q=0.9,nb;q=0.8", Lang::En),
            ("en;q=0.5,nb;q=0.9", Lang::Nb),
            ("nb;q=0,en", Lang::En),
            ("*", Lang::En),
            ("", Lang::En),
            ("garbage;;q=x,,", Lang::En),
        ] {
            assert_eq!(Lang::negotiate(header), lang, "{header:?}");
        }
    }

    #[test]
    fn the_url_wins_over_the_browser() {
        let parts = |uri: &str, accept: &str| {
            let (parts, ()) = http::Request::builder()
                .uri(uri)
                .header("accept-language", accept)
                .body(())
                .unwrap()
                .into_parts();
            parts
        };
        let t = Texts::for_request(&parts("/?from_postal=0150&lang=en", "nb"));
        assert_eq!((t.lang, t.explicit), (Lang::En, true));
        assert_eq!(t.link_query(), "?lang=en");
        let t = Texts::for_request(&parts("/?lang=xx", "nb-NO"));
        assert_eq!((t.lang, t.explicit), (Lang::Nb, false));
        assert_eq!(t.link_query(), "");
    }

    #[test]
    fn every_language_has_every_word_and_fills_its_patterns() {
        assert_eq!(words::EN.len(), words::NB.len());
        assert_eq!(words::EN.len(), W::P0330About as usize + 1);
        let nb = Texts::new(Lang::Nb, false);
        assert_eq!(nb.get(W::ShowPrices), "Vis priser");
        assert_eq!(
            nb.fill(W::ErrUnknownPostal, &[("code", "1111")]),
            "1111 er ikke et postnummer i Norge."
        );
        assert!(
            Texts::new(Lang::En, false)
                .json()
                .starts_with(r#"["Send a parcel"#)
        );
        assert!(!Texts::new(Lang::En, false).json().contains("</"));
    }
}
