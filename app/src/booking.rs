//! Booking a quoted service: the form as typed, its checks (the same in the browser and on
//! the server), and what the booking and confirmation pages show.

use crate::error::{ErrorCode, FieldError};
use crate::model::{Dispatch, Money, Places, ProductId, SearchRequest};
use crate::validate::SearchQuery;
use serde::{Deserialize, Serialize};

/// The form's field names (the inputs' `name`s; the search's own fields keep theirs).
pub mod field {
    pub const PRODUCT: &str = "product";
    pub const FORM_ID: &str = "form_id";
    pub const SENDER_NAME: &str = "sender_name";
    pub const SENDER_STREET: &str = "sender_street";
    pub const RECIPIENT_NAME: &str = "recipient_name";
    pub const RECIPIENT_STREET: &str = "recipient_street";
    pub const RECIPIENT_PHONE: &str = "recipient_phone";
    pub const RECIPIENT_EMAIL: &str = "recipient_email";
    pub const REFERENCE: &str = "reference";
    pub const PICKUP_POINT: &str = "pickup_point";
}

/// The customer's fields in form order: the order their problems are listed in.
pub const FIELDS: [&str; 8] = [
    field::SENDER_NAME,
    field::SENDER_STREET,
    field::RECIPIENT_NAME,
    field::RECIPIENT_STREET,
    field::RECIPIENT_PHONE,
    field::RECIPIENT_EMAIL,
    field::PICKUP_POINT,
    field::REFERENCE,
];

/// Bring's limit for a name or an address line, which a label must print whole.
pub const MAX_LINE: usize = 35;

/// The booking form exactly as typed (every field a string, so a mistake loses nothing).
/// Its search fields are the search page's, so a search's URL plus `product` opens it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BookingDraft {
    pub search: SearchQuery,
    pub product: String,
    /// The idempotency key: made when the form is first shown, so submitting it twice books once.
    pub form_id: String,
    pub sender_name: String,
    pub sender_street: String,
    pub recipient_name: String,
    pub recipient_street: String,
    pub recipient_phone: String,
    pub recipient_email: String,
    pub reference: String,
    pub pickup_point: String,
}

/// One end of a shipment as the label prints it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    pub street: String,
    pub postal_code: String,
    pub country: String,
    /// The place the postal register names, where it knows the code.
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// A checked booking form: what the server books.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub request: SearchRequest,
    pub product: ProductId,
    pub form_id: String,
    pub sender: Party,
    pub recipient: Party,
    pub reference: Option<String>,
    /// The chosen pickup point's id, for a service delivered to one.
    pub pickup_point: Option<String>,
}

/// A place a recipient collects parcels from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickupPoint {
    pub id: String,
    pub name: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    /// As the source words them, in bokmål and English.
    pub hours_nb: String,
    pub hours_en: String,
    /// From the recipient's postal code, in metres.
    pub distance_m: u32,
}

/// The chosen service as the server quoted it when the page was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Quoted {
    Offer {
        price: Money,
        /// ISO date.
        expected_delivery: String,
        /// When it ships if booked now (the booking's shipping date).
        dispatch: Option<Dispatch>,
    },
    /// Not offered for this parcel and route (or the guide did not answer), in the page's words.
    Unavailable { message: String },
    /// The search in the URL is not one (an edited or truncated link).
    BadSearch,
}

/// What `/book` shows, worked out on the server before the page renders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingPage {
    pub draft: BookingDraft,
    pub quoted: Quoted,
    pub places: Places,
    /// Nearest first; empty for a service delivered to the door.
    pub points: Vec<PickupPoint>,
    pub errors: Vec<FieldError>,
    /// The booking failed upstream: said plainly above the form, which keeps what was typed.
    pub failure: Option<String>,
}

/// A booked shipment as its confirmation page shows it (`/booking/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub id: String,
    pub shipment_number: String,
    pub tracking_url: String,
    pub product: ProductId,
    pub price: Money,
    pub expected_delivery: String,
    pub sender: Party,
    pub recipient: Party,
    #[serde(default)]
    pub pickup_point: Option<PickupPoint>,
    #[serde(default)]
    pub reference: Option<String>,
}

