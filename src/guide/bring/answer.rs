//! Reading Bring's answer for one product: an offer, or why there is none.

use super::money::parse_minor;
use super::wire::{PriceLine, ProductAnswer, ProductsResponse};
use crate::guide::calendar::add_working_days;
use crate::guide::{GuideError, Ineligibility};
use app::catalogue;
use app::model::{LeadTime, MAX_ALTERNATIVES, Money, Offer, ProductId};
use time::Date;

/// The offer for `product` in a 200 answer. A product Bring leaves out or answers with
/// `errors` is not eligible; a product without a readable price or lead time is an upstream
/// error (something Bring should not send).
pub fn read_offer(
    answer: &ProductsResponse,
    product: &ProductId,
    shipping_date: Date,
    net_price: bool,
) -> Result<Offer, GuideError> {
    let found = answer
        .consignments
        .iter()
        .flat_map(|c| &c.products)
        .find(|p| p.id == product.as_str())
        .ok_or(GuideError::NotEligible(Ineligibility::NotOffered))?;
    if let Some(problem) = found.errors.first() {
        let code = problem.error_code.as_deref().unwrap_or_default();
        return Err(GuideError::NotEligible(reason(code)));
    }
    let price = price(found, net_price)?;
    let lead_time = lead_time(found, shipping_date)?;
    let gui = found.gui_information.as_ref();
    let known = catalogue::product(product);
    let name = gui
        .and_then(|g| g.display_name.clone())
        .or_else(|| known.map(|p| p.name.to_owned()))
        .unwrap_or_else(|| catalogue::product_name(product));
    let description = gui
        .and_then(|g| g.description_text.clone())
        .or_else(|| known.map(|p| p.description.to_owned()))
        .unwrap_or_default();
    Ok(Offer {
        last_mile: last_mile(found),
        product_id: product.clone(),
        name,
        description,
        price,
        lead_time,
        dispatch: None,
    })
}

/// The last mile from Bring's environmental data, where it has any.
fn last_mile(found: &super::wire::ProductAnswer) -> Option<app::model::LastMile> {
    let leg = found
        .environmental_data
        .as_ref()?
        .legs()
        .iter()
        .find(|l| l.transport_leg_type == "LAST_MILE")?;
    let details = leg.details.clone().unwrap_or_default();
    let pct = |share: f64| (share.clamp(0.0, 1.0) * 100.0).round() as u8;
    Some(app::model::LastMile {
        fossil_free: leg.fossil_free,
        electric_pct: pct(details.electric),
        bio_pct: pct(details.bio),
    })
}

/// Bring's error code as a reason. Unknown codes (Bring adds them without notice) get the
/// general reason.
fn reason(error_code: &str) -> Ineligibility {
    match error_code {
        "PACKAGE_NOT_WITHIN_WEIGHT_LIMIT" => Ineligibility::TooHeavy,
        "PACKAGE_TOO_BIG" | "PACKAGE_NOT_WITHIN_DIMENSION_LIMIT" => Ineligibility::TooBig,
        "INVALID_COUNTRY_PAIR" => Ineligibility::Countries,
        c if c.starts_with("OUTSIDE_COVERAGE_AREA") => Ineligibility::Coverage,
        _ => Ineligibility::NotOffered,
    }
}

fn upstream(what: &str, product: &ProductId) -> GuideError {
    GuideError::Upstream(format!(
        "Bring answered {product} without a readable {what}"
    ))
}

fn price(found: &ProductAnswer, net_price: bool) -> Result<Money, GuideError> {
    let id = ProductId::new(&found.id);
    let price = found.price.as_ref().ok_or_else(|| upstream("price", &id))?;
    let line: &PriceLine = net_price
        .then_some(price.net_price.as_ref())
        .flatten()
        .or(price.list_price.as_ref())
        .ok_or_else(|| upstream("price", &id))?;
    let amounts = line
        .price_without_additional_services
        .as_ref()
        .ok_or_else(|| upstream("price", &id))?;
    let amount = |a: &Option<String>| a.as_deref().and_then(parse_minor);
    let (Some(with_vat), Some(without_vat)) = (
        amount(&amounts.amount_with_vat),
        amount(&amounts.amount_without_vat),
    ) else {
        return Err(upstream("price", &id));
    };
    if with_vat < 0 || without_vat < 0 {
        return Err(upstream("price", &id));
    }
    Ok(Money {
        currency: line.currency_code.clone().unwrap_or_else(|| "NOK".into()),
        with_vat_minor: with_vat,
        without_vat_minor: without_vat,
    })
}

