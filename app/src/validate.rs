//! Validation, once for both sides: the page checks a search before sending it, and the server
//! checks every request again. Input comes either as raw form/URL fields ([`SearchQuery`]) or as
//! a JSON [`SearchRequest`].

use crate::error::{ErrorCode, FieldError};
use crate::i18n::words::W;
use crate::model::{Address, Parcel, SearchRequest, field};

/// A country the page offers, with the formats its postal codes take.
/// In a format, `N` is a digit, `A` a letter, `X` either; anything else stands for itself.
pub struct Country {
    pub code: &'static str,
    /// Its name in the page's words.
    pub word: W,
    formats: &'static [&'static str],
}

impl Country {
    /// A postal code of the country's first format, for error messages: `1234`, `123 45`.
    pub fn example(&self) -> String {
        let mut digit = 0;
        self.formats[0]
            .chars()
            .map(|c| match c {
                'N' => {
                    digit += 1;
                    char::from_digit(digit % 10, 10).unwrap_or('0')
                }
                other => other,
            })
            .collect()
    }
}

/// Countries in the order the form lists them: the Nordics first.
pub const COUNTRIES: &[Country] = &[
    Country {
        code: "NO",
        word: W::CountryNO,
        formats: &["NNNN"],
    },
    Country {
        code: "SE",
        word: W::CountrySE,
        formats: &["NNN NN"],
    },
    Country {
        code: "DK",
        word: W::CountryDK,
        formats: &["NNNN"],
    },
    Country {
        code: "FI",
        word: W::CountryFI,
        formats: &["NNNNN"],
    },
    Country {
        code: "IS",
        word: W::CountryIS,
        formats: &["NNN"],
    },
    Country {
        code: "AT",
        word: W::CountryAT,
        formats: &["NNNN"],
    },
    Country {
        code: "BE",
        word: W::CountryBE,
        formats: &["NNNN"],
    },
    Country {
        code: "BY",
        word: W::CountryBY,
        formats: &["NNNNNN"],
    },
    Country {
        code: "CH",
        word: W::CountryCH,
        formats: &["NNNN"],
    },
    Country {
        code: "DE",
        word: W::CountryDE,
        formats: &["NNNNN"],
    },
    Country {
        code: "EE",
        word: W::CountryEE,
        formats: &["NNNNN"],
    },
    Country {
        code: "ES",
        word: W::CountryES,
        formats: &["NNNNN"],
    },
    Country {
        code: "FR",
        word: W::CountryFR,
        formats: &["NNNNN"],
    },
    Country {
        code: "GB",
        word: W::CountryGB,
        formats: &[
            "AN NAA", "ANN NAA", "AAN NAA", "AANN NAA", "ANA NAA", "AANA NAA",
        ],
    },
    Country {
        code: "IT",
        word: W::CountryIT,
        formats: &["NNNNN"],
    },
    Country {
        code: "LT",
        word: W::CountryLT,
        formats: &["NNNNN", "LT-NNNNN"],
    },
    Country {
        code: "LV",
        word: W::CountryLV,
        formats: &["LV-NNNN"],
    },
    Country {
        code: "NL",
        word: W::CountryNL,
        formats: &["NNNN AA"],
    },
    Country {
        code: "PL",
        word: W::CountryPL,
        formats: &["NN-NNN"],
    },
    Country {
        code: "RU",
        word: W::CountryRU,
        formats: &["NNNNNN"],
    },
    Country {
        code: "UA",
        word: W::CountryUA,
        formats: &["NNNNN"],
    },
    Country {
        code: "US",
        word: W::CountryUS,
        formats: &["NNNNN", "NNNNN-NNNN"],
    },
];

pub const MIN_WEIGHT_GRAMS: u32 = 1;
pub const MAX_WEIGHT_GRAMS: u32 = 1_000_000;
pub const MAX_DIMENSION_CM: u32 = 400;

