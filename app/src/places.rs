//! Place names of postal codes. Norway's come from its postal register
//! (`app/data/postal-codes-no.tsv`, made by `scripts/postal-register`), which only the server
//! carries: the browser learns places from the server's answers.

#[cfg(feature = "ssr")]
pub use register::{check_known, norwegian_codes, place, places};

#[cfg(feature = "ssr")]
mod register {
    use crate::error::{ErrorCode, FieldError};
    use crate::model::{Places, SearchRequest, field};
    use std::collections::HashMap;
    use std::sync::OnceLock;

    const REGISTER: &str = include_str!("../data/postal-codes-no.tsv");

    /// The register's (code, place) lines, in code order.
    fn entries() -> impl Iterator<Item = (&'static str, &'static str)> {
        REGISTER
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
    }

    fn norway() -> &'static HashMap<&'static str, &'static str> {
        static CODES: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
        CODES.get_or_init(|| entries().collect())
    }

    /// Every Norwegian postal code, in order (tests use them as distinct real routes).
    pub fn norwegian_codes() -> impl Iterator<Item = &'static str> {
        entries().map(|(code, _)| code)
    }

    /// The place of a postal code; `None` outside Norway or for a code not in the register.
    pub fn place(country: &str, postal_code: &str) -> Option<&'static str> {
        (country == "NO")
            .then(|| norway().get(postal_code).copied())
            .flatten()
    }

    pub fn places(request: &SearchRequest) -> Places {
        let of = |a: &crate::model::Address| place(&a.country, &a.postal_code).map(str::to_owned);
        Places {
            from: of(&request.from),
            to: of(&request.to),
        }
    }

    /// Every Norwegian postal code of a (well-formed) request that the register does not know.
    pub fn check_known(request: &SearchRequest) -> Vec<FieldError> {
        [
            (field::FROM_POSTAL, &request.from),
            (field::TO_POSTAL, &request.to),
        ]
        .into_iter()
        .filter(|(_, a)| a.country == "NO" && place(&a.country, &a.postal_code).is_none())
        .map(|(name, a)| {
            FieldError::new(
                name,
                ErrorCode::UnknownPostalCode,
                format!("{} is not a postal code in Norway", a.postal_code),
            )
        })
        .collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn request(from: &str, to: &str) -> SearchRequest {
            SearchRequest::between(("NO", from), ("NO", to), 1200)
        }

        #[test]
        fn the_register_knows_places_and_refuses_codes_that_do_not_exist() {
            assert!(norway().len() > 5000, "{} codes", norway().len());
            assert_eq!(place("NO", "0150"), Some("OSLO"));
            assert_eq!(place("NO", "9900"), Some("KIRKENES"));
            assert_eq!(place("NO", "9170"), Some("LONGYEARBYEN"));
            assert_eq!(place("NO", "8001"), Some("BODØ"));
            assert_eq!(place("SE", "11122"), None);
            let ok = request("0150", "9900");
            assert!(check_known(&ok).is_empty());
            assert_eq!(
                places(&ok),
                Places {
                    from: Some("OSLO".into()),
                    to: Some("KIRKENES".into())
                }
            );
            let errors = check_known(&request("1111", "4444"));
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, [field::FROM_POSTAL, field::TO_POSTAL]);
            assert!(
                errors
                    .iter()
                    .all(|e| e.code == ErrorCode::UnknownPostalCode)
            );
            assert_eq!(errors[1].message, "4444 is not a postal code in Norway");
        }
    }
}