/// What `/booking/{id}` shows: `None` when there is no booking by that id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookedPage(pub Option<Confirmation>);

/// The services the recipient collects from a pickup point.
pub fn delivered_to_pickup_point(product: &ProductId) -> bool {
    matches!(product.as_str(), "5800" | "0340")
}

impl BookingDraft {
    /// The form from `name=value` pairs (a posted form, a URL's query, the browser's form data);
    /// a field that is not there is empty.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let v = |name: &str| get(name).unwrap_or_default();
        Self {
            search: SearchQuery::from_params(&get),
            product: v(field::PRODUCT),
            form_id: v(field::FORM_ID),
            sender_name: v(field::SENDER_NAME),
            sender_street: v(field::SENDER_STREET),
            recipient_name: v(field::RECIPIENT_NAME),
            recipient_street: v(field::RECIPIENT_STREET),
            recipient_phone: v(field::RECIPIENT_PHONE),
            recipient_email: v(field::RECIPIENT_EMAIL),
            reference: v(field::REFERENCE),
            pickup_point: v(field::PICKUP_POINT),
        }
    }

    /// Every problem with the customer's fields, in form order, or the order to book. The
    /// search itself is checked apart ([`SearchQuery::to_request`]); so is the pickup point
    /// against the points on offer, which only the server has.
    pub fn check(&self) -> Result<Order, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut take = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).ok();
        let sender_name = take(line(
            field::SENDER_NAME,
            &self.sender_name,
            2,
            ErrorCode::InvalidName,
        ));
        let sender_street = take(line(
            field::SENDER_STREET,
            &self.sender_street,
            3,
            ErrorCode::InvalidStreet,
        ));
        let recipient_name = take(line(
            field::RECIPIENT_NAME,
            &self.recipient_name,
            2,
            ErrorCode::InvalidName,
        ));
        let recipient_street = take(line(
            field::RECIPIENT_STREET,
            &self.recipient_street,
            3,
            ErrorCode::InvalidStreet,
        ));
        let phone = take(phone(&self.recipient_phone, &self.search.to_country));
        let email = take(email(&self.recipient_email));
        let reference = optional_line(field::REFERENCE, &self.reference)
            .map_err(|e| errors.push(e))
            .ok();
        let product = ProductId::new(self.product.trim());
        let pickup_point = self.pickup_point.trim();
        if delivered_to_pickup_point(&product) && pickup_point.is_empty() {
            errors.push(FieldError::new(
                field::PICKUP_POINT,
                ErrorCode::MissingField,
                "Choose a pickup point.",
            ));
        }
        let request = self
            .search
            .to_request()
            .map_err(|mut e| errors.append(&mut e))
            .ok();
        if !errors.is_empty() {
            return Err(errors);
        }
        let (
            Some(request),
            Some(sender_name),
            Some(sender_street),
            Some(recipient_name),
            Some(recipient_street),
            Some(phone),
            Some(email),
            Some(reference),
        ) = (
            request,
            sender_name,
            sender_street,
            recipient_name,
            recipient_street,
            phone,
            email,
            reference,
        )
        else {
            return Err(errors);
        };
        Ok(Order {
            sender: Party {
                name: sender_name,
                street: sender_street,
                postal_code: request.from.postal_code.clone(),
                country: request.from.country.clone(),
                place: None,
                phone: None,
                email: None,
            },
            recipient: Party {
                name: recipient_name,
                street: recipient_street,
                postal_code: request.to.postal_code.clone(),
                country: request.to.country.clone(),
                place: None,
                phone: Some(phone),
                email: Some(email),
            },
            pickup_point: (delivered_to_pickup_point(&product)).then(|| pickup_point.to_owned()),
            request,
            product,
            form_id: self.form_id.trim().to_owned(),
            reference,
        })
    }
}

