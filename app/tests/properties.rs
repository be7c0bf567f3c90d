//! Properties of everything that reads untrusted input: the socket's message decoder and the
//! validation of requests and of the form's raw fields. Whatever comes in, nothing panics and
//! every refusal is a typed error naming a field.

use app::error::ErrorCode;
use app::model::field;
use app::model::{Address, Parcel, SearchRequest};
use app::protocol::{ClientMessage, MAX_FRAME_BYTES, decode_client_message};
use app::validate::{
    COUNTRIES, MAX_DIMENSION_CM, MAX_WEIGHT_GRAMS, MIN_WEIGHT_GRAMS, SearchQuery,
    canonical_postal_code, country, validate_request,
};
use proptest::prelude::*;

const VALIDATION_CODES: [ErrorCode; 8] = [
    ErrorCode::MissingField,
    ErrorCode::UnknownCountry,
    ErrorCode::InvalidPostalCode,
    // Only on the server, which has the postal register.
    ErrorCode::UnknownPostalCode,
    ErrorCode::InvalidWeight,
    ErrorCode::WeightOutOfRange,
    ErrorCode::InvalidDimension,
    ErrorCode::DimensionOutOfRange,
];

/// Arbitrary JSON, nested up to a few levels: the shapes a fuzzer of a JSON protocol tries.
fn json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        ".{0,12}".prop_map(serde_json::Value::from),
        prop_oneof![Just("search"), Just("cancel"), Just("ping"), Just("pong")]
            .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("type".to_owned()),
                    Just("search_id".to_owned()),
                    Just("request".to_owned()),
                    Just("nonce".to_owned()),
                    Just("from".to_owned()),
                    Just("parcel".to_owned()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Country codes: known ones, their lower-case and padded forms, and junk.
fn country_code() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(codes()).prop_map(str::to_owned),
        prop::sample::select(codes()).prop_map(|c| format!(" {} ", c.to_lowercase())),
        "[A-Z]{2}",
        ".{0,6}",
    ]
}

fn codes() -> Vec<&'static str> {
    COUNTRIES.iter().map(|c| c.code).collect()
}

fn postal_code() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9]{4,5}", "[0-9 ]{0,8}", "[A-Z0-9 -]{0,9}", ".{0,12}"]
}

fn address() -> impl Strategy<Value = Address> {
    (country_code(), postal_code()).prop_map(|(country, postal_code)| Address {
        country,
        postal_code,
    })
}

fn dimension() -> impl Strategy<Value = Option<u32>> {
    prop_oneof![
        Just(None),
        (0u32..600).prop_map(Some),
        any::<u32>().prop_map(Some)
    ]
}

fn request() -> impl Strategy<Value = SearchRequest> {
    let weight = prop_oneof![0u32..2_000_000, any::<u32>()];
    (
        address(),
        address(),
        weight,
        dimension(),
        dimension(),
        dimension(),
    )
        .prop_map(
            |(from, to, weight_grams, length_cm, width_cm, height_cm)| SearchRequest {
                from,
                to,
                parcel: Parcel {
                    weight_grams,
                    length_cm,
                    width_cm,
                    height_cm,
                },
            },
        )
}

