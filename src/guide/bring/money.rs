//! Bring's decimal strings to integer minor units and back, exactly: never through a float.

/// `"145.75"` → 14575, `"145.7"` → 14570, `"145"` → 14500, `"-3.50"` → -350. More than two
/// decimals are accepted only when the extra ones are zeros (`"1.500"`); anything else is `None`.
pub fn parse_minor(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (units, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if units.is_empty() || !all_digits(units) || !all_digits(fraction) {
        return None;
    }
    if digits.contains('.') && fraction.is_empty() {
        return None;
    }
    let (cents, rest) = fraction.split_at(fraction.len().min(2));
    if rest.bytes().any(|b| b != b'0') {
        return None;
    }
    let cents: i64 = format!("{cents:0<2}").parse().ok()?;
    let units: i64 = units.parse().ok()?;
    let minor = units.checked_mul(100)?.checked_add(cents)?;
    Some(if negative { -minor } else { minor })
}

/// 14575 → `"145.75"`: how the simulated API writes amounts.
pub fn format_minor(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn documented_amounts_parse_exactly() {
        assert_eq!(parse_minor("145.75"), Some(14575));
        assert_eq!(parse_minor("182.19"), Some(18219));
        assert_eq!(parse_minor("0.10"), Some(10));
        assert_eq!(parse_minor("145.7"), Some(14570));
        assert_eq!(parse_minor("145"), Some(14500));
        assert_eq!(parse_minor("1.500"), Some(150));
        assert_eq!(parse_minor("-3.50"), Some(-350));
        assert_eq!(parse_minor(" 12.00 "), Some(1200));
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            ".",
            "1.",
            ".5",
            "1.005",
            "1,50",
            "1 250.00",
            "abc",
            "1e3",
            "--1",
            "+1",
            "0x10",
            "99999999999999999999",
        ] {
            assert_eq!(parse_minor(bad), None, "{bad:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn any_two_decimal_amount_round_trips(units in 0u64..10_000_000_000, cents in 0u64..100) {
            let text = format!("{units}.{cents:02}");
            let minor = parse_minor(&text).unwrap();
            prop_assert_eq!(minor, (units * 100 + cents) as i64);
            prop_assert_eq!(format_minor(minor), text);
        }

        #[test]
        fn any_string_of_digits_and_dots_parses_or_is_refused_without_panicking(s in "[-0-9.]{0,24}") {
            if let Some(minor) = parse_minor(&s) {
                prop_assert_eq!(parse_minor(&format_minor(minor)), Some(minor));
            }
        }
    }
}