pub fn country(code: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.code == code)
}

/// Upper-case, trimmed, inner runs of white space folded to one space. ASCII upper case:
/// postal codes are ASCII, and Unicode's case tables would cost the WASM bundle ~3 kB.
fn normalise(raw: &str) -> String {
    raw.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase()
}

fn fits(format: &str, code: &str) -> bool {
    format.len() == code.len()
        && format.chars().zip(code.chars()).all(|(f, c)| match f {
            'N' => c.is_ascii_digit(),
            'A' => c.is_ascii_uppercase(),
            'X' => c.is_ascii_alphanumeric(),
            lit => lit == c,
        })
}

/// The canonical form of a postal code, or `None` when it has no valid form in `country`.
/// Spaces a customer may or may not type (`"12345"` for Sweden's `"123 45"`) are accepted.
pub fn canonical_postal_code(country: &Country, raw: &str) -> Option<String> {
    let code = normalise(raw);
    let compact: String = code.chars().filter(|c| *c != ' ').collect();
    country
        .formats
        .iter()
        .find_map(|f| {
            if fits(f, &code) {
                Some(code.clone())
            } else {
                let f_compact: String = f.chars().filter(|c| *c != ' ').collect();
                fits(&f_compact, &compact).then(|| {
                    // Re-insert the format's spaces.
                    let mut out = String::new();
                    let mut rest = compact.chars();
                    for fc in f.chars() {
                        if fc == ' ' {
                            out.push(' ');
                        } else if let Some(c) = rest.next() {
                            out.push(c);
                        }
                    }
                    out
                })
            }
        })
        .filter(|c| country.code != "NO" || c != "0000")
}

fn check_address(
    addr: &Address,
    country_field: &str,
    postal_field: &str,
) -> Result<Address, FieldError> {
    let code = normalise(&addr.country);
    if code.is_empty() {
        return Err(FieldError::new(
            country_field,
            ErrorCode::MissingField,
            "Choose a country.",
        ));
    }
    let country = country(&code).ok_or_else(|| {
        FieldError::new(
            country_field,
            ErrorCode::UnknownCountry,
            format!("We do not ship to or from “{code}”."),
        )
    })?;
    if addr.postal_code.trim().is_empty() {
        return Err(FieldError::new(
            postal_field,
            ErrorCode::MissingField,
            "Enter a postal code.",
        ));
    }
    let postal_code = canonical_postal_code(country, &addr.postal_code).ok_or_else(|| {
        let example = country.example();
        // English for the API; the hydrated page, which has no table, writes its own message.
        #[cfg(any(feature = "ssr", feature = "csr"))]
        let name = country.word.english();
        #[cfg(not(any(feature = "ssr", feature = "csr")))]
        let name = country.code;
        FieldError::new(
            postal_field,
            ErrorCode::InvalidPostalCode,
            format!("Not a postal code in {name}: expected something like {example}."),
        )
    })?;
    Ok(Address {
        country: country.code.to_owned(),
        postal_code,
    })
}

fn check_weight(grams: u32) -> Result<u32, FieldError> {
    if (MIN_WEIGHT_GRAMS..=MAX_WEIGHT_GRAMS).contains(&grams) {
        Ok(grams)
    } else {
        Err(FieldError::new(
            field::WEIGHT,
            ErrorCode::WeightOutOfRange,
            format!(
                "Weight must be between 0.001 and {} kg.",
                MAX_WEIGHT_GRAMS / 1000
            ),
        ))
    }
}

fn check_dimension(name: &str, cm: Option<u32>) -> Result<Option<u32>, FieldError> {
    match cm {
        Some(v) if v == 0 || v > MAX_DIMENSION_CM => Err(FieldError::new(
            name,
            ErrorCode::DimensionOutOfRange,
            format!("Must be between 1 and {MAX_DIMENSION_CM} cm."),
        )),
        other => Ok(other),
    }
}

