//! Money, dates and weights as the page's language writes them ("kr 1 250,00", "tor. 3. des.";
//! "NOK 1,250.00", "Thu 3 Dec"), from the patterns and separators in its words.

use super::texts::Texts;
use super::words::W;
use crate::model::{Dispatch, Money};

const WEEKDAYS: [W; 7] = [W::Sun, W::Mon, W::Tue, W::Wed, W::Thu, W::Fri, W::Sat];
const MONTHS: [W; 12] = [
    W::Jan,
    W::Feb,
    W::Mar,
    W::Apr,
    W::May,
    W::Jun,
    W::Jul,
    W::Aug,
    W::Sep,
    W::Oct,
    W::Nov,
    W::Dec,
];

/// The price with VAT. Integer arithmetic only: formatting floats costs the WASM kilobytes.
pub fn money(t: Texts, price: &Money) -> String {
    let minor = price.with_vat_minor;
    let sign = if minor < 0 { "-" } else { "" };
    let (units, cents) = (minor.unsigned_abs() / 100, minor.unsigned_abs() % 100);
    let digits = units.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push_str(t.get(W::GroupSeparator));
        }
        grouped.push(c);
    }
    let amount = format!("{sign}{grouped}{}{cents:02}", t.get(W::DecimalSeparator));
    if price.currency == "NOK" {
        t.fill(W::MoneyPattern, &[("amount", &amount)])
    } else {
        format!("{} {amount}", price.currency)
    }
}

/// An ISO date (`2026-12-03`) with its weekday; the raw text when it is not a date.
pub fn date(t: Texts, iso: &str) -> String {
    let parts: Vec<u32> = iso.split('-').filter_map(|p| p.parse().ok()).collect();
    let [y, m, d] = parts[..] else {
        return iso.to_owned();
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || y == 0 {
        return iso.to_owned();
    }
    // Sakamoto's day of the week, 0 = Sunday.
    const T: [u32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if m < 3 { y - 1 } else { y };
    let weekday = (y + y / 4 - y / 100 + y / 400 + T[m as usize - 1] + d) % 7;
    t.fill(
        W::DatePattern,
        &[
            ("weekday", t.get(WEEKDAYS[weekday as usize])),
            ("day", &d.to_string()),
            ("month", t.get(MONTHS[m as usize - 1])),
        ],
    )
}

/// When the parcel ships if ordered now: "Order by 15:00 today to ship today", or the day it
/// ships and the cut-off.
pub fn dispatch(t: Texts, dispatch: &Dispatch) -> String {
    let time = dispatch.order_by.replace(':', t.get(W::TimeSeparator));
    if dispatch.today {
        t.fill(W::DispatchToday, &[("time", &time)])
    } else {
        t.fill(
            W::DispatchLater,
            &[("date", &date(t, &dispatch.ships)), ("time", &time)],
        )
    }
}

/// Kilograms from grams, without trailing zeros: "1.2" or "1,2".
pub fn weight(t: Texts, grams: u32) -> String {
    let (kg, rest) = (grams / 1000, grams % 1000);
    if rest == 0 {
        return kg.to_string();
    }
    let fraction = format!("{rest:03}");
    format!(
        "{kg}{}{}",
        t.get(W::DecimalSeparator),
        fraction.trim_end_matches('0')
    )
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn nok(minor: i64) -> Money {
        Money {
            currency: "NOK".into(),
            with_vat_minor: minor,
            without_vat_minor: minor,
        }
    }

    #[test]
    fn money_in_each_language() {
        let (nb, en) = (Texts::new(Lang::Nb, false), Texts::new(Lang::En, false));
        assert_eq!(money(nb, &nok(125_000)), "kr 1\u{a0}250,00");
        assert_eq!(money(en, &nok(125_000)), "NOK 1,250.00");
        assert_eq!(money(nb, &nok(9_950)), "kr 99,50");
        assert_eq!(money(en, &nok(123_456_789)), "NOK 1,234,567.89");
        assert_eq!(money(nb, &nok(-505)), "kr -5,05");
        let eur = Money {
            currency: "EUR".into(),
            ..nok(1_000)
        };
        assert_eq!(money(en, &eur), "EUR 10.00");
    }

    #[test]
    fn dates_in_each_language() {
        let (nb, en) = (Texts::new(Lang::Nb, false), Texts::new(Lang::En, false));
        assert_eq!(date(nb, "2026-12-03"), "tor. 3. des.");
        assert_eq!(date(en, "2026-12-03"), "Thu 3 Dec");
        assert_eq!(date(nb, "2027-05-17"), "man. 17. mai");
        assert_eq!(date(en, "2028-02-29"), "Tue 29 Feb");
        assert_eq!(date(en, "2026-11-30"), "Mon 30 Nov");
        assert_eq!(date(nb, "2027-01-01"), "fre. 1. jan.");
        assert_eq!(date(en, "soon"), "soon");
        assert_eq!(date(en, "2026-13-01"), "2026-13-01");
    }

    #[test]
    fn dispatch_in_each_language() {
        let (nb, en) = (Texts::new(Lang::Nb, false), Texts::new(Lang::En, false));
        let today = Dispatch {
            order_by: "15:00".into(),
            ships: "2026-12-04".into(),
            today: true,
        };
        assert_eq!(dispatch(en, &today), "Order by 15:00 today to ship today");
        assert_eq!(
            dispatch(nb, &today),
            "Bestill innen kl. 15.00 i dag, så sendes pakken i dag"
        );
        let monday = Dispatch {
            ships: "2026-12-07".into(),
            today: false,
            ..today
        };
        assert_eq!(
            dispatch(en, &monday),
            "Ships Mon 7 Dec if ordered now (same-day cut-off 15:00)"
        );
        assert_eq!(
            dispatch(nb, &monday),
            "Sendes man. 7. des. om du bestiller nå (frist kl. 15.00 for sending samme dag)"
        );
    }

    #[test]
    fn weights_in_each_language() {
        let (nb, en) = (Texts::new(Lang::Nb, false), Texts::new(Lang::En, false));
        assert_eq!(weight(nb, 1_200), "1,2");
        assert_eq!(weight(en, 1_200), "1.2");
        assert_eq!(weight(en, 35_000), "35");
        assert_eq!(weight(nb, 1), "0,001");
        for grams in [1_200, 250, 12_000, 1, 35_050] {
            // What the float formatting it replaces printed.
            assert_eq!(weight(en, grams), format!("{}", f64::from(grams) / 1000.0));
        }
    }
}