fn lead_time(found: &ProductAnswer, shipping_date: Date) -> Result<LeadTime, GuideError> {
    let id = ProductId::new(&found.id);
    let delivery = found
        .expected_delivery
        .as_ref()
        .ok_or_else(|| upstream("lead time", &id))?;
    let working_days: u32 = delivery
        .working_days
        .as_deref()
        .and_then(|d| d.trim().parse().ok())
        .ok_or_else(|| upstream("lead time", &id))?;
    // Without a date (or with a garbled one), the working days still give it.
    let date = delivery
        .date()
        .unwrap_or_else(|| add_working_days(shipping_date, working_days));
    // Bring may list the expected date among the alternatives: only later ones, in order.
    let mut alternatives: Vec<Date> = delivery
        .alternative_delivery_dates
        .iter()
        .filter_map(|alternative| alternative.date())
        .filter(|d| *d > date)
        .collect();
    alternatives.sort();
    alternatives.dedup();
    alternatives.truncate(MAX_ALTERNATIVES);
    Ok(LeadTime {
        working_days,
        expected_delivery: date.to_string(),
        alternatives: alternatives.iter().map(Date::to_string).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const MONDAY: Date = date!(2026 - 11 - 30);

    fn answer(json: &str) -> ProductsResponse {
        serde_json::from_str(json).unwrap()
    }

    fn read(json: &str, net: bool) -> Result<Offer, GuideError> {
        read_offer(&answer(json), &ProductId::new("5800"), MONDAY, net)
    }

    const FULL: &str = r#"{"consignments":[{"products":[{"id":"5800",
        "guiInformation":{"displayName":"Pakke til hentested","descriptionText":"Hentes på posten"},
        "price":{"listPrice":{"currencyCode":"NOK","priceWithoutAdditionalServices":
                   {"amountWithoutVAT":"145.75","vat":"36.44","amountWithVAT":"182.19"}},
                 "netPrice":{"currencyCode":"NOK","priceWithoutAdditionalServices":
                   {"amountWithoutVAT":"100.00","vat":"25.00","amountWithVAT":"125.00"}}},
        "expectedDelivery":{"workingDays":"2",
                 "expectedDeliveryDate":{"year":"2026","month":"12","day":"2"}}}]}]}"#;

    #[test]
    fn an_offer_has_bring_s_name_price_and_date() {
        let offer = read(FULL, false).unwrap();
        assert_eq!(offer.name, "Pakke til hentested");
        assert_eq!(offer.description, "Hentes på posten");
        assert_eq!(offer.price.with_vat_minor, 18219);
        assert_eq!(offer.price.without_vat_minor, 14575);
        assert_eq!(offer.price.currency, "NOK");
        assert_eq!(offer.lead_time.working_days, 2);
        assert_eq!(offer.lead_time.expected_delivery, "2026-12-02");
    }

    #[test]
    fn a_customer_number_shows_the_net_price_and_falls_back_to_the_list_price() {
        assert_eq!(read(FULL, true).unwrap().price.with_vat_minor, 12500);
        let list_only = FULL.replace("netPrice", "somethingElse");
        assert_eq!(read(&list_only, true).unwrap().price.with_vat_minor, 18219);
    }

    #[test]
    fn per_product_errors_and_missing_products_are_not_eligible_with_their_reason() {
        let with_error = |code: &str| {
            format!(
                r#"{{"consignments":[{{"products":[{{"id":"5800","errors":[{{"code":"1","errorCode":"{code}","description":"raw"}}]}}]}}]}}"#
            )
        };
        let cases = [
            ("PACKAGE_NOT_WITHIN_WEIGHT_LIMIT", Ineligibility::TooHeavy),
            ("PACKAGE_TOO_BIG", Ineligibility::TooBig),
            ("PACKAGE_NOT_WITHIN_DIMENSION_LIMIT", Ineligibility::TooBig),
            ("INVALID_COUNTRY_PAIR", Ineligibility::Countries),
            ("OUTSIDE_COVERAGE_AREA_TO", Ineligibility::Coverage),
            ("SOMETHING_NEW", Ineligibility::NotOffered),
        ];
        for (code, why) in cases {
            assert_eq!(
                read(&with_error(code), false),
                Err(GuideError::NotEligible(why)),
                "{code}"
            );
        }
        for empty in [
            r#"{}"#,
            r#"{"consignments":[]}"#,
            r#"{"consignments":[{"products":[{"id":"5600"}]}]}"#,
        ] {
            assert_eq!(
                read(empty, false),
                Err(GuideError::NotEligible(Ineligibility::NotOffered))
            );
        }
    }

    #[test]
    fn unreadable_prices_and_lead_times_are_upstream_errors() {
        for broken in [
            FULL.replace("\"145.75\"", "\"14,575\""),
            FULL.replace("\"182.19\"", "\"-1.00\""),
            FULL.replace("listPrice", "x").replace("netPrice", "y"),
            FULL.replace("\"workingDays\":\"2\"", "\"workingDays\":\"two\""),
            FULL.replace("expectedDelivery\"", "somethingElse\""),
        ] {
            assert!(
                matches!(read(&broken, false), Err(GuideError::Upstream(_))),
                "{broken}"
            );
        }
    }

    #[test]
    fn a_missing_or_garbled_date_comes_from_the_working_days_and_names_from_the_catalogue() {
        let json = r#"{"consignments":[{"products":[{"id":"5800",
            "price":{"listPrice":{"priceWithoutAdditionalServices":
                {"amountWithoutVAT":"100","amountWithVAT":"125"}}},
            "expectedDelivery":{"workingDays":"5","expectedDeliveryDate":{"year":"2026","month":"13","day":"1"}}}]}]}"#;
        let offer = read(json, false).unwrap();
        assert_eq!(offer.lead_time.expected_delivery, "2026-12-07");
        assert_eq!(offer.name, "Pickup point parcel");
        assert_eq!(offer.price.currency, "NOK");
    }

    #[test]
    fn alternative_dates_are_the_later_ones_in_either_form_at_most_three() {
        let with = |alternatives: &str| {
            FULL.replace(
                r#""expectedDeliveryDate":{"year":"2026","month":"12","day":"2"}"#,
                &format!(
                    r#""expectedDeliveryDate":{{"year":"2026","month":"12","day":"2"}},"alternativeDeliveryDates":{alternatives}"#
                ),
            )
        };
        let listed = with(
            r#"[{"workingDays":"2","expectedDeliveryDate":{"year":"2026","month":"12","day":"2"}},
                {"workingDays":"4","formattedExpectedDeliveryDate":"04.12.2026"},
                {"workingDays":"3","expectedDeliveryDate":{"year":"2026","month":"12","day":"3"}},
                {"something":"unknown"},
                {"workingDays":"5","expectedDeliveryDate":{"year":"2026","month":"12","day":"7"}},
                {"workingDays":"6","expectedDeliveryDate":{"year":"2026","month":"12","day":"8"}}]"#,
        );
        assert_eq!(
            read(&listed, false).unwrap().lead_time.alternatives,
            ["2026-12-03", "2026-12-04", "2026-12-07"]
        );
        for odd in [r#""soon""#, "null", "[1,2]", "{}"] {
            let offer = read(&with(odd), false).unwrap();
            assert!(offer.lead_time.alternatives.is_empty(), "{odd}");
            assert_eq!(offer.lead_time.expected_delivery, "2026-12-02");
        }
    }

    #[test]
    fn dates_are_written_as_bring_writes_them() {
        let parts = super::super::wire::DateParts::from_date(date!(2026 - 12 - 01));
        assert_eq!(
            (
                parts.year.as_str(),
                parts.month.as_str(),
                parts.day.as_str()
            ),
            ("2026", "12", "1")
        );
        assert_eq!(parts.to_date(), Some(date!(2026 - 12 - 01)));
    }
}