/// Every problem with a request, in form order. Returns the normalised request when there are none.
fn check(req: &SearchRequest) -> Result<SearchRequest, Vec<FieldError>> {
    fn keep<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| errors.push(e)).ok()
    }
    let mut errors = Vec::new();
    let e = &mut errors;
    let from = keep(
        e,
        check_address(&req.from, field::FROM_COUNTRY, field::FROM_POSTAL),
    );
    let to = keep(
        e,
        check_address(&req.to, field::TO_COUNTRY, field::TO_POSTAL),
    );
    let weight = keep(e, check_weight(req.parcel.weight_grams));
    let length = keep(e, check_dimension(field::LENGTH, req.parcel.length_cm));
    let width = keep(e, check_dimension(field::WIDTH, req.parcel.width_cm));
    let height = keep(e, check_dimension(field::HEIGHT, req.parcel.height_cm));
    match (from, to, weight, length, width, height) {
        (
            Some(from),
            Some(to),
            Some(weight_grams),
            Some(length_cm),
            Some(width_cm),
            Some(height_cm),
        ) => Ok(SearchRequest {
            from,
            to,
            parcel: Parcel {
                weight_grams,
                length_cm,
                width_cm,
                height_cm,
            },
        }),
        _ => Err(errors),
    }
}

/// Server-side check of a request that arrived as JSON: the first problem, or the normalised
/// request. On the server this includes the postal register: a Norwegian code that does not
/// exist is refused before anything is quoted.
pub fn validate_request(req: &SearchRequest) -> Result<SearchRequest, FieldError> {
    let request = check(req).map_err(|mut errors| errors.remove(0))?;
    #[cfg(feature = "ssr")]
    if let Some(unknown) = crate::places::check_known(&request).into_iter().next() {
        return Err(unknown);
    }
    Ok(request)
}

/// Parcel sizes to pick instead of measuring, as carriers offer them (`?size=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// Fits a mailbox.
    Small,
    Medium,
    Large,
}

impl Size {
    pub const ALL: [Size; 3] = [Size::Small, Size::Medium, Size::Large];

    pub fn code(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }

    pub fn of_code(code: &str) -> Option<Size> {
        Size::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Its outer measurements, longest first, in cm.
    pub fn cm(self) -> [u32; 3] {
        match self {
            Size::Small => [35, 25, 12],
            Size::Medium => [60, 40, 40],
            Size::Large => [120, 60, 60],
        }
    }

    /// The most a parcel of this size may weigh.
    pub fn max_grams(self) -> u32 {
        match self {
            Size::Small => 5_000,
            Size::Medium => 20_000,
            Size::Large => 35_000,
        }
    }
}

/// `?size=own`: the measurements typed in the length, width and height fields.
pub const OWN_SIZE: &str = "own";

/// The search as the form and the URL carry it: raw strings, exactly as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    pub from_country: String,
    pub from_postal: String,
    pub to_country: String,
    pub to_postal: String,
    pub weight: String,
    pub length: String,
    pub width: String,
    pub height: String,
    /// A [`Size`]'s code, [`OWN_SIZE`], or empty (the measurements typed, if any).
    pub size: String,
}

/// Kilograms with a decimal point or comma (`"1.2"`, `"1,2"`), at most gram precision.
pub fn parse_weight_kg(raw: &str) -> Result<u32, FieldError> {
    let raw = raw.trim().replace(',', ".");
    let invalid = || {
        FieldError::new(
            field::WEIGHT,
            ErrorCode::InvalidWeight,
            "Enter the weight in kg, e.g. 1.5.",
        )
    };
    if raw.is_empty() {
        return Err(FieldError::new(
            field::WEIGHT,
            ErrorCode::MissingField,
            "Enter the parcel's weight.",
        ));
    }
    let (whole, frac) = raw.split_once('.').unwrap_or((&raw, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) || frac.len() > 3 {
        return Err(invalid());
    }
    let kg: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| invalid())?
    };
    let grams_frac: u64 = format!("{frac:0<3}").parse().map_err(|_| invalid())?;
    let grams = kg.saturating_mul(1000).saturating_add(grams_frac);
    check_weight(u32::try_from(grams).unwrap_or(u32::MAX))
}