fn assert_typed(code: ErrorCode, message: &str) {
    assert!(
        matches!(code, ErrorCode::BadMessage | ErrorCode::UnknownMessageType),
        "{code:?}"
    );
    assert!(!message.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn the_decoder_never_panics_on_any_text(text in ".{0,200}") {
        if let Err((code, message)) = decode_client_message(&text) {
            assert_typed(code, &message);
        }
    }

    #[test]
    fn the_decoder_types_every_json_shape_and_round_trips_what_it_accepts(value in json()) {
        let text = value.to_string();
        match decode_client_message(&text) {
            Ok(msg) => {
                let again = serde_json::to_string(&msg).unwrap();
                prop_assert_eq!(decode_client_message(&again).unwrap(), msg);
            }
            Err((code, message)) => {
                assert_typed(code, &message);
                let named = value.get("type").and_then(|t| t.as_str());
                if code == ErrorCode::UnknownMessageType {
                    prop_assert!(!matches!(named, Some("search" | "cancel" | "ping")));
                }
            }
        }
    }

    #[test]
    fn well_formed_messages_decode_to_themselves(
        search_id in any::<u64>(),
        nonce in any::<u64>(),
        request in request(),
        pick in 0..3u8,
    ) {
        let msg = match pick {
            0 => ClientMessage::Search { search_id, request },
            1 => ClientMessage::Cancel { search_id },
            _ => ClientMessage::Ping { nonce },
        };
        let text = serde_json::to_string(&msg).unwrap();
        prop_assert_eq!(decode_client_message(&text).unwrap(), msg);
    }

    #[test]
    fn cut_or_corrupted_messages_get_typed_errors(
        request in request(),
        cut in 0usize..400,
        flip in 0usize..400,
        byte in any::<u8>(),
    ) {
        let text = serde_json::to_string(&ClientMessage::Search { search_id: 1, request }).unwrap();
        let mut bytes = text.into_bytes();
        if !bytes.is_empty() {
            let i = flip % bytes.len();
            bytes[i] = byte;
        }
        bytes.truncate(cut.min(bytes.len()));
        let text = String::from_utf8_lossy(&bytes);
        if let Err((code, message)) = decode_client_message(&text) {
            assert_typed(code, &message);
        }
    }

    #[test]
    fn validation_either_normalises_or_names_the_field(request in request()) {
        match validate_request(&request) {
            Ok(valid) => {
                for address in [&valid.from, &valid.to] {
                    let country = country(&address.country).expect("a known country");
                    let canonical = canonical_postal_code(country, &address.postal_code);
                    prop_assert_eq!(
                        canonical.as_deref(),
                        Some(address.postal_code.as_str()),
                        "postal codes come out canonical"
                    );
                }
                let p = &valid.parcel;
                prop_assert!((MIN_WEIGHT_GRAMS..=MAX_WEIGHT_GRAMS).contains(&p.weight_grams));
                for d in [p.length_cm, p.width_cm, p.height_cm].into_iter().flatten() {
                    prop_assert!((1..=MAX_DIMENSION_CM).contains(&d));
                }
                // Normalising is idempotent.
                prop_assert_eq!(validate_request(&valid).unwrap(), valid);
            }
            Err(e) => {
                prop_assert!(field::ALL.contains(&e.field.as_str()), "{:?}", e);
                prop_assert!(VALIDATION_CODES.contains(&e.code), "{:?}", e);
                prop_assert!(!e.message.is_empty());
            }
        }
    }

    #[test]
    fn the_form_fields_never_panic_and_errors_come_one_per_field_in_form_order(
        from_country in country_code(),
        from_postal in postal_code(),
        to_country in country_code(),
        to_postal in postal_code(),
        weight in prop_oneof!["[0-9]{0,4}([.,][0-9]{0,4})?", ".{0,10}"],
        length in prop_oneof!["[0-9]{0,4}", ".{0,6}"],
        width in prop_oneof!["[0-9]{0,4}", ".{0,6}"],
        height in prop_oneof!["[0-9]{0,4}", ".{0,6}"],
    ) {
        let query = SearchQuery {
            from_country, from_postal, to_country, to_postal, weight, length, width, height,
            size: String::new(),
        };
        match query.to_request() {
            Ok(request) => match validate_request(&request) {
                Ok(valid) => prop_assert_eq!(valid, request),
                // What the form accepts only the server's postal register can refuse.
                Err(e) => {
                    prop_assert_eq!(e.code, ErrorCode::UnknownPostalCode, "{:?}", e);
                    prop_assert!(e.field == field::FROM_POSTAL || e.field == field::TO_POSTAL);
                }
            },
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                let positions: Vec<usize> = errors
                    .iter()
                    .map(|e| field::ALL.iter().position(|f| *f == e.field).expect("a form field"))
                    .collect();
                prop_assert!(positions.windows(2).all(|w| w[0] < w[1]), "{:?}", errors);
                prop_assert!(errors.iter().all(|e| VALIDATION_CODES.contains(&e.code)));
            }
        }
    }
}

/// Frames up to the size limit, however deep, are answered without exhausting the stack.
#[test]
fn deeply_nested_frames_get_a_typed_error() {
    for open in ["[", "{\"a\":"] {
        let text = open.repeat(MAX_FRAME_BYTES / open.len());
        let (code, message) = decode_client_message(&text).unwrap_err();
        assert_typed(code, &message);
    }
}
