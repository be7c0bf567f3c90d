//! What the page calls things in its language: countries, products, and each field error
//! (by its code, not the English message the API sends along with it).

use super::texts::Texts;
use super::words::W;
use crate::error::{ErrorCode, FieldError};
use crate::model::ProductId;
use crate::model::field;
use crate::validate::{MAX_DIMENSION_CM, MAX_WEIGHT_GRAMS, SearchQuery, country};

/// A country's name; the code itself for one the page does not list.
pub fn country_name(t: Texts, code: &str) -> String {
    country(code).map_or_else(|| code.to_owned(), |c| t.get(c.word).to_owned())
}

/// A product's name and description, for the products of the catalogue.
pub fn product(id: &ProductId) -> Option<(W, W)> {
    Some(match id.as_str() {
        "5800" => (W::P5800, W::P5800About),
        "5600" => (W::P5600, W::P5600About),
        "3584" => (W::P3584, W::P3584About),
        "5000" => (W::P5000, W::P5000About),
        "4850" => (W::P4850, W::P4850About),
        "5100" => (W::P5100, W::P5100About),
        "0340" => (W::P0340, W::P0340About),
        "0349" => (W::P0349, W::P0349About),
        "0330" => (W::P0330, W::P0330About),
        _ => return None,
    })
}

/// A display name for any product id, known or not.
pub fn product_name(t: Texts, id: &ProductId) -> String {
    match product(id) {
        Some((name, _)) => t.get(name).to_owned(),
        None => t.fill(W::ServiceNumbered, &[("id", id.as_str())]),
    }
}

/// The sentence under a field: from the error's code and what the customer typed.
pub fn field_error(t: Texts, error: &FieldError, query: &SearchQuery) -> String {
    let typed = |name: &str| {
        match name {
            field::FROM_COUNTRY => &query.from_country,
            field::FROM_POSTAL => &query.from_postal,
            field::TO_COUNTRY => &query.to_country,
            field::TO_POSTAL => &query.to_postal,
            _ => &query.weight,
        }
        .trim()
        .to_owned()
    };
    let is = |name: &str| error.field == name;
    let postal = is(field::FROM_POSTAL) || is(field::TO_POSTAL);
    let country_field = if error.field.starts_with("from") {
        field::FROM_COUNTRY
    } else {
        field::TO_COUNTRY
    };
    match error.code {
        ErrorCode::MissingField if postal => t.get(W::ErrEnterPostal).to_owned(),
        ErrorCode::MissingField if is(field::WEIGHT) => t.get(W::ErrEnterWeight).to_owned(),
        ErrorCode::MissingField => t.get(W::ErrChooseCountry).to_owned(),
        ErrorCode::UnknownCountry => t.fill(
            W::ErrUnknownCountry,
            &[("code", &typed(&error.field).to_ascii_uppercase())],
        ),
        ErrorCode::InvalidPostalCode => {
            let code = typed(country_field).to_ascii_uppercase();
            let example = country(&code).map(|c| c.example()).unwrap_or_default();
            t.fill(
                W::ErrInvalidPostal,
                &[("country", &country_name(t, &code)), ("example", &example)],
            )
        }
        ErrorCode::UnknownPostalCode => {
            t.fill(W::ErrUnknownPostal, &[("code", &typed(&error.field))])
        }
        ErrorCode::InvalidWeight => t.get(W::ErrInvalidWeight).to_owned(),
        ErrorCode::WeightOutOfRange => t.fill(
            W::ErrWeightRange,
            &[("max", &(MAX_WEIGHT_GRAMS / 1000).to_string())],
        ),
        ErrorCode::InvalidDimension => t.get(W::ErrInvalidDimension).to_owned(),
        ErrorCode::DimensionOutOfRange => t.fill(
            W::ErrDimensionRange,
            &[("max", &MAX_DIMENSION_CM.to_string())],
        ),
        ErrorCode::TooHeavyForSize => {
            let kg = query.preset().map_or(0, |s| s.max_grams() / 1000);
            t.fill(W::ErrTooHeavyForSize, &[("kg", &kg.to_string())])
        }
        ErrorCode::UnknownSize => t.get(W::ErrUnknownSize).to_owned(),
        // Not a field problem the form makes: the server's own words.
        _ => error.message.clone(),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn query(from_postal: &str, to_country: &str, weight: &str) -> SearchQuery {
        SearchQuery {
            from_country: "NO".into(),
            from_postal: from_postal.into(),
            to_country: to_country.into(),
            to_postal: "12".into(),
            weight: weight.into(),
            ..Default::default()
        }
    }

    #[test]
    fn each_field_error_of_the_form_has_words_in_each_language() {
        let (nb, en) = (Texts::new(Lang::Nb, false), Texts::new(Lang::En, false));
        let q = query("1111", "SE", "99999");
        let errors = q.to_request().unwrap_err();
        let nb_text: Vec<String> = errors.iter().map(|e| field_error(nb, e, &q)).collect();
        assert_eq!(
            nb_text,
            [
                "Ikke et postnummer i Sverige: forventet noe som 123 45.",
                "Vekten må være mellom 0,001 og 1000 kg."
            ]
        );
        let unknown = FieldError::new(field::FROM_POSTAL, ErrorCode::UnknownPostalCode, "x");
        assert_eq!(
            field_error(en, &unknown, &q),
            "1111 is not a postal code in Norway."
        );
        assert_eq!(
            field_error(nb, &unknown, &q),
            "1111 er ikke et postnummer i Norge."
        );
        let q = query("", "XX", "");
        let en_text: Vec<String> = q
            .to_request()
            .unwrap_err()
            .iter()
            .map(|e| field_error(en, e, &q))
            .collect();
        assert_eq!(
            en_text,
            [
                "Enter a postal code.",
                "We do not ship to or from “XX”.",
                "Enter the parcel's weight."
            ]
        );
    }

    #[test]
    fn every_listed_country_and_catalogued_product_has_a_name() {
        let nb = Texts::new(Lang::Nb, false);
        for c in crate::validate::COUNTRIES {
            assert_ne!(country_name(nb, c.code), c.code, "{}", c.code);
        }
        for p in crate::catalogue::PRODUCTS {
            let id = ProductId::new(p.id);
            assert!(product(&id).is_some(), "{}", p.id);
            let en = Texts::new(Lang::En, false);
            assert_eq!(
                product_name(en, &id),
                p.name,
                "the English names are the catalogue's"
            );
        }
        assert_eq!(product_name(nb, &ProductId::new("9999")), "Tjeneste 9999");
    }
}