fn parse_dimension(name: &str, raw: &str) -> Result<Option<u32>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let cm = raw.parse::<u32>().map_err(|_| {
        FieldError::new(
            name,
            ErrorCode::InvalidDimension,
            "Enter whole centimetres, e.g. 30.",
        )
    })?;
    check_dimension(name, Some(cm))
}

impl SearchQuery {
    /// Reads the URL's query parameters (missing ones are empty).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let v = |k: &str| get(k).unwrap_or_default();
        Self {
            from_country: v(field::FROM_COUNTRY),
            from_postal: v(field::FROM_POSTAL),
            to_country: v(field::TO_COUNTRY),
            to_postal: v(field::TO_POSTAL),
            weight: v(field::WEIGHT),
            length: v(field::LENGTH),
            width: v(field::WIDTH),
            height: v(field::HEIGHT),
            size: v(field::SIZE),
        }
    }

    /// Each field's name and value, in form order ([`field::ALL`]).
    pub fn fields(&self) -> [(&'static str, &str); 9] {
        [
            (field::FROM_COUNTRY, &self.from_country),
            (field::FROM_POSTAL, &self.from_postal),
            (field::TO_COUNTRY, &self.to_country),
            (field::TO_POSTAL, &self.to_postal),
            (field::WEIGHT, &self.weight),
            (field::SIZE, &self.size),
            (field::LENGTH, &self.length),
            (field::WIDTH, &self.width),
            (field::HEIGHT, &self.height),
        ]
    }

    /// The search page's URL query for this search (without `?`; empty fields left out).
    pub fn to_query(&self) -> String {
        self.fields()
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", crate::location::encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The size as chosen: a preset, or none (the measurements typed).
    pub fn preset(&self) -> Option<Size> {
        Size::of_code(self.size.trim())
    }

    /// A URL without any search field is the empty form, not a search with errors.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Every problem with the fields, in form order, or the normalised request.
    pub fn to_request(&self) -> Result<SearchRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let weight = parse_weight_kg(&self.weight)
            .map_err(|e| errors.push(e))
            .ok();
        let mut dims = [None; 3];
        match self.size.trim() {
            "" | OWN_SIZE => {
                for (slot, (name, raw)) in dims.iter_mut().zip([
                    (field::LENGTH, &self.length),
                    (field::WIDTH, &self.width),
                    (field::HEIGHT, &self.height),
                ]) {
                    match parse_dimension(name, raw) {
                        Ok(v) => *slot = v,
                        Err(e) => errors.push(e),
                    }
                }
            }
            code => match Size::of_code(code) {
                // A size's own measurements; the typed ones do not count.
                Some(size) => {
                    dims = size.cm().map(Some);
                    if weight.is_some_and(|g| g > size.max_grams()) {
                        errors.push(FieldError::new(
                            field::WEIGHT,
                            ErrorCode::TooHeavyForSize,
                            format!(
                                "A parcel of this size weighs at most {} kg.",
                                size.max_grams() / 1000
                            ),
                        ));
                    }
                }
                None => errors.push(FieldError::new(
                    field::SIZE,
                    ErrorCode::UnknownSize,
                    "Choose one of the sizes, or your own measurements.",
                )),
            },
        }
        let request = SearchRequest {
            from: Address {
                country: self.from_country.clone(),
                postal_code: self.from_postal.clone(),
            },
            to: Address {
                country: self.to_country.clone(),
                postal_code: self.to_postal.clone(),
            },
            parcel: Parcel {
                weight_grams: weight.unwrap_or(MIN_WEIGHT_GRAMS),
                length_cm: dims[0],
                width_cm: dims[1],
                height_cm: dims[2],
            },
        };
        match check(&request) {
            Ok(req) if errors.is_empty() => Ok(req),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.extend(more);
                errors.sort_by_key(|e| field::ALL.iter().position(|f| *f == e.field));
                errors.dedup_by(|a, b| a.field == b.field);
                Err(errors)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(from: &str, to: &str, weight: &str) -> SearchQuery {
        SearchQuery {
            from_country: "NO".into(),
            from_postal: from.into(),
            to_country: "NO".into(),
            to_postal: to.into(),
            weight: weight.into(),
            ..Default::default()
        }
    }

    fn codes(errors: &[FieldError]) -> Vec<(&str, ErrorCode)> {
        errors.iter().map(|e| (e.field.as_str(), e.code)).collect()
    }

    #[test]
    fn a_valid_query_becomes_a_normalised_request() {
        let req = query(" 0150 ", "9900", "1.2").to_request().unwrap();
        assert_eq!(req.from.postal_code, "0150");
        assert_eq!(req.parcel.weight_grams, 1200);
        assert_eq!(req.parcel.length_cm, None);
    }

    #[test]
    fn weight_accepts_point_and_comma_to_the_gram() {
        assert_eq!(parse_weight_kg("1,25").unwrap(), 1250);
        assert_eq!(parse_weight_kg(".5").unwrap(), 500);
        assert_eq!(parse_weight_kg("35").unwrap(), 35_000);
        assert_eq!(parse_weight_kg("0.001").unwrap(), 1);
        assert_eq!(
            parse_weight_kg("0").unwrap_err().code,
            ErrorCode::WeightOutOfRange
        );
        assert_eq!(
            parse_weight_kg("1001").unwrap_err().code,
            ErrorCode::WeightOutOfRange
        );
        assert_eq!(
            parse_weight_kg("99999999999999999999").unwrap_err().code,
            ErrorCode::InvalidWeight
        );
        for bad in ["1.2345", "abc", "1.2.3", "-1", "1e3", ".", "1 kg"] {
            assert_eq!(
                parse_weight_kg(bad).unwrap_err().code,
                ErrorCode::InvalidWeight,
                "{bad}"
            );
        }
        assert_eq!(
            parse_weight_kg(" ").unwrap_err().code,
            ErrorCode::MissingField
        );
    }

    #[test]
    fn postal_codes_follow_each_countrys_format() {
        let no = country("NO").unwrap();
        assert_eq!(canonical_postal_code(no, "0150").as_deref(), Some("0150"));
        for bad in ["150", "01500", "O150", "0000", "", "01 50x"] {
            assert_eq!(canonical_postal_code(no, bad), None, "{bad}");
        }
        let se = country("SE").unwrap();
        assert_eq!(
            canonical_postal_code(se, "11455").as_deref(),
            Some("114 55")
        );
        assert_eq!(
            canonical_postal_code(se, "114 55").as_deref(),
            Some("114 55")
        );
        let gb = country("GB").unwrap();
        assert_eq!(
            canonical_postal_code(gb, "sw1a 1aa").as_deref(),
            Some("SW1A 1AA")
        );
        assert_eq!(
            canonical_postal_code(gb, "SW1A1AA").as_deref(),
            Some("SW1A 1AA")
        );
        let nl = country("NL").unwrap();
        assert_eq!(
            canonical_postal_code(nl, "1012ab").as_deref(),
            Some("1012 AB")
        );
        let pl = country("PL").unwrap();
        assert_eq!(
            canonical_postal_code(pl, "00-950").as_deref(),
            Some("00-950")
        );
        assert_eq!(canonical_postal_code(pl, "00950"), None);
    }

    #[test]
    fn a_size_stands_for_its_measurements_and_its_weight() {
        let sized = |size: &str, weight: &str| SearchQuery {
            size: size.into(),
            length: "999".into(),
            ..query("0150", "9900", weight)
        };
        let small = sized("small", "4,5").to_request().unwrap();
        assert_eq!(
            (
                small.parcel.length_cm,
                small.parcel.width_cm,
                small.parcel.height_cm
            ),
            (Some(35), Some(25), Some(12)),
            "the typed length does not count"
        );
        let errors = sized("small", "6").to_request().unwrap_err();
        assert_eq!(
            codes(&errors),
            [(field::WEIGHT, ErrorCode::TooHeavyForSize)]
        );
        let errors = sized("huge", "1").to_request().unwrap_err();
        assert_eq!(codes(&errors), [(field::SIZE, ErrorCode::UnknownSize)]);
        // Own measurements, or none chosen: the typed ones.
        let errors = sized("own", "1").to_request().unwrap_err();
        assert_eq!(
            codes(&errors),
            [(field::LENGTH, ErrorCode::DimensionOutOfRange)]
        );
        assert!(sized("", "1").to_request().is_err());
        let large = sized("large", "2").to_request().unwrap();
        assert_eq!(large.parcel.volumetric_grams(), Some(86_400));
        assert_eq!(large.parcel.priced_by_volume(), Some(86_400));
        assert_eq!(
            small.parcel.priced_by_volume(),
            None,
            "4.5 kg outweighs 2.1 kg of volume"
        );
    }

    #[test]
    fn every_field_error_is_reported_in_form_order() {
        let q = SearchQuery {
            from_country: "XX".into(),
            from_postal: "0150".into(),
            to_country: "NO".into(),
            to_postal: "99".into(),
            weight: "heavy".into(),
            length: "0".into(),
            width: "20.5".into(),
            height: "".into(),
            size: "".into(),
        };
        let errors = q.to_request().unwrap_err();
        assert_eq!(
            codes(&errors),
            vec![
                ("from_country", ErrorCode::UnknownCountry),
                ("to_postal", ErrorCode::InvalidPostalCode),
                ("weight", ErrorCode::InvalidWeight),
                ("length", ErrorCode::DimensionOutOfRange),
                ("width", ErrorCode::InvalidDimension),
            ]
        );
        assert!(errors[1].message.contains("Norway"));
    }

    #[test]
    fn missing_fields_say_what_to_enter() {
        let errors = SearchQuery {
            from_country: "NO".into(),
            to_country: "NO".into(),
            ..Default::default()
        }
        .to_request()
        .unwrap_err();
        assert_eq!(
            codes(&errors),
            vec![
                ("from_postal", ErrorCode::MissingField),
                ("to_postal", ErrorCode::MissingField),
                ("weight", ErrorCode::MissingField),
            ]
        );
    }

    #[test]
    fn the_server_revalidates_json_requests() {
        let mut req = query("0150", "9900", "1").to_request().unwrap();
        req.to.country = "no".into();
        req.to.postal_code = " 9900".into();
        assert_eq!(validate_request(&req).unwrap().to.country, "NO");
        req.parcel.weight_grams = 0;
        assert_eq!(
            validate_request(&req).unwrap_err().code,
            ErrorCode::WeightOutOfRange
        );
        req.parcel.weight_grams = 1;
        req.from.country = "ZZ".into();
        assert_eq!(
            validate_request(&req).unwrap_err().code,
            ErrorCode::UnknownCountry
        );
        req.from.country = "NO".into();
        req.parcel.height_cm = Some(401);
        assert_eq!(
            validate_request(&req).unwrap_err().code,
            ErrorCode::DimensionOutOfRange
        );
    }

    #[test]
    fn an_empty_query_is_no_search() {
        assert!(SearchQuery::from_params(|_| None).is_empty());
        assert!(!SearchQuery::from_params(|k| (k == "weight").then(|| "1".into())).is_empty());
    }
}