/// A required line of a label: trimmed, inner white space folded, at least `min` characters,
/// at most [`MAX_LINE`], with a letter in it.
fn line(name: &str, raw: &str, min: usize, invalid: ErrorCode) -> Result<String, FieldError> {
    let value = fold(raw);
    if value.is_empty() {
        return Err(FieldError::new(
            name,
            ErrorCode::MissingField,
            "Fill in this field.",
        ));
    }
    let length = value.chars().count();
    if length > MAX_LINE {
        return Err(FieldError::new(
            name,
            ErrorCode::TooLong,
            format!("At most {MAX_LINE} characters."),
        ));
    }
    if length < min || !value.chars().any(char::is_alphabetic) {
        return Err(FieldError::new(
            name,
            invalid,
            "Write it as the label should show it.",
        ));
    }
    Ok(value)
}

fn optional_line(name: &str, raw: &str) -> Result<Option<String>, FieldError> {
    let value = fold(raw);
    if value.chars().count() > MAX_LINE {
        return Err(FieldError::new(
            name,
            ErrorCode::TooLong,
            format!("At most {MAX_LINE} characters."),
        ));
    }
    Ok((!value.is_empty()).then_some(value))
}

fn fold(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A mobile number for the recipient's notice: eight digits in Norway, or an international
/// number with its country code (`+46 70 123 45 67`, `0046…`). Kept as `+<digits>`.
fn phone(raw: &str, country: &str) -> Result<String, FieldError> {
    let name = field::RECIPIENT_PHONE;
    let compact: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    if compact.is_empty() {
        return Err(FieldError::new(
            name,
            ErrorCode::MissingField,
            "Enter a phone number.",
        ));
    }
    let invalid = || {
        FieldError::new(
            name,
            ErrorCode::InvalidPhone,
            "Enter a mobile number, e.g. 912 34 567 or +46 70 123 45 67.",
        )
    };
    let international = compact
        .strip_prefix('+')
        .or_else(|| compact.strip_prefix("00"));
    let digits = international.unwrap_or(&compact);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    match international {
        Some(d) if (8..=15).contains(&d.len()) && !d.starts_with('0') => Ok(format!("+{d}")),
        None if country.trim().eq_ignore_ascii_case("NO") && digits.len() == 8 => {
            Ok(format!("+47{digits}"))
        }
        _ => Err(invalid()),
    }
}

/// An address the notice can be sent to: `local@domain.tld`, no spaces, within RFC 5321's lengths.
fn email(raw: &str) -> Result<String, FieldError> {
    let name = field::RECIPIENT_EMAIL;
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldError::new(
            name,
            ErrorCode::MissingField,
            "Enter an e-mail address.",
        ));
    }
    let invalid = || {
        FieldError::new(
            name,
            ErrorCode::InvalidEmail,
            "Enter an e-mail address like name@example.no.",
        )
    };
    let Some((local, domain)) = value.rsplit_once('@') else {
        return Err(invalid());
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let labels: Vec<&str> = domain.split('.').collect();
    let ok = value.len() <= 254
        && (1..=64).contains(&local.len())
        && !local.contains('@')
        && !local.chars().any(|c| c.is_whitespace() || c.is_control())
        && labels.len() >= 2
        && labels.iter().all(|l| label_ok(l))
        && labels.last().is_some_and(|tld| tld.chars().count() >= 2);
    if ok {
        Ok(value.to_owned())
    } else {
        Err(invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> BookingDraft {
        BookingDraft {
            search: SearchQuery {
                from_country: "NO".into(),
                from_postal: "0150".into(),
                to_country: "NO".into(),
                to_postal: "9900".into(),
                weight: "1,2".into(),
                ..SearchQuery::default()
            },
            product: "5800".into(),
            form_id: "f".repeat(32),
            sender_name: "  Kari   Nordmann ".into(),
            sender_street: "Storgata 1".into(),
            recipient_name: "Ola Nordmann".into(),
            recipient_street: "Kongens gate 2 B".into(),
            recipient_phone: "912 34 567".into(),
            recipient_email: "ola@example.no".into(),
            pickup_point: "121212".into(),
            ..BookingDraft::default()
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<(&str, ErrorCode)> {
        errors.iter().map(|e| (e.field.as_str(), e.code)).collect()
    }

    #[test]
    fn a_good_form_is_an_order() {
        let order = draft().check().unwrap();
        assert_eq!(order.sender.name, "Kari Nordmann");
        assert_eq!(order.sender.postal_code, "0150");
        assert_eq!(order.recipient.phone.as_deref(), Some("+4791234567"));
        assert_eq!(order.request.parcel.weight_grams, 1200);
        assert_eq!(order.pickup_point.as_deref(), Some("121212"));
        assert_eq!(order.reference, None);
    }

    #[test]
    fn every_field_is_reported_in_form_order() {
        let bad = BookingDraft {
            sender_name: "".into(),
            sender_street: "12".into(),
            recipient_name: "x".repeat(36),
            recipient_street: "  ".into(),
            recipient_phone: "12345".into(),
            recipient_email: "ola@example".into(),
            reference: "r".repeat(36),
            pickup_point: "".into(),
            search: SearchQuery {
                weight: "heavy".into(),
                ..draft().search
            },
            ..draft()
        };
        assert_eq!(
            fields(&bad.check().unwrap_err()),
            [
                (field::SENDER_NAME, ErrorCode::MissingField),
                (field::SENDER_STREET, ErrorCode::InvalidStreet),
                (field::RECIPIENT_NAME, ErrorCode::TooLong),
                (field::RECIPIENT_STREET, ErrorCode::MissingField),
                (field::RECIPIENT_PHONE, ErrorCode::InvalidPhone),
                (field::RECIPIENT_EMAIL, ErrorCode::InvalidEmail),
                (field::REFERENCE, ErrorCode::TooLong),
                (field::PICKUP_POINT, ErrorCode::MissingField),
                ("weight", ErrorCode::InvalidWeight),
            ]
        );
    }

    #[test]
    fn phones_take_norwegian_and_international_forms() {
        for (raw, country, want) in [
            ("91234567", "NO", Some("+4791234567")),
            ("+47 912 34 567", "NO", Some("+4791234567")),
            ("0046 70-123 45 67", "NO", Some("+46701234567")),
            ("(+46) 70 123 45 67", "SE", Some("+46701234567")),
            ("070 123 45 67", "SE", None),
            ("9123456", "NO", None),
            ("+0 1234 5678", "NO", None),
            ("ninetwelve", "NO", None),
            ("+4791234567890123", "NO", None),
        ] {
            assert_eq!(phone(raw, country).ok().as_deref(), want, "{raw}");
        }
    }

    #[test]
    fn emails_need_a_local_part_and_a_domain() {
        for (raw, ok) in [
            ("ola@example.no", true),
            (" ola.nordmann+pakke@post.example.no ", true),
            ("øyvind@blåbær.no", true),
            ("ola@example", false),
            ("ola example.no", false),
            ("@example.no", false),
            ("ola@-example.no", false),
            ("ola @example.no", false),
            ("ola@exa mple.no", false),
            ("ola@example.n", false),
            ("ola@@example.no", false),
        ] {
            assert_eq!(email(raw).is_ok(), ok, "{raw}");
        }
    }

    #[test]
    fn a_door_service_needs_no_pickup_point() {
        let order = BookingDraft {
            product: "5600".into(),
            pickup_point: "".into(),
            ..draft()
        }
        .check()
        .unwrap();
        assert_eq!(order.pickup_point, None);
    }

    #[test]
    fn a_posted_form_is_read_as_typed() {
        let body =
            "product=5800&sender_name=Kari+%C3%98stby&recipient_email=ola%40example.no&reference=";
        let d = BookingDraft::from_params(|k| crate::location::Url::param(body, k));
        assert_eq!(d.sender_name, "Kari Østby");
        assert_eq!(d.recipient_email, "ola@example.no");
        assert_eq!(
            (
                d.product.as_str(),
                d.reference.as_str(),
                d.search.weight.as_str()
            ),
            ("5800", "", "")
        );
    }

    #[test]
    fn the_change_link_carries_the_search() {
        let d = BookingDraft {
            search: SearchQuery {
                weight: "1,2".into(),
                to_postal: "114 55".into(),
                to_country: "SE".into(),
                ..draft().search
            },
            ..draft()
        };
        assert_eq!(
            d.search.to_query(),
            "from_country=NO&from_postal=0150&to_country=SE&to_postal=114%2055&weight=1%2C2"
        );
    }
}
